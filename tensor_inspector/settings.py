"""tensor-inspector's settings, as IPython's own extensions take theirs: traitlets config.

In the IPython profile (``ipython_kernel_config.py``)::

    c.TensorInspector.guard = "strict"

and in a running kernel ``%config TensorInspector.guard = "off"`` or
``%tensor_inspector guard off``.
"""

from __future__ import annotations

from traitlets import Enum
from traitlets.config import Configurable

GUARD_MODES = ("block", "strict", "warn", "off")


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
