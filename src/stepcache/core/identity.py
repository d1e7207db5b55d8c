"""What a calibrated profile is keyed by: the model's weights and the scheduler."""

from __future__ import annotations

import hashlib
import json

import torch
from torch.utils._python_dispatch import is_traceable_wrapper_subclass


def model_hash(model: torch.nn.Module) -> str:
    """sha256 of the model's weights (names, shapes, dtypes and bytes, in name order). Quantized weights (torchao's
    tensor subclasses, torch's quantized tensors) are hashed by what they hold, never reinterpreted as bytes."""
    h = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        _update(h, name, tensor.detach())
    return h.hexdigest()


def _update(h, name: str, t: torch.Tensor) -> None:
    if is_traceable_wrapper_subclass(t):  # torchao: the quantized data, scales, ... it is made of
        h.update(f"{name}:{tuple(t.shape)}:{t.dtype}:{type(t).__qualname__}".encode())
        for inner in t.__tensor_flatten__()[0]:
            _update(h, f"{name}.{inner}", getattr(t, inner))
        return
    if t.is_quantized:
        h.update(f"{name}:{tuple(t.shape)}:{t.dtype}".encode())
        _update(h, f"{name}.int_repr", t.int_repr())
        _update(h, f"{name}.dequantized", t.dequantize())
        return
    if t.is_meta:
        raise ValueError(f"the weight {name} is on the meta device (offloaded to disk or CPU by accelerate), so "
                         "the model's weights cannot be hashed; calibrate and use profiles without sequential "
                         "offload")
    t = t.cpu().contiguous()
    h.update(f"{name}:{tuple(t.shape)}:{t.dtype}".encode())
    h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")


def scheduler_id(scheduler) -> str:
    """The scheduler's class and a hash of its (public) config."""
    cfg = {k: v for k, v in dict(scheduler.config).items() if not k.startswith("_")}
    digest = hashlib.sha256(json.dumps(cfg, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return f"{type(scheduler).__name__}:{digest}"
