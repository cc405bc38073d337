"""A simulated accelerator for machines without one.

It registers PyTorch's PrivateUse1 backend under the name ``sim``. Its tensors hold real
values in CPU memory, so ``.to("sim")``, ``.item()``, ``backward()`` and optimizers work,
while ``torch.accelerator.is_available()`` is True and the device reads ``sim:0``. Tests
use it to run the moves, backward passes and device checks that need a second device.

Call ``install()`` before the first ``backward()`` of the process: PyTorch's autograd engine
sets up one queue per device then, and never again.

Like a GPU, it refuses to mix its tensors with CPU tensors, except for CPU 0-dim tensors,
which PyTorch's element-wise kernels accept as scalars.

It counts its copies between device and host: ``reset_transfers()``, then ``transfers()``
lists the bytes of each copy since, so tests check that a refresh reads no values and that
a statistic reads them once.
"""

from __future__ import annotations

import sys
import weakref

import torch
from torch.utils._pytree import tree_map

DEVICE_TYPE = "sim"

_installed = False

# Bytes of each copy between device and host since reset_transfers(), in order.
_transfers: list[int] = []


def transfers() -> list[int]:
    """The byte count of each device<->host copy since ``reset_transfers()``: a tensor
    moved either way, a value read back (``.item()``, ``bool()``, ``tolist()``, printing),
    or the element count that an operator with a data-dependent shape reads (``nonzero``)."""
    return list(_transfers)


def reset_transfers() -> None:
    _transfers.clear()


def _count(nbytes: int) -> None:
    _transfers.append(int(nbytes))


def _nbytes(tensor: torch.Tensor) -> int:
    return tensor.numel() * tensor.element_size()


# Operators whose output size depends on the values: on a GPU they read a count back.
_DATA_DEPENDENT_SHAPE = {
    "nonzero",
    "masked_select",
    "_unique",
    "_unique2",
    "unique_dim",
    "unique_consecutive",
    "unique_dim_consecutive",
    "repeat_interleave",
}
_PYTHON_SCALARS = (bool, int, float, complex)


def _count_read_back(func, args, out) -> None:
    """Count what a GPU would copy to the host for this operator: its Python scalar result
    (``item``, ``equal``, ``allclose``) or the element count of a data-dependent shape."""
    if type(out) in _PYTHON_SCALARS:
        if func is torch.ops.aten._local_scalar_dense.default:
            _count(args[0].element_size())
        else:
            _count(1)
    elif func._schema.name.split("::")[-1] in _DATA_DEPENDENT_SHAPE:
        _count(8)


class SimulatedTensor(torch.Tensor):
    """A tensor on the simulated device; ``raw`` holds its values on the CPU."""

    raw: torch.Tensor

    @staticmethod
    def __new__(cls, raw: torch.Tensor, requires_grad: bool = False):
        wrapper = torch.Tensor._make_wrapper_subclass(
            cls,
            raw.shape,
            strides=raw.stride(),
            storage_offset=raw.storage_offset(),
            dtype=raw.dtype,
            layout=raw.layout,
            device=torch.device(DEVICE_TYPE, 0),
            requires_grad=requires_grad,
        )
        wrapper.raw = raw
        return wrapper

    def __repr__(self, *, tensor_contents=None):
        _count(_nbytes(self.raw))
        return f"tensor({self.raw.tolist()}, device='{DEVICE_TYPE}:0')"

    def tolist(self):
        _count(_nbytes(self.raw))
        return self.raw.tolist()

    def __format__(self, spec: str) -> str:
        _count(_nbytes(self.raw))
        return self.raw.__format__(spec)

    @classmethod
    def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
        if not kwargs and len(args) == 1 and type(args[0]) is SimulatedTensor:
            # One simulated tensor mixes nothing: the common case, kept cheap.
            out = func(args[0].raw)
            if not isinstance(out, torch.Tensor):
                _count_read_back(func, args, out)
            elif func._schema.name.split("::")[-1] in _DATA_DEPENDENT_SHAPE:
                _count(8)
            if func.is_view or _returns_input(func):
                return _rewrap_inplace(func, args, out)
            return tree_map(_wrap, out)
        kwargs = kwargs or {}
        if func in _TRANSFERS:
            return _transfer(func, args, kwargs)
        _refuse_mixed_devices(func, args, kwargs)
        raw_args = tree_map(_unwrap, args)
        raw_kwargs = tree_map(_unwrap, kwargs)
        if "device" in raw_kwargs:
            raw_kwargs["device"] = "cpu"
        out = func(*raw_args, **raw_kwargs)
        if not isinstance(out, torch.Tensor) or func._schema.name.split("::")[-1] in (
            _DATA_DEPENDENT_SHAPE
        ):
            _count_read_back(func, args, out)
        if func.is_view or _returns_input(func):
            return _rewrap_inplace(func, args, out)
        return tree_map(_wrap, out)


def _unwrap(value):
    return value.raw if isinstance(value, SimulatedTensor) else value


def _wrap(value):
    if isinstance(value, torch.Tensor) and not isinstance(value, SimulatedTensor):
        return SimulatedTensor(value)
    return value


def _returns_input(func) -> bool:
    schema = func._schema
    return bool(schema.returns) and any(
        r.alias_info is not None and r.alias_info.is_write for r in schema.returns
    )


def _rewrap_inplace(func, args, out):
    # In-place ops and out= must hand back the very wrapper they were given.
    if _returns_input(func):
        for arg in args:
            if isinstance(arg, SimulatedTensor) and out is arg.raw:
                return arg
    return tree_map(_wrap, out)


def _is_cpu_scalar(value) -> bool:
    return (
        isinstance(value, torch.Tensor)
        and not isinstance(value, SimulatedTensor)
        and value.device.type == "cpu"
        and value.dim() == 0
    )


# Operators that index with their tensor arguments: CPU indices are fine on a device.
_INDEXING = {"index", "index_put", "_index_put_impl"}
# Tagged pointwise, yet CUDA refuses CPU scalar bounds (measured); ternary kernels take no
# CPU scalar (addcdiv is built as a ternary op; addcmul's kernel reads tensor1 on the device).
_STRICT_POINTWISE = {"clamp", "clamp_min", "clamp_max", "clip", "addcdiv", "addcmul"}
# Not tagged pointwise, yet their kernels take a CPU 0-dim value (read with .item()).
_TAKES_CPU_SCALARS = {"masked_fill", "fill"}


def _refuse_mixed_devices(func, args, kwargs) -> None:
    """CUDA's rule: CPU 0-dim tensors may join element-wise (pointwise-tagged) kernels as
    inputs; indices may stay on the CPU; anything else on the CPU is refused."""
    name = func._schema.name.split("::")[-1].rstrip("_")
    if name in _INDEXING:
        if not isinstance(args[0], SimulatedTensor):
            raise RuntimeError(
                "indices should be either on cpu or on the same device as the indexed tensor (cpu)"
            )
        return
    pointwise = (
        torch.Tag.pointwise in func.tags and name not in _STRICT_POINTWISE
    ) or name in _TAKES_CPU_SCALARS
    writes_self = func._schema.name.endswith("_") or "out" in kwargs
    for position, value in enumerate(tree_flatten_tensors((args, kwargs))):
        if isinstance(value, SimulatedTensor) or value.device.type == "meta":
            continue
        written = position == 0 and writes_self
        if pointwise and _is_cpu_scalar(value) and not written:
            continue
        raise RuntimeError(
            "Expected all tensors to be on the same device, but found at least two devices, "
            f"{DEVICE_TYPE}:0 and {value.device}! ({func})"
        )


def tree_flatten_tensors(tree) -> list:
    found: list = []
    tree_map(lambda v: found.append(v) if isinstance(v, torch.Tensor) else None, tree)
    return found


def _transfer(func, args, kwargs):
    src = args[0]
    if func is torch.ops.aten.copy_.default:
        dst, src = args[0], args[1]
        dst_raw = dst.raw if isinstance(dst, SimulatedTensor) else dst
        if isinstance(dst, SimulatedTensor) != isinstance(src, SimulatedTensor):
            _count(_nbytes(dst_raw))
        dst_raw.copy_(_unwrap(src))
        return dst
    # _to_copy with a target device
    target = kwargs.get("device")
    new_kwargs = {k: v for k, v in kwargs.items() if k != "device"}
    out = torch.ops.aten._to_copy.default(_unwrap(src), **new_kwargs)
    to_device = target is not None and torch.device(target).type == DEVICE_TYPE
    if isinstance(src, SimulatedTensor) != (target is None or to_device):
        _count(_nbytes(out))  # the device's bytes reach the host, or the host's the device
    if target is not None and not to_device:
        return out.to(target)
    return SimulatedTensor(out)


_TRANSFERS = {torch.ops.aten._to_copy.default, torch.ops.aten.copy_.default}


def _empty_strided(size, stride, *, dtype=None, layout=None, device=None, pin_memory=None):
    raw = torch.empty_strided(size, stride, dtype=dtype or torch.get_default_dtype())
    return SimulatedTensor(raw)


def _empty_memory_format(
    size, *, dtype=None, layout=None, device=None, pin_memory=None, memory_format=None
):
    raw = torch.empty(size, dtype=dtype or torch.get_default_dtype())
    return SimulatedTensor(raw)


def _copy_from(src, dst, non_blocking=False):
    if isinstance(dst, SimulatedTensor) != isinstance(src, SimulatedTensor):
        _count(_nbytes(_unwrap(dst)))
    _unwrap(dst).copy_(_unwrap(src))
    return dst


_library = None


def _check_root_gradients(backward):
    """CUDA's autograd engine refuses a gradient of one or more dimensions on another device
    than its output ("invalid gradient at index 0"), and moves a 0-dim one. The engine
    exempts tensor subclasses from that check, so the simulated device makes it here."""

    def checked(tensors, grad_tensors=None, *args, **kwargs):
        outputs = (tensors,) if isinstance(tensors, torch.Tensor) else tuple(tensors)
        grads = grad_tensors
        if isinstance(grads, torch.Tensor):
            grads = (grads,)
        if grads is not None:
            grads = list(grads)
            for index, (output, grad) in enumerate(zip(outputs, grads, strict=False)):
                if not isinstance(grad, torch.Tensor) or grad.device == output.device:
                    continue
                if isinstance(output, SimulatedTensor) or isinstance(grad, SimulatedTensor):
                    if grad.dim() == 0:
                        grads[index] = grad.to(output.device)
                        continue
                    raise RuntimeError(
                        f"invalid gradient at index {index} - expected device "
                        f"{output.device} but got {grad.device}"
                    )
        return backward(tensors, grads, *args, **kwargs)

    checked.__wrapped__ = backward
    return checked


def _keep_parameters_on_module_moves() -> None:
    """On CUDA, ``module.to(device)`` keeps each Parameter object and swaps its ``.data``, so
    an optimizer built before the move keeps training. A wrapper subclass cannot take
    ``.data``, but Module._apply swaps whole tensors (same object) for subclasses it is told
    are swappable: tell it so for simulated tensors whenever the swap can succeed, that is
    when no autograd graph or weak reference holds the parameter. Otherwise it falls back
    to a new Parameter, as before."""
    from torch.nn.modules import module as module_module

    is_swappable_subclass = module_module.is_traceable_wrapper_subclass

    def swappable(tensor) -> bool:
        if is_swappable_subclass(tensor):
            return True
        if type(tensor) is not SimulatedTensor:
            return False
        param = sys._getframe(1).f_locals.get("param")  # Module._apply's parameter in hand
        if not isinstance(param, torch.Tensor) or type(param).__name__.startswith("Uninit"):
            return False
        if weakref.getweakrefs(param):
            return False
        use_count = param._use_count()
        return use_count == 1 or (use_count == 2 and param.is_leaf)

    module_module.is_traceable_wrapper_subclass = swappable


def install() -> str:
    """Register the ``sim`` device once per process; returns the device name to use."""
    global _installed, _library
    if _installed:
        return f"{DEVICE_TYPE}:0"
    from torch.utils.backend_registration import _setup_privateuseone_for_python_backend

    _setup_privateuseone_for_python_backend(DEVICE_TYPE)
    _library = torch.library.Library("aten", "IMPL")
    _library.impl("empty_strided", _empty_strided, "PrivateUse1")
    _library.impl("empty.memory_format", _empty_memory_format, "PrivateUse1")
    _library.impl("_copy_from", _copy_from, "PrivateUse1")
    torch.autograd.backward = _check_root_gradients(torch.autograd.backward)
    _keep_parameters_on_module_moves()
    torch.serialization.add_safe_globals([SimulatedTensor])  # torch.load of saved sim tensors
    _installed = True
    return f"{DEVICE_TYPE}:0"
