"""%tensor_inspector (alias %ti): show another panel, or refresh."""

from __future__ import annotations

from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from IPython.display import display


@magics_class
class InspectorMagics(Magics):
    def __init__(self, shell, inspector) -> None:
        super().__init__(shell)
        self.inspector = inspector

    @magic_arguments()
    @argument(
        "command",
        nargs="?",
        default="show",
        choices=["show", "refresh"],
        help="show: display another panel (the default); refresh: rescan now.",
    )
    @line_magic
    def tensor_inspector(self, line: str = "") -> None:
        """Show a tensor-inspector panel. Every panel stays in sync with the notebook."""
        args = parse_argstring(self.tensor_inspector, line)
        if args.command == "refresh":
            self.inspector.refresh()
        else:
            display(self.inspector.new_panel())

    @line_magic
    def ti(self, line: str = "") -> None:
        """Alias of %tensor_inspector."""
        return self.tensor_inspector(line)
