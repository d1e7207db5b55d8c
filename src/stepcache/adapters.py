"""One thin adapter per model family: which classes are supported and how to make a sample input for them."""

from __future__ import annotations

import torch
from diffusers import UNet2DConditionModel, UNet2DModel, UNetSpatioTemporalConditionModel
from torch import nn

from .structure import UnsupportedModelError

SUPPORTED_MODELS = {"UNet2DConditionModel": UNet2DConditionModel, "UNet2DModel": UNet2DModel,
                    "UNetSpatioTemporalConditionModel": UNetSpatioTemporalConditionModel}


def check_supported(unet) -> nn.Module:
    if not isinstance(unet, tuple(SUPPORTED_MODELS.values())):
        raise UnsupportedModelError(
            f"{type(unet).__name__} is not supported; stepcache supports {', '.join(SUPPORTED_MODELS)} "
            "(pass a diffusers pipeline that has one as .unet, or the U-Net itself)")
    return unet


def sample_inputs(unet: nn.Module, batch: int = 1, last: tuple[tuple, dict] | None = None) -> tuple[tuple, dict]:
    """A valid ``(args, kwargs)`` for one U-Net call at the model's configured sample size. Where the U-Net takes
    conditioning stepcache cannot make up (an IP-Adapter's image embeddings), ``last`` (inputs shaped like those of
    the last generation) is used; without it the error says to run the pipeline once."""
    cfg = unet.config
    if cfg.get("encoder_hid_dim_type") == "ip_image_proj":
        if last is None:
            raise UnsupportedModelError("this U-Net takes IP-Adapter image embeddings; run the pipeline once with "
                                        "DeepCache enabled, then stepcache.branches(...) measures on those inputs")
        return last
    p = next(unet.parameters())
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
        if cfg.get("encoder_hid_dim_type") == "image_proj":  # Kandinsky 2.2: the image embedding is the context
            kwargs["encoder_hidden_states"] = None
            kwargs["added_cond_kwargs"] = {"image_embeds": torch.zeros(batch, image_dim, device=p.device, dtype=p.dtype)}
        elif cfg.get("encoder_hid_dim_type") == "text_proj":
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
            raise UnsupportedModelError(f"sample inputs for class_embed_type={cfg.class_embed_type!r} are not known")
        kwargs["class_labels"] = torch.zeros(batch, dtype=torch.long, device=p.device)
    return (sample, t), kwargs
