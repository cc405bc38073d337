"""The peers tensor-inspector is measured against, loaded from their installed packages.

lckr-jupyterlab-variableinspector runs a Python script in the kernel after every cell; the
script ships inside its JupyterLab extension's JavaScript, so it is read from the installed
files at run time (never copied here). lovely-tensors gives the one-line summary of a tensor.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

_SCRIPT_LITERAL = re.compile(r"py_script='((?:[^'\\]|\\.)*)'", re.S)
_MARKER = "_jupyterlab_variableinspector_dict_list"


def variable_inspector_script() -> str:
    """The kernel-side Python of lckr-jupyterlab-variableinspector, as the installed extension
    sends it to the kernel."""
    roots = [Path(sys.prefix) / "share/jupyter/labextensions/@lckr/jupyterlab_variableinspector"]
    for root in roots:
        for bundle in sorted(root.glob("static/*.js")):
            text = bundle.read_text(encoding="utf-8")
            if _MARKER not in text:
                continue
            match = _SCRIPT_LITERAL.search(text)
            if match:
                return _js_string(match.group(1))
    raise RuntimeError(
        "lckr-jupyterlab-variableinspector is not installed: `make bench` installs it"
    )


def _js_string(body: str) -> str:
    # A JavaScript single-quoted literal: turn it into a JSON one and let json decode it.
    body = body.replace("\\'", "'").replace('"', '\\"')
    body = re.sub(r"\\x([0-9a-fA-F]{2})", r"\\u00\1", body)
    return json.loads(f'"{body}"')


def lovely_summary():
    """lovely-tensors' one-line description of a tensor."""
    import lovely_tensors

    return lambda tensor: str(lovely_tensors.lovely(tensor))
