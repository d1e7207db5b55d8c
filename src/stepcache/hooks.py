"""The one hook mechanism: diffusers' ``HookRegistry``, the model's own forward untouched.

* :class:`UNetHook` sits on the U-Net. Per call it finds the *stream* and the step within it, and decides from the
  schedule whether the step is full or cached. Steps are counted per call, never looked up in the scheduler, so
  repeated timesteps (Heun, DPM2, PLMS warm-up), a timestep given by keyword or position, and a start part-way
  (img2img) all count right.
* :class:`ReplayHook` sits on each module deeper than the branch. On a full step it runs the module and, if the
  next step will be cached, keeps its output; on a cached step it returns the kept output without running.

Streams: calls that receive the very same ``sample`` tensor back to back (e.g. a pipeline that runs the conditional
and the unconditional branch of classifier-free guidance as two calls) are the streams of one step; each stream has
its own step counter and its own cache. A new generation starts when the pipeline's scheduler has new timesteps
(every pipeline call sets them), or, for a bare U-Net, when the timestep goes up.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

import torch
from diffusers.hooks import HookRegistry, ModelHook

from .config import DeepCacheConfig
from .schedules import is_full
from .structure import Layout

HOOK_NAME = "stepcache"


@dataclass
class Stream:
    """One stream of U-Net calls within a generation."""

    calls: int = 0
    log: list[str] = field(default_factory=list)  # "F" full / "C" cached, per call
    cache: dict[str, Any] = field(default_factory=dict)  # module name -> output kept from the last full step
    shape: tuple | None = None  # sample shape the cache was made with


class Controller:
    """The DeepCache state of one U-Net: settings, current generation, and the decision for the running call."""

    def __init__(self, unet: torch.nn.Module, config: DeepCacheConfig, layout: Layout, pipe=None):
        self.unet = unet
        self.config = config
        self.layout = layout
        self.replayed = layout.replayed(config.branch)
        self._pipe = weakref.ref(pipe) if pipe is not None else None
        self.active: Stream | None = None  # the stream of the call in progress
        self.cached_step = False
        self.recording = False
        self.probing = False
        self.last_inputs: tuple | None = None
        self.reset()

    # -- generations -------------------------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget the current generation: counters, caches, the stream tracker."""
        self.streams: list[Stream] = []
        self._timesteps = None
        self._last_t: float | None = None
        self._prev: tuple | None = None
        self._num_steps: int | None = None

    @property
    def pipe(self):
        return self._pipe() if self._pipe is not None else None

    def _starts_generation(self, timestep) -> bool:
        scheduler = getattr(self.pipe, "scheduler", None)
        timesteps = getattr(scheduler, "timesteps", None)
        if timesteps is not None:
            new = timesteps is not self._timesteps
            self._timesteps = timesteps
            return new
        t = _as_float(timestep)
        new = self._last_t is None or (t is not None and t > self._last_t)
        self._last_t = t
        return new

    def _steps_in_stream(self, timestep) -> int:
        """How many calls a stream makes in this generation (for schedules that depend on it)."""
        if self._num_steps is None:
            if self.config.num_steps is not None:
                self._num_steps = self.config.num_steps
            elif self._timesteps is not None:
                scheduler = self.pipe.scheduler
                begin = getattr(scheduler, "begin_index", None)
                if begin is None:  # img2img on a scheduler without begin_index: find where this call starts
                    hits = (self._timesteps.cpu().float() == _as_float(timestep)).nonzero()
                    begin = int(hits[0]) if len(hits) else 0
                self._num_steps = len(self._timesteps) - begin
            else:
                raise ValueError(f"schedule {self.config.schedule!r} (start={self.config.start!r}, "
                                 f"stop={self.config.stop!r}) needs the number of steps: enable DeepCache on the "
                                 "pipeline, or set DeepCacheConfig(num_steps=...)")
        return self._num_steps

    # -- one call ----------------------------------------------------------------------------------------------
    def begin(self, args: tuple, kwargs: dict) -> None:
        sample = args[0] if args else kwargs["sample"]
        timestep = args[1] if len(args) > 1 else kwargs.get("timestep")
        if self._starts_generation(timestep):
            self.streams, self._prev, self._num_steps = [], None, None
        prev = self._prev
        index = prev[2] + 1 if prev is not None and prev[0] is sample and prev[1] == sample._version else 0
        self._prev = (sample, sample._version, index)
        while len(self.streams) <= index:
            self.streams.append(Stream())
        stream = self.streams[index]
        step = stream.calls
        stream.calls += 1
        n = self._steps_in_stream(timestep) if self.config.needs_num_steps else None
        shape = tuple(sample.shape)
        full = is_full(step, self.config, n) or stream.shape != shape
        self.cached_step = not full
        if full:
            self.recording = not is_full(step + 1, self.config, n)
            stream.cache, stream.shape = {}, (shape if self.recording else None)
        else:
            self.recording = False
        stream.log.append("F" if full else "C")
        self.active = stream
        self.last_inputs = (args, kwargs)

    def run(self, forward, args: tuple, kwargs: dict):
        """Run one U-Net call under the schedule; an exception leaves no generation state behind."""
        if not self.probing:
            self.begin(args, kwargs)
        try:
            return forward(*args, **kwargs)
        except BaseException:
            self.reset()
            raise
        finally:
            if not self.probing:
                self.active = None

    def probe(self, cached: bool, stream: Stream, args: tuple, kwargs: dict):
        """Run one full (recording) or cached call on ``stream`` outside the generation (for counting MACs)."""
        saved = (self.active, self.cached_step, self.recording)
        self.active, self.cached_step, self.recording, self.probing = stream, cached, not cached, True
        try:
            with torch.no_grad():
                return self.unet(*args, **kwargs)
        finally:
            (self.active, self.cached_step, self.recording), self.probing = saved, False


def _as_float(timestep) -> float | None:
    if timestep is None:
        return None
    if isinstance(timestep, torch.Tensor):
        return float(timestep.reshape(-1)[0])
    return float(timestep)


class UNetHook(ModelHook):
    """On the U-Net: decide full or cached for each call."""

    def __init__(self, controller: Controller):
        super().__init__()
        self.controller = controller

    def new_forward(self, module, *args, **kwargs):
        return self.controller.run(self.fn_ref.original_forward, args, kwargs)


class ReplayHook(ModelHook):
    """On a module deeper than the branch: keep its output on full steps, return it on cached steps."""

    def __init__(self, controller: Controller, name: str):
        super().__init__()
        self.controller = controller
        self.name = name

    def new_forward(self, module, *args, **kwargs):
        ctrl = self.controller
        stream = ctrl.active
        if stream is not None and ctrl.cached_step:
            return stream.cache[self.name]
        out = self.fn_ref.original_forward(*args, **kwargs)
        if stream is not None and ctrl.recording:
            stream.cache[self.name] = out
        return out


def attach(unet: torch.nn.Module, controller: Controller) -> None:
    """Register the hooks; on any failure, remove what was registered (the model stays as it was)."""
    done = []
    try:
        for name in controller.replayed:
            module = unet.get_submodule(name)
            HookRegistry.check_if_exists_or_initialize(module).register_hook(ReplayHook(controller, name), HOOK_NAME)
            done.append(module)
        HookRegistry.check_if_exists_or_initialize(unet).register_hook(UNetHook(controller), HOOK_NAME)
        done.append(unet)
    except BaseException:
        for module in done:
            _remove(module)
        raise


def detach(unet: torch.nn.Module, controller: Controller) -> None:
    _remove(unet)
    for name in controller.replayed:
        _remove(unet.get_submodule(name))


def _remove(module: torch.nn.Module) -> None:
    registry = getattr(module, "_diffusers_hook", None)
    if registry is None:
        return
    registry.remove_hook(HOOK_NAME, recurse=False)
    if not registry.hooks:  # leave the module exactly as it was: no registry, the class's own forward
        forward = module.__dict__.get("forward")
        if forward is not None and getattr(forward, "__func__", None) is type(module).forward:
            del module.__dict__["forward"]
        del module._diffusers_hook
