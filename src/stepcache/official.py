"""A drop-in for the official package's ``DeepCache.DeepCacheSDHelper``: change one import, keep your code.

``cache_branch_id`` keeps the official meaning, the 0-based index of the skip feature (0 = the skip from
``conv_in``), i.e. paper branch ``cache_branch_id + 1``; unlike the official helper it is mapped through the
model's real block structure, not ``block = id // 3, layer = id % 3``.
"""

from __future__ import annotations

from .api import disable, enable
from .config import DeepCacheConfig


class DeepCacheSDHelper:
    def __init__(self, pipe=None):
        self.pipe = pipe
        self.params = {"cache_interval": 1, "cache_branch_id": 0, "skip_mode": "uniform"}
        self._enabled_on = None

    def set_params(self, cache_interval: int = 1, cache_branch_id: int = 0, skip_mode: str = "uniform") -> None:
        if skip_mode != "uniform":
            raise ValueError(f"skip_mode must be 'uniform' (use stepcache.DeepCacheConfig for other schedules), "
                             f"got {skip_mode!r}")
        if isinstance(cache_branch_id, bool) or not isinstance(cache_branch_id, int) or cache_branch_id < 0:
            raise ValueError(f"cache_branch_id must be an integer in [0, number of skip features), "
                             f"got {cache_branch_id!r}")
        DeepCacheConfig(interval=cache_interval, branch=cache_branch_id + 1)  # validate now, not at enable()
        self.params = {"cache_interval": cache_interval, "cache_branch_id": cache_branch_id, "skip_mode": skip_mode}

    def config(self) -> DeepCacheConfig:
        return DeepCacheConfig(interval=self.params["cache_interval"], branch=self.params["cache_branch_id"] + 1)

    def enable(self, pipe=None) -> None:
        pipe = pipe if pipe is not None else self.pipe
        if pipe is None:
            raise ValueError("pipe must be given, to DeepCacheSDHelper(pipe) or to enable(pipe)")
        if self._enabled_on is not None:  # the official helper re-enables; so do we, with the current params
            self.disable()
        self.pipe = pipe
        enable(pipe, self.config())
        self._enabled_on = pipe

    def disable(self) -> None:
        if self._enabled_on is not None:
            disable(self._enabled_on)
            self._enabled_on = None
