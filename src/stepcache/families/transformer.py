"""The transformer family: DeepCache on a stack of blocks (DiT, PixArt-alpha/Sigma, SD3, Flux, HunyuanDiT,
CogVideoX, Wan, Sana).

The blocks of the model's block lists, in order, form one stack (Flux: its double-stream blocks, then its
single-stream ones). The first F blocks and the last B blocks are *live*: they run on every step. On a *cached*
step the blocks between them are not run: the first of them returns its input plus the residual the skipped stack
added at the last full step (its output minus its input), on every stream the blocks carry -- the image tokens, and
the text tokens of joint blocks (SD3, Flux, CogVideoX) -- and the others pass their input through.

HunyuanDiT's blocks are U-ViT-like: block L-1-j takes a long skip from block j. With ``last_blocks <= first_blocks``
every skip a live block takes comes from a live block, which is DeepCache as the paper does it on U-Nets (the live
head and tail are the shallow branch, the skipped middle the deep part).

What this module knows about each model: which lists hold the blocks, how a block receives its streams and in which
order it returns them. Everything else (which step, full or cached, the schedules) is the family-agnostic core.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import torch
from diffusers.hooks import ModelHook
from torch import nn

from . import UnsupportedModelError

#: denoiser class -> its block lists, in the order the model runs them
STACKS = {
    "DiTTransformer2DModel": ("transformer_blocks",),
    "PixArtTransformer2DModel": ("transformer_blocks",),
    "SD3Transformer2DModel": ("transformer_blocks",),
    "FluxTransformer2DModel": ("transformer_blocks", "single_transformer_blocks"),
    "CogVideoXTransformer3DModel": ("transformer_blocks",),
    "WanTransformer3DModel": ("blocks",),
    "SanaTransformer2DModel": ("transformer_blocks",),
    "HunyuanDiT2DModel": ("blocks",),
}
#: models whose later blocks take long skips from the earlier ones (U-ViT style): block L-1-j takes block j's
#: output, so the live tail may only be as long as the live head (then every skip a live block takes is live)
LONG_SKIPS = ("HunyuanDiT2DModel",)
#: block class -> the order of the (image, text) streams it returns; other blocks return the image stream alone
RETURNS = {"JointTransformerBlock": ("ehs", "hs"), "FluxTransformerBlock": ("ehs", "hs"),
           "FluxSingleTransformerBlock": ("ehs", "hs"), "CogVideoXBlock": ("hs", "ehs")}
#: why a supported-looking model is refused
REFUSED: dict[str, str] = {}


def is_transformer(model: nn.Module) -> bool:
    return type(model).__name__ in STACKS or type(model).__name__ in REFUSED


def check_supported(model: nn.Module) -> None:
    name = type(model).__name__
    if name in REFUSED:
        raise UnsupportedModelError(f"{name} is not supported: {REFUSED[name]}")
    if name not in STACKS:
        raise UnsupportedModelError(f"{name} is not supported; stepcache supports these transformers: "
                                    f"{', '.join(STACKS)}")


def block_names(model: nn.Module) -> list[str]:
    """The blocks of the stack, in the order the model runs them (e.g. ``transformer_blocks.0``)."""
    return [f"{lst}.{i}" for lst in STACKS[type(model).__name__] for i in range(len(getattr(model, lst)))]


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
    if first + last >= len(blocks):
        f = min(first, max(len(blocks) - 1, 0))
        fit = (f"placements that fit have first_blocks + last_blocks <= {len(blocks) - 1}, e.g. first_blocks={f}, "
               f"last_blocks={min(last, len(blocks) - 1 - f)}" if blocks else "it has no block to skip")
        raise ValueError(f"first_blocks + last_blocks must be below the {len(blocks)} blocks of this "
                         f"{type(model).__name__} (at least one block to skip), got {first} + {last}; {fit}")
    if type(model).__name__ in LONG_SKIPS and last > first:
        raise ValueError(f"last_blocks must be in [0, first_blocks] = [0, {first}] for {type(model).__name__}: its "
                         f"last blocks take long skips from its first ones, which must then be live, got {last}")
    return Stack(blocks, first, last)


# -- the streams of a block call -----------------------------------------------------------------------------------
class Streams:
    """Reads a block's input streams and writes a value in the block's own return format."""

    def __init__(self, block: nn.Module):
        self.order = RETURNS.get(type(block).__name__)
        names = list(inspect.signature(type(block).forward).parameters)[1:]
        self.hs_at = names.index("hidden_states")
        self.ehs_at = names.index("encoder_hidden_states") if self.order else None

    def read(self, args: tuple, kwargs: dict):
        hs = kwargs["hidden_states"] if "hidden_states" in kwargs else args[self.hs_at]
        if self.order is None:
            return hs, None
        ehs = kwargs["encoder_hidden_states"] if "encoder_hidden_states" in kwargs else args[self.ehs_at]
        return hs, ehs

    def image(self, output):
        """The image stream of a block's output."""
        return output if self.order is None else output[self.order.index("hs")]

    def split(self, output):
        if self.order is None:
            return output, None
        return output[self.order.index("hs")], output[self.order.index("ehs")]

    def write(self, hs, ehs):
        if self.order is None:
            return hs
        return (hs, ehs) if self.order == ("hs", "ehs") else (ehs, hs)


class SkipHook(ModelHook):
    """On each skipped block. Full step: run; the first skipped block keeps its input streams, the last one turns
    its output into the stack's residual. Cached step: the first returns input + residual, the others pass their
    input through without running."""

    def __init__(self, controller, block: nn.Module, entry: bool, exit: bool):
        super().__init__()
        self.controller = controller
        self.streams = Streams(block)
        self.entry, self.exit = entry, exit

    def new_forward(self, module, *args, **kwargs):
        ctrl = self.controller
        stream = ctrl.active
        if stream is not None and ctrl.cached_step:
            hs, ehs = self.streams.read(args, kwargs)
            if not self.entry:
                return self.streams.write(hs, ehs)
            r_hs, r_ehs = stream.reused("residual")
            return self.streams.write(r_hs + hs, None if r_ehs is None else r_ehs + ehs)
        if stream is None or not ctrl.recording:
            return self.fn_ref.original_forward(*args, **kwargs)
        if self.entry:
            stream.cache["input"] = self.streams.read(args, kwargs)
        out = self.fn_ref.original_forward(*args, **kwargs)
        if self.exit:
            in_hs, in_ehs = stream.cache.pop("input")
            hs, ehs = self.streams.split(out)
            stream.cache["residual"] = (hs - in_hs, None if ehs is None or in_ehs is None else ehs - in_ehs)
        return out


class HeadInputHook(ModelHook):
    """On the first block when the watched head spans several blocks: keeps the head's input image stream."""

    def __init__(self, controller, block: nn.Module):
        super().__init__()
        self.controller = controller
        self.streams = Streams(block)

    def pre_forward(self, module, *args, **kwargs):
        if self.controller.active is not None:
            self.controller.head_input = self.streams.read(args, kwargs)[0]
        return args, kwargs


def watched(streams: Streams, controller, args, kwargs, output) -> torch.Tensor:
    """The feature an online schedule watches on the last live head block: for ``first-block``, the residual the
    live head adds to the image stream (diffusers' FirstBlockCache: ``out - in`` of the first block); for
    ``adaptive``, the head's output image stream."""
    out = streams.image(output)
    if controller.config.schedule != "first-block":
        return out
    head_in = controller.head_input if controller.head_input is not None else streams.read(args, kwargs)[0]
    return out - head_in


def hooks(model: nn.Module, controller, config, signal_hook) -> list[tuple[str, nn.Module, ModelHook]]:
    """(name, module, hook) for the transformer family: a SkipHook on every skipped block, and for an online
    schedule the watching hook on the last live head block (plus one keeping the head's input)."""
    st = stack(model, config.first_blocks, config.last_blocks)
    out = []
    if config.decides_online:
        if len(st.live_head) > 1 and config.schedule == "first-block":
            first = model.get_submodule(st.blocks[0])
            out.append((st.blocks[0], first, HeadInputHook(controller, first)))
        head = model.get_submodule(st.live_head[-1])
        streams = Streams(head)
        out.append((st.live_head[-1], head, signal_hook(controller, lambda a, k, o: watched(streams, controller,
                                                                                             a, k, o))))
    skipped = st.skipped
    for i, name in enumerate(skipped):
        block = model.get_submodule(name)
        out.append((name, block, SkipHook(controller, block, entry=i == 0, exit=i == len(skipped) - 1)))
    return out


def read_call(model: nn.Module):
    """``(args, kwargs) -> (sample, timestep)`` for this model's forward; refuses what DeepCache cannot cache."""
    names = list(inspect.signature(type(model).forward).parameters)[1:]
    hs_at, t_at = names.index("hidden_states"), names.index("timestep")
    control = [n for n in names if "controlnet" in n]

    def read(args, kwargs):
        for n in control:
            at = names.index(n)
            if kwargs.get(n, args[at] if at < len(args) else None) is not None:
                raise RuntimeError(f"{type(model).__name__} was given ControlNet residuals ({n}); DeepCache does "
                                   "not cache transformers with a ControlNet yet: disable it for this pipeline")
        sample = kwargs["hidden_states"] if "hidden_states" in kwargs else args[hs_at]
        timestep = kwargs["timestep"] if "timestep" in kwargs else (args[t_at] if t_at < len(args) else None)
        return sample, timestep

    return read
