"""The one hook mechanism: diffusers' ``HookRegistry``, the model's own forward untouched.

* :class:`DenoiserHook` sits on the denoiser (a U-Net, or a ControlNet following its U-Net). Per call it asks
  :mod:`stepcache.core.generation` which step of which generation this is, and decides from the schedule whether the
  step is full or cached.
* :class:`ReplayHook` sits on each module deeper than the branch. On a full step it runs the module and, if a later
  step may be cached, keeps its output; on a cached step it returns the kept output without running.
* :class:`SignalHook` (adaptive schedule) watches the feature entering the deep part and settles the decision.

Concurrent calls on one model run one at a time (a lock per model); each thread has its own generations, so the
results are those of running the generations one after the other. Deep-copying or pickling a hooked module gives
the plain module (no hooks, no DeepCache state): enable DeepCache on the copy if it should have it.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import threading
import weakref
from typing import Any

import torch
from diffusers.hooks import HookRegistry, ModelHook

from . import forecast
from .config import DeepCacheConfig
from .generation import Caller, Position, Stream, Tracker, find_caller, fresh_inputs
from .identity import scheduler_id
from .schedules import is_full, window

HOOK_NAME = "stepcache"
ATTR = "_stepcache"  # the controller, on the model it serves
_OURS = (ATTR, "__reduce_ex__")  # instance attributes stepcache puts on hooked modules


#: pipelines that read the skipped deep part's internals at every step: pipeline class -> {frame flag: why}
#: (flag ``None``: refused whatever the call)
_LEDITS = {None: "reads the U-Net's cross-attention maps at every step (its edit masks) and inverts the image with "
                 "the U-Net, neither of which a cached step computes; run it without DeepCache"}
INCOMPATIBLE = {
    "StableDiffusionSAGPipeline": {
        "do_self_attention_guidance": "reads the mid block's self-attention map at every step, which a cached step "
                                      "does not compute; run it with sag_scale=0, or without DeepCache"},
    "LEditsPPPipelineStableDiffusion": _LEDITS,
    "LEditsPPPipelineStableDiffusionXL": _LEDITS,
    "Flux2KleinKVPipeline": {
        None: "keeps a key/value cache of the reference image that every transformer block stores at the first step "
              "(kv_cache_mode='extract') and reads at the later ones; stepcache does not follow that cache yet: run it "
              "without DeepCache"},
    "AnyFlowFARPipeline": {
        None: "crashes on a cached step inside torch's flex_attention (its frame-autoregressive attention); refused "
              "until stepcache supports it: run it without DeepCache"},
}


def refusal(pipe) -> str | None:
    """Why a pipeline is refused whatever its call (LEDITS++), else ``None``."""
    why = INCOMPATIBLE.get(type(pipe).__name__, {}).get(None)
    return None if why is None else f"{type(pipe).__name__} {why}"


class Controller:
    """The DeepCache state of one model: settings, per-thread generations, the decision for the running call.

    ``partner``: for a ControlNet, the U-Net's controller. The ControlNet skips work only on calls from a pipeline
    whose U-Net is that U-Net, on the same schedule; the U-Net refuses to run a full step after its ControlNet
    skipped work for that same step (never a silently wrong image)."""

    def __init__(self, model: torch.nn.Module, config: DeepCacheConfig, read=None,
                 partner: "Controller | None" = None):
        self.model = model
        self.config = config
        self.read = read or _read_unet  # (args, kwargs) -> (sample, timestep) of one call of this model
        self.partner = partner
        self.extras: list[tuple[torch.nn.Module, Controller]] = []  # ControlNets following this model
        # extrapolate: the cache entries that reach a live layer (the family says which); only they are extrapolated
        # and only their previous values are kept (the other replayed outputs feed replayed layers alone)
        self.extrapolated: tuple[str, ...] = ()
        self.hooked: list[tuple[str, torch.nn.Module]] = []
        self.tracker = Tracker()
        self.lock = threading.RLock()
        # the call in progress (valid while the lock is held)
        self.active: Stream | None = None
        self.position: Position | None = None
        self.cached_step = False
        self.recording = False
        self.pending = False  # online schedules: full or cached not decided yet
        self.device = None  # the sample's device
        self.probing = False
        self.head_input = None  # first-block over several head blocks: the head's input image stream
        self.coordinate = 0.0  # a forecaster: the call's step index or timestep (see DeepCacheConfig.coordinate)
        # the generation of the last call in any thread, for summary(): logs and input shapes, no tensors
        self.last_logs: list[list[str]] = []
        self._last_spec = None
        self._last_shape: tuple | None = None

    # -- generations -------------------------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget the calling thread's generations: counters and caches."""
        self.tracker.reset()

    @contextlib.contextmanager
    def generation(self, num_steps: int | None = None):
        """An explicit generation for a hand-written loop (see :func:`stepcache.generation`)."""
        block = self.tracker.open(num_steps)
        try:
            yield
        finally:
            self.tracker.close(block)

    @property
    def last_inputs(self) -> tuple[tuple, dict] | None:
        """Inputs of the shape the last generation used (zeros: enough to count MACs or time a step)."""
        return None if self._last_spec is None else _materialize(self._last_spec)

    # -- one call ----------------------------------------------------------------------------------------------
    def run(self, forward, args: tuple, kwargs: dict):
        """Run one call under the schedule; an exception ends the generation it was placed in (its state goes; the
        generations it is nested in stay)."""
        with self.lock:
            if self.probing:
                return forward(*args, **kwargs)
            try:
                self.begin(args, kwargs)
                out = forward(*args, **kwargs)
                self.end()
                return out
            except BaseException:
                self.tracker.abort()
                raise
            finally:
                self.active, self.position, self.pending, self.head_input = None, None, False, None
                self.cached_step = self.recording = False

    @torch.compiler.disable
    def begin(self, args: tuple, kwargs: dict) -> None:
        """Decide this call's step (full, cached or pending). Runs eagerly under torch.compile: one graph break
        per call, and the compiled full and cached paths are reused from step to step."""
        self.tracker.settle()  # no generation placed for this call yet (an exception before it ends none)
        sample, timestep = self.read(args, kwargs)
        caller = find_caller()
        if caller is not None:
            caller = own_steps(caller, self.model)
        if self.partner is not None and (caller is None or denoiser_of(caller.pipe) is not self.partner.model):
            return  # a ControlNet called for another U-Net, or by hand: it runs whole
        pos = self.tracker.locate(caller, sample, timestep)
        cfg = self.config
        n = pos.num_steps if pos.num_steps is not None else cfg.num_steps
        if pos.new_generation:
            self._check_generation(caller, n)
        logs = self.tracker.current.logs  # summary() reports the generation of the last call (an outer one resumed)
        if logs is not self.last_logs or self._last_shape != tuple(sample.shape):
            self.last_logs = logs
            self._last_spec, self._last_shape = _spec((args, kwargs)), tuple(sample.shape)
        self.active, self.position = pos.stream, pos
        stream, step = pos.stream, pos.step
        online = cfg.decides_online
        more = n is None or step + 1 < n  # a later step may reuse what this one keeps
        self.device = sample.device  # where the forecast coefficients go (beside the features, for CUDA graphs)
        if cfg.forecasts:
            self.coordinate = self._coordinate(step, timestep)
        keep = online or cfg.forecasts  # keep every full step's features (the next may be cached, or forecast)
        if stream.shape != tuple(sample.shape):  # no cache yet, or the batch changed: this step must be full
            self._full(stream, tuple(sample.shape), record=more and (keep or not is_full(step + 1, cfg, n)))
        elif online:
            start, stop = window(n, cfg)
            capped = cfg.schedule == "adaptive" and stream.run >= cfg.interval - 1
            if step < start or (stop is not None and step >= stop) or capped:
                self._full(stream, stream.shape, record=more)
            else:  # decided by SignalHook, once the watched feature of this step is known
                self.pending, self.cached_step, self.recording = True, False, True
                stream.log.append("?")
        elif is_full(step, cfg, n):
            self._full(stream, stream.shape, record=more and (keep or not is_full(step + 1, cfg, n)))
        else:
            self._cached(stream)
        self._note_decision()

    def _check_generation(self, caller, n: int | None) -> None:
        """Checks made once per generation, before anything runs."""
        for name, module in self.hooked:
            if name and self.model.get_submodule(name) is not module:
                raise RuntimeError(f"the module {name!r} that DeepCache hooked was replaced after enable; call "
                                   "stepcache.disable(...) and stepcache.enable(...) again")
        if caller is not None:
            for flag, why in INCOMPATIBLE.get(type(caller.pipe).__name__, {}).items():
                if flag is None or caller.locals.get(flag):
                    raise RuntimeError(f"{type(caller.pipe).__name__} {why}")
        cfg = self.config
        if cfg.profile is not None:
            scheduler = getattr(caller.pipe, "scheduler", None) if caller is not None else None
            cfg.profile.check(scheduler_id(scheduler) if scheduler is not None else None, n)
        if cfg.weights is not None and n != len(cfg.weights):
            if n is None:
                raise ValueError("weights are per step: call the model from a pipeline, inside "
                                 "stepcache.generation(model, num_steps=...), or set DeepCacheConfig(num_steps=...)")
            raise ValueError(f"weights has {len(cfg.weights)} entries, one per step, this generation makes {n} "
                             "calls per stream")

    def _note_decision(self) -> None:
        """Keep what this call decided (ControlNet), or check it against the ControlNet's decision (U-Net)."""
        pos = self.position
        key = (pos.token, pos.step, pos.index)
        if self.partner is not None:
            self.tracker.note(key, self.cached_step)
            return
        if self.cached_step or pos.token is None:
            return
        for _, net in self.extras:
            if net.tracker.noted(key):
                raise RuntimeError("the ControlNet skipped its deep part at a step where the U-Net runs full (their "
                                   "calls at this step differ, e.g. in batch size); disable DeepCache's ControlNet "
                                   "caching with DeepCacheConfig(controlnet=False)")

    def _full(self, stream: Stream, shape: tuple, record: bool) -> None:
        self.cached_step, self.recording = False, record
        self._keep_previous(stream, record and stream.shape == shape)
        stream.cache, stream.shape, stream.run, stream.spent = {}, (shape if record else None), 0, 0.0
        stream.log.append("F")

    def _coordinate(self, step: int, timestep) -> float:
        """Where this call sits for a forecaster: the step index, or the timestep the denoiser is called with."""
        if self.config.forecast.coordinate == "step":
            return float(step)
        if timestep is None:
            raise ValueError("coordinate='time' forecasts along the timestep the denoiser is called with, and this "
                             "call passes none; use DeepCacheConfig(coordinate='step')")
        t = timestep.reshape(-1)[0] if isinstance(timestep, torch.Tensor) else timestep
        return float(t)

    def _keep_previous(self, stream: Stream, valid: bool) -> None:
        """A forecaster, on a full step that records: the last full step's features that reach a live layer join
        the older ones, up to the number of full steps the forecaster keeps (``valid``: they were made for this
        step's sample shape)."""
        if not self.config.forecasts:
            return
        keep = self.config.forecast.kept
        kept = {k: stream.cache[k] for k in self.extrapolated if k in stream.cache} if valid else {}
        if kept and stream.full_at:
            stream.previous = [kept] + stream.previous[:keep - 2]
            stream.full_at = stream.full_at[-(keep - 1):] + (self.coordinate,)
        else:  # nothing to forecast from yet: this step is the first of a new line
            stream.previous, stream.full_at = [], (self.coordinate,)

    def _cached(self, stream: Stream) -> None:
        self.cached_step, self.recording = True, False
        stream.run += 1
        stream.log.append("C")
        stream.coefficients = None
        if self.config.forecasts and len(stream.full_at) >= 2:
            f = self.config.forecast
            c = forecast.coefficients(f.forecaster, f.order, stream.full_at, self.coordinate, f.horizon)
            stream.coefficients = tuple(torch.tensor(x, device=self.device) for x in c)

    def decide(self, stream: Stream, cached: bool) -> None:
        """Settle a pending (adaptive) step."""
        self.pending = False
        stream.log.pop()
        if cached:
            self._cached(stream)
        else:  # the replay hooks overwrite the cache entry by entry as the deep part runs
            n = self._num_steps()
            more = n is None or self.position.step + 1 < n
            self._keep_previous(stream, more)
            self.cached_step, self.recording, stream.run, stream.spent = False, more, 0, 0.0
            stream.log.append("F")

    def _num_steps(self) -> int | None:
        """Steps per stream of the call in progress: told by the pipeline or the generation, else the config's."""
        n = self.position.num_steps
        return n if n is not None else self.config.num_steps

    def end(self) -> None:
        """After the call: a stream's last step keeps nothing for later."""
        pos = self.position
        if pos is not None and (n := self._num_steps()) is not None and pos.step >= n - 1:
            pos.stream.drop()

    def probe(self, cached: bool, stream: Stream, args: tuple, kwargs: dict):
        """Run one full (recording) or cached call on ``stream`` outside any generation (MACs, timings)."""
        with self.lock:
            self.read(args, kwargs)  # as at a call's start (a transformer picks the structure found for such a call)
            args, kwargs = fresh_inputs(args, kwargs)  # a forward may consume its list inputs
            with self._outside(stream, cached), torch.no_grad():
                return self.model(*args, **kwargs)

    def bypass(self):
        """Plain calls of the model (no DeepCache, no generation state touched) for the duration."""
        return self._outside(None, False)

    @contextlib.contextmanager
    def _outside(self, stream: Stream | None, cached: bool):
        """Calls outside any generation: on ``stream`` (full and recording, or cached), or plain without one."""
        with self.lock:
            saved = (self.active, self.cached_step, self.recording, self.probing)
            self.active, self.cached_step, self.probing = stream, cached, True
            self.recording = stream is not None and not cached
            try:
                yield
            finally:
                self.active, self.cached_step, self.recording, self.probing = saved


class DenoiserHook(ModelHook):
    """On the denoiser: place and decide each call."""

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
            return stream.reused(self.name)
        out = self.fn_ref.original_forward(*args, **kwargs)
        if stream is not None and ctrl.recording:
            stream.cache[self.name] = out
        return out


class SignalHook(ModelHook):
    """Online schedules, on the module producing the watched feature (U-Net: the branch's skip feature, the last
    shallow module before the deep part; transformer: the last live head block). It settles the pending decision:

    * ``adaptive``: how far the feature moved since the last full step (relative L1, times the step's weight if
      given) is the predicted error of caching this step; cached while the predicted errors of the cached steps
      since the last full step add up to less than the threshold. Why a sum: if caching a step k steps after a
      full one costs about a*k, a run of L cached steps costs a*L^2/2, and the runs that minimise the total error
      for a number of full steps have length proportional to 1/sqrt(a) -- exactly what a budget on the sum gives
      (a budget on each step alone gives 1/a: too many full steps where a is large, runs too long where it is
      small).
    * ``first-block``: diffusers' FirstBlockCache, exactly: ``mean|r - p| / mean|p|`` of the watched residual
      against its value at the last full step; cached when that is at most the threshold."""

    def __init__(self, controller: Controller, feature=None):
        super().__init__()
        self.controller = controller
        self.feature = feature or (lambda args, kwargs, out: out if isinstance(out, torch.Tensor) else out[0])

    def new_forward(self, module, *args, **kwargs):
        output = self.fn_ref.original_forward(*args, **kwargs)
        self.settle(args, kwargs, output)
        return output

    @torch.compiler.disable
    def settle(self, args, kwargs, output) -> None:
        """The decision, eagerly (one graph break under torch.compile, where the watched module has run): traced,
        the change would be a Python float specialised into the graph (a recompilation at every step)."""
        ctrl = self.controller
        stream = ctrl.active
        if stream is None or ctrl.probing:
            return
        feature = self.feature(args, kwargs, output)
        if ctrl.pending:
            ref = stream.signal
            if ctrl.config.schedule == "first-block":
                change = ((feature - ref).abs().mean() / ref.abs().mean()).item()
                ctrl.decide(stream, cached=change <= ctrl.config.threshold)
            else:
                change = ((feature - ref).abs().mean() / ref.abs().mean().clamp_min(1e-12)).item()
                weights = ctrl.config.weights
                if weights is not None:  # drift -> predicted error of the final sample at this step
                    change *= weights[ctrl.position.step]
                cached = stream.spent + change < ctrl.config.threshold
                ctrl.decide(stream, cached=cached)
                if cached:
                    stream.spent += change
        if not ctrl.cached_step and ctrl.recording:
            stream.signal = feature.detach().clone()


# -- inputs kept for summary(): shapes only ----------------------------------------------------------------------
class _TensorSpec(tuple):
    """(shape, dtype, device) of a tensor seen in a call."""


def _spec(x):
    if isinstance(x, torch.Tensor):
        return _TensorSpec((tuple(x.shape), x.dtype, x.device))
    if isinstance(x, (list, tuple)) and not isinstance(x, _TensorSpec):
        return type(x)(_spec(v) for v in x) if type(x) in (list, tuple) else tuple(_spec(v) for v in x)
    if isinstance(x, dict):
        return {k: _spec(v) for k, v in x.items()}
    return x


def _materialize(x):
    if isinstance(x, _TensorSpec):
        shape, dtype, device = x
        return torch.zeros(shape, dtype=dtype, device=device)
    if isinstance(x, (list, tuple)):
        return type(x)(_materialize(v) for v in x)
    if isinstance(x, dict):
        return {k: _materialize(v) for k, v in x.items()}
    return x


# -- attaching and detaching -----------------------------------------------------------------------------------
def replay_hooks(model: torch.nn.Module, controller: Controller, replayed: tuple[str, ...],
                 signal: str | None = None) -> list[tuple[str, torch.nn.Module, ModelHook]]:
    """(name, module, hook) for the U-Net family: replay the modules deeper than the branch; for the adaptive
    schedule, watch the module producing the branch's skip feature."""
    triples = [(name, model.get_submodule(name), ReplayHook(controller, name)) for name in replayed]
    if signal is not None:
        triples.append((signal, model.get_submodule(signal), SignalHook(controller)))
    return triples


#: pipeline attributes that hold a denoiser, in the order a pipeline runs them (Wan 2.2: two experts)
DENOISERS = ("unet", "transformer", "transformer_2")


def denoisers_of(pipe) -> list[tuple[str, torch.nn.Module]]:
    """``(attribute, model)`` of every denoiser a pipeline runs (the module a torch.compile'd one wraps), each
    once."""
    out: list[tuple[str, torch.nn.Module]] = []
    for name in DENOISERS:
        model = getattr(pipe, name, None)
        model = getattr(model, "_orig_mod", model)
        if isinstance(model, torch.nn.Module) and all(model is not m for _, m in out):
            out.append((name, model))
    return out


def denoiser_of(pipe):
    """The (first) denoiser a pipeline runs: its U-Net or transformer, else ``None``."""
    found = denoisers_of(pipe)
    return found[0][1] if found else None


def own_steps(caller: Caller, model: torch.nn.Module) -> Caller:
    """The pipeline call as ``model`` sees it where two experts share the steps (Wan 2.2: ``transformer`` runs the
    steps whose timestep is at least the pipeline's ``boundary_timestep``, ``transformer_2`` the others): its step
    is its index among the steps it runs, its step count theirs. Other pipelines' calls are unchanged."""
    boundary = caller.locals.get("boundary_timestep")
    if boundary is None or caller.step is None:
        return caller
    pipe = caller.pipe
    first, second = (getattr(m, "_orig_mod", m) for m in (getattr(pipe, "transformer", None),
                                                           getattr(pipe, "transformer_2", None)))
    if first is second or model not in (first, second):
        return caller
    high = (torch.as_tensor(caller.timesteps) >= boundary).tolist()
    mine = [i for i, h in enumerate(high) if h == (model is first)]
    if caller.step not in mine:
        return caller
    return dataclasses.replace(caller, step=mine.index(caller.step), num_steps=len(mine))


def _read_unet(args: tuple, kwargs: dict):
    return (args[0] if args else kwargs["sample"]), (args[1] if len(args) > 1 else kwargs.get("timestep"))


def attach(model: torch.nn.Module, controller: Controller,
           triples: list[tuple[str, torch.nn.Module, ModelHook]]) -> None:
    """Register the family's hooks and the denoiser hook; on any failure, remove what was registered (the model
    stays as it was)."""
    controller.hooked = []
    try:
        for name, module, hook in triples + [("", model, DenoiserHook(controller))]:
            with _beneath_accelerate(module):
                HookRegistry.check_if_exists_or_initialize(module).register_hook(hook, HOOK_NAME)
            controller.hooked.append((name, module))
            module.__dict__["__reduce_ex__"] = _PlainCopy(module)
        model.__dict__[ATTR] = controller
    except BaseException:
        detach(model, controller)
        raise


def detach(model: torch.nn.Module, controller: Controller) -> None:
    """Remove every stepcache hook: from the modules hooked at enable, and from any module now in the model."""
    for _, module in reversed(controller.hooked):
        _remove(module)
    for module in model.modules():
        _remove(module)
    controller.hooked = []
    model.__dict__.pop(ATTR, None)


def _remove(module: torch.nn.Module) -> None:
    for attr in _OURS:
        if attr == "__reduce_ex__" and not isinstance(module.__dict__.get(attr), _PlainCopy):
            continue
        module.__dict__.pop(attr, None)
    registry = module.__dict__.get("_diffusers_hook")
    if registry is None or HOOK_NAME not in registry.hooks:
        return
    with _beneath_accelerate(module):
        registry.remove_hook(HOOK_NAME, recurse=False)
        if not registry.hooks:  # leave the module exactly as it was: no registry, the class's own forward
            forward = module.__dict__.get("forward")
            if forward is not None and getattr(forward, "__func__", None) is type(module).forward:
                del module.__dict__["forward"]
            del module._diffusers_hook


@contextlib.contextmanager
def _beneath_accelerate(module: torch.nn.Module):
    """Add or remove stepcache's hooks beneath accelerate's. An accelerate hook (model or sequential CPU offload)
    sets ``module.forward`` to a wrapper that calls ``module._old_forward``, and puts ``_old_forward`` back when it
    is removed (a pipeline with model offload does so after every call, then hooks again). Inside this block the
    module's ``forward`` is what accelerate wraps; after it, accelerate's wrapper is back outermost, now wrapping
    what the block left. So stepcache's hooks survive accelerate's being removed and added again, and removing
    them leaves accelerate's in place."""
    outer = module.__dict__.get("forward")
    accelerate = getattr(getattr(outer, "func", None), "__module__", None) == "accelerate.hooks"
    if not (accelerate and "_old_forward" in module.__dict__):
        yield
        return
    module.forward = module._old_forward
    try:
        yield
    finally:
        module._old_forward = module.forward
        module.forward = outer


class _PlainCopy:
    """Installed as a hooked module's ``__reduce_ex__``: ``copy.deepcopy``, ``pickle`` and ``torch.save`` see the
    plain module (without stepcache's hooks and state), so a copy is an independent plain model."""

    def __init__(self, module: torch.nn.Module):
        self.ref = weakref.ref(module)

    def __call__(self, protocol: int = 2) -> tuple[Any, ...]:
        module = self.ref()
        state = {k: v for k, v in module.__dict__.items() if k not in _OURS}
        registry = state.get("_diffusers_hook")
        if registry is not None:
            if set(registry.hooks) != {HOOK_NAME}:
                raise RuntimeError(f"this {type(module).__name__} carries other diffusers hooks besides "
                                   "stepcache's; call stepcache.disable(...) before copying or saving it")
            del state["_diffusers_hook"]
            state.pop("forward", None)
        return copyreg.__newobj__, (type(module),), state
