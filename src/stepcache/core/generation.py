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
Generations nest: a pipeline called while another runs on the thread (from its callback: a preview, a refiner
pass) and a ``generation`` block opened inside another (or inside a pipeline call) each get a generation of their
own, on top of a per-thread stack; the outer one resumes with its state untouched when the inner one ends.
A pipeline call's generation ends with the call, however it ends (returned, interrupted, raised): the hook puts a
:class:`_Call` among the pipeline frame's local variables, and when the frame goes, so do the generation's caches.
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
    call: "_Call | None" = None  # the pipeline call's marker, kept in its frame (see :class:`_Call`)


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
    call = local.get(_CALL)
    if not isinstance(call, _Call):
        call = local[_CALL] = _Call()
    scheduler = getattr(pipe, "scheduler", None)
    timesteps, step = local.get("timesteps"), local.get("i")
    if not (isinstance(step, int) and not isinstance(step, bool) and _sized(timesteps)
            and getattr(timesteps, "ndim", 1) == 1 and 0 <= step < len(timesteps)):
        step, timesteps = None, getattr(scheduler, "timesteps", None)
        if not _sized(timesteps):
            return Caller(pipe, id(frame), None, None, None, local, call)
        begin = getattr(scheduler, "begin_index", None) or 0
        return Caller(pipe, id(frame), timesteps, None, len(timesteps) - begin, local, call)
    return Caller(pipe, id(frame), timesteps, step, len(timesteps), local, call)


#: the name under which a pipeline frame holds its :class:`_Call` (no pipeline has a variable of that name)
_CALL = "__stepcache_call__"


class _Call:
    """Marks one pipeline call: put among its frame's local variables at the first denoiser call, so it lives
    exactly as long as the frame. It identifies the call (a frame's id may be reused later, this object is not),
    and when the frame goes (the call returned or raised, and no traceback holds the frame any more) it ends the
    call's generations: their caches are dropped at once, not at the next call."""

    __slots__ = ("generations", "__weakref__")

    def __init__(self):
        self.generations: list[Generation] = []  # one per model (tracker) the call ran
        weakref.finalize(self, _end_all, self.generations)


def _end_all(generations: list) -> None:
    for gen in list(generations):
        gen.end()
    generations.clear()


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
    """One generation on one model, in one thread's stack of generations.

    ``token``: the pipeline call's identity (a weak reference to its :class:`_Call`, and one to the timesteps it
    loops over), ``None`` for a hand-written loop. ``block``: whether it is a ``stepcache.generation`` block, and
    ``within`` (a weak reference) the pipeline call the block was opened in (``None``: outside any)."""

    def __init__(self, stack: list, token=None, num_steps: int | None = None, block: bool = False, within=None):
        self.stack = stack
        self.token = token
        self.block = block
        self.within = within
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

    @property
    def implicit(self) -> bool:
        """A hand-written loop's generation told by the timestep rule (no pipeline call, no block)."""
        return self.token is None and not self.block

    def restart(self) -> None:
        """Back to no call yet (caches dropped)."""
        self.drop()
        self.streams, self.logs, self.step, self.at_step, self.prev, self.last_t = [], [], None, 0, None, None

    def end(self) -> None:
        """The generation is over: drop its caches and take it off its stack (its logs stay, for summary())."""
        self.drop()
        try:
            self.stack.remove(self)
        except ValueError:
            pass


class Tracker:
    """Per-thread generations of one model, a stack per thread (the innermost on top). ``locate`` places each
    call; nothing is shared between threads."""

    def __init__(self):
        self._local = threading.local()

    def _stack(self) -> list:
        stack = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    @property
    def current(self) -> Generation | None:
        """This thread's innermost generation (``None``: none open)."""
        stack = getattr(self._local, "stack", None)
        return stack[-1] if stack else None

    def reset(self) -> None:
        """Forget this thread's generations (their caches go with them)."""
        for gen in reversed(tuple(self._stack())):
            gen.end()

    def abort(self) -> None:
        """The call in progress raised: end the generation it was placed in (the ones outside it stay)."""
        gen, self._local.placed = getattr(self._local, "placed", None), None
        if gen is None:
            return
        if gen in gen.stack:
            self._end_above(gen)
        if gen.block:  # the block goes on: its next call starts over
            gen.restart()
        else:
            gen.end()

    def settle(self) -> None:
        """A new call begins: nothing placed yet."""
        self._local.placed = None

    def open(self, num_steps: int | None) -> Generation:
        """A ``stepcache.generation`` block: a generation on top of this thread's stack until :meth:`close`."""
        caller = find_caller(2)
        within = None if caller is None else weakref.ref(caller.call)
        return self._push(Generation(self._stack(), None, num_steps, block=True, within=within))

    def close(self, block: Generation) -> None:
        if block in self._stack():
            self._end_above(block)
            block.end()

    def note(self, key, cached: bool) -> None:
        """Keep the decision of this thread's last call (a ControlNet's, checked by its U-Net)."""
        self._local.noted = (key, cached)

    def noted(self, key) -> bool:
        """Whether this thread's last noted call at ``key`` was cached."""
        noted = getattr(self._local, "noted", None)
        return noted is not None and noted[1] and _same_key(noted[0], key)

    def locate(self, caller: Caller | None, sample: torch.Tensor, timestep) -> Position:
        """Place one call (and count it): new generation or not, which stream, which step."""
        stack = self._stack()
        call = caller.call if caller is not None else None
        block = next((g for g in reversed(tuple(stack)) if g.block), None)
        if block is not None and (block.within() if block.within is not None else None) is call:
            self._local.placed = block  # the innermost block, opened in the innermost pipeline call (or in none)
            self._end_above(block)
            return self._by_sample(block, sample, block.prev is None, None)
        if caller is not None:
            token = (weakref.ref(call), _ref(caller.timesteps))
            gen = next((g for g in call.generations if g.stack is stack), None)
            new = gen is None or gen not in stack or not _same_token(gen.token, token)
            if new:  # the call's first on this model, or a new loop in the same call (its timesteps changed)
                if gen is not None:
                    if gen in stack:
                        self._end_above(gen)
                    gen.end()
                    call.generations.remove(gen)
                gen = self._push(Generation(stack, token, caller.num_steps))
                call.generations.append(gen)
            else:  # whatever started inside this call on this thread is over
                self._end_above(gen)
            self._local.placed = gen
            if caller.step is not None:
                if gen.step != caller.step:
                    gen.step, gen.at_step = caller.step, 0
                index, step = gen.at_step, caller.step
                gen.at_step += 1
                stream = gen.stream(index)
                stream.calls += 1
                return Position(stream, index, step, gen.num_steps, new, token)
            return self._by_sample(gen, sample, new, token)
        gen = self.current
        gen = gen if gen is not None and gen.implicit else None
        same = gen is not None and _repeats(gen, sample)
        t = _as_float(timestep)
        last = None if gen is None else gen.last_t
        new = gen is None or last is None or t is None or t > last or (t == last and not same)
        if new:
            if gen is not None:
                gen.end()
            gen = self._push(Generation(stack))
        gen.last_t = t
        self._local.placed = gen
        return self._by_sample(gen, sample, new, None, same and not new)

    def _push(self, gen: Generation) -> Generation:
        """A new innermost generation. A hand-written loop's generation on top ends first (the timestep rule would
        start a new one at its next call anyway)."""
        stack = gen.stack
        while stack and stack[-1].implicit:
            stack[-1].end()
        stack.append(gen)
        return gen

    @staticmethod
    def _end_above(gen: Generation) -> None:
        """End the generations started inside ``gen`` (above it on its stack): ``gen`` goes on, so they are over."""
        stack = gen.stack
        while stack and stack[-1] is not gen:
            stack[-1].end()

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
    """Whether two generation tokens (reference to the pipeline call, to its timesteps) name the same call and
    loop."""
    if a is None or b is None or a[0]() is None or a[0]() is not b[0]():
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


def fresh_inputs(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """Shallow copies of a call's list and dict inputs, for running the model on them once more: a forward may
    consume its list inputs (HunyuanDiT pops its ControlNet residuals), and the next run must see them whole."""
    fresh = lambda v: list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v  # noqa: E731
    return tuple(map(fresh, args)), {k: fresh(v) for k, v in kwargs.items()}
