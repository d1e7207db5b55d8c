"""A drop-in for the official package's ``DeepCache.DeepCacheSDHelper``: change one import, keep your code.

``cache_branch_id`` keeps the official meaning, the 0-based index of the skip feature (0 = the skip from
``conv_in``), i.e. paper branch ``cache_branch_id + 1``; unlike the official helper it is mapped through the
model's real block structure, not ``block = id // 3, layer = id % 3``.
"""

from __future__ import annotations

from .api import split, disable, enable
from .core.config import DeepCacheConfig, check_int


def _num_skips(pipe) -> int | None:
    """How many skip features the pipeline's U-Net has (``None`` for a model stepcache does not support: enabling
    it then says why)."""
    from .families.unet import check_supported
    from .families.unet import UnsupportedModelError, layout

    unet, _ = split(pipe)
    try:
        check_supported(unet)
        return layout(unet).num_branches
    except UnsupportedModelError:
        return None


def _check_branch_id(branch_id, pipe) -> int:
    """``cache_branch_id`` in the official numbering: ``[0, skips - 1]`` for ``pipe``'s U-Net (``[0, inf)`` while
    no pipeline is known)."""
    n = _num_skips(pipe) if pipe is not None else None
    if n is None:
        return check_int("cache_branch_id", branch_id, 0)
    try:
        return check_int("cache_branch_id", branch_id, 0, n - 1)
    except ValueError:
        unet, _ = split(pipe)
        raise ValueError(f"cache_branch_id must be an integer in [0, {n - 1}] for this {type(unet).__name__} "
                         f"({n} skip features; 0 is the skip from conv_in), got {branch_id}") from None


class DeepCacheSDHelper:
    """``DeepCacheSDHelper(pipe)``, ``set_params(cache_interval=..., cache_branch_id=...)``, ``enable()``,
    ``disable()``, as the official package's; errors speak its numbering (``cache_branch_id`` from 0)."""

    def __init__(self, pipe=None):
        self.pipe = pipe
        self.params = {"cache_interval": 1, "cache_branch_id": 0, "skip_mode": "uniform"}
        self._enabled_on = None

    def set_params(self, cache_interval: int = 1, cache_branch_id: int = 0, skip_mode: str = "uniform") -> None:
        """Checked now: ``cache_interval`` in [1, inf), ``cache_branch_id`` in [0, skip features - 1] of the
        pipeline's U-Net when the helper was given one (else at :meth:`enable`), ``skip_mode`` ``"uniform"``."""
        if not isinstance(skip_mode, str):
            raise TypeError(f"skip_mode must be the string 'uniform', got {skip_mode!r} ({type(skip_mode).__name__})")
        if skip_mode != "uniform":
            raise ValueError(f"skip_mode must be 'uniform' (use stepcache.DeepCacheConfig for other schedules), "
                             f"got {skip_mode!r}")
        cache_interval = check_int("cache_interval", cache_interval, 1)
        cache_branch_id = _check_branch_id(cache_branch_id, self.pipe)
        self.params = {"cache_interval": cache_interval, "cache_branch_id": cache_branch_id, "skip_mode": skip_mode}

    def config(self) -> DeepCacheConfig:
        return DeepCacheConfig(interval=self.params["cache_interval"], branch=self.params["cache_branch_id"] + 1)

    def enable(self, pipe=None) -> None:
        pipe = pipe if pipe is not None else self.pipe
        if pipe is None:
            raise ValueError("pipe must be given, to DeepCacheSDHelper(pipe) or to enable(pipe)")
        _check_branch_id(self.params["cache_branch_id"], pipe)  # before anything changes, in the official numbering
        if self._enabled_on is not None:  # the official helper re-enables; so do we, with the current params
            self.disable()
        self.pipe = pipe
        enable(pipe, self.config())
        self._enabled_on = pipe

    def disable(self) -> None:
        if self._enabled_on is not None:
            disable(self._enabled_on)
            self._enabled_on = None
