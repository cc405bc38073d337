"""A simulated accelerator for machines without one.

It registers PyTorch's PrivateUse1 backend under the name ``sim``. Its tensors hold real
values in CPU memory, so ``.to("sim")``, ``.item()``, ``backward()`` and optimizers work,
while ``torch.accelerator.is_available()`` is True and the device reads ``sim:0``. Tests
use it to run the moves, backward passes and device checks that need a second device.
``install(devices=2)`` adds ``sim:1``, as a machine with two GPUs has ``cuda:0`` and ``cuda:1``;
``install()`` goes back to one. ``torch.accelerator.set_device_index(1)`` makes ``sim:1``
current for factories (``device="sim"``) and the panel; ``tensor.to("sim")`` still lands on
``sim:0``, since PyTorch's Python device guard keeps no current index.

Call ``install()`` before the first ``backward()`` of the process: PyTorch's autograd engine
sets up one queue per device then, and never again.

Like a GPU, it refuses to mix its tensors with CPU tensors, except for CPU 0-dim tensors,
which PyTorch's element-wise kernels accept as scalars, and refuses to mix ``sim:0`` with
``sim:1``. Memory is counted per device (``torch.sim.memory_allocated(index)``).

It counts its copies between device and host: ``reset_transfers()``, then ``transfers()``
lists the bytes of each copy since, so tests check that a refresh reads no values and that
a statistic reads them once.
"""

from __future__ import annotations

import contextlib
import copy
import sys
import weakref

import torch
from torch.utils._pytree import tree_map

DEVICE_TYPE = "sim"

_installed = False
_device_count = 1
_current_index = 0
# Every live simulated tensor's values, by id, with its device index: what memory_allocated sums.
_live_raws: dict[int, tuple[int, weakref.ref]] = {}

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
    def __new__(cls, raw: torch.Tensor, requires_grad: bool = False, index: int = 0):
        if not 0 <= index < _device_count:
            raise RuntimeError(
                f"CUDA error: invalid device ordinal ({DEVICE_TYPE}:{index} of "
                f"{_device_count} device{'s' if _device_count != 1 else ''})"
            )
        wrapper = torch.Tensor._make_wrapper_subclass(
            cls,
            raw.shape,
            strides=raw.stride(),
            storage_offset=raw.storage_offset(),
            dtype=raw.dtype,
            layout=raw.layout,
            device=torch.device(DEVICE_TYPE, index),
            requires_grad=requires_grad,
        )
        wrapper.raw = raw
        _count_memory(raw, index)
        return wrapper

    def __repr__(self, *, tensor_contents=None):
        _count(_nbytes(self.raw))
        return f"tensor({self.raw.tolist()}, device='{self.device}')"

    def tolist(self):
        _count(_nbytes(self.raw))
        return self.raw.tolist()

    def __format__(self, spec: str) -> str:
        _count(_nbytes(self.raw))
        return self.raw.__format__(spec)

    def __deepcopy__(self, memo):
        """A wrapper subclass is copied through what it wraps, as PyTorch's own LocalTensor
        does: its values are deep-copied with the same memo (so views of one storage stay
        views of one copy), then wrapped again on the same device. Tensor.__deepcopy__ would
        take a view with a storage offset (nonzero data_ptr) for a real storage and read the
        wrapper's empty one, which crashes the process (copy.deepcopy(model) in
        AveragedModel, EMA)."""
        if id(self) in memo:
            return memo[id(self)]
        if not self.is_leaf:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the "
                "deepcopy protocol at the moment."
            )
        copied = SimulatedTensor(
            copy.deepcopy(self.raw, memo),
            requires_grad=self.requires_grad,
            index=self.device.index,
        )
        memo[id(self)] = copied
        if self.grad is not None:
            copied.grad = copy.deepcopy(self.grad, memo)
        state = {key: value for key, value in self.__dict__.items() if key != "raw"}
        copied.__dict__.update(copy.deepcopy(state, memo))  # _is_param of a Parameter
        return copied

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
            return tree_map(_wrapper_on(args[0].device.index), out)
        kwargs = kwargs or {}
        if func in _TRANSFERS:
            return _transfer(func, args, kwargs)
        index = _one_index(func, args, kwargs)
        _refuse_mixed_devices(func, args, kwargs)
        raw_args = tree_map(_unwrap, args)
        raw_kwargs = tree_map(_unwrap, kwargs)
        if "device" in raw_kwargs:
            target = raw_kwargs["device"]
            if target is not None and torch.device(target).type == DEVICE_TYPE:
                index = _index_of(torch.device(target))
            raw_kwargs["device"] = "cpu"
        out = func(*raw_args, **raw_kwargs)
        if not isinstance(out, torch.Tensor) or func._schema.name.split("::")[-1] in (
            _DATA_DEPENDENT_SHAPE
        ):
            _count_read_back(func, args, out)
        if func.is_view or _returns_input(func):
            return _rewrap_inplace(func, args, out)
        if func._schema.name.split("::")[-1] in _HOST_RESULTS:
            return _with_host_results(func, out, index)
        return tree_map(_wrapper_on(index), out)


def _unwrap(value):
    return value.raw if isinstance(value, SimulatedTensor) else value


def _wrapper_on(index: int):
    def wrap(value):
        if isinstance(value, torch.Tensor) and not isinstance(value, SimulatedTensor):
            return SimulatedTensor(value, index=index)
        return value

    return wrap


def _index_of(device: torch.device) -> int:
    """A device written without an index ('sim', like 'cuda') means the current one."""
    return _current_index if device.index is None else device.index


def _one_index(func, args, kwargs) -> int:
    """The one simulated device an operator's tensors are on. Two indices are refused with
    CUDA's words, as sim:0 and sim:1 are two GPUs."""
    found: set[int] = set()
    _indices_in(args, found)
    _indices_in(kwargs.values(), found)
    indices = sorted(found)
    if len(indices) > 1:
        raise RuntimeError(
            "Expected all tensors to be on the same device, but found at least two devices, "
            f"{DEVICE_TYPE}:{indices[0]} and {DEVICE_TYPE}:{indices[1]}! ({func})"
        )
    return indices[0] if indices else _current_index


def _indices_in(values, found: set[int]) -> None:
    # On every operator with several arguments: a plain walk, cheaper than a pytree map.
    for value in values:
        if isinstance(value, SimulatedTensor):
            found.add(value.device.index)
        elif isinstance(value, (list, tuple)):
            _indices_in(value, found)


def _count_memory(raw: torch.Tensor, index: int) -> None:
    key = id(raw)
    _live_raws[key] = (index, weakref.ref(raw, lambda _, key=key: _live_raws.pop(key, None)))


def memory_allocated(index: int = 0) -> int:
    """Bytes held by the live tensors of ``sim:index``, each storage once."""
    storages: dict[int, int] = {}
    for held_on, ref in list(_live_raws.values()):
        raw = ref()
        if raw is None or held_on != index:
            continue
        storage = raw.untyped_storage()
        storages[storage.data_ptr()] = storage.nbytes()
    return sum(storages.values())


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
    return tree_map(_wrapper_on(_simulated_device_of(args).index), out)


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
# Arguments that CUDA reads on the host, so it wants them on the CPU: a packed sequence's
# lengths and batch sizes ("lengths argument should be a 1D CPU int64 tensor").
_HOST_ARGUMENTS = {
    "_pack_padded_sequence": {"lengths"},
    "_pack_padded_sequence_backward": {"batch_sizes"},
    "_pad_packed_sequence": {"batch_sizes"},
}
# ...and results that CUDA leaves on the CPU: the batch sizes of a packed sequence, and the
# lengths that unpacking it gives back.
_HOST_RESULTS = {"_pack_padded_sequence": {1}, "_pad_packed_sequence": {1}}


def _with_host_results(func, out, index: int):
    on_host = _HOST_RESULTS[func._schema.name.split("::")[-1]]
    wrap = _wrapper_on(index)
    return tuple(value if i in on_host else wrap(value) for i, value in enumerate(out))


def _refuse_mixed_devices(func, args, kwargs) -> None:
    """CUDA's rule: CPU 0-dim tensors may join element-wise (pointwise-tagged) kernels as
    inputs; indices may stay on the CPU; arguments read on the host (a packed sequence's
    lengths) stay there; anything else on the CPU is refused."""
    name = func._schema.name.split("::")[-1].rstrip("_")
    host = _HOST_ARGUMENTS.get(func._schema.name.split("::")[-1])
    if host:
        names = [argument.name for argument in func._schema.arguments]
        args = tuple(None if names[i] in host else value for i, value in enumerate(args))
        kwargs = {key: value for key, value in kwargs.items() if key not in host}
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
            f"{_simulated_device_of((args, kwargs))} and {value.device}! ({func})"
        )


def _simulated_device_of(tree) -> torch.device:
    for value in tree_flatten_tensors(tree):
        if isinstance(value, SimulatedTensor):
            return value.device
    return torch.device(DEVICE_TYPE, _current_index)


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
    if target is not None:
        return SimulatedTensor(out, index=_index_of(torch.device(target)))
    return SimulatedTensor(out, index=src.device.index if isinstance(src, SimulatedTensor) else 0)


_TRANSFERS = {torch.ops.aten._to_copy.default, torch.ops.aten.copy_.default}


def _empty_strided(size, stride, *, dtype=None, layout=None, device=None, pin_memory=None):
    raw = torch.empty_strided(size, stride, dtype=dtype or torch.get_default_dtype())
    return SimulatedTensor(raw, index=_index_of(torch.device(device or DEVICE_TYPE)))


def _empty_memory_format(
    size, *, dtype=None, layout=None, device=None, pin_memory=None, memory_format=None
):
    raw = torch.empty(size, dtype=dtype or torch.get_default_dtype())
    return SimulatedTensor(raw, index=_index_of(torch.device(device or DEVICE_TYPE)))


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
        with _one_queue():
            return backward(tensors, grads, *args, **kwargs)

    checked.__wrapped__ = backward
    return checked


def _one_queue():
    """PyTorch's Python device guard counts one device, so its autograd engine keeps one
    queue for the backend and asserts on sim:1. With several devices, backward runs on the
    calling thread's queue instead, which takes any index."""
    if _device_count == 1:
        return contextlib.nullcontext()
    return torch.autograd.set_multithreading_enabled(False)


def _grad_on_one_queue(grad):
    def on_one_queue(*args, **kwargs):
        with _one_queue():
            return grad(*args, **kwargs)

    on_one_queue.__wrapped__ = grad
    return on_one_queue


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


class _Backend:
    """``torch.sim``: what PyTorch asks a device backend (count, current index, memory)."""

    def is_initialized(self) -> bool:
        return True

    def is_available(self) -> bool:
        return True

    def _is_in_bad_fork(self) -> bool:
        return False

    def manual_seed_all(self, seed: int) -> None:
        pass

    def device_count(self) -> int:
        return _device_count

    def current_device(self) -> int:
        return _current_index

    def set_device(self, index) -> None:
        global _current_index
        index = _index_of(torch.device(index)) if not isinstance(index, int) else index
        if not 0 <= index < _device_count:
            raise RuntimeError(f"CUDA error: invalid device ordinal ({DEVICE_TYPE}:{index})")
        _current_index = index

    def memory_allocated(self, index: int = 0) -> int:
        return memory_allocated(_index_of(torch.device(DEVICE_TYPE, index)))

    def memory_reserved(self, index: int = 0) -> int:
        return self.memory_allocated(index)


def _follow_current_index() -> None:
    """PyTorch's Python device guard keeps no index, so torch.accelerator would always say
    device 0: route its current-index calls to the simulated backend while it is in use."""
    accelerator = torch.accelerator
    current, choose = accelerator.current_device_index, accelerator.set_device_index

    def current_device_index() -> int:
        if accelerator.current_accelerator().type == DEVICE_TYPE:
            return _current_index
        return current()

    def set_device_index(device) -> None:
        if accelerator.current_accelerator().type == DEVICE_TYPE:
            torch.sim.set_device(device)
        else:
            choose(device)

    accelerator.current_device_index = accelerator.current_device_idx = current_device_index
    accelerator.set_device_index = accelerator.set_device_idx = set_device_index


def install(devices: int = 1) -> str:
    """Register the ``sim`` device once per process, with ``devices`` devices (``sim:0``,
    ``sim:1``...; a later call changes the count); returns the device name to use."""
    global _installed, _library, _device_count, _current_index
    if devices < 1:
        raise ValueError(f"devices must be 1 or more, not {devices}")
    _device_count = devices
    _current_index = 0
    if _installed:
        return f"{DEVICE_TYPE}:0"
    from torch.utils.backend_registration import _setup_privateuseone_for_python_backend

    _setup_privateuseone_for_python_backend(DEVICE_TYPE, backend_module=_Backend())
    _follow_current_index()
    _library = torch.library.Library("aten", "IMPL")
    _library.impl("empty_strided", _empty_strided, "PrivateUse1")
    _library.impl("empty.memory_format", _empty_memory_format, "PrivateUse1")
    _library.impl("_copy_from", _copy_from, "PrivateUse1")
    torch.autograd.backward = _check_root_gradients(torch.autograd.backward)
    torch.autograd.grad = _grad_on_one_queue(torch.autograd.grad)
    _keep_parameters_on_module_moves()
    torch.serialization.add_safe_globals([SimulatedTensor])  # torch.load of saved sim tensors
    _installed = True
    return f"{DEVICE_TYPE}:0"
