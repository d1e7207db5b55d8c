"""The public API: enable / disable / cached / summary / branches / reset."""

from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass

import torch

from .core import hooks
from .families import UnsupportedModelError, transformer
from .families.unet import check_supported, sample_inputs
from .core.config import DeepCacheConfig
from .core.generation import Stream
from .core.identity import model_hash, scheduler_id
from .core.macs import count_macs
from .families.unet import controlnet_replayed, layout

_ATTR = hooks.ATTR


def split(pipe_or_model):
    """``(model, pipe)``: the denoiser (a pipeline's ``.unet`` or ``.transformer``, or the model itself) and the
    pipeline, if one was given."""
    model, pipe = pipe_or_model, None
    if not isinstance(pipe_or_model, torch.nn.Module):
        found = hooks.denoiser_of(pipe_or_model)
        if found is not None:
            model, pipe = found, pipe_or_model
    return getattr(model, "_orig_mod", model), pipe  # a torch.compile'd model: hook the module it wraps


def _denoisers(pipe_or_model) -> list:
    """Every denoiser of a pipeline (Wan 2.2: ``transformer`` and ``transformer_2``), or the model itself."""
    if isinstance(pipe_or_model, torch.nn.Module):
        return [split(pipe_or_model)[0]]
    return [model for _, model in hooks.denoisers_of(pipe_or_model)] or [pipe_or_model]


def controller_of(pipe_or_unet) -> hooks.Controller | None:
    """The DeepCache controller of an enabled model (or pipeline), else ``None``."""
    unet, _ = split(pipe_or_unet)
    return getattr(unet, _ATTR, None)


def enable(pipe_or_unet, config: DeepCacheConfig | None = None) -> None:
    """Turn DeepCache on for a diffusers pipeline (every denoiser it runs: its ``.unet``, or its ``.transformer``
    and, for Wan 2.2's two experts, ``.transformer_2``, each on the schedule over the steps it runs) or a model.

    Everything is checked before anything is changed: on an error the model is left exactly as it was. The model
    may then be called by any pipeline that shares it, from any thread, or by a hand-written loop: see
    :mod:`stepcache.core.generation` for how calls are told apart, and :func:`generation` for hand-written loops.
    """
    config = DeepCacheConfig() if config is None else config
    if not isinstance(config, DeepCacheConfig):
        raise TypeError(f"config must be a stepcache.DeepCacheConfig, got {type(config).__name__}")
    if not isinstance(pipe_or_unet, torch.nn.Module) and hooks.refusal(pipe_or_unet) is not None:
        raise UnsupportedModelError(hooks.refusal(pipe_or_unet))
    models = _denoisers(pipe_or_unet)
    for model in models:
        if getattr(model, _ATTR, None) is not None:
            raise RuntimeError(f"DeepCache is already enabled on this {type(model).__name__}; "
                               "call stepcache.disable(...) first to change its settings")
    if len(models) > 1 and config.profile is not None:
        names = ", ".join(name for name, _ in hooks.denoisers_of(pipe_or_unet))
        raise ValueError(f"profile: a calibrated profile is made for one denoiser's weights, this pipeline runs "
                         f"{len(models)} ({names}); enable each with its own profile, e.g. "
                         "stepcache.enable(pipe.transformer_2, DeepCacheConfig(profile=...))")
    done = []
    try:
        for i, model in enumerate(models):
            _enable_one(model, split(pipe_or_unet)[1] if i == 0 else None, config)
            done.append(model)
    except BaseException:
        for model in done:
            disable(model)
        raise


def _enable_one(unet, pipe, config: DeepCacheConfig) -> None:
    """DeepCache on one denoiser (``pipe``: the pipeline whose ControlNets follow it, if any)."""
    if transformer.is_transformer(unet):
        return _enable_transformer(unet, config)
    check_supported(unet)
    if config.schedule == "first-block":
        raise ValueError("schedule='first-block' is for transformer denoisers (a stack of blocks); for a "
                         f"{type(unet).__name__} use 'adaptive'")
    lay = layout(unet)
    if not 1 <= config.branch <= lay.num_branches:
        raise ValueError(f"branch must be in [1, {lay.num_branches}] for this {type(unet).__name__} "
                         f"(valid branches: {', '.join(map(str, range(1, lay.num_branches + 1)))}), "
                         f"got {config.branch}")
    _check_profile(unet, config)
    signal = lay.producers[config.branch - 1] if config.schedule == "adaptive" else None
    controller = hooks.Controller(unet, config)
    controlnets = _controlnets(pipe) if config.controlnet and config.schedule != "adaptive" else []
    nets = []
    for net in controlnets:
        if getattr(net, _ATTR, None) is not None:
            raise RuntimeError("DeepCache is already enabled on this pipeline's ControlNet")
        ctrl = hooks.Controller(net, config, partner=controller)
        controller.extras.append((net, ctrl))
        nets.append((net, ctrl, hooks.replay_hooks(net, ctrl, controlnet_replayed(net, config.branch))))
    replayed = lay.replayed(config.branch)
    controller.extrapolated = replayed[-1:]  # the last replayed module feeds the first recomputed up layer
    hooks.attach(unet, controller, hooks.replay_hooks(unet, controller, replayed, signal))
    try:
        for net, ctrl, triples in nets:
            hooks.attach(net, ctrl, triples)
    except BaseException:
        _detach_all(unet, controller)
        raise


def _enable_transformer(model, config: DeepCacheConfig) -> None:
    """DeepCache on a transformer's block stack: the first F and last B blocks live (see :mod:`stepcache.families.transformer`)."""
    transformer.check_supported(model)
    transformer.stack(model, config.first_blocks, config.last_blocks)  # checks F + B against the number of blocks
    _check_profile(model, config)
    controller = hooks.Controller(model, config, read=transformer.read_call(model))
    hooks.attach(model, controller, transformer.hooks(model, controller, config, hooks.SignalHook))


def _check_profile(model, config: DeepCacheConfig) -> None:
    """A calibrated profile runs only on the weights it was measured on."""
    if config.profile is not None:
        weights = model_hash(model)
        if weights != config.profile.model_hash:
            raise ValueError(f"this calibrated profile was made for model weights {config.profile.model_hash[:12]}, "
                             f"this {type(model).__name__}'s are {weights[:12]}; recalibrate with "
                             "stepcache calibrate")


def check_profile(pipe, config: DeepCacheConfig, num_steps: int) -> None:
    """What :func:`enable` and the first call would refuse about a calibrated ``config`` on ``pipe`` at
    ``num_steps`` steps (another model, scheduler or step count), checked now, before anything runs."""
    if config.profile is not None:
        model, _ = split(pipe)
        _check_profile(model, config)
        scheduler = getattr(pipe, "scheduler", None)
        config.profile.check(scheduler_id(scheduler) if scheduler is not None else None, num_steps)


def _controlnets(pipe) -> list:
    """The ControlNetModels of a pipeline (one, or the nets of a MultiControlNetModel)."""
    net = getattr(pipe, "controlnet", None)
    if net is None:
        return []
    nets = list(getattr(net, "nets", [net]))
    return [n for n in nets if type(n).__name__ == "ControlNetModel"]


def _detach_all(unet, controller) -> None:
    for net, ctrl in controller.extras:
        if getattr(net, _ATTR, None) is ctrl:
            hooks.detach(net, ctrl)
    hooks.detach(unet, controller)


def disable(pipe_or_unet) -> None:
    """Turn DeepCache off and remove every hook: the model behaves bit for bit as before. No-op if not enabled."""
    for unet in _denoisers(pipe_or_unet):
        controller = getattr(unet, _ATTR, None)
        if controller is not None:
            _detach_all(unet, controller)


def reset(pipe_or_unet) -> None:
    """Start a new generation on the next call (pipelines do this by themselves)."""
    for model in _denoisers(pipe_or_unet):
        controller = getattr(model, _ATTR, None)
        if controller is not None:
            controller.reset()
            for _, ctrl in controller.extras:
                ctrl.reset()


@contextlib.contextmanager
def generation(pipe_or_unet, num_steps: int | None = None):
    """One generation of a hand-written sampling loop, explicitly::

        with stepcache.generation(unet, num_steps=len(scheduler.timesteps)):
            for t in scheduler.timesteps:
                ...unet(x, t, ...)...

    Inside the block every call that does not get the previous call's very ``sample`` tensor is the next step
    (repeated timesteps, as in Heun's method, included); the block's end drops the generation's caches.
    ``num_steps`` (calls per stream) is needed by schedules that depend on it. Pipelines need no such block."""
    controller = controller_of(pipe_or_unet)
    if controller is None:
        raise RuntimeError("DeepCache is not enabled on this model; call stepcache.enable(...) first")
    if num_steps is not None and (isinstance(num_steps, bool) or not isinstance(num_steps, int) or num_steps < 1):
        raise ValueError(f"num_steps must be an integer in [1, inf), got {num_steps!r}")
    with controller.generation(num_steps):
        yield


@contextlib.contextmanager
def paused(pipe_or_unet):
    """``with stepcache.paused(pipe): pipe(...)`` — plain calls of an enabled model for the duration: bit-identical
    to disabled, nothing counted, kept or changed (ControlNets following it included). Other threads' calls on the
    model wait until the block ends. Under ``torch.compile`` this is how to switch DeepCache off and on: it compiles
    nothing new once both ways have run, where every ``enable`` installs new hooks that dynamo compiles anew."""
    controller = controller_of(pipe_or_unet)
    if controller is None:
        raise RuntimeError("DeepCache is not enabled on this model; call stepcache.enable(...) first")
    with contextlib.ExitStack() as stack:
        for ctrl in [controller] + [c for _, c in controller.extras]:
            stack.enter_context(ctrl.bypass())
        yield pipe_or_unet


@contextlib.contextmanager
def cached(pipe_or_unet, config: DeepCacheConfig | None = None):
    """``with stepcache.cached(pipe, DeepCacheConfig(interval=3)): pipe(...)`` — enabled inside, disabled after."""
    enable(pipe_or_unet, config)
    try:
        yield pipe_or_unet
    finally:
        disable(pipe_or_unet)


@dataclass(frozen=True)
class Summary:
    """What the last generation did: the full (F) / cached (C) pattern per stream, and what a step costs."""

    config: DeepCacheConfig
    streams: tuple[str, ...]
    macs_full: int
    macs_cached: int
    model: str = "UNet2DConditionModel"  # the denoiser's class
    #: bytes of deep features the cache keeps at most during a generation, all streams together: the replayed
    #: outputs (U-Net) or the skipped stack's residual (transformer) of the last full step, plus the older full
    #: steps' copies a forecaster keeps of what it forecasts (0 when nothing is cached)
    kept_bytes: int = 0
    component: str = ""  # the pipeline attribute holding it ("transformer"), when summarised from a pipeline
    # a pipeline with several denoisers (Wan 2.2's experts): the summaries of the others that ran, in order
    others: tuple["Summary", ...] = ()

    def full_steps(self, stream: int = 0) -> list[int]:
        return [i for i, kind in enumerate(self.streams[stream]) if kind == "F"]

    @property
    def calls(self) -> int:
        return sum(len(s) for s in self.streams)

    @property
    def macs_per_step(self) -> float:
        """Average U-Net MACs per call in the last generation."""
        full = sum(s.count("F") for s in self.streams)
        return (full * self.macs_full + (self.calls - full) * self.macs_cached) / max(self.calls, 1)

    @property
    def ideal_speedup(self) -> float:
        """Speedup if time were proportional to MACs: all-full MACs over the MACs this generation spent."""
        return self.macs_full / self.macs_per_step if self.calls else 1.0

    def __str__(self) -> str:
        c = self.config
        where = (f"branch={c.branch}: {self.calls} U-Net calls" if "UNet" in self.model else
                 f"first_blocks={c.first_blocks} last_blocks={c.last_blocks}: {self.calls} {self.model} calls")
        name = f"{self.component}: " if self.component else ""
        lines = [f"{name}DeepCache {c.schedule} N={c.interval} {where} "
                 f"in {len(self.streams)} stream(s)"]
        for i, s in enumerate(self.streams):
            lines.append(f"  stream {i}: {s}  ({s.count('F')} full, {s.count('C')} cached)")
        lines.append(f"  MACs full step {self.macs_full / 1e6:.2f}M, cached step {self.macs_cached / 1e6:.2f}M "
                     f"({self.macs_cached / self.macs_full:.1%}); ideal speedup {self.ideal_speedup:.2f}x")
        lines.append(f"  forecaster {c.forecast.forecaster}; deep features kept: {self.kept_bytes / 2**20:.2f} MiB")
        lines += [str(other) for other in self.others]
        return "\n".join(lines)


def summary(pipe_or_unet) -> Summary:
    """Report on the last generation. MACs are counted with ``torch.utils.flop_counter`` by running one full and
    one cached step on that generation's inputs, outside the generation (its state is not touched).

    A pipeline with several denoisers (Wan 2.2): the summary of the first that ran, the others' in ``others``."""
    if isinstance(pipe_or_unet, torch.nn.Module) or len(hooks.denoisers_of(pipe_or_unet)) < 2:
        return _summary(controller_of(pipe_or_unet))
    named = [(name, getattr(model, _ATTR, None)) for name, model in hooks.denoisers_of(pipe_or_unet)]
    if all(ctrl is None for _, ctrl in named):
        return _summary(None)
    ran = [dataclasses.replace(_summary(ctrl), component=name) for name, ctrl in named
           if ctrl is not None and ctrl.last_inputs is not None]
    if not ran:
        return _summary(named[0][1])
    return dataclasses.replace(ran[0], others=tuple(ran[1:]))


def _summary(controller) -> Summary:
    if controller is None:
        raise RuntimeError("DeepCache is not enabled on this model; call stepcache.enable(...) first")
    inputs = controller.last_inputs
    if inputs is None:
        raise RuntimeError("no U-Net call recorded yet: run the pipeline once, then ask for the summary")
    args, kwargs = inputs
    probe = Stream()
    full, _ = count_macs(controller.probe, False, probe, args, kwargs)
    kept = _kept_bytes(controller, probe)
    cached, _ = count_macs(controller.probe, True, probe, args, kwargs)
    logs = tuple("".join(log) for log in controller.last_logs)
    caching = any("C" in log for log in logs)
    return Summary(controller.config, logs, full, cached, type(controller.model).__name__,
                   kept * len(logs) if caching else 0)


def _kept_bytes(controller: hooks.Controller, probe: Stream) -> int:
    """Bytes one stream keeps: what a full step records (``probe``'s cache), plus the older copies a forecaster
    keeps of the entries it forecasts."""
    def nbytes(x):
        if isinstance(x, torch.Tensor):
            return x.numel() * x.element_size()
        if isinstance(x, (tuple, list)):
            return sum(nbytes(v) for v in x)
        return 0
    older = controller.config.forecast.kept - 1
    return sum(nbytes(v) for v in probe.cache.values()) + \
        older * sum(nbytes(probe.cache[k]) for k in controller.extrapolated if k in probe.cache)


@dataclass(frozen=True)
class BranchInfo:
    """One cacheable branch: the skip feature it keeps computing on cached steps, and what those steps cost."""

    branch: int  # paper numbering, 1 = the skip from conv_in
    producer: str  # module whose output is the skip feature
    consumer: str  # up layer that consumes it (the first layer a cached step recomputes on the way up)
    shape: tuple[int, ...]  # (channels, height, width) of the skip feature at the model's sample size
    mac_fraction: float  # MACs of a cached step / MACs of a full step


@dataclass(frozen=True)
class StackInfo:
    """One choice of live blocks on a transformer: the first F and the last B blocks run on cached steps, the
    blocks between them are replaced by their stored residual."""

    first_blocks: int  # F
    last_blocks: int  # B
    skipped: tuple[str, ...]  # the blocks a cached step does not run
    mac_fraction: float  # MACs of a cached step / MACs of a full step


def branches(pipe_or_unet, inputs: tuple[tuple, dict] | None = None) -> list[BranchInfo] | list[StackInfo]:
    """What a cached step costs, as a fraction of a full step's MACs (one full forward, counted per module by
    ``torch.utils.flop_counter``), for every choice the model allows.

    U-Net: the cacheable branches from its real block structure (:class:`BranchInfo`), counted on ``inputs`` when
    given, else on inputs at the model's sample size (77 text tokens where it takes text).
    Transformer: every (``first_blocks``, ``last_blocks``) (:class:`StackInfo`), counted on ``inputs`` (``(args,
    kwargs)`` of one call) or, without them, on inputs shaped like the last call of an enabled model."""
    unet, _ = split(pipe_or_unet)
    if transformer.is_transformer(unet):
        return _stack_costs(unet, inputs)
    check_supported(unet)
    lay = layout(unet)
    shapes: dict[str, tuple] = {}

    def keep_shape(name):
        def hook(module, inputs, output):
            out = output[0] if isinstance(output, tuple) else output
            out = getattr(out, "sample", out)
            shapes[name] = tuple(out.shape[1:])
        return hook

    controller = getattr(unet, _ATTR, None)
    handles = [unet.get_submodule(n).register_forward_hook(keep_shape(n)) for n in set(lay.producers)]
    try:
        args, kwargs = inputs if inputs is not None else sample_inputs(
            unet, last=controller.last_inputs if controller is not None else None)
        with controller.bypass() if controller is not None else contextlib.nullcontext():
            total, per_module = count_macs(unet, *args, **kwargs)
    finally:
        for h in handles:
            h.remove()
    out = []
    for b in range(1, lay.num_branches + 1):
        replayed = sum(per_module.get(name, 0) for name in lay.replayed(b))
        out.append(BranchInfo(b, lay.producers[b - 1], lay.consumers[b - 1], shapes[lay.producers[b - 1]],
                              (total - replayed) / total))
    return out


def _stack_costs(model, inputs) -> list[StackInfo]:
    transformer.check_supported(model)
    ctrl = getattr(model, _ATTR, None)
    if inputs is None:
        inputs = ctrl.last_inputs if ctrl is not None else None
        if inputs is None:
            raise ValueError(f"the MAC fractions of a {type(model).__name__} are counted on real inputs: pass "
                             "inputs=(args, kwargs) of one call, or run the pipeline once with DeepCache enabled")
    args, kwargs = inputs
    with ctrl.bypass() if ctrl is not None else contextlib.nullcontext():
        total, per_module = count_macs(model, *args, **kwargs)
    names = transformer.block_names(model)
    out = []
    for first in range(0, len(names)):
        for last in range(0, len(names) - first):
            try:
                st = transformer.stack(model, first, last)
            except ValueError:  # e.g. HunyuanDiT: the live tail may not outgrow the live head
                continue
            skipped = sum(per_module.get(name, 0) for name in st.skipped)
            out.append(StackInfo(first, last, st.skipped, (total - skipped) / total))
    return out
