"""Tiny diffusers models and pipelines built from configs: nothing is downloaded."""

from __future__ import annotations

import json
import string
from pathlib import Path

import torch
from diffusers import (AutoencoderKL, DDIMScheduler, StableDiffusionImg2ImgPipeline, StableDiffusionPipeline,
                       UNet2DConditionModel, UNet2DModel)


def tokenizer(folder: Path):
    """A CLIP BPE tokenizer over single characters, written to ``folder`` (no merges, no download)."""
    from transformers import CLIPTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    chars = string.ascii_lowercase + string.digits + ",.!?'-"
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for c in chars:
        vocab.setdefault(c, len(vocab))
        vocab.setdefault(c + "</w>", len(vocab))
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    return CLIPTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"), model_max_length=16)


def text_encoder(vocab_size: int):
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(0)
    cfg = CLIPTextConfig(vocab_size=vocab_size, hidden_size=32, intermediate_size=37, num_attention_heads=4,
                         num_hidden_layers=2, max_position_embeddings=16, bos_token_id=0, eos_token_id=1,
                         pad_token_id=1, projection_dim=32)
    return CLIPTextModel(cfg).eval()


def sd_unet(levels: int = 3, layers_per_block: int = 2, seed: int = 0, in_channels: int = 4) -> UNet2DConditionModel:
    """A Stable-Diffusion-shaped U-Net (cross-attention on all but the deepest level, like SD 1.x)."""
    torch.manual_seed(seed)
    down = tuple(["CrossAttnDownBlock2D"] * (levels - 1) + ["DownBlock2D"])
    up = tuple(["UpBlock2D"] + ["CrossAttnUpBlock2D"] * (levels - 1))
    return UNet2DConditionModel(
        sample_size=8, in_channels=in_channels, out_channels=4, layers_per_block=layers_per_block,
        block_out_channels=tuple(16 * 2 ** min(i, 2) for i in range(levels)), norm_num_groups=8,
        down_block_types=down, up_block_types=up, cross_attention_dim=32, attention_head_dim=8,
    ).eval()


def vae() -> AutoencoderKL:
    torch.manual_seed(0)
    return AutoencoderKL(block_out_channels=(16, 16), in_channels=3, out_channels=3, latent_channels=4,
                         norm_num_groups=8, down_block_types=("DownEncoderBlock2D",) * 2,
                         up_block_types=("UpDecoderBlock2D",) * 2, sample_size=16).eval()


def sd_pipe(tmp: Path, scheduler_cls=DDIMScheduler, pipeline_cls=StableDiffusionPipeline, **unet_kwargs):
    tok = tokenizer(tmp / "tokenizer")
    sched = scheduler_cls(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", steps_offset=1)
    pipe = pipeline_cls(unet=sd_unet(**unet_kwargs), vae=vae(), text_encoder=text_encoder(len(tok)), tokenizer=tok,
                        scheduler=sched, safety_checker=None, feature_extractor=None,
                        requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def img2img_pipe(pipe) -> StableDiffusionImg2ImgPipeline:
    p = StableDiffusionImg2ImgPipeline(**pipe.components, requires_safety_checker=False)
    p.set_progress_bar_config(disable=True)
    return p


def ddpm_unet(layers_per_block: int = 2, levels: int = 3, class_conditional: bool = False, seed: int = 0):
    torch.manual_seed(seed)
    return UNet2DModel(
        sample_size=16, in_channels=1, out_channels=1, layers_per_block=layers_per_block,
        block_out_channels=tuple(8 * 2 ** i for i in range(levels)), norm_num_groups=4, attention_head_dim=8,
        down_block_types=("DownBlock2D",) * (levels - 1) + ("AttnDownBlock2D",),
        up_block_types=("AttnUpBlock2D",) + ("UpBlock2D",) * (levels - 1),
        num_class_embeds=11 if class_conditional else None,
    ).eval()


def sd_call(pipe, steps=6, seed=0, **kw):
    kw.setdefault("prompt", "a red cube")
    kw.setdefault("guidance_scale", 3.0)
    kw.setdefault("height", 16)
    kw.setdefault("width", 16)
    return pipe(num_inference_steps=steps, generator=torch.Generator().manual_seed(seed), output_type="np",
                **kw).images


def sdxl_unet(seed: int = 0, time_ids: int = 6, cross_attention_dim: int = 64) -> UNet2DConditionModel:
    """An SDXL-shaped U-Net: no attention at the shallowest level, text_time added conditioning."""
    torch.manual_seed(seed)
    return UNet2DConditionModel(
        sample_size=8, in_channels=4, out_channels=4, layers_per_block=2, block_out_channels=(16, 32),
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=cross_attention_dim, attention_head_dim=(2, 4), norm_num_groups=8,
        use_linear_projection=True,
        addition_embed_type="text_time", addition_time_embed_dim=8,
        projection_class_embeddings_input_dim=32 + 8 * time_ids,  # pooled text + time ids (5 for the refiner)
        transformer_layers_per_block=(1, 2),
    ).eval()


def sdxl_pipe(tmp: Path, pipeline_cls=None, refiner: bool = False, **kw):
    from diffusers import EulerDiscreteScheduler, StableDiffusionXLPipeline
    from transformers import CLIPTextConfig, CLIPTextModelWithProjection

    pipeline_cls = pipeline_cls or StableDiffusionXLPipeline
    tok = tokenizer(tmp / "tokenizer")
    torch.manual_seed(1)
    cfg = CLIPTextConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=37, num_attention_heads=4,
                         num_hidden_layers=2, max_position_embeddings=16, bos_token_id=0, eos_token_id=1,
                         pad_token_id=1, projection_dim=32)
    te2 = CLIPTextModelWithProjection(cfg).eval()
    sched = EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                   steps_offset=1, timestep_spacing="leading")
    if refiner:  # the SDXL refiner: second text encoder only, aesthetic score in the time ids
        pipe = pipeline_cls(unet=sdxl_unet(time_ids=5, cross_attention_dim=32), vae=vae(), text_encoder=None, text_encoder_2=te2,
                            tokenizer=None, tokenizer_2=tok, scheduler=sched, requires_aesthetics_score=True, **kw)
    else:
        pipe = pipeline_cls(unet=sdxl_unet(), vae=vae(), text_encoder=text_encoder(len(tok)), text_encoder_2=te2,
                            tokenizer=tok, tokenizer_2=tok, scheduler=sched, **kw)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def controlnet_pipe(tmp: Path, levels: int = 3):
    from diffusers import ControlNetModel, StableDiffusionControlNetPipeline

    unet = sd_unet(levels=levels)
    torch.manual_seed(2)
    net = ControlNetModel.from_unet(unet, conditioning_embedding_out_channels=(8, 16)).eval()
    with torch.no_grad():  # zero convolutions start at zero; give them weights so the residuals matter
        for p in list(net.controlnet_down_blocks.parameters()) + list(net.controlnet_mid_block.parameters()):
            p.normal_(0, 0.1)
    base = sd_pipe(tmp, levels=levels)
    comps = dict(base.components, unet=unet, controlnet=net)
    pipe = StableDiffusionControlNetPipeline(**comps, requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def svd_pipe():
    """A tiny StableVideoDiffusionPipeline (image encoder, temporal VAE, spatio-temporal U-Net)."""
    from diffusers import (AutoencoderKLTemporalDecoder, EulerDiscreteScheduler, StableVideoDiffusionPipeline,
                           UNetSpatioTemporalConditionModel)
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection

    torch.manual_seed(0)
    unet = UNetSpatioTemporalConditionModel(
        sample_size=8, in_channels=8, out_channels=4, layers_per_block=2, block_out_channels=(32, 64),
        down_block_types=("CrossAttnDownBlockSpatioTemporal", "DownBlockSpatioTemporal"),
        up_block_types=("UpBlockSpatioTemporal", "CrossAttnUpBlockSpatioTemporal"), cross_attention_dim=32,
        num_attention_heads=(2, 4), num_frames=3, addition_time_embed_dim=8, projection_class_embeddings_input_dim=24,
    ).eval()
    vae = AutoencoderKLTemporalDecoder(block_out_channels=(32, 32), in_channels=3, out_channels=3,
                                       down_block_types=("DownEncoderBlock2D",) * 2, latent_channels=4).eval()
    enc = CLIPVisionModelWithProjection(CLIPVisionConfig(hidden_size=32, projection_dim=32, num_hidden_layers=2,
                                                         num_attention_heads=4, image_size=224, intermediate_size=37,
                                                         patch_size=32)).eval()
    fe = CLIPImageProcessor(crop_size=224, size=224)
    sched = EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                   prediction_type="v_prediction", use_karras_sigmas=True, steps_offset=1)
    pipe = StableVideoDiffusionPipeline(vae=vae, image_encoder=enc, unet=unet, scheduler=sched, feature_extractor=fe)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def load_offline(cls, folder):
    """``cls.from_pretrained(folder)`` with ``HF_HUB_OFFLINE=1`` (the real loading path, with no network behind it),
    progress bars off."""
    import os

    before = os.environ.get("HF_HUB_OFFLINE")
    os.environ["HF_HUB_OFFLINE"] = "1"
    try:
        pipe = cls.from_pretrained(folder)
    finally:
        if before is None:
            del os.environ["HF_HUB_OFFLINE"]
        else:
            os.environ["HF_HUB_OFFLINE"] = before
    pipe.set_progress_bar_config(disable=True)
    return pipe
