"""The U-Net family: where the branches of a U-Net are (derived from its real block structure), which classes are
supported, and how to make a sample input for them.

A diffusers U-Net keeps a list of skip features: the output of ``conv_in``, then, for every down block, the output
of each resnet (after its attention, if any) and of its downsampler. Up blocks consume them from the deepest end:
up block ``j`` with ``n`` resnets takes the last ``n`` remaining skips, its resnet 0 the deepest of them.

A block's units come from its per-resnet module lists (``resnets`` and, where present, ``temp_convs``,
``attentions``, ``temp_attentions``, ``motion_modules``; AudioLDM2 keeps several attentions per resnet), so the same
derivation covers the 2D, SVD, AnimateDiff motion, 3D (UNet3DConditionModel, I2VGen-XL) and AudioLDM2 U-Nets. The
latent upscaler's K-blocks hand on skips their up blocks drop (a K up block concatenates only the deepest it is
given): only the skips read are branches. Kandinsky 3 keeps one skip per down block (its whole output).

Branch ``b`` (paper numbering, 1 = the skip from ``conv_in``) is skip ``s = b - 1`` (where every skip is read). A
cached step at branch ``b`` runs the layers that produce skips ``0..s`` and the up layers that consume them;
everything deeper (the rest of the down path, the mid block, the deeper up layers) is replayed from the last full
step. The feature the first recomputed up layer receives is the paper's cached deep feature.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from diffusers import (AudioLDM2UNet2DConditionModel, I2VGenXLUNet, Kandinsky3UNet, UNet2DConditionModel, UNet2DModel,
                       UNet3DConditionModel, UNetMotionModel, UNetSpatioTemporalConditionModel)
from torch import nn

from . import UnsupportedModelError

#: down/up block classes whose forward follows the skip bookkeeping above (read in diffusers 0.42.1): 2D, SVD,
#: AnimateDiff's motion blocks, the 3D blocks of UNet3DConditionModel / I2VGen-XL, AudioLDM2's cross-attention
#: blocks (same names as the 2D ones, several attentions per resnet) and the latent upscaler's K-blocks
SUPPORTED_DOWN = ("DownBlock2D", "AttnDownBlock2D", "CrossAttnDownBlock2D", "ResnetDownsampleBlock2D",
                  "SimpleCrossAttnDownBlock2D", "DownBlockSpatioTemporal", "CrossAttnDownBlockSpatioTemporal",
                  "DownBlockMotion", "CrossAttnDownBlockMotion", "DownBlock3D", "CrossAttnDownBlock3D",
                  "KDownBlock2D", "KCrossAttnDownBlock2D")
SUPPORTED_UP = ("UpBlock2D", "AttnUpBlock2D", "CrossAttnUpBlock2D", "ResnetUpsampleBlock2D",
                "SimpleCrossAttnUpBlock2D", "UpBlockSpatioTemporal", "CrossAttnUpBlockSpatioTemporal",
                "UpBlockMotion", "CrossAttnUpBlockMotion", "UpBlock3D", "CrossAttnUpBlock3D",
                "KUpBlock2D", "KCrossAttnUpBlock2D")
#: the per-resnet module lists of a block, in the order its forward runs them for one resnet; a list may hold
#: several modules per resnet (AudioLDM2: one attention per cross-attention dimension), consecutive
UNIT_LISTS = ("resnets", "temp_convs", "attentions", "temp_attentions", "motion_modules")
#: down blocks whose downsampler output is no skip feature (it only feeds the next block)
NO_SKIP_DOWNSAMPLER = ("KDownBlock2D", "KCrossAttnDownBlock2D")
#: up blocks that concatenate only the deepest of the skip features they are handed, once, before their first
#: resnet (the others are dropped): only that one is a branch
ONE_SKIP_UP = ("KUpBlock2D", "KCrossAttnUpBlock2D")


@dataclass(frozen=True)
class Unit:
    """Modules that together produce (down) or consume (up) one skip feature."""

    skip: int
    modules: tuple[str, ...]


@dataclass(frozen=True)
class Layout:
    """The skip bookkeeping of one U-Net: per down block the units producing skips, per up block the consumers."""

    down: tuple[tuple[Unit, ...], ...]
    up: tuple[tuple[Unit, ...], ...]
    producers: tuple[str, ...]  # branch - 1 -> module whose output is its skip feature
    consumers: tuple[str, ...]  # branch - 1 -> up layer that consumes it
    has_mid: bool
    skips: tuple[int, ...] = ()  # branch - 1 -> skip index, where some skips are no branch (K-blocks); else equal

    @property
    def num_branches(self) -> int:
        return len(self.producers)

    def replayed(self, branch: int) -> tuple[str, ...]:
        """The modules a cached step at ``branch`` replays instead of running (disjoint, in forward order)."""
        s = self.skips[branch - 1] if self.skips else branch - 1
        mid = ["mid_block"] if self.has_mid else []
        return tuple(_deeper("down_blocks", self.down, s) + mid + _deeper("up_blocks", self.up, s))


def controlnet_replayed(controlnet: nn.Module, branch: int) -> tuple[str, ...]:
    """What a ControlNet may skip on a cached step at ``branch``: its down path below the branch, its mid block,
    and the zero convolutions of the deeper skips and of the mid block. Their outputs only reach U-Net layers that
    the cached step replays, so only the residuals of the skips the shallow branch uses are computed."""
    down, producers = _down_units(controlnet)
    if len(controlnet.controlnet_down_blocks) != len(producers):
        raise UnsupportedModelError(f"{type(controlnet).__name__} has {len(controlnet.controlnet_down_blocks)} "
                                    f"zero convolutions for {len(producers)} skip features")
    s = branch - 1
    zero = [f"controlnet_down_blocks.{j}" for j in range(s + 1, len(producers))]
    # the mid residual is added to the U-Net's mid output, which the deepest up layer consumes: that layer is
    # recomputed at the deepest branch, so there the ControlNet's mid block must run
    deepest = s == len(producers) - 1
    mid = [] if deepest else (["mid_block"] if getattr(controlnet, "mid_block", None) is not None else []) + \
        ["controlnet_mid_block"]
    return tuple(_deeper("down_blocks", down, s) + zero + mid)


def _block_units(prefix: str, block: nn.Module, supported: tuple[str, ...], owner: str) -> list[tuple[str, ...]]:
    """Per resnet of ``block``: its module and the modules of the other per-resnet lists that follow it."""
    name = type(block).__name__
    if name not in supported:
        raise UnsupportedModelError(f"{owner}: {prefix} is a {name}; stepcache supports these blocks: "
                                    f"{', '.join(supported)}")
    n = len(block.resnets)
    lists = []
    for attr in UNIT_LISTS:
        mods = getattr(block, attr, None)
        if mods is None:
            continue
        if n == 0 or len(mods) % n:
            raise UnsupportedModelError(f"{owner}: {prefix} ({name}) has {len(mods)} {attr} for {n} resnets")
        lists.append((attr, len(mods) // n))
    return [tuple(f"{prefix}.{attr}.{k * m + i}" for attr, m in lists for i in range(m)) for k in range(n)]


def _down_units(unet: nn.Module) -> tuple[tuple[tuple[Unit, ...], ...], list[str]]:
    # the first skip is the input of the down path: conv_in's output, or (3D U-Nets) transformer_in's after it
    producers: list[str] = ["transformer_in" if getattr(unet, "transformer_in", None) is not None else "conv_in"]
    down = []
    for i, block in enumerate(unet.down_blocks):
        units = []
        for mods in _block_units(f"down_blocks.{i}", block, SUPPORTED_DOWN, type(unet).__name__):
            units.append(Unit(len(producers), mods))
            producers.append(mods[-1])
        samplers = getattr(block, "downsamplers", None)
        if samplers:
            mods = tuple(f"down_blocks.{i}.downsamplers.{j}" for j in range(len(samplers)))
            units.append(Unit(len(producers), mods))
            if type(block).__name__ not in NO_SKIP_DOWNSAMPLER:
                producers.append(mods[-1])
            # else: it feeds only the next skip (index len(producers)) and what lies deeper: it shares that skip
        down.append(tuple(units))
    return tuple(down), producers


def _deeper(prefix: str, blocks, s: int) -> list[str]:
    """Modules of ``blocks`` working on skips deeper than ``s``: whole blocks where possible, else their units."""
    out: list[str] = []
    for i, units in enumerate(blocks):
        deep = [u for u in units if u.skip > s]
        if len(deep) == len(units):
            out.append(f"{prefix}.{i}")
        else:
            out.extend(m for u in deep for m in u.modules)
    return out


def layout(unet: nn.Module) -> Layout:
    """Derive the branches of ``unet`` from its down/up blocks (any ``layers_per_block``, any number of blocks)."""
    if isinstance(unet, Kandinsky3UNet):
        return _level_layout(unet)
    down, producers = _down_units(unet)
    remaining = list(range(len(producers)))
    consumers: dict[int, str] = {}
    # K-blocks: skips no up layer reads (a K-cross-attention down block without downsampler hands on None)
    unused = {u.skip for block, units in zip(unet.down_blocks, down) for u in units
              if type(block).__name__ == "KCrossAttnDownBlock2D" and not getattr(block, "downsamplers", None)}
    up = []
    for j, block in enumerate(unet.up_blocks):
        unit_mods = _block_units(f"up_blocks.{j}", block, SUPPORTED_UP, type(unet).__name__)
        if len(unit_mods) > len(remaining):
            raise UnsupportedModelError(f"{type(unet).__name__}: up_blocks.{j} consumes more skip features than the "
                                        "down path produces")
        taken, remaining = remaining[len(remaining) - len(unit_mods):], remaining[:len(remaining) - len(unit_mods)]
        units = []
        for k, mods in enumerate(unit_mods):
            skip = taken[-(k + 1)]
            units.append(Unit(skip, mods))
            consumers[skip] = mods[0]
            if k and type(block).__name__ in ONE_SKIP_UP:
                unused.add(skip)
        up.append(tuple(units))
    one_skip = any(type(b).__name__ in ONE_SKIP_UP for b in unet.up_blocks)
    if remaining and not one_skip:
        raise UnsupportedModelError(f"{type(unet).__name__}: the up path leaves skip features {remaining} unused; "
                                    "not a DeepCache U-Net")
    skips = tuple(s for s in range(len(producers)) if s in consumers and s not in unused)
    return Layout(tuple(down), tuple(up), tuple(producers[s] for s in skips), tuple(consumers[s] for s in skips),
                  getattr(unet, "mid_block", None) is not None, skips if one_skip else ())


def _level_layout(unet: nn.Module) -> Layout:
    """Kandinsky 3: one skip per down block but the deepest (its whole output), concatenated before up block
    ``L - 1 - s``; no mid block, no skip from ``conv_in``. The deepest down block and the first up block work only
    on the deepest level (skip index ``L - 1``, beyond every branch)."""
    n = len(unet.down_blocks)
    if len(unet.up_blocks) != n or n < 2:
        raise UnsupportedModelError(f"{type(unet).__name__} with {n} down and {len(unet.up_blocks)} up blocks has no "
                                    "cacheable branch")
    down = tuple((Unit(i, (f"down_blocks.{i}",)),) for i in range(n))
    up = tuple((Unit(n - 1 - j, (f"up_blocks.{j}",)),) for j in range(n))
    return Layout(down, up, tuple(f"down_blocks.{i}" for i in range(n - 1)),
                  tuple(f"up_blocks.{n - 1 - s}" for s in range(n - 1)), False)


SUPPORTED_MODELS = {"UNet2DConditionModel": UNet2DConditionModel, "UNet2DModel": UNet2DModel,
                    "UNetSpatioTemporalConditionModel": UNetSpatioTemporalConditionModel,
                    "UNetMotionModel": UNetMotionModel, "UNet3DConditionModel": UNet3DConditionModel,
                    "I2VGenXLUNet": I2VGenXLUNet, "Kandinsky3UNet": Kandinsky3UNet,
                    "AudioLDM2UNet2DConditionModel": AudioLDM2UNet2DConditionModel}


def check_supported(unet) -> nn.Module:
    if not isinstance(unet, tuple(SUPPORTED_MODELS.values())):
        raise UnsupportedModelError(refusal(unet))
    return unet


def refusal(model) -> str:
    """Why ``model`` is not cached: its class, and what stepcache supports for its kind (a transformer denoiser is
    told what makes a transformer cacheable, anything else the U-Nets first)."""
    name = type(model).__name__
    unets = ", ".join(SUPPORTED_MODELS)
    transformers = "transformer denoisers whose blocks sit in nn.ModuleLists and whose forward takes hidden_states"
    components = getattr(model, "components", None)
    if not isinstance(model, nn.Module) and isinstance(components, dict):  # a pipeline: which models it has
        models = [f"{k} ({type(v).__name__})" for k, v in components.items() if isinstance(v, nn.Module)]
        return (f"{name} is not supported: its models are {', '.join(models) if models else 'none'}; stepcache "
                f"caches the denoiser a pipeline has as .unet or .transformer (the U-Nets {unets}, and "
                f"{transformers})")
    if "Transformer" in name or "DiT" in name:
        return f"{name} is not supported; stepcache caches {transformers} (and the U-Nets {unets})"
    return (f"{name} is not supported; stepcache supports {unets} (pass a diffusers pipeline that has one as .unet, "
            f"or the U-Net itself) and {transformers}")


def hid_type(unet: nn.Module):
    """``encoder_hid_dim_type``: loading an IP-Adapter sets it as an attribute of the (frozen) config, which then
    differs from the config's dict entry; the attribute is what the model's forward reads."""
    cfg = unet.config
    return getattr(cfg, "encoder_hid_dim_type", cfg.get("encoder_hid_dim_type"))


def sample_inputs(unet: nn.Module, batch: int = 1, last: tuple[tuple, dict] | None = None,
                  ip_adapter: bool = True) -> tuple[tuple, dict]:
    """A valid ``(args, kwargs)`` for one U-Net call at the model's configured sample size. A U-Net with an
    IP-Adapter gets ``last`` (inputs shaped like those of the last generation) where given, else one zero image
    embedding per adapter (``ip_adapter=False``: the inputs without them)."""
    cfg = unet.config
    p = next(unet.parameters())
    if ip_adapter and hid_type(unet) == "ip_image_proj":
        if last is not None:
            return last
        # one image per IP-Adapter, embedded as its projection layer takes it
        dims = [getattr(getattr(layer, "image_embeds", None), "in_features", None)
                for layer in getattr(unet.encoder_hid_proj, "image_projection_layers", ())]
        if not dims or None in dims:
            raise UnsupportedModelError("this U-Net takes IP-Adapter image embeddings of a kind stepcache cannot make "
                                        "up; run the pipeline once with DeepCache enabled, then "
                                        "stepcache.branches(...) measures on those inputs")
        args, kwargs = sample_inputs(unet, batch, None, ip_adapter=False)
        kwargs.setdefault("added_cond_kwargs", {})["image_embeds"] = [
            torch.zeros(batch, 1, d, device=p.device, dtype=p.dtype) for d in dims]
        return args, kwargs
    if isinstance(unet, (I2VGenXLUNet, Kandinsky3UNet, AudioLDM2UNet2DConditionModel)):
        if last is None:
            raise UnsupportedModelError(f"this {type(unet).__name__} takes conditioning of its own pipeline; run the "
                                        "pipeline once with DeepCache enabled, then stepcache.branches(...) measures "
                                        "on those inputs")
        return last
    size = cfg.get("sample_size") or 2 ** len(cfg.block_out_channels)  # AnimateDiff's U-Net has no sample size
    size = tuple(size) if isinstance(size, (tuple, list)) else (size, size)
    t = torch.tensor(500, device=p.device)
    kwargs: dict = {}
    if isinstance(unet, (UNetMotionModel, UNet3DConditionModel)):  # (batch, channels, frames, height, width)
        sample = torch.zeros(batch, cfg.in_channels, 2, *size, device=p.device, dtype=p.dtype)
        per_frame = 2 if isinstance(unet, UNetMotionModel) else 1  # AnimateDiff's pipelines repeat it per frame
        kwargs["encoder_hidden_states"] = torch.zeros(batch * per_frame, 77, cfg.cross_attention_dim,
                                                      device=p.device, dtype=p.dtype)
        return (sample, t), kwargs
    if isinstance(unet, UNetSpatioTemporalConditionModel):  # (batch, frames, channels, height, width)
        sample = torch.zeros(batch, cfg.num_frames, cfg.in_channels, *size, device=p.device, dtype=p.dtype)
        dim = cfg.cross_attention_dim
        kwargs["encoder_hidden_states"] = torch.zeros(batch, 1, dim, device=p.device, dtype=p.dtype)
        kwargs["added_time_ids"] = torch.zeros(batch, cfg.projection_class_embeddings_input_dim
                                               // cfg.addition_time_embed_dim, device=p.device, dtype=p.dtype)
        return (sample, t), kwargs
    sample = torch.zeros(batch, cfg.in_channels, *size, device=p.device, dtype=p.dtype)
    if isinstance(unet, UNet2DConditionModel):
        dim = cfg.cross_attention_dim
        dim = dim[0] if isinstance(dim, (tuple, list)) else dim
        kwargs["encoder_hidden_states"] = torch.zeros(batch, 77, dim, device=p.device, dtype=p.dtype)
        image_dim = cfg.get("encoder_hid_dim")
        kind = hid_type(unet) if ip_adapter else cfg.get("encoder_hid_dim_type")
        if kind == "image_proj":  # Kandinsky 2.2: the image embedding is the context
            kwargs["encoder_hidden_states"] = None
            kwargs["added_cond_kwargs"] = {"image_embeds": torch.zeros(batch, image_dim, device=p.device, dtype=p.dtype)}
        elif kind == "text_proj":
            kwargs["encoder_hidden_states"] = torch.zeros(batch, 77, image_dim, device=p.device, dtype=p.dtype)
        if cfg.addition_embed_type == "image":
            kwargs.setdefault("added_cond_kwargs", {})["image_embeds"] = torch.zeros(
                batch, image_dim, device=p.device, dtype=p.dtype)
        elif cfg.addition_embed_type == "text_time":
            text_dim = cfg.projection_class_embeddings_input_dim - 6 * cfg.addition_time_embed_dim
            kwargs["added_cond_kwargs"] = {"text_embeds": torch.zeros(batch, text_dim, device=p.device, dtype=p.dtype),
                                           "time_ids": torch.zeros(batch, 6, device=p.device, dtype=p.dtype)}
    if cfg.num_class_embeds is not None or cfg.class_embed_type is not None:
        if cfg.class_embed_type in ("timestep", "identity", "projection"):
            raise UnsupportedModelError(f"{type(unet).__name__}: sample inputs for class_embed_type="
                                        f"{cfg.class_embed_type!r} are not known; pass inputs=(args, kwargs) of "
                                        "one call")
        kwargs["class_labels"] = torch.zeros(batch, dtype=torch.long, device=p.device)
    return (sample, t), kwargs
