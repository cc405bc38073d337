"""tensor-inspector's settings, as IPython's own extensions take theirs: traitlets config.

In the IPython profile (``ipython_kernel_config.py``; ``python -m tensor_inspector enable
--side`` writes the second line)::

    c.TensorInspector.guard = "strict"
    c.TensorInspector.where = "side"

and in a running kernel ``%config TensorInspector.guard = "off"``, ``%tensor_inspector guard
off`` or ``%tensor_inspector side``.
"""

from __future__ import annotations

from traitlets import Enum
from traitlets.config import Configurable

GUARD_MODES = ("block", "strict", "warn", "off")
PLACES = ("inline", "side")


class TensorInspector(Configurable):
    guard = Enum(
        GUARD_MODES,
        default_value="block",
        help=(
            "How operations that mix devices are handled. block: a cell certain to mix "
            "devices does not run, and PyTorch's own refusal is explained in your names; "
            "strict: block, plus every listed operation is checked before it runs; warn: a "
            "CrossDeviceWarning, then the cell runs; off: no checks."
        ),
    ).tag(config=True)
    where = Enum(
        PLACES,
        default_value="inline",
        help=(
            "Where the panel shows. inline: in the output of the cell that loads the extension; "
            "side: in JupyterLab's right sidebar, in view while you scroll (front ends without "
            "one show it inline, with a note)."
        ),
    ).tag(config=True)
