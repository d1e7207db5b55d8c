"""MACs counted by ``torch.utils.flop_counter`` (a multiply-accumulate is 2 FLOPs there)."""

from __future__ import annotations

import torch
from torch.utils.flop_counter import FlopCounterMode


def count_macs(fn, *args, **kwargs) -> tuple[int, dict[str, int]]:
    """Run ``fn(*args, **kwargs)`` once without grad; return its total MACs and the MACs per module name
    (names as in ``named_modules()``, nested modules included in their parents)."""
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        fn(*args, **kwargs)
    per_module: dict[str, int] = {}
    for key, ops in counter.get_flop_counts().items():
        if key == "Global":
            continue
        name = key.split(".", 1)[1] if "." in key else ""
        per_module[name] = per_module.get(name, 0) + sum(ops.values()) // 2
    return counter.get_total_flops() // 2, per_module
