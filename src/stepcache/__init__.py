"""stepcache: DeepCache (Ma, Fang, Wang, CVPR 2024) for diffusers U-Net pipelines, exact and robust.

    import stepcache
    stepcache.enable(pipe, stepcache.DeepCacheConfig(interval=3, branch=1))
    image = pipe(...).images[0]
    print(stepcache.summary(pipe))
    stepcache.disable(pipe)
"""

from .api import (BranchInfo, StackInfo, Summary, branches, cached, disable, enable, generation, paused, reset,
                  summary)
from .calibration import Analysis, Profile, analyze, calibrate
from .core.config import SCHEDULES, DeepCacheConfig, ProfileKey
from .official import DeepCacheSDHelper
from .families import UnsupportedModelError

__all__ = ["DeepCacheConfig", "SCHEDULES", "enable", "disable", "cached", "generation", "paused", "reset", "summary",
           "Summary", "branches", "BranchInfo", "StackInfo", "DeepCacheSDHelper", "UnsupportedModelError", "analyze",
           "Analysis", "calibrate", "Profile", "ProfileKey"]
__version__ = "0.1.0"
