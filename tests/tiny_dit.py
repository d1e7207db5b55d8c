"""Tiny transformer-denoiser (DiT-family) diffusers pipelines built from configs: random weights, nothing downloaded.

Each builder returns ``(pipe, call_kwargs)``; run it with::

    pipe(**call_kwargs, num_inference_steps=4, generator=torch.Generator().manual_seed(0), output_type="pt")

(``output_type="latent"`` skips the VAE decode). Prompt embeddings are random tensors passed directly; text encoders
and tokenizers are ``None`` (every pipeline below accepts that when embeddings are given). Builders are seeded and
deterministic. ``BUILDERS`` maps a short name to its builder; ``denoiser_blocks(pipe)`` lists the denoiser's block
lists.

Checked against the installed diffusers **0.42.1** (torch 2.13.0+cpu, transformers 5.24.0), files under
``.venv/lib/python3.11/site-packages/diffusers/``. Line numbers below are of that version.

Block facts (what each transformer block's ``forward`` takes and returns)
------------------------------------------------------------------------
All denoisers are ``pipe.transformer``. "hs" = image/video token stream, "ehs" = text stream.

=========  =================================  ==========================  =============================  ==========
pipeline   denoiser (CacheMixin?)             block list(s)               block.forward(...)             returns
=========  =================================  ==========================  =============================  ==========
DiT        DiTTransformer2DModel (no)         transformer_blocks          BasicTransformerBlock          hs (Tensor)
PixArt-a/S PixArtTransformer2DModel (no)      transformer_blocks          BasicTransformerBlock          hs (Tensor)
SD3        SD3Transformer2DModel (no)         transformer_blocks          JointTransformerBlock          (ehs, hs)
Flux       FluxTransformer2DModel (yes)       transformer_blocks,         FluxTransformerBlock,          (ehs, hs)
                                              single_transformer_blocks   FluxSingleTransformerBlock     (ehs, hs)
HunyuanDiT HunyuanDiT2DModel (no)             blocks                      HunyuanDiTBlock (+ skip=)      hs (Tensor)
CogVideoX  CogVideoXTransformer3DModel (yes)  transformer_blocks          CogVideoXBlock                 (hs, ehs)
Wan        WanTransformer3DModel (yes)        blocks                      WanTransformerBlock            hs (Tensor)
Sana       SanaTransformer2DModel (no)        transformer_blocks          SanaTransformerBlock           hs (Tensor)
=========  =================================  ==========================  =============================  ==========

Details (signatures exact, ``self`` omitted; how the model's loop calls them):

* ``BasicTransformerBlock.forward(hidden_states, attention_mask=None, encoder_hidden_states=None,
  encoder_attention_mask=None, timestep=None, cross_attention_kwargs=None, class_labels=None,
  added_cond_kwargs=None) -> Tensor`` (models/attention.py:960). DiT (norm_type ``ada_norm_zero``: class labels +
  timestep, no text; dit_transformer_2d.py:197) and PixArt (``ada_norm_single``, text cross-attention via
  ``encoder_hidden_states`` + ``encoder_attention_mask``; pixart_transformer_2d.py:330) call it with keywords.
  Registered in TransformerBlockRegistry with return_hidden_states_index=0, return_encoder_hidden_states_index=None.
* ``JointTransformerBlock.forward(hidden_states, encoder_hidden_states, temb, joint_attention_kwargs=None)
  -> (encoder_hidden_states, hidden_states)`` (models/attention.py:681), called with keywords from
  transformer_sd3.py:316. The LAST block is built with ``context_pre_only=True`` (transformer_sd3.py:161,
  ``context_pre_only=i == num_layers - 1``) and returns ``(None, hidden_states)`` (attention.py:730-731): the text
  stream ends there. Registry: hs index 1, ehs index 0. Loop also takes ``skip_layers`` (skipped blocks are not
  called at all) and ControlNet residuals only for ``context_pre_only is False`` blocks.
* ``FluxTransformerBlock.forward(hidden_states, encoder_hidden_states, temb, image_rotary_emb=None,
  joint_attention_kwargs=None) -> (encoder_hidden_states, hidden_states)`` (transformer_flux.py:443) and
  ``FluxSingleTransformerBlock.forward`` with the SAME signature and return order (transformer_flux.py:383): in
  this version the single block concatenates ``[ehs, hs]`` along tokens internally and splits it back before
  returning, so there is no concatenated stream between the double and the single list -- the double->single
  boundary is just "transformer_blocks[-1] output feeds single_transformer_blocks[0]" with the same two tensors.
  Both called with keywords (transformer_flux.py:769 and :801). Registry: hs index 1, ehs index 0 for both.
* ``HunyuanDiTBlock.forward(hidden_states, encoder_hidden_states=None, temb=None, image_rotary_emb=None,
  skip=None) -> Tensor`` (hunyuan_transformer_2d.py:164). Long skips (U-ViT style), loop at
  hunyuan_transformer_2d.py:426-449 with ``L = num_layers``: the output of block ``i`` for ``i < L//2 - 1`` is
  pushed on a stack; block ``i > L//2`` pops one (``skip=skips.pop()``) and concatenates ``[hs, skip]`` ->
  ``skip_norm`` -> ``skip_linear`` first (these blocks are built with ``skip=layer > num_layers // 2``). Block
  ``L//2`` has no skip. Tiny builder (L=4): block 0's output is the skip input of block 3. hidden_states is passed POSITIONALLY, others by keyword. NOT in TransformerBlockRegistry
  (FirstBlockCache/MagCache raise "Model class ... not registered").
* ``CogVideoXBlock.forward(hidden_states, encoder_hidden_states, temb, image_rotary_emb=None,
  attention_kwargs=None) -> (hidden_states, encoder_hidden_states)`` (cogvideox_transformer_3d.py:118) -- note the
  order is (hs, ehs), the opposite of SD3/Flux. Keywords (cogvideox_transformer_3d.py:445). Registry: hs index 0, ehs index 1. After the loop the
  model does ``norm_final(hidden_states)`` only (the text stream is dropped).
* ``WanTransformerBlock.forward(hidden_states, encoder_hidden_states, temb, rotary_emb) -> Tensor``
  (transformer_wan.py:462), called POSITIONALLY: ``block(hidden_states, encoder_hidden_states, timestep_proj,
  rotary_emb)`` (transformer_wan.py:704). ``encoder_hidden_states`` (text, optionally with image tokens
  prepended) is only read (cross-attention). Registry: hs index 0, ehs None.
* ``SanaTransformerBlock.forward(hidden_states, attention_mask=None, encoder_hidden_states=None,
  encoder_attention_mask=None, timestep=None, height=None, width=None) -> Tensor`` (sana_transformer.py:248),
  called positionally with all 7 arguments (sana_transformer.py:524). Not registered.

Pipelines and cache contexts (``with transformer.cache_context(name)`` around each denoiser call):
Flux opens "cond" (and "uncond" for true CFG, a separate call), CogVideoX "cond_uncond" (one batched call), Wan
"cond" and "uncond" (two calls, with step_index/sigma/num_inference_steps). Only the Flux, CogVideoX and Wan
denoisers have ``CacheMixin`` (``enable_cache``/``cache_context``/``_reset_stateful_cache``). DiT, PixArt-a/S, SD3, HunyuanDiT and
Sana open none and batch cond+uncond into one call (batch 2). All pipelines end with ``maybe_free_model_hooks()``,
which calls ``_reset_stateful_cache()`` on CacheMixin components (pipeline_utils.py:1282-1284); a call that raises
never reaches it.
"""

from __future__ import annotations

import torch
from torch import nn

_B = 1  # batch size of the prompt embeddings


def _g(seed):
    return torch.Generator().manual_seed(seed)


def _randn(*shape, seed=0):
    return torch.randn(*shape, generator=_g(seed))


def _vae(latent_channels=4, levels=2, shift_factor=None):
    from diffusers import AutoencoderKL

    torch.manual_seed(0)
    kw = {} if shift_factor is None else dict(shift_factor=shift_factor, scaling_factor=1.5035)
    return AutoencoderKL(block_out_channels=(8,) * levels, in_channels=3, out_channels=3,
                         latent_channels=latent_channels, norm_num_groups=4, layers_per_block=1,
                         down_block_types=("DownEncoderBlock2D",) * levels,
                         up_block_types=("UpDecoderBlock2D",) * levels, sample_size=16, **kw).eval()


def _done(pipe):
    pipe.set_progress_bar_config(disable=True)
    return pipe


def dit():
    """DiTPipeline (class-conditional, CFG batched into one call of batch 2). Latent 8x8, 4 tokens/side patch 2."""
    from diffusers import DDIMScheduler, DiTPipeline, DiTTransformer2DModel

    torch.manual_seed(0)
    tr = DiTTransformer2DModel(sample_size=8, patch_size=2, in_channels=4, out_channels=8, num_layers=4,
                               attention_head_dim=8, num_attention_heads=2, norm_num_groups=4,
                               num_embeds_ada_norm=1000).eval()
    pipe = DiTPipeline(transformer=tr, vae=_vae(), scheduler=DDIMScheduler())
    return _done(pipe), dict(class_labels=[1], guidance_scale=4.0)


def _pixart(sigma: bool):
    from diffusers import DDIMScheduler, PixArtAlphaPipeline, PixArtSigmaPipeline, PixArtTransformer2DModel

    torch.manual_seed(0)
    tr = PixArtTransformer2DModel(sample_size=8, num_layers=4, patch_size=2, attention_head_dim=8,
                                  num_attention_heads=3, caption_channels=32, in_channels=4, cross_attention_dim=24,
                                  out_channels=8, attention_bias=True, activation_fn="gelu-approximate",
                                  num_embeds_ada_norm=1000, norm_type="ada_norm_single",
                                  norm_elementwise_affine=False, norm_eps=1e-6).eval()
    cls = PixArtSigmaPipeline if sigma else PixArtAlphaPipeline
    pipe = cls(tokenizer=None, text_encoder=None, vae=_vae(), transformer=tr, scheduler=DDIMScheduler())
    kw = dict(prompt_embeds=_randn(_B, 8, 32, seed=1), prompt_attention_mask=torch.ones(_B, 8, dtype=torch.long),
              negative_prompt_embeds=_randn(_B, 8, 32, seed=2),
              negative_prompt_attention_mask=torch.ones(_B, 8, dtype=torch.long),
              negative_prompt=None, use_resolution_binning=False, height=16, width=16, guidance_scale=4.5)
    return _done(pipe), kw


def pixart_alpha():
    """PixArtAlphaPipeline (T5-style text embeds 32-d, CFG batched)."""
    return _pixart(False)


def pixart_sigma():
    """PixArtSigmaPipeline (same tiny transformer)."""
    return _pixart(True)


def sd3():
    """StableDiffusion3Pipeline (MMDiT, 4 joint blocks, last one context_pre_only; CFG batched)."""
    from diffusers import FlowMatchEulerDiscreteScheduler, SD3Transformer2DModel, StableDiffusion3Pipeline

    torch.manual_seed(0)
    tr = SD3Transformer2DModel(sample_size=8, patch_size=1, in_channels=4, num_layers=4, attention_head_dim=8,
                               num_attention_heads=4, caption_projection_dim=32, joint_attention_dim=32,
                               pooled_projection_dim=64, out_channels=4).eval()
    pipe = StableDiffusion3Pipeline(transformer=tr, vae=_vae(shift_factor=0.0609),
                                    scheduler=FlowMatchEulerDiscreteScheduler(), text_encoder=None, tokenizer=None,
                                    text_encoder_2=None, tokenizer_2=None, text_encoder_3=None, tokenizer_3=None)
    kw = dict(prompt_embeds=_randn(_B, 8, 32, seed=1), pooled_prompt_embeds=_randn(_B, 64, seed=2),
              negative_prompt_embeds=_randn(_B, 8, 32, seed=3), negative_pooled_prompt_embeds=_randn(_B, 64, seed=4),
              height=16, width=16, guidance_scale=5.0)
    return _done(pipe), kw


def flux(true_cfg: bool = False):
    """FluxPipeline (2 double-stream + 2 single-stream blocks; guidance-distilled: one "cond" call per step).

    ``true_cfg=True`` adds negative embeddings and ``true_cfg_scale=4`` (a second call per step in context
    "uncond")."""
    from diffusers import FlowMatchEulerDiscreteScheduler, FluxPipeline, FluxTransformer2DModel

    torch.manual_seed(0)
    tr = FluxTransformer2DModel(patch_size=1, in_channels=16, num_layers=2, num_single_layers=2,
                                attention_head_dim=16, num_attention_heads=2, joint_attention_dim=32,
                                pooled_projection_dim=32, axes_dims_rope=[4, 4, 8]).eval()
    vae = _vae(latent_channels=4, shift_factor=0.0609)  # packed 2x2 latents: in_channels = 4 * latent_channels
    pipe = FluxPipeline(scheduler=FlowMatchEulerDiscreteScheduler(), vae=vae, text_encoder=None, tokenizer=None,
                        text_encoder_2=None, tokenizer_2=None, transformer=tr)
    kw = dict(prompt_embeds=_randn(_B, 8, 32, seed=1), pooled_prompt_embeds=_randn(_B, 32, seed=2),
              height=16, width=16, guidance_scale=3.5, max_sequence_length=8)
    if true_cfg:
        kw.update(negative_prompt_embeds=_randn(_B, 8, 32, seed=3),
                  negative_pooled_prompt_embeds=_randn(_B, 32, seed=4), true_cfg_scale=4.0)
    return _done(pipe), kw


def hunyuan_dit():
    """HunyuanDiTPipeline (4 blocks with a long skip 0 -> 3; CLIP-ish 32-d + T5-ish 32-d embeds; CFG batched).

    The pipeline hard-codes an 8x VAE for its rotary grid (pipeline_hunyuandit.py:792), so the VAE has 4 levels and
    the image is 32x32 (latent 4x4, 2x2 tokens at patch 2)."""
    from diffusers import DDPMScheduler, HunyuanDiT2DModel, HunyuanDiTPipeline

    torch.manual_seed(0)
    tr = HunyuanDiT2DModel(sample_size=4, num_layers=4, patch_size=2, attention_head_dim=8, num_attention_heads=3,
                           in_channels=4, cross_attention_dim=32, cross_attention_dim_t5=32,
                           pooled_projection_dim=16, hidden_size=24, activation_fn="gelu-approximate",
                           text_len=8, text_len_t5=8).eval()
    pipe = HunyuanDiTPipeline(vae=_vae(levels=4), text_encoder=None, tokenizer=None, transformer=tr,
                              scheduler=DDPMScheduler(), safety_checker=None, feature_extractor=None,
                              requires_safety_checker=False, text_encoder_2=None, tokenizer_2=None)
    ones = torch.ones(_B, 8, dtype=torch.long)
    kw = dict(prompt_embeds=_randn(_B, 8, 32, seed=1), prompt_attention_mask=ones,
              negative_prompt_embeds=_randn(_B, 8, 32, seed=2), negative_prompt_attention_mask=ones,
              prompt_embeds_2=_randn(_B, 8, 32, seed=3), prompt_attention_mask_2=ones,
              negative_prompt_embeds_2=_randn(_B, 8, 32, seed=4), negative_prompt_attention_mask_2=ones,
              height=32, width=32, use_resolution_binning=False, guidance_scale=5.0)
    return _done(pipe), kw


def cogvideox():
    """CogVideoXPipeline (9 frames -> 3 latent frames, 8x8 -> 2x2 latents; one "cond_uncond" batched call)."""
    from diffusers import (AutoencoderKLCogVideoX, CogVideoXDDIMScheduler, CogVideoXPipeline,
                           CogVideoXTransformer3DModel)

    torch.manual_seed(0)
    tr = CogVideoXTransformer3DModel(num_attention_heads=4, attention_head_dim=8, in_channels=4, out_channels=4,
                                     time_embed_dim=2, text_embed_dim=32, num_layers=4, sample_width=2,
                                     sample_height=2, sample_frames=9, patch_size=2, temporal_compression_ratio=4,
                                     max_text_seq_length=8).eval()
    torch.manual_seed(0)
    vae = AutoencoderKLCogVideoX(in_channels=3, out_channels=3,
                                 down_block_types=("CogVideoXDownBlock3D",) * 4,
                                 up_block_types=("CogVideoXUpBlock3D",) * 4, block_out_channels=(8, 8, 8, 8),
                                 latent_channels=4, layers_per_block=1, norm_num_groups=2,
                                 temporal_compression_ratio=4).eval()
    pipe = CogVideoXPipeline(tokenizer=None, text_encoder=None, vae=vae, transformer=tr,
                             scheduler=CogVideoXDDIMScheduler())
    kw = dict(prompt_embeds=_randn(_B, 8, 32, seed=1), negative_prompt_embeds=_randn(_B, 8, 32, seed=2),
              height=16, width=16, num_frames=9, guidance_scale=6.0, max_sequence_length=8)
    return _done(pipe), kw


def wan():
    """WanPipeline (9 frames -> 3 latent frames; separate "cond" and "uncond" calls per step)."""
    from diffusers import AutoencoderKLWan, FlowMatchEulerDiscreteScheduler, WanPipeline, WanTransformer3DModel

    torch.manual_seed(0)
    vae = AutoencoderKLWan(base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
                           temperal_downsample=[False, True, True]).eval()
    torch.manual_seed(0)
    tr = WanTransformer3DModel(patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=16,
                               out_channels=16, text_dim=32, freq_dim=256, ffn_dim=32, num_layers=4,
                               cross_attn_norm=True, qk_norm="rms_norm_across_heads", rope_max_seq_len=32).eval()
    pipe = WanPipeline(tokenizer=None, text_encoder=None, vae=vae, scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0),
                       transformer=tr)
    kw = dict(prompt_embeds=_randn(_B, 8, 32, seed=1), negative_prompt_embeds=_randn(_B, 8, 32, seed=2),
              height=16, width=16, num_frames=9, guidance_scale=5.0, max_sequence_length=8)
    return _done(pipe), kw


def sana():
    """SanaPipeline (linear-attention DiT, deep-compression AE; CFG batched)."""
    from diffusers import AutoencoderDC, FlowMatchEulerDiscreteScheduler, SanaPipeline, SanaTransformer2DModel

    torch.manual_seed(0)
    tr = SanaTransformer2DModel(patch_size=1, in_channels=4, out_channels=4, num_layers=4, num_attention_heads=2,
                                attention_head_dim=4, num_cross_attention_heads=2, cross_attention_head_dim=4,
                                cross_attention_dim=8, caption_channels=8, sample_size=8).eval()
    torch.manual_seed(0)
    vae = AutoencoderDC(in_channels=3, latent_channels=4, attention_head_dim=2,
                        encoder_block_types=("ResBlock", "EfficientViTBlock"),
                        decoder_block_types=("ResBlock", "EfficientViTBlock"), encoder_block_out_channels=(8, 8),
                        decoder_block_out_channels=(8, 8), encoder_qkv_multiscales=((), (5,)),
                        decoder_qkv_multiscales=((), (5,)), encoder_layers_per_block=(1, 1),
                        decoder_layers_per_block=[1, 1], downsample_block_type="conv", upsample_block_type="interpolate",
                        decoder_norm_types="rms_norm", decoder_act_fns="silu", scaling_factor=0.41407).eval()
    pipe = SanaPipeline(tokenizer=None, text_encoder=None, vae=vae, transformer=tr,
                        scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0))
    ones = torch.ones(_B, 8, dtype=torch.long)
    kw = dict(prompt_embeds=_randn(_B, 8, 8, seed=1), prompt_attention_mask=ones,
              negative_prompt_embeds=_randn(_B, 8, 8, seed=2), negative_prompt_attention_mask=ones,
              negative_prompt=None, use_resolution_binning=False, height=32, width=32, guidance_scale=4.5,
              complex_human_instruction=None, max_sequence_length=8)
    return _done(pipe), kw


BUILDERS = {
    "dit": dit, "pixart_alpha": pixart_alpha, "pixart_sigma": pixart_sigma, "sd3": sd3, "flux": flux,
    "hunyuan_dit": hunyuan_dit, "cogvideox": cogvideox, "wan": wan, "sana": sana,
}


def denoiser(pipe) -> nn.Module:
    """The pipeline's denoiser: ``pipe.transformer`` (``pipe.unet`` for U-Net pipelines)."""
    return getattr(pipe, "transformer", None) or pipe.unet


def denoiser_blocks(pipe_or_model) -> dict[str, list[str]]:
    """Names of the denoiser's direct ``nn.ModuleList`` children and the class names of their entries, in forward
    order as the model's loops visit them (which is registration order for all the models above), e.g. Flux:
    ``{"transformer_blocks": ["FluxTransformerBlock"] * 2, "single_transformer_blocks": [...]}``. Lists that are
    not transformer blocks (e.g. none here; U-Nets have ``down_blocks`` etc.) are included too; filter by name."""
    model = pipe_or_model if isinstance(pipe_or_model, nn.Module) else denoiser(pipe_or_model)
    return {name: [type(b).__name__ for b in child] for name, child in model.named_children()
            if isinstance(child, nn.ModuleList)}
