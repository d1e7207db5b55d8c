"""Which denoiser call is which step of which generation: the family-agnostic bookkeeping.

The rule, as the README states it:

1. **Called by a diffusers pipeline** (a ``DiffusionPipeline`` method is on the call stack): one pipeline call is
   one generation; the step is the pipeline's loop index ``i``; the k-th denoiser call at one step is stream k
   (classifier-free guidance as separate calls, Panorama views, SAG's degraded pass); the number of steps is the
   length of the ``timesteps`` the pipeline loops over. Whatever pipeline object calls, whatever its scheduler.
2. **Called from anywhere else** (a hand-written loop): inside ``with stepcache.generation(model):`` the block is
   one generation; outside it, a new generation starts whenever the timestep does not go down (it goes up, or it
   repeats on another sample). A call that gets the very same ``sample`` tensor as the call before it is the next
   stream of the same step; any other call is the next step.

Each thread has its own generations, so concurrent generations on one model never see each other's state.
Nothing here holds a tensor: the sample is remembered by a weak reference, the pipeline's timesteps likewise.
"""

from __future__ import annotations

import sys
import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

import torch

#: how many frames above the denoiser call to look for the pipeline that makes it
_MAX_DEPTH = 32


@dataclass
class Caller:
    """The pipeline call a denoiser call comes from (only what the bookkeeping needs, nothing kept after)."""

    pipe: Any
    frame_id: int
    timesteps: Any  # what the pipeline loops over (its ``timesteps`` local, else ``scheduler.timesteps``)
    step: int | None  # the pipeline's loop index ``i`` at this call
    num_steps: int | None
    locals: dict  # the pipeline frame's local variables (read at the call, never kept)


#: code object -> whether its frames are a pipeline's methods (``self`` a ``DiffusionPipeline``). Learned from the
#: first frame of each code object seen, so that the walk reads the locals of one frame per call, not of every one
#: (reading a frame's locals builds a dict: the costly part of the walk).
_PIPELINE_CODE: dict = {}


def find_caller(skip: int = 1) -> Caller | None:
    """The innermost ``DiffusionPipeline`` method on the call stack, read from its frame, or ``None``."""
    from diffusers import DiffusionPipeline

    frame = sys._getframe(skip + 1)
    for _ in range(_MAX_DEPTH):
        if frame is None:
            return None
        code = frame.f_code
        known = _PIPELINE_CODE.get(code)
        if known is None and code.co_argcount and code.co_varnames[0] == "self":
            known = _PIPELINE_CODE[code] = isinstance(frame.f_locals.get("self"), DiffusionPipeline)
        if known:
            local = frame.f_locals
            pipe = local.get("self")
            if isinstance(pipe, DiffusionPipeline):
                return _describe(pipe, frame, local)
        frame = frame.f_back
    return None


def _describe(pipe, frame, local: dict) -> Caller:
    """The pipeline's loop: ``for i, t in enumerate(timesteps)`` in diffusers' pipelines. The local ``timesteps`` is
    trusted as what the loop runs over only together with a loop index ``i`` inside it (DiT, for one, reuses the
    name for the current timestep); otherwise the scheduler's timesteps tell the step count."""
    scheduler = getattr(pipe, "scheduler", None)
    timesteps, step = local.get("timesteps"), local.get("i")
    if not (isinstance(step, int) and not isinstance(step, bool) and _sized(timesteps)
            and getattr(timesteps, "ndim", 1) == 1 and 0 <= step < len(timesteps)):
        step, timesteps = None, getattr(scheduler, "timesteps", None)
        if not _sized(timesteps):
            return Caller(pipe, id(frame), None, None, None, local)
        begin = getattr(scheduler, "begin_index", None) or 0
        return Caller(pipe, id(frame), timesteps, None, len(timesteps) - begin, local)
    return Caller(pipe, id(frame), timesteps, step, len(timesteps), local)


def _sized(x) -> bool:
    return isinstance(x, (torch.Tensor, list, tuple)) or type(x).__name__ == "ndarray"


def _ref(x):
    """A weak reference where the object takes one, else the object's id (kept together with the frame's id)."""
    try:
        return weakref.ref(x)
    except TypeError:
        return id(x)


def _same(ref, x) -> bool:
    return ref() is x if isinstance(ref, weakref.ref) else ref == id(x)


@dataclass
class Stream:
    """One stream of denoiser calls within a generation: its log and its cache."""

    log: list[str] = field(default_factory=list)  # "F" full / "C" cached / "?" undecided, per call
    calls: int = 0
    cache: dict[str, Any] = field(default_factory=dict)  # what a cached step reuses, filled on full steps
    shape: tuple | None = None  # sample shape the cache was made with; None: no cache
    run: int = 0  # cached steps since the last full step
    spent: float = 0.0  # adaptive: predicted error of the cached steps since the last full step
    signal: torch.Tensor | None = None  # adaptive: the watched feature at the last full step
    # a forecaster (see stepcache.core.forecast): the forecast entries of the full steps before the last one, most
    # recent first; the coordinates of the kept full steps, oldest first (the last one: ``cache``'s); and on a
    # cached step the coefficients c_j of F_last + sum_j c_j (F_last - F_older_j) (0-d tensors: no value is traced
    # into a graph)
    previous: list[dict[str, Any]] = field(default_factory=list)
    full_at: tuple[float, ...] = ()
    coefficients: tuple[torch.Tensor, ...] | None = None

    def drop(self) -> None:
        """Forget the cache (the generation has no further step for this stream)."""
        self.cache, self.shape, self.signal, self.previous, self.full_at = {}, None, None, [], ()
        self.coefficients = None

    def reused(self, key: str):
        """What a cached step puts in place of the deep part ``key``: the kept feature, or with a forecaster its
        forecast from the kept full steps."""
        last = self.cache[key]
        if self.coefficients is None or not self.previous or key not in self.previous[0]:
            return last
        return forecast(last, [p[key] for p in self.previous], self.coefficients)


def extrapolate(last, previous, factor: torch.Tensor):
    """``last + (last - previous) * factor`` on every tensor of a module's output (tensors, tuples, lists, None)."""
    return forecast(last, [previous], (factor,))


def forecast(last, older: list, coefficients):
    """``last + sum_j (last - older[j]) * coefficients[j]`` on every tensor of a module's output (tensors, tuples,
    lists, None); with one older feature exactly ``last + (last - older) * c``."""
    if isinstance(last, torch.Tensor):
        out = last + (last - older[0]) * coefficients[0]
        for o, c in zip(older[1:], coefficients[1:]):
            out = out + (last - o) * c
        return out
    if isinstance(last, (tuple, list)):
        return type(last)(forecast(a, [o[i] for o in older], coefficients) for i, a in enumerate(last))
    if last is None:
        return None
    raise TypeError(f"forecast: cannot forecast a module output of type {type(last).__name__}")


@dataclass(frozen=True)
class Position:
    """Where one call sits: its stream, its step in that stream, the steps per stream (when known)."""

    stream: Stream
    index: int  # which stream (0 = the first call of each step)
    step: int
    num_steps: int | None
    new_generation: bool
    token: tuple | None  # identity of the generation (pipeline calls only)


class Generation:
    """One thread's current generation on one model."""

    def __init__(self, token=None, num_steps: int | None = None):
        self.token = token
        self.num_steps = num_steps
        self.streams: list[Stream] = []
        self.logs: list[list[str]] = []  # the streams' logs, kept for summary() without their caches
        self.step: int | None = None  # pipeline mode: the loop index of the calls in progress
        self.at_step = 0  # pipeline mode: calls seen at that step
        self.prev = None  # (weak ref to the last sample, its version, its stream index)
        self.last_t: float | None = None

    def stream(self, index: int) -> Stream:
        while len(self.streams) <= index:
            s = Stream()
            self.streams.append(s)
            self.logs.append(s.log)
        return self.streams[index]

    def drop(self) -> None:
        for s in self.streams:
            s.drop()


class _Explicit:
    """An open ``stepcache.generation(...)`` block."""

    def __init__(self, num_steps: int | None):
        self.num_steps = num_steps


class Tracker:
    """Per-thread generations of one model. ``locate`` places each call; nothing is shared between threads."""

    def __init__(self):
        self._local = threading.local()

    @property
    def current(self) -> Generation | None:
        return getattr(self._local, "gen", None)

    def reset(self) -> None:
        """Forget this thread's generation (its caches go with it)."""
        gen = self.current
        if gen is not None:
            gen.drop()
        self._local.gen = None

    def open(self, num_steps: int | None) -> _Explicit:
        block = _Explicit(num_steps)
        self.reset()
        self._local.explicit = block
        return block

    def close(self, block: _Explicit) -> None:
        if getattr(self._local, "explicit", None) is block:
            self._local.explicit = None
            self.reset()

    def note(self, key, cached: bool) -> None:
        """Keep the decision of this thread's last call (a ControlNet's, checked by its U-Net)."""
        self._local.noted = (key, cached)

    def noted(self, key) -> bool:
        """Whether this thread's last noted call at ``key`` was cached."""
        noted = getattr(self._local, "noted", None)
        return noted is not None and noted[1] and _same_key(noted[0], key)

    def locate(self, caller: Caller | None, sample: torch.Tensor, timestep) -> Position:
        """Place one call (and count it): new generation or not, which stream, which step."""
        gen = self.current
        if caller is not None:
            token = (caller.frame_id, _ref(caller.timesteps))
            new = gen is None or not _same_token(gen.token, token)
            if new:
                gen = self._start(token, caller.num_steps)
            if caller.step is not None:
                if gen.step != caller.step:
                    gen.step, gen.at_step = caller.step, 0
                index, step = gen.at_step, caller.step
                gen.at_step += 1
                stream = gen.stream(index)
                stream.calls += 1
                return Position(stream, index, step, gen.num_steps, new, token)
            return self._by_sample(gen, sample, new, token)
        explicit = getattr(self._local, "explicit", None)
        same = gen is not None and _repeats(gen, sample)
        if explicit is not None:
            new = gen is None or gen.token is not None
            if new:
                gen = self._start(None, explicit.num_steps)
        else:
            t = _as_float(timestep)
            last = None if gen is None else gen.last_t
            new = gen is None or gen.token is not None or last is None or t is None or t > last \
                or (t == last and not same)
            if new:
                gen = self._start(None, None)
            gen.last_t = t
        return self._by_sample(gen, sample, new, None, same and not new)

    def _start(self, token, num_steps) -> Generation:
        self.reset()
        gen = Generation(token, num_steps)
        self._local.gen = gen
        return gen

    @staticmethod
    def _by_sample(gen: Generation, sample, new: bool, token, same: bool | None = None) -> Position:
        if same is None:
            same = not new and _repeats(gen, sample)
        index = gen.prev[2] + 1 if same else 0
        gen.prev = (_ref(sample), sample._version, index)
        stream = gen.stream(index)
        step = stream.calls
        stream.calls += 1
        return Position(stream, index, step, gen.num_steps, new, token)


def _repeats(gen: Generation, sample) -> bool:
    """Whether ``sample`` is the very tensor (same object, not modified since) the previous call got."""
    return gen.prev is not None and _same(gen.prev[0], sample) and gen.prev[1] == sample._version


def _same_token(a, b) -> bool:
    """Whether two generation tokens (frame id, reference to the timesteps) name the same pipeline call."""
    if a is None or b is None or a[0] != b[0]:
        return False
    ra, rb = a[1], b[1]
    if isinstance(ra, weakref.ref):
        return isinstance(rb, weakref.ref) and ra() is not None and ra() is rb()
    return ra == rb


def _same_key(a, b) -> bool:
    (ta, sa, ia), (tb, sb, ib) = a, b
    return (sa, ia) == (sb, ib) and _same_token(ta, tb)


def _as_float(timestep) -> float | None:
    if timestep is None:
        return None
    if isinstance(timestep, torch.Tensor):
        return float(timestep.reshape(-1)[0]) if timestep.numel() else None
    return float(timestep)
