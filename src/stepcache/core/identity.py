"""What a calibrated profile is keyed by: the model's weights and the scheduler."""

from __future__ import annotations

import hashlib
import json

import torch


def model_hash(model: torch.nn.Module) -> str:
    """sha256 of the model's weights (names, shapes, dtypes and bytes, in name order)."""
    h = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        t = tensor.detach().cpu().contiguous()
        h.update(f"{name}:{tuple(t.shape)}:{t.dtype}".encode())
        h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()


def scheduler_id(scheduler) -> str:
    """The scheduler's class and a hash of its (public) config."""
    cfg = {k: v for k, v in dict(scheduler.config).items() if not k.startswith("_")}
    digest = hashlib.sha256(json.dumps(cfg, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return f"{type(scheduler).__name__}:{digest}"
