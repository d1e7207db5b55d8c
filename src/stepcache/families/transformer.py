"""The transformer family: DeepCache on the stack of blocks of any transformer denoiser whose blocks sit in one or
more ``nn.ModuleList``s (DiT, PixArt, SD3, Flux, Flux2, Chroma, QwenImage, HiDream, Lumina2, AuraFlow, CogView,
HunyuanDiT, HunyuanVideo, CogVideoX, Wan, SkyReels-V2, LTX, Mochi, Sana, ...).

The blocks of the model's block lists, in the order the model runs them, form one stack (Flux: its double-stream
blocks, then its single-stream ones). The first F blocks and the last B blocks are *live*: they run on every step.
On a *cached* step the blocks between them are not run: the skipped span replays the residual it added at the last
full step (its output minus its input) on every stream its blocks carry -- the image tokens, the text tokens of
joint blocks, the joint tokens after a joint-to-single transition.

What is known of a model is read from the model itself:

* its stacks: the ``nn.ModuleList`` children whose items are blocks (a class named ``...Block`` or ``...Layer``),
  in the order they are registered, less the ``*refiner*`` preludes (Lumina2, Z-Image: they refine the text or the
  latents alone before the stack); a few models say it explicitly (:data:`STACKS`, :data:`INTERLEAVED`);
* the streams, by a *probe*: at the first call (and again for a call given other arguments, e.g. ControlNet
  residuals) the model runs once more, plainly, with hooks noting every block's inputs and outputs. A block's output
  that the next block takes as its input ``hidden_states`` *is* the stream ``hidden_states``; an output no block
  takes is an extra output (replayed as stored). Where the model's own code changes a stream between two blocks (a
  concatenation of text and image tokens, ControlNet residuals added, VACE hints) the span is cut there into
  *segments*: each segment replays its own residual and the model's code between them runs on every step (so
  ControlNet residuals of skipped blocks are added anew at every step). A block that reads the output of a block
  other than the one before it takes a *long skip* (HunyuanDiT, U-ViT): the placement must keep that output live.

Everything else (which step, full or cached, the schedules) is the family-agnostic core.
"""

from __future__ import annotations

import inspect
import weakref
from dataclasses import dataclass, field

import torch
from diffusers.hooks import ModelHook
from torch import nn

from ..core.generation import fresh_inputs
from . import UnsupportedModelError

#: models whose block lists cannot be told from their structure: denoiser class -> its stacks (Wan VACE: the VACE
#: blocks make the control hints before the stack runs, like a ControlNet: they run on every step)
STACKS = {
    "WanVACETransformer3DModel": ("blocks",),
    "WanAnimateTransformer3DModel": ("blocks",),  # its face adapters add to the stream between blocks
}
#: models whose block lists run alternately (spatial block i, temporal block i, ...)
INTERLEAVED = ("LatteTransformer3DModel",)
#: models whose later blocks take long skips from the earlier ones (U-ViT style): block L-1-j takes block j's
#: output, so the live tail may only be as long as the live head (then every skip a live block takes is live)
LONG_SKIPS = ("HunyuanDiT2DModel",)
#: block class -> the order of the (image, text) streams it returns (used where the probe cannot tell, e.g. a list
#: of one block whose two streams have the same shape); other blocks are read by the probe
RETURNS = {"JointTransformerBlock": ("ehs", "hs"), "FluxTransformerBlock": ("ehs", "hs"),
           "FluxSingleTransformerBlock": ("ehs", "hs"), "CogVideoXBlock": ("hs", "ehs")}
_STREAM = {"hs": "hidden_states", "ehs": "encoder_hidden_states"}
#: why a supported-looking model is refused
REFUSED: dict[str, str] = {}


def _is_block(module: nn.Module) -> bool:
    name = type(module).__name__
    return ("Block" in name or name.endswith("Layer")) and any(True for _ in module.children())


def stack_lists(model: nn.Module) -> tuple[str, ...]:
    """The names of the model's block lists, in the order they are registered."""
    name = type(model).__name__
    if name in STACKS:
        return STACKS[name]
    return tuple(n for n, m in model.named_children() if isinstance(m, nn.ModuleList) and len(m)
                 and all(_is_block(b) for b in m) and "refiner" not in n)


def _takes_hidden_states(model: nn.Module) -> bool:
    try:
        names = list(inspect.signature(type(model).forward).parameters)
    except (TypeError, ValueError):
        return False
    return "hidden_states" in names or "x" in names


def is_transformer(model: nn.Module) -> bool:
    """A denoiser this family caches, or refuses with a reason: blocks in ``nn.ModuleList``s, taking
    ``hidden_states`` (U-Nets take ``sample``)."""
    if not isinstance(model, nn.Module):  # a pipeline with no denoiser stepcache knows (its prior, its decoder)
        return False
    if type(model).__name__ in REFUSED:
        return True
    return _takes_hidden_states(model) and not hasattr(model, "down_blocks") and bool(stack_lists(model))


def check_supported(model: nn.Module) -> None:
    name = type(model).__name__
    if name in REFUSED:
        raise UnsupportedModelError(f"{name} is not supported: {REFUSED[name]}")
    if not is_transformer(model):
        raise UnsupportedModelError(f"{name} is not supported: stepcache caches transformer denoisers whose blocks "
                                    "sit in nn.ModuleLists and whose forward takes hidden_states, and the U-Nets "
                                    f"listed in docs/guide.md; {name} has no such block list")


def block_names(model: nn.Module) -> list[str]:
    """The blocks of the stack, in the order the model runs them (e.g. ``transformer_blocks.0``)."""
    lists = stack_lists(model)
    if type(model).__name__ in INTERLEAVED:
        n = max(len(getattr(model, lst)) for lst in lists)
        return [f"{lst}.{i}" for i in range(n) for lst in lists if i < len(getattr(model, lst))]
    return [f"{lst}.{i}" for lst in lists for i in range(len(getattr(model, lst)))]


@dataclass(frozen=True)
class Stack:
    """Which blocks a cached step runs (live) and which it replaces by the stored residual (skipped)."""

    blocks: tuple[str, ...]
    first: int  # F
    last: int  # B

    @property
    def live_head(self) -> tuple[str, ...]:
        return self.blocks[:self.first]

    @property
    def skipped(self) -> tuple[str, ...]:
        return self.blocks[self.first:len(self.blocks) - self.last]


def stack(model: nn.Module, first: int, last: int) -> Stack:
    blocks = tuple(block_names(model))
    name, n = type(model).__name__, len(blocks)
    if n < 1:
        raise ValueError(f"this {name} has no block in {', '.join(stack_lists(model)) or 'its block lists'}: "
                         "nothing to skip")
    if first + last >= n:
        f = min(first, n - 1)
        raise ValueError(f"first_blocks + last_blocks must be below the {n} blocks of this {name} (at least one "
                         f"block to skip), got {first} + {last}; placements that fit: first_blocks + last_blocks "
                         f"<= {n - 1}, e.g. first_blocks={f}, last_blocks={min(last, n - 1 - f)}")
    if name in LONG_SKIPS and last > first:
        raise ValueError(f"last_blocks must be in [0, first_blocks] = [0, {first}] for {name}: its "
                         f"last blocks take long skips from its first ones, which must then be live, got {last}")
    return Stack(blocks, first, last)


# -- the streams of a block call -----------------------------------------------------------------------------------
def _params(block: nn.Module) -> tuple[str, ...]:
    """The parameters of the block's forward that can be given by position, in order."""
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return tuple(n for n, p in list(inspect.signature(type(block).forward).parameters.items())[1:] if p.kind in kinds)


def _arg(params: tuple[str, ...], args: tuple, kwargs: dict, name: str):
    if name in kwargs:
        return kwargs[name]
    at = params.index(name) if name in params else len(args)
    return args[at] if at < len(args) else None


@dataclass(frozen=True)
class Format:
    """How a block receives and returns its streams (found by the probe)."""

    params: tuple[str, ...]  # the forward's positional parameters
    outputs: tuple[str | None, ...]  # per output: the stream it carries (an input of that name), else None
    single: bool  # the block returns one tensor, not a tuple
    constants: tuple = ()  # per output: the value of a non-tensor output (e.g. None), else None

    @property
    def streams(self) -> tuple[str, ...]:
        return tuple(n for n in self.outputs if n is not None)

    @property
    def image(self) -> str:
        """The image stream (or, after a joint-to-single transition, the joint one)."""
        return "hidden_states" if "hidden_states" in self.streams else self.streams[0]

    def read(self, args: tuple, kwargs: dict) -> dict:
        return {n: _arg(self.params, args, kwargs, n) for n in self.streams}

    def split(self, output) -> dict:
        if self.single:
            return {self.outputs[0]: output}
        return {n: output[p] for p, n in enumerate(self.outputs) if n is not None}

    def write(self, values: dict, fill: dict | None = None):
        """The block's output carrying ``values`` on its streams and ``fill`` (else the probe's constants) on its
        other outputs."""
        if self.single:
            return values[self.outputs[0]]
        fill = fill or {}
        return tuple(values[n] if n is not None else fill.get(p, self.constants[p])
                     for p, n in enumerate(self.outputs))


class Streams:
    """The (image, text) view of a block's format: ``read`` gives ``(hs, ehs)`` (``ehs`` None for a block carrying
    the image stream alone), ``write`` takes them back. Without a probed format, the known formats
    (:data:`RETURNS`) or one tensor."""

    def __init__(self, block: nn.Module, fmt: Format | None = None):
        self.fmt = fmt or _known_format(block)

    def read(self, args: tuple, kwargs: dict):
        v = self.fmt.read(args, kwargs)
        return v.get(self.fmt.image), v.get("encoder_hidden_states")

    def image(self, output):
        """The image stream of a block's output."""
        return self.fmt.split(output)[self.fmt.image]

    def split(self, output):
        v = self.fmt.split(output)
        return v.get(self.fmt.image), v.get("encoder_hidden_states")

    def write(self, hs, ehs):
        return self.fmt.write({self.fmt.image: hs, "encoder_hidden_states": ehs})


def _known_format(block: nn.Module) -> Format:
    order = RETURNS.get(type(block).__name__)
    if order is None:
        return Format(_params(block), ("hidden_states",), True, (None,))
    return Format(_params(block), tuple(_STREAM[o] for o in order), False, (None, None))


# -- the probe -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    """What the probe found: the order the blocks ran in, each block's format, which blocks take exactly the
    previous block's outputs (``chained``), and the long skips (block -> the earlier blocks whose output it reads,
    other than the one before it)."""

    order: tuple[str, ...]
    formats: dict = field(hash=False)
    unknown: dict = field(hash=False)  # block -> why its format is not known
    chained: frozenset
    long_skips: dict = field(hash=False)
    shapes: dict = field(hash=False)  # (block, "in"/"out", stream) -> shape

    def segments(self, skipped: tuple[str, ...]) -> list[tuple[str, ...]]:
        """The skipped span cut where the model's own code changes a stream between two blocks."""
        out: list[list[str]] = []
        for name in skipped:
            if out and name in self.chained:
                out[-1].append(name)
            else:
                out.append([name])
        return [tuple(s) for s in out]


def _items(out):
    if isinstance(out, torch.Tensor):
        return (out,), True
    if type(out) is tuple:
        return out, False
    return None, False


def probe(model: nn.Module, args: tuple, kwargs: dict) -> Plan:
    """Run the model once, plainly, noting each block's inputs and outputs (weak references: nothing is kept)."""
    names = block_names(model)
    calls: list[dict] = []
    refs: list[list] = []

    def pre(name, module):
        params = _params(module)

        def hook(mod, a, k):
            bound = {n: _arg(params, a, k, n) for n in params} | dict(k)
            ins = {n: v for n, v in bound.items() if isinstance(v, torch.Tensor)}
            src = {}
            for n, v in ins.items():
                for j, rs in enumerate(refs):
                    for p, r in enumerate(rs):
                        if r is not None and r() is v:
                            src[n] = (j, p)
            calls.append(dict(name=name, cls=type(mod).__name__, params=params,
                              ins={n: (tuple(v.shape), v.dtype) for n, v in ins.items()}, src=src))
            refs.append([])
        return hook

    def post(mod, a, k, out):
        items, single = _items(out)
        call = calls[-1]
        call["single"], call["type"] = single, type(out).__name__
        if items is None:
            call["out"] = None
            return
        call["out"] = [(tuple(x.shape), x.dtype) if isinstance(x, torch.Tensor) else ("const", x) for x in items]
        refs[-1] = [weakref.ref(x) if isinstance(x, torch.Tensor) else None for x in items]

    handles = []
    try:
        for name in names:
            block = model.get_submodule(name)
            handles.append(block.register_forward_pre_hook(pre(name, block), with_kwargs=True))
            handles.append(block.register_forward_hook(post, with_kwargs=True))
        a, k = fresh_inputs(args, kwargs)  # the real call that follows must see list inputs whole
        with torch.no_grad():  # its forward, not its __call__: the model's own torch hooks see one call
            model.forward(*a, **k)
    finally:
        for h in handles:
            h.remove()
    return _plan(model, calls)


def _plan(model: nn.Module, calls: list[dict]) -> Plan:
    cls_name = type(model).__name__
    order = tuple(c["name"] for c in calls)
    if order != tuple(block_names(model)):
        ran = {n: order.count(n) for n in block_names(model)}
        odd = [f"{n} ran {k} times" for n, k in ran.items() if k != 1]
        raise UnsupportedModelError(
            f"{cls_name} is not supported as found: its blocks did not run once each in the order of its block "
            f"lists {', '.join(stack_lists(model))} ({'; '.join(odd) if odd else 'another order'}); it needs an "
            "entry in stepcache.families.transformer.STACKS or INTERLEAVED")
    formats, unknown, learned = {}, {}, {}
    linked: dict[int, dict[int, str]] = {}
    for i, c in enumerate(calls):  # outputs the next block takes: that input's name is the stream
        nxt = calls[i + 1] if i + 1 < len(calls) else None
        if c["out"] is None or nxt is None:
            continue
        links = {p: n for n, (j, p) in nxt["src"].items() if j == i}
        links = {p: n for p, n in links.items() if c["ins"].get(n, (None,))[0] == c["out"][p][0]}
        linked[i] = links
        tensors = [p for p, o in enumerate(c["out"]) if o[0] != "const"]
        if links and all(p in links for p in tensors):
            learned.setdefault(c["cls"], tuple(links.get(p) for p in range(len(c["out"]))))
    for i, c in enumerate(calls):
        if c["out"] is None:
            unknown[c["name"]] = f"it returns a {c['type']}, not a tensor or a tuple"
            continue
        n_out = len(c["out"])
        tensors = [p for p, o in enumerate(c["out"]) if o[0] != "const"]
        outs = None
        links = linked.get(i, {})
        if links and all(p in links for p in tensors):
            outs = tuple(links.get(p) for p in range(n_out))
        elif c["cls"] in learned and len(learned[c["cls"]]) == n_out:
            outs = learned[c["cls"]]
        elif c["cls"] in RETURNS and n_out == 2:
            outs = tuple(_STREAM[o] for o in RETURNS[c["cls"]])
        else:  # by shape: each output tensor is the stream of the one input of the same shape
            outs, why = [], None
            for p in range(n_out):
                if p not in tensors:
                    outs.append(None)
                    continue
                same = [n for n, (shape, dtype) in c["ins"].items() if (shape, dtype) == c["out"][p]]
                if c["single"] and "hidden_states" in same:
                    same = ["hidden_states"]
                if len(same) == 1:
                    outs.append(same[0])
                else:
                    outs.append(None)
                    why = why or (f"its output {p} has the shape of {len(same)} of its inputs"
                                  f"{' (' + ', '.join(same) + ')' if same else ''}")
            outs = tuple(outs)
            if why or not any(outs):
                unknown[c["name"]] = why or "none of its outputs has the shape of an input"
        outs = tuple(n if n is not None and c["ins"].get(n, (None,))[0] == c["out"][p][0] else None
                     for p, n in enumerate(outs))  # a stream keeps its shape through the block
        if len(set(n for n in outs if n)) != len([n for n in outs if n]):
            unknown[c["name"]] = "two of its outputs look like the same stream"
        if not any(outs):
            unknown.setdefault(c["name"], "none of its outputs is the input of the next block")
        formats[c["name"]] = Format(c["params"], outs, c["single"],
                                    tuple(o[1] if o[0] == "const" else None for o in c["out"]))
    chained, long_skips, shapes = set(), {}, {}
    for i, c in enumerate(calls):
        fmt = formats[c["name"]]
        for n in fmt.streams:
            shapes[(c["name"], "in", n)] = c["ins"][n][0]
            p = fmt.outputs.index(n)
            shapes[(c["name"], "out", n)] = c["out"][p][0]
        skips = sorted({calls[j]["name"] for n, (j, p) in c["src"].items() if j != i - 1})
        if skips:
            long_skips[c["name"]] = tuple(skips)
        if i == 0:
            continue
        prev, pfmt = calls[i - 1], formats[calls[i - 1]["name"]]
        tensors = [p for p, o in enumerate(prev["out"] or []) if o[0] != "const"]
        fed = {n for n, (j, p) in c["src"].items() if j == i - 1}
        if (prev["out"] is not None and all(linked.get(i - 1, {}).get(p) == pfmt.outputs[p] for p in tensors)
                and set(fmt.streams) <= fed and set(fmt.streams) <= set(pfmt.streams)):
            chained.add(c["name"])
    return Plan(order, formats, unknown, frozenset(chained), long_skips, shapes)


@dataclass
class Role:
    """A skipped block's part in its segment."""

    fmt: Format
    segment: str  # the segment's first block: the key of what it keeps
    streams: tuple[str, ...]  # the streams the segment's first block carries
    entry: bool
    exit: bool


def roles(model: nn.Module, plan: Plan, st: Stack) -> dict[str, Role]:
    """The part of each skipped block, checked: every segment's streams known, shapes kept, long skips live."""
    name = type(model).__name__
    out = {}
    segments = plan.segments(st.skipped)
    for seg in segments:
        for b in (seg[0], seg[-1]):
            if b in plan.unknown:
                raise UnsupportedModelError(
                    f"{name}: the streams of {b} ({type(model.get_submodule(b)).__name__}) are not known: "
                    f"{plan.unknown[b]}; give its block class an entry in stepcache.families.transformer.RETURNS")
        entry, last = plan.formats[seg[0]], plan.formats[seg[-1]]
        for n in entry.streams:
            if n in last.streams and plan.shapes[(seg[0], "in", n)] != plan.shapes[(seg[-1], "out", n)]:
                raise UnsupportedModelError(f"{name}: the stream {n} changes shape between {seg[0]} and {seg[-1]} "
                                            "(skipped together): no residual to replay")
        for b in seg:
            out[b] = Role(plan.formats[b], seg[0], entry.streams, b == seg[0], b == seg[-1])
    skipped = set(st.skipped)
    for consumer, producers in plan.long_skips.items():
        if consumer in skipped:
            continue
        bad = [p for p in producers if p in skipped and not out[p].exit]
        if bad:
            raise ValueError(f"{consumer} of this {name} takes the output of {bad[0]} (a long skip), which this "
                             f"placement skips (first_blocks={st.first}, last_blocks={st.last}): keep it live, "
                             "e.g. last_blocks <= first_blocks")
    return out


class Structure:
    """A model's probed plans (one per set of arguments given: a call with ControlNet residuals cuts the stack where
    they are added) and the roles of the skipped blocks under the plan of the call in progress."""

    def __init__(self, model: nn.Module, config):
        self.model = model
        self.stack = stack(model, config.first_blocks, config.last_blocks)
        self.plans: dict[tuple, tuple[Plan, dict[str, Role]]] = {}
        self.plan: Plan | None = None
        self.roles: dict[str, Role] = {}

    def select(self, key: tuple, controller, args: tuple, kwargs: dict) -> None:
        if key not in self.plans:
            known = _PLANS.setdefault(self.model, {})
            plan = known.get(key)
            if plan is None or plan.order != self.stack.blocks:
                with controller.bypass():
                    plan = known[key] = probe(self.model, args, kwargs)
            self.plans[key] = (plan, roles(self.model, plan, self.stack))
        self.plan, self.roles = self.plans[key]


#: model -> the plans probed on it, by the arguments given (kept across disable / enable: a model's structure is
#: probed once per kind of call)
_PLANS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class SkipHook(ModelHook):
    """On each skipped block. Full step: run; a segment's first block keeps its input streams, its last one turns
    its output into the segment's residual (and keeps its other outputs). Cached step: a segment's first block
    returns input + residual, the others pass their input through without running (the last one with its kept
    other outputs)."""

    def __init__(self, controller, structure: Structure, name: str):
        super().__init__()
        self.controller = controller
        self.structure = structure
        self.name = name

    def new_forward(self, module, *args, **kwargs):
        ctrl = self.controller
        stream = ctrl.active
        if stream is None or not (ctrl.cached_step or ctrl.recording):
            return self.fn_ref.original_forward(*args, **kwargs)
        role = self.structure.roles[self.name]
        fmt, key = role.fmt, role.segment
        if ctrl.cached_step:
            values = fmt.read(args, kwargs)
            if role.entry:
                res = stream.reused(f"residual:{key}")
                values = {n: None if r is None else r + values[n] for n, r in zip(role.streams, res)}
            return fmt.write(values, stream.cache[f"extras:{key}"] if role.exit else None)
        if role.entry:
            stream.cache[f"input:{key}"] = fmt.read(args, kwargs)
        out = self.fn_ref.original_forward(*args, **kwargs)
        if role.exit:
            ins, outs = stream.cache.pop(f"input:{key}"), fmt.split(out)
            stream.cache[f"residual:{key}"] = tuple(None if outs.get(n) is None or ins[n] is None
                                                    else outs[n] - ins[n] for n in role.streams)
            stream.cache[f"extras:{key}"] = {} if fmt.single else {p: out[p] for p, n in enumerate(fmt.outputs)
                                                                   if n is None}
        return out


class HeadInputHook(ModelHook):
    """On the first block when the watched head spans several blocks: keeps the head's input image stream."""

    def __init__(self, controller, structure: Structure, name: str):
        super().__init__()
        self.controller = controller
        self.structure = structure
        self.name = name

    def pre_forward(self, module, *args, **kwargs):
        if self.controller.active is not None:
            fmt = self.structure.plan.formats[self.name]
            self.controller.head_input = _arg(fmt.params, args, kwargs, fmt.image)
        return args, kwargs


def watched(structure: Structure, name: str, controller, args, kwargs, output) -> torch.Tensor:
    """The feature an online schedule watches on the last live head block: for ``first-block``, the residual the
    live head adds to the image stream (diffusers' FirstBlockCache: ``out - in`` of the first block); for
    ``adaptive``, the head's output image stream."""
    fmt = structure.plan.formats[name]
    out = fmt.split(output)[fmt.image]
    if controller.config.schedule != "first-block":
        return out
    head_in = controller.head_input if controller.head_input is not None else _arg(fmt.params, args, kwargs,
                                                                                    fmt.image)
    return out - head_in


def hooks(model: nn.Module, controller, config, signal_hook) -> list[tuple[str, nn.Module, ModelHook]]:
    """(name, module, hook) for the transformer family: a SkipHook on every skipped block, and for an online
    schedule the watching hook on the last live head block (plus one keeping the head's input)."""
    structure = Structure(model, config)
    controller.read.structure, controller.read.controller = structure, controller
    st = structure.stack
    out = []
    if config.decides_online:
        if len(st.live_head) > 1 and config.schedule == "first-block":
            out.append((st.blocks[0], model.get_submodule(st.blocks[0]),
                        HeadInputHook(controller, structure, st.blocks[0])))
        head = st.live_head[-1]
        out.append((head, model.get_submodule(head),
                    signal_hook(controller, lambda a, k, o: watched(structure, head, controller, a, k, o))))
    for name in st.skipped:
        out.append((name, model.get_submodule(name), SkipHook(controller, structure, name)))
    controller.extrapolated = tuple(f"residual:{name}" for name in st.skipped)
    return out


class CallReader:
    """``(args, kwargs) -> (sample, timestep)`` for this model's forward. At the first call given a set of
    arguments, the model is probed (once more, plainly) for its streams."""

    def __init__(self, model: nn.Module):
        names = list(inspect.signature(type(model).forward).parameters)[1:]
        self.names = names
        self.sample = "hidden_states" if "hidden_states" in names else "x"
        self.time = next((n for n in ("timestep", "timesteps", "t") if n in names), None)
        self.structure: Structure | None = None  # set by hooks(), with the controller
        self.controller = None

    def __call__(self, args, kwargs):
        given = tuple(n for i, n in enumerate(self.names)
                      if (kwargs.get(n) if n in kwargs else (args[i] if i < len(args) else None)) is not None)
        given += tuple(sorted(k for k, v in kwargs.items() if k not in self.names and v is not None))
        if self.structure is not None:
            self.structure.select(given, self.controller, args, kwargs)
        sample = _arg(tuple(self.names), args, kwargs, self.sample)
        if isinstance(sample, (list, tuple)) and sample:  # a list of samples (Z-Image): the first stands for them
            sample = sample[0]
        timestep = _arg(tuple(self.names), args, kwargs, self.time) if self.time else None
        return sample, timestep


def read_call(model: nn.Module) -> CallReader:
    """The reader of this model's calls (see :class:`CallReader`); :func:`hooks` gives it the model's structure."""
    return CallReader(model)
