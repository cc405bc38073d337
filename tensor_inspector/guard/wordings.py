"""PyTorch's wordings of a device mismatch, and what each says about the two devices.

Collected from ATen's C++ checks (``TensorIterator``, the per-argument checks that torchgen
writes into every CUDA wrapper, indexing, convolutions, RNNs, autograd's engine) and from
torch's Python sources. Pure: text in, devices out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DEVICE = r"([a-z]+(?::\d+)?)"
_TYPE = r"torch\.(?:(\w+)\.)?\w+"

# (pattern, how its groups read): "anchor,stray" = the device the operation runs on, then
# the one that is not there; "stray,anchor" the other way round; "" = no devices in the text.
_WORDINGS = (
    # TensorIterator and torchgen's device guards: "..., but found at least two devices,
    # cuda:0 and cpu!", "... but got cuda:0 and cpu", addmm's "expected 'mat1' to be ...".
    (re.compile(rf"Expected all tensors to be on the same device, but found at least two "
                rf"devices, {_DEVICE} and {_DEVICE}"), "anchor,stray"),
    (re.compile(r"Expected all tensors to be on the same device"), ""),
    (re.compile(rf"is on {_DEVICE}, different from other tensors on {_DEVICE}"), "stray,anchor"),
    (re.compile(r"indices should be either on cpu or on the same device as the indexed tensor"),
     "indexing"),
    (re.compile(rf"Input type \({_TYPE}\) and weight type \({_TYPE}\)"), "conv"),
    (re.compile(rf"invalid gradient at index \d+ - expected device {_DEVICE} but got {_DEVICE}"),
     "anchor,stray"),
    # RNNs: "Input and hidden tensors are not at the same device, found input tensor at
    # cuda:0 and hidden tensor at cpu" (also "parameter" and "cell" tensors).
    (re.compile(rf"(\w+) tensors are not at the same device, found input tensor at {_DEVICE} "
                rf"and (\w+) tensor at {_DEVICE}"), "rnn"),
    (re.compile(rf"Expected tensors to be on the same device, but found {_DEVICE} and {_DEVICE}"),
     "anchor,stray"),
    (re.compile(r"Expected object of device type \w+ but got device type \w+"), ""),
    (re.compile(r"is on CPU, but expected (?:it|them) to be on GPU"), ""),
    (re.compile(r"Expected tensor for argument #\d+ '\w+' to have the same device"), ""),
    (re.compile(r"to have the same device as tensor for"), ""),
    (re.compile(r"Placeholder storage has not been allocated on MPS device"), ""),
    (re.compile(r"expected self and mask to be on the same device"), ""),
    (re.compile(r"expected to be in the same device"), ""),
    (re.compile(r"expected input and grid to be on same device"), ""),
    (re.compile(r"\b(?:must|to) (?:all )?be on the same device\b"), ""),
    (re.compile(r"need to be on the same device"), ""),
)  # fmt: skip
_ANY_DEVICE = re.compile(r"\b(cpu|[a-z]+:\d+)\b")


@dataclass(frozen=True)
class Mismatch:
    """What PyTorch's words say: the device the operation runs on, and the one off it."""

    anchor: str | None  # None: the words do not say
    stray: str | None
    role: str = "input"  # "input", "index" (a CPU tensor indexed on the device), "hidden"...


def read_mismatch(message: str) -> Mismatch | None:
    """The devices of a mismatch in PyTorch's words, or None if the words are not one."""
    for pattern, reading in _WORDINGS:
        found = pattern.search(message)
        if found is None:
            continue
        groups = found.groups()
        if reading == "anchor,stray":
            return _ordered(groups[0], groups[1])
        if reading == "stray,anchor":
            return _ordered(groups[1], groups[0])
        if reading == "indexing":
            # A CPU tensor indexed with accelerator indices: the indexed tensor is off.
            return Mismatch(None, "cpu", "index")
        if reading == "conv":
            input_type, weight_type = groups
            if input_type == weight_type:
                return None  # only dtypes differ: not a device mismatch
            return _ordered(_device_of_type(weight_type), _device_of_type(input_type))
        if reading == "rnn":
            _, input_device, other, other_device = groups
            return Mismatch(input_device, other_device, other.lower())
        devices = _ANY_DEVICE.findall(message)
        if len(devices) >= 2 and devices[0] != devices[1]:
            return _ordered(devices[0], devices[1])
        return Mismatch(None, None)
    return None


def _ordered(first: str | None, second: str | None) -> Mismatch:
    """Beside the CPU, the accelerator is where the work runs: the CPU tensor is the stray."""
    if first == "cpu" and second not in (None, "cpu"):
        return Mismatch(second, first)
    return Mismatch(first, second)


def _device_of_type(kind: str | None) -> str | None:
    """'torch.FloatTensor' is a CPU type; 'torch.cuda.FloatTensor' a CUDA one."""
    return "cpu" if kind is None else kind


def is_device_mismatch(message: str) -> bool:
    return read_mismatch(message) is not None
