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
from .schedules import is_full, window
from .structure import Layout

HOOK_NAME = "stepcache"


@dataclass
class Stream:
    """One stream of U-Net calls within a generation."""

    calls: int = 0
    log: list[str] = field(default_factory=list)  # "F" full / "C" cached, per call
    cache: dict[str, Any] = field(default_factory=dict)  # module name -> output kept from the last full step
    shape: tuple | None = None  # sample shape the cache was made with
    run: int = 0  # cached steps since the last full step
    spent: float = 0.0  # adaptive: predicted error of the cached steps since the last full step
    signal: torch.Tensor | None = None  # adaptive: the shallow feature at the last full step


class Controller:
    """The DeepCache state of one U-Net: settings, current generation, and the decision for the running call."""

    def __init__(self, unet: torch.nn.Module, config: DeepCacheConfig, layout: Layout | None, pipe=None,
                 replayed: tuple[str, ...] | None = None):
        self.unet = unet  # the model this controller serves (a U-Net, or a ControlNet following its schedule)
        self.config = config
        self.layout = layout
        self.replayed = layout.replayed(config.branch) if replayed is None else replayed
        self.extras: list[tuple[torch.nn.Module, Controller]] = []  # ControlNets enabled along with the U-Net
        self.hooked: list[torch.nn.Module] = []  # modules carrying this controller's hooks
        self._pipe = weakref.ref(pipe) if pipe is not None else None
        self.active: Stream | None = None  # the stream of the call in progress
        self.cached_step = False
        self.recording = False
        self.pending = False  # adaptive: full or cached not decided yet in the running call
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

    def _steps_in_stream(self, timestep) -> int | None:
        """How many calls a stream makes in this generation: from the pipeline's scheduler when there is one,
        else ``config.num_steps``; ``None`` when neither tells."""
        if self._num_steps is None:
            if self._timesteps is not None:
                begin = getattr(self.pipe.scheduler, "begin_index", None)
                if begin is None:  # img2img on a scheduler without begin_index: find where this call starts
                    hits = (self._timesteps.cpu().float() == _as_float(timestep)).nonzero()
                    begin = int(hits[0]) if len(hits) else 0
                self._num_steps = len(self._timesteps) - begin
            else:
                self._num_steps = self.config.num_steps
        return self._num_steps

    def _check_profile(self, num_steps: int | None) -> None:
        key = self.config.profile
        scheduler = getattr(self.pipe, "scheduler", None)
        if scheduler is not None:
            from .calibration import scheduler_id

            if scheduler_id(scheduler) != key.scheduler:
                raise ValueError(f"this calibrated profile was made for scheduler {key.scheduler}, the pipeline "
                                 f"uses {scheduler_id(scheduler)}; recalibrate with stepcache calibrate")
        if num_steps is not None and num_steps != key.num_steps:
            raise ValueError(f"this calibrated profile was made for num_steps={key.num_steps} U-Net calls per "
                             f"stream, this generation makes {num_steps}; recalibrate with stepcache calibrate")

    # -- one call ----------------------------------------------------------------------------------------------
    @torch.compiler.disable
    def begin(self, args: tuple, kwargs: dict) -> None:
        """Decide this call's step (full, cached or pending). Runs eagerly under torch.compile: one graph break
        per U-Net call, and the compiled full and cached paths are reused from step to step."""
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
        cfg = self.config
        adaptive = cfg.schedule == "adaptive"
        n = self._steps_in_stream(timestep) if cfg.needs_num_steps or adaptive or cfg.profile else None
        if step == 0 and cfg.profile is not None:
            self._check_profile(n)
        if step == 0 and cfg.weights is not None and n != len(cfg.weights):
            if n is None:
                raise ValueError("weights are per step: enable on the pipeline, or set DeepCacheConfig(num_steps=...)")
            raise ValueError(f"weights has {len(cfg.weights)} entries, one per step, this generation makes {n} "
                             "U-Net calls per stream")
        self.active = stream
        self.last_inputs = (args, kwargs)
        if stream.shape != tuple(sample.shape):  # no cache yet, or the batch changed: this step must be full
            self._full(stream, tuple(sample.shape), record=adaptive or not is_full(step + 1, cfg, n))
        elif adaptive:
            start, stop = window(n, cfg)
            last = n is not None and step >= n - 1
            if step < start or (stop is not None and step >= stop) or stream.run >= cfg.interval - 1:
                self._full(stream, stream.shape, record=not last)
            else:  # decided by SignalHook, once the shallow feature of this step is known
                self.pending, self.cached_step, self.recording = True, False, True
                stream.log.append("?")
        elif is_full(step, cfg, n):
            self._full(stream, stream.shape, record=not is_full(step + 1, cfg, n))
        else:
            self._cached(stream)

    def _full(self, stream: Stream, shape: tuple, record: bool) -> None:
        self.cached_step, self.recording = False, record
        stream.cache, stream.shape, stream.run, stream.spent = {}, (shape if record else None), 0, 0.0
        stream.log.append("F")

    def _cached(self, stream: Stream) -> None:
        self.cached_step, self.recording = True, False
        stream.run += 1
        stream.log.append("C")

    def decide(self, stream: Stream, cached: bool) -> None:
        """Settle a pending (adaptive) step."""
        self.pending = False
        stream.log.pop()
        if cached:
            self._cached(stream)
        else:  # the replay hooks overwrite the cache entry by entry as the deep part runs
            self.cached_step, self.recording, stream.run, stream.spent = False, True, 0, 0.0
            stream.log.append("F")

    def run(self, forward, args: tuple, kwargs: dict):
        """Run one U-Net call under the schedule; an exception leaves no generation state behind."""
        try:
            if not self.probing:
                self.begin(args, kwargs)
            return forward(*args, **kwargs)
        except BaseException:
            self.reset()
            raise
        finally:
            if not self.probing:
                self.active, self.pending = None, False

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


class SignalHook(ModelHook):
    """Adaptive schedule, on the module producing the branch's skip feature (the last shallow module before the
    deep part): measures how far that feature moved since the last full step (relative L1, times the step's
    weight if given: the predicted error of caching this step) and settles the pending decision: cached while the
    predicted errors of the cached steps since the last full step add up to less than the threshold.

    Why a sum: if caching a step k steps after a full one costs about a*k, a run of L cached steps costs a*L^2/2,
    and the runs that minimise the total error for a number of full steps have length proportional to
    1/sqrt(a) -- exactly what a budget on the sum gives (a budget on each step alone gives 1/a: too many full
    steps where a is large, runs too long where it is small)."""

    def __init__(self, controller: Controller):
        super().__init__()
        self.controller = controller

    def post_forward(self, module, output):
        ctrl = self.controller
        stream = ctrl.active
        if stream is None or ctrl.probing:
            return output
        feature = output if isinstance(output, torch.Tensor) else output[0]
        if ctrl.pending:
            ref = stream.signal
            change = ((feature - ref).abs().mean() / ref.abs().mean().clamp_min(1e-12)).item()
            weights = ctrl.config.weights
            if weights is not None:  # drift -> predicted error of the final sample at this step
                change *= weights[stream.calls - 1]
            cached = stream.spent + change < ctrl.config.threshold
            ctrl.decide(stream, cached=cached)
            if cached:
                stream.spent += change
        if not ctrl.cached_step:
            stream.signal = feature.detach().clone()
        return output


def _hooks(unet: torch.nn.Module, controller: Controller):
    """(module, hook) pairs to register, in order."""
    pairs = [(unet.get_submodule(name), ReplayHook(controller, name)) for name in controller.replayed]
    if controller.config.schedule == "adaptive":
        producer = controller.layout.producers[controller.config.branch - 1]
        pairs.append((unet.get_submodule(producer), SignalHook(controller)))
    pairs.append((unet, UNetHook(controller)))
    return pairs


def attach(unet: torch.nn.Module, controller: Controller) -> None:
    """Register the hooks; on any failure, remove what was registered (the model stays as it was)."""
    controller.hooked = []
    try:
        for module, hook in _hooks(unet, controller):
            HookRegistry.check_if_exists_or_initialize(module).register_hook(hook, HOOK_NAME)
            controller.hooked.append(module)
    except BaseException:
        detach(unet, controller)
        raise


def detach(unet: torch.nn.Module, controller: Controller) -> None:
    for module in reversed(controller.hooked):
        _remove(module)
    controller.hooked = []


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
