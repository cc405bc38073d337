"""Which operators accept a CPU 0-dim tensor beside accelerator tensors, read from the
native_functions.yaml that ships in the torch wheel (torchgen/packaged).

PyTorch lets a CPU 0-dim tensor join accelerator tensors only in TensorIterator kernels
(element-wise ops). In native_functions.yaml those are the operators tagged ``pointwise`` or
built on ``TensorIteratorBase`` (directly or through their ``structured_delegate``). Every
other operator is strict: all its tensors must be on one device.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

_FUNC = re.compile(r"^- func:\s*([A-Za-z0-9_]+)(?:\.([A-Za-z0-9_]+))?\(")
_KEY = re.compile(r"^  (structured_delegate|structured_inherits|tags):\s*(.*)$")

# Measured exceptions to what the yaml implies (torch 2.x on CUDA):
# clamp/clip with tensor bounds check devices strictly although they are TensorIterator ops;
# masked_fill takes its 0-dim value from any device.
STRICT_DESPITE_YAML = frozenset({"clamp", "clamp_min", "clamp_max", "clip"})
TOLERANT_DESPITE_YAML = frozenset({"masked_fill"})


@dataclass(frozen=True)
class OpTable:
    known: frozenset[str]  # every operator base name
    scalar_tolerant: frozenset[str]  # base names whose kernels take CPU 0-dim tensors

    def is_known(self, name: str) -> bool:
        return name in self.known

    def allows_cpu_scalars(self, name: str) -> bool:
        return name in self.scalar_tolerant


def yaml_path() -> Path | None:
    import torchgen

    path = Path(torchgen.__file__).parent / "packaged" / "ATen" / "native" / "native_functions.yaml"
    return path if path.exists() else None


def parse_native_functions(text: str) -> OpTable:
    """Read the operator entries with a line scanner: the file is regular, and torch does not
    depend on a YAML library."""
    entries: dict[str, dict] = {}
    current: dict | None = None
    for line in text.splitlines():
        match = _FUNC.match(line)
        if match:
            base, overload = match.group(1), match.group(2) or ""
            current = {"base": base, "tags": "", "delegate": None, "inherits": None}
            entries[f"{base}.{overload}" if overload else base] = current
            continue
        if current is None:
            continue
        key = _KEY.match(line)
        if key:
            field, value = key.group(1), key.group(2).strip()
            if field == "tags":
                current["tags"] = value
            elif field == "structured_delegate":
                current["delegate"] = value
            else:
                current["inherits"] = value

    def uses_tensor_iterator(entry: dict) -> bool:
        if "pointwise" in entry["tags"] or entry["inherits"] == "TensorIteratorBase":
            return True
        delegate = entries.get(entry["delegate"] or "")
        return delegate is not None and delegate["inherits"] == "TensorIteratorBase"

    known = {entry["base"] for entry in entries.values()}
    tolerant = {entry["base"] for entry in entries.values() if uses_tensor_iterator(entry)}
    tolerant = (tolerant - STRICT_DESPITE_YAML) | TOLERANT_DESPITE_YAML
    return OpTable(frozenset(known), frozenset(tolerant))


@functools.cache
def op_table() -> OpTable:
    """The table for the installed torch; read once, on the first device mismatch."""
    path = yaml_path()
    if path is None:  # a torch build without torchgen: every operator is treated as strict
        return OpTable(frozenset(), TOLERANT_DESPITE_YAML)
    return parse_native_functions(path.read_text())
