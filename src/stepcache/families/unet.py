"""The U-Net family: where the branches of a U-Net are (derived from its real block structure), which classes are
supported, and how to make a sample input for them.

A diffusers U-Net keeps a list of skip features: the output of ``conv_in``, then, for every down block, the output
of each resnet (after its attention, if any) and of its downsampler. Up blocks consume them from the deepest end:
up block ``j`` with ``n`` resnets takes the last ``n`` remaining skips, its resnet 0 the deepest of them.

Branch ``b`` (paper numbering, 1 = the skip from ``conv_in``) is skip ``s = b - 1``. A cached step at branch ``b``
runs the layers that produce skips ``0..s`` and the up layers that consume them; everything deeper (the rest of the
down path, the mid block, the deeper up layers) is replayed from the last full step. The feature the first
recomputed up layer receives is the paper's cached deep feature.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from diffusers import UNet2DConditionModel, UNet2DModel, UNetSpatioTemporalConditionModel
from torch import nn

from . import UnsupportedModelError

#: down/up block classes whose forward follows the skip bookkeeping above
SUPPORTED_DOWN = ("DownBlock2D", "AttnDownBlock2D", "CrossAttnDownBlock2D", "ResnetDownsampleBlock2D",
                  "SimpleCrossAttnDownBlock2D", "DownBlockSpatioTemporal", "CrossAttnDownBlockSpatioTemporal")
SUPPORTED_UP = ("UpBlock2D", "AttnUpBlock2D", "CrossAttnUpBlock2D", "ResnetUpsampleBlock2D",
                "SimpleCrossAttnUpBlock2D", "UpBlockSpatioTemporal", "CrossAttnUpBlockSpatioTemporal")


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
    producers: tuple[str, ...]  # skip index -> module whose output it is
    consumers: tuple[str, ...]  # skip index -> up resnet that consumes it
    has_mid: bool

    @property
    def num_branches(self) -> int:
        return len(self.producers)

    def replayed(self, branch: int) -> tuple[str, ...]:
        """The modules a cached step at ``branch`` replays instead of running (disjoint, in forward order)."""
        s = branch - 1
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
    name = type(block).__name__
    if name not in supported:
        raise UnsupportedModelError(f"{owner}: {prefix} is a {name}; stepcache supports these blocks: "
                                    f"{', '.join(supported)}")
    resnets = block.resnets
    attentions = getattr(block, "attentions", None)
    if attentions is not None and len(attentions) != len(resnets):
        raise UnsupportedModelError(f"{owner}: {prefix} ({name}) has {len(attentions)} attentions for "
                                    f"{len(resnets)} resnets")
    units = []
    for k in range(len(resnets)):
        mods = (f"{prefix}.resnets.{k}",) + ((f"{prefix}.attentions.{k}",) if attentions is not None else ())
        units.append(mods)
    return units


def _down_units(unet: nn.Module) -> tuple[tuple[tuple[Unit, ...], ...], list[str]]:
    producers: list[str] = ["conv_in"]
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
            producers.append(mods[-1])
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
    down, producers = _down_units(unet)
    remaining = list(range(len(producers)))
    consumers: dict[int, str] = {}
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
        up.append(tuple(units))
    if remaining:
        raise UnsupportedModelError(f"{type(unet).__name__}: the up path leaves skip features {remaining} unused; "
                                    "not a DeepCache U-Net")
    return Layout(tuple(down), tuple(up), tuple(producers), tuple(consumers[s] for s in range(len(producers))),
                  getattr(unet, "mid_block", None) is not None)


SUPPORTED_MODELS = {"UNet2DConditionModel": UNet2DConditionModel, "UNet2DModel": UNet2DModel,
                    "UNetSpatioTemporalConditionModel": UNetSpatioTemporalConditionModel}


def check_supported(unet) -> nn.Module:
    if not isinstance(unet, tuple(SUPPORTED_MODELS.values())):
        raise UnsupportedModelError(refusal(unet))
    return unet


def refusal(model) -> str:
    """Why ``model`` is not cached: its class, and what stepcache supports for its kind (a transformer denoiser is
    told the transformers, anything else the U-Nets first)."""
    from .transformer import STACKS

    name = type(model).__name__
    unets, transformers = ", ".join(SUPPORTED_MODELS), ", ".join(STACKS)
    if "Transformer" in name or "DiT" in name:
        return (f"{name} is not supported; stepcache supports these transformer denoisers: {transformers} "
                f"(and the U-Nets {unets})")
    return (f"{name} is not supported; stepcache supports {unets} (pass a diffusers pipeline that has one as .unet, "
            f"or the U-Net itself) and the transformer denoisers {transformers}")


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
    size = cfg.sample_size if isinstance(cfg.sample_size, (tuple, list)) else (cfg.sample_size, cfg.sample_size)
    t = torch.tensor(500, device=p.device)
    kwargs: dict = {}
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
