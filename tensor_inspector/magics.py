"""%tensor_inspector (alias %ti, registered with register_alias): show another panel (in the
cell, or docked beside the notebook), refresh, or set the guard's mode."""

from __future__ import annotations

import inspect

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from tensor_inspector.settings import GUARD_MODES

HELP = {"-h", "--help"}


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
        choices=["show", "side", "inline", "refresh", "guard"],
        help=(
            "show: display another panel where the setting says (the default); side: dock "
            "it in the right sidebar (JupyterLab, Notebook 7); inline: in this cell's output; "
            "refresh: rescan now; guard [block|strict|warn|off]: how operations that mix "
            "devices are handled."
        ),
    )
    @argument("value", nargs="?", help="for guard: block (the default), strict, warn or off")
    @line_magic
    def tensor_inspector(self, line: str = "") -> None:
        """Show a tensor-inspector panel. Every panel stays in sync with the notebook.

        side docks it in the right sidebar, in view while you scroll (JupyterLab and
        Notebook 7; elsewhere it stays in the cell, with a note), and inline puts it in the
        cell's output; either becomes this kernel's setting (c.TensorInspector.where in your
        profile, or python -m tensor_inspector enable --side, keeps it for every kernel).

        The guard flags operations that would mix devices (cpu + cuda:0).
        block: a cell certain to mix devices does not run, and PyTorch's own refusal is
        explained in your names; nothing is checked per operation. strict: block, plus every
        listed operation is checked before it runs. warn: a CrossDeviceWarning, then the cell
        runs. off: no checks.
        """
        if HELP.intersection(line.split()):
            # magic_arguments' parser has no -h; the help it builds is this docstring.
            print(inspect.getdoc(self.tensor_inspector).removeprefix("::").strip())
            return
        args = parse_argstring(self.tensor_inspector, line)
        if args.value is not None and args.command != "guard":
            raise UsageError(f"{args.command} takes no value, not {args.value!r}")
        if args.command == "refresh":
            self.inspector.refresh()
            count = len(self.inspector.rows)
            print(f"refreshed: {count} tensor{'' if count == 1 else 's'}")
        elif args.command == "guard":
            if args.value is None:
                print(f"guard: {self.inspector.guard.mode}")
                return
            if args.value not in GUARD_MODES:
                modes = ", ".join(GUARD_MODES)
                raise UsageError(f"guard mode must be one of {modes}, not {args.value!r}")
            self.inspector.settings.guard = args.value  # the guard follows its setting
            print(f"guard: {args.value}")
        elif args.command in ("side", "inline"):
            self.inspector.settings.where = args.command
            if args.command == "inline":  # the docked panel goes back to its cell
                self.inspector.dock.undock(self.inspector.panels)
            self.inspector.show(args.command)
        else:
            self.inspector.show()
