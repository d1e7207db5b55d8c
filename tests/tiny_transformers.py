"""Tiny transformer denoisers of diffusers (random weights, nothing downloaded): each class's ``get_init_dict`` and
``get_dummy_inputs`` are copied from the diffusers repository's ``tests/models/transformers/test_models_*.py``
(Apache-2.0, (c) HuggingFace; the tester mixins dropped, made with ``ast``). ``build(name, layers)`` makes one with
its block counts raised to ``layers`` (so a stack has blocks to skip) and its dummy inputs."""

import math  # noqa: F401
import os  # noqa: F401
import re

import torch
from diffusers import *  # noqa: F401,F403
from diffusers.utils.torch_utils import randn_tensor  # noqa: F401

torch_device = "cpu"


class Base:
    torch_dtype = torch.float32

    @property
    def generator(self):
        return torch.Generator("cpu").manual_seed(0)


# tests/models/transformers/test_models_transformer_ace_step.py
class AceStepTransformer1DModelTesterConfig(Base):

    @property
    def model_class(self):
        return AceStepTransformer1DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict[str, int | float | bool]:
        return {'hidden_size': 32, 'intermediate_size': 64, 'num_hidden_layers': 2, 'num_attention_heads': 4, 'num_key_value_heads': 2, 'head_dim': 8, 'in_channels': 24, 'audio_acoustic_hidden_dim': 8, 'patch_size': 2, 'rope_theta': 10000.0, 'rms_norm_eps': 1e-06, 'sliding_window': 16}

    def get_dummy_inputs(self) -> dict[str, torch.Tensor]:
        batch_size = 2
        seq_len = 8
        encoder_seq_len = 10
        acoustic_dim = 8
        hidden_size = 32
        return {'hidden_states': randn_tensor((batch_size, seq_len, acoustic_dim), generator=self.generator, device=torch_device), 'timestep': randn_tensor((batch_size,), generator=self.generator, device=torch_device).abs(), 'timestep_r': randn_tensor((batch_size,), generator=self.generator, device=torch_device).abs(), 'encoder_hidden_states': randn_tensor((batch_size, encoder_seq_len, hidden_size), generator=self.generator, device=torch_device), 'context_latents': randn_tensor((batch_size, seq_len, acoustic_dim * 2), generator=self.generator, device=torch_device)}


# tests/models/transformers/test_models_transformer_allegro.py
class AllegroTransformerTesterConfig(Base):

    @property
    def model_class(self):
        return AllegroTransformer3DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'num_attention_heads': 2, 'attention_head_dim': 8, 'in_channels': 4, 'out_channels': 4, 'num_layers': 1, 'cross_attention_dim': 16, 'sample_width': 8, 'sample_height': 8, 'sample_frames': 8, 'caption_channels': 8}

    def get_dummy_inputs(self, batch_size: int=2) -> dict[str, torch.Tensor]:
        num_channels = 4
        num_frames = 2
        height = width = 8
        embedding_dim = 16
        sequence_length = 16
        return {'hidden_states': randn_tensor((batch_size, num_channels, num_frames, height, width), generator=self.generator, device=torch_device), 'encoder_hidden_states': randn_tensor((batch_size, sequence_length, embedding_dim // 2), generator=self.generator, device=torch_device), 'timestep': torch.randint(0, 1000, size=(batch_size,), generator=self.generator).to(torch_device)}


# tests/models/transformers/test_models_transformer_aura_flow.py
class AuraFlowTransformerTesterConfig(Base):

    @property
    def model_class(self):
        return AuraFlowTransformer2DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'sample_size': 32, 'patch_size': 2, 'in_channels': 4, 'num_mmdit_layers': 1, 'num_single_dit_layers': 1, 'attention_head_dim': 8, 'num_attention_heads': 4, 'caption_projection_dim': 32, 'joint_attention_dim': 32, 'out_channels': 4, 'pos_embed_max_size': 256}

    def get_dummy_inputs(self, batch_size: int=2) -> dict[str, torch.Tensor]:
        num_channels = 4
        height = width = embedding_dim = 32
        sequence_length = 256
        return {'hidden_states': randn_tensor((batch_size, num_channels, height, width), generator=self.generator, device=torch_device), 'encoder_hidden_states': randn_tensor((batch_size, sequence_length, embedding_dim), generator=self.generator, device=torch_device), 'timestep': torch.randint(0, 1000, size=(batch_size,), generator=self.generator).to(torch_device)}


# tests/models/transformers/test_models_transformer_bria.py
class BriaTransformerTesterConfig(Base):

    @property
    def model_class(self):
        return BriaTransformer2DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'patch_size': 1, 'in_channels': 4, 'num_layers': 1, 'num_single_layers': 1, 'attention_head_dim': 8, 'num_attention_heads': 2, 'joint_attention_dim': 32, 'pooled_projection_dim': None, 'axes_dims_rope': [0, 4, 4]}

    def get_dummy_inputs(self, batch_size: int=1) -> dict[str, torch.Tensor]:
        num_latent_channels = 4
        num_image_channels = 3
        height = width = 4
        sequence_length = 48
        embedding_dim = 32
        return {'hidden_states': randn_tensor((batch_size, height * width, num_latent_channels), generator=self.generator, device=torch_device), 'encoder_hidden_states': randn_tensor((batch_size, sequence_length, embedding_dim), generator=self.generator, device=torch_device), 'img_ids': randn_tensor((height * width, num_image_channels), generator=self.generator, device=torch_device), 'txt_ids': randn_tensor((sequence_length, num_image_channels), generator=self.generator, device=torch_device), 'timestep': torch.tensor([1.0]).to(torch_device).expand(batch_size)}


# tests/models/transformers/test_models_transformer_bria_fibo.py
class BriaFiboTransformerTesterConfig(Base):

    @property
    def model_class(self):
        return BriaFiboTransformer2DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'patch_size': 1, 'in_channels': 48, 'num_layers': 1, 'num_single_layers': 1, 'attention_head_dim': 8, 'num_attention_heads': 2, 'joint_attention_dim': 64, 'text_encoder_dim': 32, 'pooled_projection_dim': None, 'axes_dims_rope': [0, 4, 4]}

    def get_dummy_inputs(self, batch_size: int=1) -> dict[str, torch.Tensor]:
        num_latent_channels = 48
        num_image_channels = 3
        height = width = 16
        sequence_length = 32
        embedding_dim = 64
        encoder_hidden_states = randn_tensor((batch_size, sequence_length, embedding_dim), generator=self.generator, device=torch_device)
        return {'hidden_states': randn_tensor((batch_size, height * width, num_latent_channels), generator=self.generator, device=torch_device), 'encoder_hidden_states': encoder_hidden_states, 'img_ids': randn_tensor((height * width, num_image_channels), generator=self.generator, device=torch_device), 'txt_ids': randn_tensor((sequence_length, num_image_channels), generator=self.generator, device=torch_device), 'timestep': torch.tensor([1.0]).to(torch_device).expand(batch_size), 'text_encoder_layers': [encoder_hidden_states[:, :, :32], encoder_hidden_states[:, :, :32]]}


# tests/models/transformers/test_models_transformer_chroma.py
class ChromaTransformerTesterConfig(Base):

    @property
    def model_class(self):
        return ChromaTransformer2DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'patch_size': 1, 'in_channels': 4, 'num_layers': 1, 'num_single_layers': 1, 'attention_head_dim': 16, 'num_attention_heads': 2, 'joint_attention_dim': 32, 'axes_dims_rope': [4, 4, 8], 'approximator_num_channels': 8, 'approximator_hidden_dim': 16, 'approximator_layers': 1}

    def get_dummy_inputs(self, batch_size: int=1) -> dict[str, torch.Tensor]:
        num_latent_channels = 4
        num_image_channels = 3
        height = width = 4
        sequence_length = 48
        embedding_dim = 32
        return {'hidden_states': randn_tensor((batch_size, height * width, num_latent_channels), generator=self.generator, device=torch_device), 'encoder_hidden_states': randn_tensor((batch_size, sequence_length, embedding_dim), generator=self.generator, device=torch_device), 'img_ids': randn_tensor((height * width, num_image_channels), generator=self.generator, device=torch_device), 'txt_ids': randn_tensor((sequence_length, num_image_channels), generator=self.generator, device=torch_device), 'timestep': torch.tensor([1.0]).to(torch_device).expand(batch_size)}


# tests/models/transformers/test_models_transformer_chronoedit.py
class ChronoEditTransformerTesterConfig(Base):

    @property
    def model_class(self):
        return ChronoEditTransformer3DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'patch_size': (1, 2, 2), 'num_attention_heads': 2, 'attention_head_dim': 8, 'in_channels': 16, 'out_channels': 16, 'text_dim': 32, 'freq_dim': 16, 'ffn_dim': 32, 'num_layers': 2, 'cross_attn_norm': True, 'qk_norm': 'rms_norm_across_heads', 'eps': 1e-06, 'image_dim': None, 'added_kv_proj_dim': None, 'rope_max_seq_len': 64, 'pos_embed_seq_len': None, 'rope_temporal_skip_len': 8}

    def get_dummy_inputs(self, batch_size: int=1) -> dict[str, torch.Tensor]:
        num_channels = 16
        num_frames = 2
        height = 8
        width = 8
        embedding_dim = 32
        sequence_length = 12
        return {'hidden_states': randn_tensor((batch_size, num_channels, num_frames, height, width), generator=self.generator, device=torch_device), 'timestep': torch.randint(0, 1000, size=(batch_size,), generator=self.generator).to(torch_device), 'encoder_hidden_states': randn_tensor((batch_size, sequence_length, embedding_dim), generator=self.generator, device=torch_device), 'encoder_hidden_states_image': None}


# tests/models/transformers/test_models_transformer_cogview3plus.py
class CogView3PlusTransformerTesterConfig(Base):

    @property
    def model_class(self):
        return CogView3PlusTransformer2DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'patch_size': 2, 'in_channels': 4, 'num_layers': 2, 'attention_head_dim': 4, 'num_attention_heads': 2, 'out_channels': 4, 'text_embed_dim': 8, 'time_embed_dim': 8, 'condition_dim': 2, 'pos_embed_max_size': 8, 'sample_size': 8}

    def get_dummy_inputs(self, batch_size: int=2) -> dict[str, torch.Tensor]:
        num_channels = 4
        height = width = 8
        embedding_dim = 8
        sequence_length = 8
        original_size = torch.tensor([height * 8, width * 8]).unsqueeze(0).repeat(batch_size, 1).to(torch_device)
        target_size = torch.tensor([height * 8, width * 8]).unsqueeze(0).repeat(batch_size, 1).to(torch_device)
        crop_coords = torch.tensor([0, 0]).unsqueeze(0).repeat(batch_size, 1).to(torch_device)
        return {'hidden_states': randn_tensor((batch_size, num_channels, height, width), generator=self.generator, device=torch_device), 'encoder_hidden_states': randn_tensor((batch_size, sequence_length, embedding_dim), generator=self.generator, device=torch_device), 'original_size': original_size, 'target_size': target_size, 'crop_coords': crop_coords, 'timestep': torch.randint(0, 1000, size=(batch_size,), generator=self.generator).to(torch_device)}


# tests/models/transformers/test_models_transformer_cogview4.py
class CogView4TransformerTesterConfig(Base):

    @property
    def model_class(self):
        return CogView4Transformer2DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'patch_size': 2, 'in_channels': 4, 'num_layers': 2, 'attention_head_dim': 4, 'num_attention_heads': 4, 'out_channels': 4, 'text_embed_dim': 8, 'time_embed_dim': 8, 'condition_dim': 4}

    def get_dummy_inputs(self, batch_size: int=2) -> dict[str, torch.Tensor]:
        num_channels = 4
        height = width = 8
        embedding_dim = 8
        sequence_length = 8
        original_size = torch.tensor([height * 8, width * 8]).unsqueeze(0).repeat(batch_size, 1).to(torch_device)
        target_size = torch.tensor([height * 8, width * 8]).unsqueeze(0).repeat(batch_size, 1).to(torch_device)
        crop_coords = torch.tensor([0, 0]).unsqueeze(0).repeat(batch_size, 1).to(torch_device)
        return {'hidden_states': randn_tensor((batch_size, num_channels, height, width), generator=self.generator, device=torch_device), 'encoder_hidden_states': randn_tensor((batch_size, sequence_length, embedding_dim), generator=self.generator, device=torch_device), 'timestep': torch.randint(0, 1000, size=(batch_size,), generator=self.generator).to(torch_device), 'original_size': original_size, 'target_size': target_size, 'crop_coords': crop_coords}


# tests/models/transformers/test_models_transformer_easyanimate.py
class EasyAnimateTransformerTesterConfig(Base):

    @property
    def model_class(self):
        return EasyAnimateTransformer3DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'attention_head_dim': 16, 'num_attention_heads': 2, 'in_channels': 4, 'mmdit_layers': 2, 'num_layers': 2, 'out_channels': 4, 'patch_size': 2, 'sample_height': 60, 'sample_width': 90, 'text_embed_dim': 16, 'time_embed_dim': 8, 'time_position_encoding_type': '3d_rope', 'timestep_activation_fn': 'silu'}

    def get_dummy_inputs(self, batch_size: int=2) -> dict[str, torch.Tensor]:
        num_channels = 4
        num_frames = 2
        height = 16
        width = 16
        embedding_dim = 16
        sequence_length = 16
        return {'hidden_states': randn_tensor((batch_size, num_channels, num_frames, height, width), generator=self.generator, device=torch_device), 'timestep': torch.randint(0, 1000, size=(batch_size,), generator=self.generator).to(torch_device), 'timestep_cond': None, 'encoder_hidden_states': randn_tensor((batch_size, sequence_length, embedding_dim), generator=self.generator, device=torch_device), 'encoder_hidden_states_t5': None, 'inpaint_latents': None, 'control_latents': None}


# tests/models/transformers/test_models_transformer_flux2.py
class Flux2TransformerTesterConfig(Base):

    @property
    def model_class(self):
        return Flux2Transformer2DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict[str, int | list[int]]:
        return {'patch_size': 1, 'in_channels': 4, 'num_layers': 1, 'num_single_layers': 1, 'attention_head_dim': 16, 'num_attention_heads': 2, 'joint_attention_dim': 32, 'timestep_guidance_channels': 256, 'axes_dims_rope': [4, 4, 4, 4]}

    def get_dummy_inputs(self, height: int=4, width: int=4, batch_size: int=1, device: str=torch_device) -> dict[str, torch.Tensor]:
        num_latent_channels = 4
        sequence_length = 48
        embedding_dim = 32
        hidden_states = randn_tensor((batch_size, height * width, num_latent_channels), generator=self.generator, device=device)
        encoder_hidden_states = randn_tensor((batch_size, sequence_length, embedding_dim), generator=self.generator, device=device)
        t_coords = torch.arange(1)
        h_coords = torch.arange(height)
        w_coords = torch.arange(width)
        l_coords = torch.arange(1)
        image_ids = torch.cartesian_prod(t_coords, h_coords, w_coords, l_coords)
        image_ids = image_ids.unsqueeze(0).expand(batch_size, -1, -1).to(device)
        text_t_coords = torch.arange(1)
        text_h_coords = torch.arange(1)
        text_w_coords = torch.arange(1)
        text_l_coords = torch.arange(sequence_length)
        text_ids = torch.cartesian_prod(text_t_coords, text_h_coords, text_w_coords, text_l_coords)
        text_ids = text_ids.unsqueeze(0).expand(batch_size, -1, -1).to(device)
        timestep = torch.tensor([1.0]).to(device).expand(batch_size)
        guidance = torch.tensor([1.0]).to(device).expand(batch_size)
        return {'hidden_states': hidden_states, 'encoder_hidden_states': encoder_hidden_states, 'img_ids': image_ids, 'txt_ids': text_ids, 'timestep': timestep, 'guidance': guidance}


# tests/models/transformers/test_models_transformer_glm_image.py
class GlmImageTransformerTesterConfig(Base):

    @property
    def model_class(self):
        return GlmImageTransformer2DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'patch_size': 2, 'in_channels': 4, 'out_channels': 4, 'num_layers': 1, 'attention_head_dim': 8, 'num_attention_heads': 2, 'text_embed_dim': 32, 'time_embed_dim': 16, 'condition_dim': 8, 'prior_vq_quantizer_codebook_size': 64}

    def get_dummy_inputs(self, batch_size: int=1) -> dict[str, torch.Tensor]:
        num_channels = 4
        height = width = 8
        sequence_length = 12
        return {'hidden_states': randn_tensor((batch_size, num_channels, height, width), generator=self.generator, device=torch_device), 'encoder_hidden_states': randn_tensor((batch_size, sequence_length, 32), generator=self.generator, device=torch_device), 'prior_token_id': torch.randint(0, 64, size=(batch_size,), generator=self.generator).to(torch_device), 'prior_token_drop': torch.zeros(batch_size, dtype=torch.bool, device=torch_device), 'timestep': torch.randint(0, 1000, size=(batch_size,), generator=self.generator).to(torch_device), 'target_size': torch.tensor([[height, width]] * batch_size, dtype=torch.float32).to(torch_device), 'crop_coords': torch.tensor([[0, 0]] * batch_size, dtype=torch.float32).to(torch_device)}


# tests/models/transformers/test_models_transformer_helios.py
class HeliosTransformer3DTesterConfig(Base):

    @property
    def model_class(self):
        return HeliosTransformer3DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict[str, int | list[int] | tuple | str | bool]:
        return {'patch_size': (1, 2, 2), 'num_attention_heads': 2, 'attention_head_dim': 12, 'in_channels': 4, 'out_channels': 4, 'text_dim': 16, 'freq_dim': 256, 'ffn_dim': 32, 'num_layers': 2, 'cross_attn_norm': True, 'qk_norm': 'rms_norm_across_heads', 'rope_dim': (4, 4, 4), 'has_multi_term_memory_patch': True, 'guidance_cross_attn': True, 'zero_history_timestep': True, 'is_amplify_history': False}

    def get_dummy_inputs(self) -> dict[str, torch.Tensor]:
        batch_size = 1
        num_channels = 4
        num_frames = 2
        height = 16
        width = 16
        text_encoder_embedding_dim = 16
        sequence_length = 12
        hidden_states = randn_tensor((batch_size, num_channels, num_frames, height, width), generator=self.generator, device=torch_device)
        timestep = torch.randint(0, 1000, size=(batch_size,), generator=self.generator).to(torch_device)
        encoder_hidden_states = randn_tensor((batch_size, sequence_length, text_encoder_embedding_dim), generator=self.generator, device=torch_device)
        indices_hidden_states = torch.ones((batch_size, num_frames)).to(torch_device)
        indices_latents_history_short = torch.ones((batch_size, num_frames - 1)).to(torch_device)
        indices_latents_history_mid = torch.ones((batch_size, num_frames - 1)).to(torch_device)
        indices_latents_history_long = torch.ones((batch_size, (num_frames - 1) * 4)).to(torch_device)
        latents_history_short = randn_tensor((batch_size, num_channels, num_frames - 1, height, width), generator=self.generator, device=torch_device)
        latents_history_mid = randn_tensor((batch_size, num_channels, num_frames - 1, height, width), generator=self.generator, device=torch_device)
        latents_history_long = randn_tensor((batch_size, num_channels, (num_frames - 1) * 4, height, width), generator=self.generator, device=torch_device)
        return {'hidden_states': hidden_states, 'timestep': timestep, 'encoder_hidden_states': encoder_hidden_states, 'indices_hidden_states': indices_hidden_states, 'indices_latents_history_short': indices_latents_history_short, 'indices_latents_history_mid': indices_latents_history_mid, 'indices_latents_history_long': indices_latents_history_long, 'latents_history_short': latents_history_short, 'latents_history_mid': latents_history_mid, 'latents_history_long': latents_history_long}


# tests/models/transformers/test_models_transformer_hidream.py
class HiDreamTransformerTesterConfig(Base):

    @property
    def model_class(self):
        return HiDreamImageTransformer2DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'patch_size': 2, 'in_channels': 4, 'out_channels': 4, 'num_layers': 1, 'num_single_layers': 1, 'attention_head_dim': 8, 'num_attention_heads': 4, 'caption_channels': [8, 4], 'text_emb_dim': 8, 'num_routed_experts': 2, 'num_activated_experts': 2, 'axes_dims_rope': (4, 2, 2), 'max_resolution': (32, 32), 'llama_layers': (0, 1), 'force_inference_output': True}

    def get_dummy_inputs(self, batch_size: int=2) -> dict[str, torch.Tensor]:
        num_channels = 4
        height = width = 32
        embedding_dim_t5, embedding_dim_llama, embedding_dim_pooled = (8, 4, 8)
        sequence_length = 8
        return {'hidden_states': randn_tensor((batch_size, num_channels, height, width), generator=self.generator, device=torch_device), 'encoder_hidden_states_t5': randn_tensor((batch_size, sequence_length, embedding_dim_t5), generator=self.generator, device=torch_device), 'encoder_hidden_states_llama3': randn_tensor((batch_size, batch_size, sequence_length, embedding_dim_llama), generator=self.generator, device=torch_device), 'pooled_embeds': randn_tensor((batch_size, embedding_dim_pooled), generator=self.generator, device=torch_device), 'timesteps': torch.randint(0, 1000, size=(batch_size,), generator=self.generator).to(torch_device)}


# tests/models/transformers/test_models_transformer_hunyuan_1_5.py
class HunyuanVideo15TransformerTesterConfig(Base):
    text_embed_dim = 16
    text_embed_2_dim = 8
    image_embed_dim = 12

    @property
    def model_class(self):
        return HunyuanVideo15Transformer3DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'in_channels': 4, 'out_channels': 4, 'num_attention_heads': 2, 'attention_head_dim': 8, 'num_layers': 2, 'num_refiner_layers': 1, 'mlp_ratio': 2.0, 'patch_size': 1, 'patch_size_t': 1, 'text_embed_dim': self.text_embed_dim, 'text_embed_2_dim': self.text_embed_2_dim, 'image_embed_dim': self.image_embed_dim, 'rope_axes_dim': (2, 2, 4), 'target_size': 16, 'task_type': 't2v'}

    def get_dummy_inputs(self, batch_size: int=1) -> dict[str, torch.Tensor]:
        num_channels = 4
        num_frames = 1
        height = 8
        width = 8
        sequence_length = 6
        sequence_length_2 = 4
        image_sequence_length = 3
        return {'hidden_states': randn_tensor((batch_size, num_channels, num_frames, height, width), generator=self.generator, device=torch_device), 'timestep': torch.tensor([1.0]).to(torch_device).expand(batch_size), 'encoder_hidden_states': randn_tensor((batch_size, sequence_length, self.text_embed_dim), generator=self.generator, device=torch_device), 'encoder_hidden_states_2': randn_tensor((batch_size, sequence_length_2, self.text_embed_2_dim), generator=self.generator, device=torch_device), 'encoder_attention_mask': torch.ones((batch_size, sequence_length), device=torch_device), 'encoder_attention_mask_2': torch.ones((batch_size, sequence_length_2), device=torch_device), 'image_embeds': torch.zeros((batch_size, image_sequence_length, self.image_embed_dim), device=torch_device)}


# tests/models/transformers/test_models_transformer_hunyuan_video.py
class HunyuanVideoTransformerTesterConfig(Base):

    @property
    def model_class(self):
        return HunyuanVideoTransformer3DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'in_channels': 4, 'out_channels': 4, 'num_attention_heads': 2, 'attention_head_dim': 10, 'num_layers': 1, 'num_single_layers': 1, 'num_refiner_layers': 1, 'patch_size': 1, 'patch_size_t': 1, 'guidance_embeds': True, 'text_embed_dim': 16, 'pooled_projection_dim': 8, 'rope_axes_dim': (2, 4, 4), 'image_condition_type': None}

    @property
    def torch_dtype(self):
        return None

    def get_dummy_inputs(self, batch_size: int=1) -> dict[str, torch.Tensor]:
        num_channels = 4
        num_frames = 1
        height = 16
        width = 16
        text_encoder_embedding_dim = 16
        pooled_projection_dim = 8
        sequence_length = 12
        dtype = self.torch_dtype
        return {'hidden_states': randn_tensor((batch_size, num_channels, num_frames, height, width), generator=self.generator, device=torch_device, dtype=dtype), 'timestep': torch.randint(0, 1000, size=(batch_size,), generator=self.generator).to(torch_device, dtype=dtype or torch.float32), 'encoder_hidden_states': randn_tensor((batch_size, sequence_length, text_encoder_embedding_dim), generator=self.generator, device=torch_device, dtype=dtype), 'pooled_projections': randn_tensor((batch_size, pooled_projection_dim), generator=self.generator, device=torch_device, dtype=dtype), 'encoder_attention_mask': torch.ones((batch_size, sequence_length)).to(torch_device), 'guidance': torch.randint(0, 1000, size=(batch_size,), generator=self.generator).to(torch_device, dtype=dtype or torch.float32)}


# tests/models/transformers/test_models_transformer_hunyuan_video_framepack.py
class HunyuanVideoFramepackTransformerTesterConfig(Base):

    @property
    def model_class(self):
        return HunyuanVideoFramepackTransformer3DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'in_channels': 4, 'out_channels': 4, 'num_attention_heads': 2, 'attention_head_dim': 10, 'num_layers': 1, 'num_single_layers': 1, 'num_refiner_layers': 1, 'patch_size': 2, 'patch_size_t': 1, 'guidance_embeds': True, 'text_embed_dim': 16, 'pooled_projection_dim': 8, 'rope_axes_dim': (2, 4, 4), 'image_condition_type': None, 'has_image_proj': True, 'image_proj_dim': 16, 'has_clean_x_embedder': True}

    def get_dummy_inputs(self, batch_size: int=1) -> dict[str, torch.Tensor]:
        num_channels = 4
        num_frames = 3
        height = 4
        width = 4
        text_encoder_embedding_dim = 16
        image_encoder_embedding_dim = 16
        pooled_projection_dim = 8
        sequence_length = 12
        return {'hidden_states': randn_tensor((batch_size, num_channels, num_frames, height, width), generator=self.generator, device=torch_device), 'timestep': torch.randint(0, 1000, size=(batch_size,), generator=self.generator).to(torch_device), 'encoder_hidden_states': randn_tensor((batch_size, sequence_length, text_encoder_embedding_dim), generator=self.generator, device=torch_device), 'pooled_projections': randn_tensor((batch_size, pooled_projection_dim), generator=self.generator, device=torch_device), 'encoder_attention_mask': torch.ones((batch_size, sequence_length)).to(torch_device), 'guidance': torch.randint(0, 1000, size=(batch_size,), generator=self.generator).to(torch_device), 'image_embeds': randn_tensor((batch_size, sequence_length, image_encoder_embedding_dim), generator=self.generator, device=torch_device), 'indices_latents': torch.ones((num_frames,)).to(torch_device), 'latents_clean': randn_tensor((batch_size, num_channels, num_frames - 1, height, width), generator=self.generator, device=torch_device), 'indices_latents_clean': torch.ones((num_frames - 1,)).to(torch_device), 'latents_history_2x': randn_tensor((batch_size, num_channels, num_frames - 1, height, width), generator=self.generator, device=torch_device), 'indices_latents_history_2x': torch.ones((num_frames - 1,)).to(torch_device), 'latents_history_4x': randn_tensor((batch_size, num_channels, (num_frames - 1) * 4, height, width), generator=self.generator, device=torch_device), 'indices_latents_history_4x': torch.ones(((num_frames - 1) * 4,)).to(torch_device)}


# tests/models/transformers/test_models_transformer_ideogram4.py
class Ideogram4TransformerTesterConfig(Base):
    _hidden_size = 32
    _num_heads = 4
    _head_dim = _hidden_size // _num_heads
    _in_channels = 16
    _llm_features_dim = 24
    _max_text_tokens = 4
    _num_image_tokens = 4

    @property
    def model_class(self):
        return Ideogram4Transformer2DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'in_channels': self._in_channels, 'num_layers': 2, 'attention_head_dim': self._head_dim, 'num_attention_heads': self._num_heads, 'intermediate_size': 32, 'adaln_dim': 16, 'llm_features_dim': self._llm_features_dim, 'rope_theta': 10000, 'mrope_section': (2, 1, 1), 'norm_eps': 1e-05}

    def get_dummy_inputs(self) -> dict[str, torch.Tensor]:
        batch_size = 1
        max_text_tokens = self._max_text_tokens
        num_image_tokens = self._num_image_tokens
        seq_len = max_text_tokens + num_image_tokens
        hidden_states = torch.zeros(batch_size, seq_len, self._in_channels, device=torch_device, dtype=self.torch_dtype)
        hidden_states[:, max_text_tokens:] = randn_tensor((batch_size, num_image_tokens, self._in_channels), generator=self.generator, device=torch_device, dtype=self.torch_dtype)
        encoder_hidden_states = torch.zeros(batch_size, seq_len, self._llm_features_dim, device=torch_device, dtype=self.torch_dtype)
        encoder_hidden_states[:, :max_text_tokens] = randn_tensor((batch_size, max_text_tokens, self._llm_features_dim), generator=self.generator, device=torch_device, dtype=self.torch_dtype)
        position_ids = torch.zeros(batch_size, seq_len, 3, dtype=torch.long, device=torch_device)
        text_pos = torch.arange(max_text_tokens, device=torch_device)
        position_ids[:, :max_text_tokens, 0] = text_pos
        position_ids[:, :max_text_tokens, 1] = text_pos
        position_ids[:, :max_text_tokens, 2] = text_pos
        image_h = torch.tensor([0, 0, 1, 1], device=torch_device)
        image_w = torch.tensor([0, 1, 0, 1], device=torch_device)
        position_ids[:, max_text_tokens:, 0] = IMAGE_POSITION_OFFSET
        position_ids[:, max_text_tokens:, 1] = image_h + IMAGE_POSITION_OFFSET
        position_ids[:, max_text_tokens:, 2] = image_w + IMAGE_POSITION_OFFSET
        segment_ids = torch.ones(batch_size, seq_len, dtype=torch.long, device=torch_device)
        indicator = torch.empty(batch_size, seq_len, dtype=torch.long, device=torch_device)
        indicator[:, :max_text_tokens] = LLM_TOKEN_INDICATOR
        indicator[:, max_text_tokens:] = OUTPUT_IMAGE_INDICATOR
        timestep = torch.tensor([0.5], device=torch_device, dtype=self.torch_dtype)
        return {'hidden_states': hidden_states, 'encoder_hidden_states': encoder_hidden_states, 'timestep': timestep, 'position_ids': position_ids, 'segment_ids': segment_ids, 'indicator': indicator}


# tests/models/transformers/test_models_transformer_krea2.py
class Krea2TransformerTesterConfig(Base):
    _head_dim = 8
    _num_heads = 4
    _num_kv_heads = 2
    _in_channels = 16
    _text_hidden_dim = 16
    _num_text_layers = 3
    _text_seq_len = 4
    _grid_size = 2

    @property
    def model_class(self):
        return Krea2Transformer2DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'in_channels': self._in_channels, 'num_layers': 2, 'attention_head_dim': self._head_dim, 'num_attention_heads': self._num_heads, 'num_key_value_heads': self._num_kv_heads, 'intermediate_size': 32, 'timestep_embed_dim': 8, 'text_hidden_dim': self._text_hidden_dim, 'num_text_layers': self._num_text_layers, 'text_num_attention_heads': 2, 'text_num_key_value_heads': 1, 'text_intermediate_size': 16, 'num_layerwise_text_blocks': 1, 'num_refiner_text_blocks': 1, 'axes_dims_rope': (4, 2, 2), 'rope_theta': 1000.0, 'norm_eps': 1e-05}

    def get_dummy_inputs(self, height: int | None=None, width: int | None=None) -> dict[str, torch.Tensor]:
        height = height if height is not None else self._grid_size
        width = width if width is not None else self._grid_size
        batch_size = 1
        text_seq_len = self._text_seq_len
        num_image_tokens = height * width
        hidden_states = randn_tensor((batch_size, num_image_tokens, self._in_channels), generator=self.generator, device=torch_device, dtype=self.torch_dtype)
        encoder_hidden_states = randn_tensor((batch_size, text_seq_len, self._num_text_layers, self._text_hidden_dim), generator=self.generator, device=torch_device, dtype=self.torch_dtype)
        timestep = torch.tensor([0.5], device=torch_device, dtype=self.torch_dtype)
        position_ids = torch.zeros(text_seq_len + num_image_tokens, 3, device=torch_device)
        grid_h = torch.arange(height, device=torch_device).repeat_interleave(width)
        grid_w = torch.arange(width, device=torch_device).repeat(height)
        position_ids[text_seq_len:, 1] = grid_h
        position_ids[text_seq_len:, 2] = grid_w
        encoder_attention_mask = torch.ones(batch_size, text_seq_len, dtype=torch.bool, device=torch_device)
        encoder_attention_mask[:, -1] = False
        return {'hidden_states': hidden_states, 'encoder_hidden_states': encoder_hidden_states, 'timestep': timestep, 'position_ids': position_ids, 'encoder_attention_mask': encoder_attention_mask}


# tests/models/transformers/test_models_transformer_latte.py
class LatteTransformerTesterConfig(Base):

    @property
    def model_class(self):
        return LatteTransformer3DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'sample_size': 8, 'num_layers': 1, 'patch_size': 2, 'attention_head_dim': 4, 'num_attention_heads': 2, 'caption_channels': 8, 'in_channels': 4, 'cross_attention_dim': 8, 'out_channels': 8, 'attention_bias': True, 'activation_fn': 'gelu-approximate', 'num_embeds_ada_norm': 1000, 'norm_type': 'ada_norm_single', 'norm_elementwise_affine': False, 'norm_eps': 1e-06}

    def get_dummy_inputs(self, batch_size: int=2) -> dict[str, torch.Tensor]:
        num_channels = 4
        num_frames = 1
        height = width = 8
        embedding_dim = 8
        sequence_length = 8
        return {'hidden_states': randn_tensor((batch_size, num_channels, num_frames, height, width), generator=self.generator, device=torch_device), 'encoder_hidden_states': randn_tensor((batch_size, sequence_length, embedding_dim), generator=self.generator, device=torch_device), 'timestep': torch.randint(0, 1000, size=(batch_size,), generator=self.generator).to(torch_device), 'enable_temporal_attentions': True}


# tests/models/transformers/test_models_transformer_longcat_image.py
class LongCatImageTransformerTesterConfig(Base):

    @property
    def model_class(self):
        return LongCatImageTransformer2DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'patch_size': 1, 'in_channels': 4, 'num_layers': 1, 'num_single_layers': 1, 'attention_head_dim': 16, 'num_attention_heads': 2, 'joint_attention_dim': 32, 'pooled_projection_dim': 32, 'axes_dims_rope': [4, 4, 8]}

    def get_dummy_inputs(self, batch_size: int=1) -> dict[str, torch.Tensor]:
        num_latent_channels = 4
        num_image_channels = 3
        height = width = 4
        sequence_length = 48
        embedding_dim = 32
        return {'hidden_states': randn_tensor((batch_size, height * width, num_latent_channels), generator=self.generator, device=torch_device), 'encoder_hidden_states': randn_tensor((batch_size, sequence_length, embedding_dim), generator=self.generator, device=torch_device), 'img_ids': randn_tensor((height * width, num_image_channels), generator=self.generator, device=torch_device), 'txt_ids': randn_tensor((sequence_length, num_image_channels), generator=self.generator, device=torch_device), 'timestep': torch.tensor([1.0]).to(torch_device).expand(batch_size), 'guidance': torch.tensor([3.5]).to(torch_device).expand(batch_size)}


# tests/models/transformers/test_models_transformer_ltx.py
class LTXTransformerTesterConfig(Base):

    @property
    def model_class(self):
        return LTXVideoTransformer3DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self):
        return {'in_channels': 4, 'out_channels': 4, 'num_attention_heads': 2, 'attention_head_dim': 8, 'cross_attention_dim': 16, 'num_layers': 1, 'qk_norm': 'rms_norm_across_heads', 'caption_channels': 16}

    def get_dummy_inputs(self) -> dict[str, torch.Tensor]:
        batch_size = 2
        num_channels = 4
        num_frames = 2
        height = 16
        width = 16
        embedding_dim = 16
        sequence_length = 16
        return {'hidden_states': randn_tensor((batch_size, num_frames * height * width, num_channels), generator=self.generator, device=torch_device), 'encoder_hidden_states': randn_tensor((batch_size, sequence_length, embedding_dim), generator=self.generator, device=torch_device), 'timestep': torch.randint(0, 1000, size=(batch_size,), generator=self.generator).to(torch_device), 'encoder_attention_mask': torch.ones((batch_size, sequence_length)).bool().to(torch_device), 'num_frames': num_frames, 'height': height, 'width': width}


# tests/models/transformers/test_models_transformer_ltx2.py
class LTX2TransformerTesterConfig(Base):

    @property
    def model_class(self):
        return LTX2VideoTransformer3DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self):
        return {'in_channels': 4, 'out_channels': 4, 'patch_size': 1, 'patch_size_t': 1, 'num_attention_heads': 2, 'attention_head_dim': 8, 'cross_attention_dim': 16, 'audio_in_channels': 4, 'audio_out_channels': 4, 'audio_num_attention_heads': 2, 'audio_attention_head_dim': 4, 'audio_cross_attention_dim': 8, 'num_layers': 2, 'qk_norm': 'rms_norm_across_heads', 'caption_channels': 16, 'rope_double_precision': False}

    def get_dummy_inputs(self) -> dict[str, torch.Tensor]:
        batch_size = 2
        num_frames = 2
        num_channels = 4
        height = 16
        width = 16
        audio_num_frames = 9
        audio_num_channels = 2
        num_mel_bins = 2
        embedding_dim = 16
        sequence_length = 16
        return {'hidden_states': randn_tensor((batch_size, num_frames * height * width, num_channels), generator=self.generator, device=torch_device), 'audio_hidden_states': randn_tensor((batch_size, audio_num_frames, audio_num_channels * num_mel_bins), generator=self.generator, device=torch_device), 'encoder_hidden_states': randn_tensor((batch_size, sequence_length, embedding_dim), generator=self.generator, device=torch_device), 'audio_encoder_hidden_states': randn_tensor((batch_size, sequence_length, embedding_dim), generator=self.generator, device=torch_device), 'timestep': randn_tensor((batch_size,), generator=self.generator, device=torch_device).abs() * 1000, 'encoder_attention_mask': torch.ones((batch_size, sequence_length)).bool().to(torch_device), 'num_frames': num_frames, 'height': height, 'width': width, 'audio_num_frames': audio_num_frames, 'fps': 25.0}


# tests/models/transformers/test_models_transformer_lumina.py
class LuminaNextDiTTesterConfig(Base):

    @property
    def model_class(self):
        return LuminaNextDiT2DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'sample_size': 16, 'patch_size': 2, 'in_channels': 4, 'hidden_size': 24, 'num_layers': 2, 'num_attention_heads': 3, 'num_kv_heads': 1, 'multiple_of': 16, 'ffn_dim_multiplier': None, 'norm_eps': 1e-05, 'learn_sigma': False, 'qk_norm': True, 'cross_attention_dim': 32, 'scaling_factor': 1.0}

    def get_dummy_inputs(self, batch_size: int=2) -> dict[str, torch.Tensor]:
        num_channels = 4
        height = width = 16
        embedding_dim = 32
        sequence_length = 16
        return {'hidden_states': randn_tensor((batch_size, num_channels, height, width), generator=self.generator, device=torch_device), 'encoder_hidden_states': randn_tensor((batch_size, sequence_length, embedding_dim), generator=self.generator, device=torch_device), 'timestep': torch.rand(size=(batch_size,), generator=self.generator).to(torch_device), 'encoder_mask': randn_tensor((batch_size, sequence_length), generator=self.generator, device=torch_device), 'image_rotary_emb': randn_tensor((384, 384, 4), generator=self.generator, device=torch_device), 'cross_attention_kwargs': {}}


# tests/models/transformers/test_models_transformer_lumina2.py
class Lumina2TransformerTesterConfig(Base):

    @property
    def model_class(self):
        return Lumina2Transformer2DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'sample_size': 16, 'patch_size': 2, 'in_channels': 4, 'hidden_size': 24, 'num_layers': 2, 'num_refiner_layers': 1, 'num_attention_heads': 3, 'num_kv_heads': 1, 'multiple_of': 2, 'ffn_dim_multiplier': None, 'norm_eps': 1e-05, 'scaling_factor': 1.0, 'axes_dim_rope': (4, 2, 2), 'axes_lens': (128, 128, 128), 'cap_feat_dim': 32}

    def get_dummy_inputs(self, batch_size: int=2) -> dict[str, torch.Tensor]:
        num_channels = 4
        height = width = 16
        embedding_dim = 32
        sequence_length = 16
        return {'hidden_states': randn_tensor((batch_size, num_channels, height, width), generator=self.generator, device=torch_device), 'encoder_hidden_states': randn_tensor((batch_size, sequence_length, embedding_dim), generator=self.generator, device=torch_device), 'timestep': torch.rand(size=(batch_size,), generator=self.generator).to(torch_device), 'encoder_attention_mask': torch.ones((batch_size, sequence_length), dtype=torch.bool, device=torch_device)}


# tests/models/transformers/test_models_transformer_mochi.py
class MochiTransformerTesterConfig(Base):

    @property
    def model_class(self):
        return MochiTransformer3DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'patch_size': 2, 'num_attention_heads': 2, 'attention_head_dim': 8, 'num_layers': 2, 'pooled_projection_dim': 16, 'in_channels': 4, 'out_channels': None, 'qk_norm': 'rms_norm', 'text_embed_dim': 16, 'time_embed_dim': 4, 'activation_fn': 'swiglu', 'max_sequence_length': 16}

    def get_dummy_inputs(self, batch_size: int=2) -> dict[str, torch.Tensor]:
        num_channels = 4
        num_frames = 2
        height = 16
        width = 16
        embedding_dim = 16
        sequence_length = 16
        return {'hidden_states': randn_tensor((batch_size, num_channels, num_frames, height, width), generator=self.generator, device=torch_device), 'encoder_hidden_states': randn_tensor((batch_size, sequence_length, embedding_dim), generator=self.generator, device=torch_device), 'timestep': torch.randint(0, 1000, size=(batch_size,), generator=self.generator).to(torch_device), 'encoder_attention_mask': torch.ones((batch_size, sequence_length), dtype=torch.bool).to(torch_device)}


# tests/models/transformers/test_models_transformer_nucleusmoe_image.py
class NucleusMoEImageTransformerTesterConfig(Base):

    @property
    def model_class(self):
        return NucleusMoEImageTransformer2DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'patch_size': 2, 'in_channels': 16, 'out_channels': 4, 'num_layers': 2, 'attention_head_dim': 16, 'num_attention_heads': 4, 'joint_attention_dim': 16, 'axes_dims_rope': (8, 4, 4), 'moe_enabled': False, 'capacity_factors': [8.0, 8.0]}

    def get_dummy_inputs(self) -> dict:
        batch_size = 1
        in_channels = 16
        joint_attention_dim = 16
        height = width = 4
        sequence_length = 8
        hidden_states = randn_tensor((batch_size, height * width, in_channels), generator=self.generator, device=torch_device)
        encoder_hidden_states = randn_tensor((batch_size, sequence_length, joint_attention_dim), generator=self.generator, device=torch_device)
        encoder_hidden_states_mask = torch.ones((batch_size, sequence_length), dtype=torch.long).to(torch_device)
        timestep = torch.tensor([1.0]).to(torch_device).expand(batch_size)
        img_shapes = [(1, height, width)] * batch_size
        return {'hidden_states': hidden_states, 'encoder_hidden_states': encoder_hidden_states, 'encoder_hidden_states_mask': encoder_hidden_states_mask, 'timestep': timestep, 'img_shapes': img_shapes}


# tests/models/transformers/test_models_transformer_ovis_image.py
class OvisImageTransformerTesterConfig(Base):

    @property
    def model_class(self):
        return OvisImageTransformer2DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'patch_size': 1, 'in_channels': 4, 'out_channels': 4, 'num_layers': 1, 'num_single_layers': 1, 'attention_head_dim': 16, 'num_attention_heads': 2, 'joint_attention_dim': 32, 'axes_dims_rope': (4, 4, 8)}

    def get_dummy_inputs(self, batch_size: int=1) -> dict[str, torch.Tensor]:
        num_latent_channels = 4
        num_image_channels = 3
        height = width = 4
        sequence_length = 48
        embedding_dim = 32
        return {'hidden_states': randn_tensor((batch_size, height * width, num_latent_channels), generator=self.generator, device=torch_device), 'encoder_hidden_states': randn_tensor((batch_size, sequence_length, embedding_dim), generator=self.generator, device=torch_device), 'img_ids': randn_tensor((height * width, num_image_channels), generator=self.generator, device=torch_device), 'txt_ids': randn_tensor((sequence_length, num_image_channels), generator=self.generator, device=torch_device), 'timestep': torch.tensor([1.0]).to(torch_device).expand(batch_size)}


# tests/models/transformers/test_models_transformer_prx.py
class PRXTransformerTesterConfig(Base):

    @property
    def model_class(self):
        return PRXTransformer2DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'in_channels': 16, 'patch_size': 2, 'context_in_dim': 1792, 'hidden_size': 1792, 'mlp_ratio': 3.5, 'num_heads': 28, 'depth': 4, 'axes_dim': [32, 32], 'theta': 10000}

    def get_dummy_inputs(self, batch_size: int=1) -> dict[str, torch.Tensor]:
        num_latent_channels = 16
        height = width = 16
        sequence_length = 16
        embedding_dim = 1792
        return {'hidden_states': randn_tensor((batch_size, num_latent_channels, height, width), generator=self.generator, device=torch_device), 'encoder_hidden_states': randn_tensor((batch_size, sequence_length, embedding_dim), generator=self.generator, device=torch_device), 'timestep': torch.tensor([1.0]).to(torch_device).expand(batch_size)}


# tests/models/transformers/test_models_transformer_qwenimage.py
class QwenImageTransformerTesterConfig(Base):

    @property
    def model_class(self):
        return QwenImageTransformer2DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict[str, int | list[int]]:
        return {'patch_size': 2, 'in_channels': 16, 'out_channels': 4, 'num_layers': 2, 'attention_head_dim': 16, 'num_attention_heads': 4, 'joint_attention_dim': 16, 'guidance_embeds': False, 'axes_dims_rope': (8, 4, 4)}

    def get_dummy_inputs(self, batch_size: int=1, device=torch_device) -> dict[str, torch.Tensor]:
        num_latent_channels = embedding_dim = 16
        height = width = 4
        sequence_length = 8
        vae_scale_factor = 4
        hidden_states = randn_tensor((batch_size, height * width, num_latent_channels), generator=self.generator, device=device)
        encoder_hidden_states = randn_tensor((batch_size, sequence_length, embedding_dim), generator=self.generator, device=device)
        encoder_hidden_states_mask = torch.ones((batch_size, sequence_length)).to(device, torch.long)
        timestep = torch.tensor([1.0]).to(device).expand(batch_size)
        orig_height = height * 2 * vae_scale_factor
        orig_width = width * 2 * vae_scale_factor
        img_shapes = [(1, orig_height // vae_scale_factor // 2, orig_width // vae_scale_factor // 2)] * batch_size
        return {'hidden_states': hidden_states, 'encoder_hidden_states': encoder_hidden_states, 'encoder_hidden_states_mask': encoder_hidden_states_mask, 'timestep': timestep, 'img_shapes': img_shapes}


# tests/models/transformers/test_models_transformer_sana_video.py
class SanaVideoTransformer3DTesterConfig(Base):

    @property
    def model_class(self):
        return SanaVideoTransformer3DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'in_channels': 16, 'out_channels': 16, 'num_attention_heads': 2, 'attention_head_dim': 12, 'num_layers': 2, 'num_cross_attention_heads': 2, 'cross_attention_head_dim': 12, 'cross_attention_dim': 24, 'caption_channels': 16, 'mlp_ratio': 2.5, 'dropout': 0.0, 'attention_bias': False, 'sample_size': 8, 'patch_size': (1, 2, 2), 'norm_elementwise_affine': False, 'norm_eps': 1e-06, 'qk_norm': 'rms_norm_across_heads', 'rope_max_seq_len': 32}

    def get_dummy_inputs(self, batch_size: int=1) -> dict[str, torch.Tensor]:
        num_channels = 16
        num_frames = 2
        height = width = 16
        text_encoder_embedding_dim = 16
        sequence_length = 12
        return {'hidden_states': randn_tensor((batch_size, num_channels, num_frames, height, width), generator=self.generator, device=torch_device), 'encoder_hidden_states': randn_tensor((batch_size, sequence_length, text_encoder_embedding_dim), generator=self.generator, device=torch_device), 'timestep': torch.randint(0, 1000, size=(batch_size,), generator=self.generator).to(torch_device)}


# tests/models/transformers/test_models_transformer_skyreels_v2.py
class SkyReelsV2TransformerTesterConfig(Base):

    @property
    def model_class(self):
        return SkyReelsV2Transformer3DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict:
        return {'patch_size': (1, 2, 2), 'num_attention_heads': 2, 'attention_head_dim': 12, 'in_channels': 4, 'out_channels': 4, 'text_dim': 16, 'freq_dim': 256, 'ffn_dim': 32, 'num_layers': 2, 'cross_attn_norm': True, 'qk_norm': 'rms_norm_across_heads', 'rope_max_seq_len': 32}

    def get_dummy_inputs(self, batch_size: int=1) -> dict[str, torch.Tensor]:
        num_channels = 4
        num_frames = 2
        height = 16
        width = 16
        text_encoder_embedding_dim = 16
        sequence_length = 12
        return {'hidden_states': randn_tensor((batch_size, num_channels, num_frames, height, width), generator=self.generator, device=torch_device), 'encoder_hidden_states': randn_tensor((batch_size, sequence_length, text_encoder_embedding_dim), generator=self.generator, device=torch_device), 'timestep': torch.randint(0, 1000, size=(batch_size,), generator=self.generator).to(torch_device)}


# tests/models/transformers/test_models_transformer_stable_audio3.py
TINY_CFG = {'io_channels': 8, 'patch_size': 1, 'embed_dim': 32, 'depth': 2, 'num_heads': 4, 'cond_token_dim': 16, 'global_cond_dim': 12, 'local_add_cond_dim': 5, 'timestep_features_dim': 16, 'ff_mult': 2, 'num_memory_tokens': 3, 'use_differential_attention': False}
BATCH_SIZE = 2
T_AUDIO = 16
T_TEXT = 4
GLOBAL_DIM = TINY_CFG['global_cond_dim']
COND_DIM = TINY_CFG['cond_token_dim']
IO_CHANNELS = TINY_CFG['io_channels']
def _make_inputs(batch: int=BATCH_SIZE, device: str='cpu'):
    torch.manual_seed(0)
    hidden_states = torch.randn(batch, IO_CHANNELS, T_AUDIO, device=device)
    timestep = torch.rand(batch, device=device)
    encoder_hidden_states = torch.randn(batch, T_TEXT, COND_DIM, device=device)
    global_hidden_states = torch.randn(batch, GLOBAL_DIM, device=device)
    return (hidden_states, timestep, encoder_hidden_states, global_hidden_states)
class StableAudio3DiTTesterConfig(Base):

    @property
    def model_class(self):
        return StableAudio3DiTModel

    def get_init_dict(self) -> dict:
        return dict(TINY_CFG)

    def get_dummy_inputs(self) -> dict:
        hidden_states, timestep, encoder_hidden_states, global_hidden_states = _make_inputs(batch=BATCH_SIZE, device=torch_device)
        return {'hidden_states': hidden_states, 'timestep': timestep, 'encoder_hidden_states': encoder_hidden_states, 'global_hidden_states': global_hidden_states}


# tests/models/transformers/test_models_transformer_wan_animate.py
class WanAnimateTransformer3DTesterConfig(Base):

    @property
    def model_class(self):
        return WanAnimateTransformer3DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict[str, int | list[int] | tuple | str | bool | float | dict]:
        channel_sizes = {'4': 16, '8': 16, '16': 16}
        return {'patch_size': (1, 2, 2), 'num_attention_heads': 2, 'attention_head_dim': 12, 'in_channels': 12, 'latent_channels': 4, 'out_channels': 4, 'text_dim': 16, 'freq_dim': 256, 'ffn_dim': 32, 'num_layers': 2, 'cross_attn_norm': True, 'qk_norm': 'rms_norm_across_heads', 'image_dim': 16, 'rope_max_seq_len': 32, 'motion_encoder_channel_sizes': channel_sizes, 'motion_encoder_size': 16, 'motion_style_dim': 8, 'motion_dim': 4, 'motion_encoder_dim': 16, 'face_encoder_hidden_dim': 16, 'face_encoder_num_heads': 2, 'inject_face_latents_blocks': 2}

    def get_dummy_inputs(self) -> dict[str, torch.Tensor]:
        batch_size = 1
        num_channels = 4
        num_frames = 20
        height = 16
        width = 16
        text_encoder_embedding_dim = 16
        sequence_length = 12
        clip_seq_len = 12
        clip_dim = 16
        inference_segment_length = 77
        face_height = 16
        face_width = 16
        return {'hidden_states': randn_tensor((batch_size, 2 * num_channels + 4, num_frames + 1, height, width), generator=self.generator, device=torch_device, dtype=self.torch_dtype), 'timestep': torch.randint(0, 1000, size=(batch_size,), generator=self.generator).to(torch_device), 'encoder_hidden_states': randn_tensor((batch_size, sequence_length, text_encoder_embedding_dim), generator=self.generator, device=torch_device, dtype=self.torch_dtype), 'encoder_hidden_states_image': randn_tensor((batch_size, clip_seq_len, clip_dim), generator=self.generator, device=torch_device, dtype=self.torch_dtype), 'pose_hidden_states': randn_tensor((batch_size, num_channels, num_frames, height, width), generator=self.generator, device=torch_device, dtype=self.torch_dtype), 'face_pixel_values': randn_tensor((batch_size, 3, inference_segment_length, face_height, face_width), generator=self.generator, device=torch_device, dtype=self.torch_dtype)}


# tests/models/transformers/test_models_transformer_wan_vace.py
class WanVACETransformer3DTesterConfig(Base):

    @property
    def model_class(self):
        return WanVACETransformer3DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self) -> dict[str, int | list[int] | tuple | str | bool | None]:
        return {'patch_size': (1, 2, 2), 'num_attention_heads': 2, 'attention_head_dim': 12, 'in_channels': 16, 'out_channels': 16, 'text_dim': 32, 'freq_dim': 256, 'ffn_dim': 32, 'num_layers': 4, 'cross_attn_norm': True, 'qk_norm': 'rms_norm_across_heads', 'rope_max_seq_len': 32, 'vace_layers': [0, 2], 'vace_in_channels': 48}

    def get_dummy_inputs(self) -> dict[str, torch.Tensor]:
        batch_size = 1
        num_channels = 16
        num_frames = 2
        height = 16
        width = 16
        text_encoder_embedding_dim = 32
        sequence_length = 12
        vace_in_channels = 48
        return {'hidden_states': randn_tensor((batch_size, num_channels, num_frames, height, width), generator=self.generator, device=torch_device, dtype=self.torch_dtype), 'encoder_hidden_states': randn_tensor((batch_size, sequence_length, text_encoder_embedding_dim), generator=self.generator, device=torch_device, dtype=self.torch_dtype), 'control_hidden_states': randn_tensor((batch_size, vace_in_channels, num_frames, height, width), generator=self.generator, device=torch_device, dtype=self.torch_dtype), 'timestep': torch.randint(0, 1000, size=(batch_size,), generator=self.generator).to(torch_device)}


# tests/models/transformers/test_models_transformer_z_image.py
class ZImageTransformerTesterConfig(Base):

    @property
    def model_class(self):
        return ZImageTransformer2DModel

    @property
    def generator(self):
        return torch.Generator('cpu').manual_seed(0)

    def get_init_dict(self):
        return {'all_patch_size': (2,), 'all_f_patch_size': (1,), 'in_channels': 16, 'dim': 16, 'n_layers': 1, 'n_refiner_layers': 1, 'n_heads': 1, 'n_kv_heads': 2, 'qk_norm': True, 'cap_feat_dim': 16, 'rope_theta': 256.0, 't_scale': 1000.0, 'axes_dims': [8, 4, 4], 'axes_lens': [256, 32, 32]}

    def get_dummy_inputs(self) -> dict[str, torch.Tensor | list]:
        batch_size = 1
        num_channels = 16
        embedding_dim = 16
        sequence_length = 16
        height = 16
        width = 16
        hidden_states = [randn_tensor((num_channels, 1, height, width), generator=self.generator, device=torch_device) for _ in range(batch_size)]
        encoder_hidden_states = [randn_tensor((sequence_length, embedding_dim), generator=self.generator, device=torch_device) for _ in range(batch_size)]
        timestep = torch.tensor([0.0]).to(torch_device)
        return {'x': hidden_states, 'cap_feats': encoder_hidden_states, 't': timestep}


_LAYERS = re.compile(r"^(n_layers|num_(\w+_)?layers|num_(\w+_)?blocks|depth)$")


def configs() -> dict:
    """Model class name -> its tester config class."""
    out = {}
    for name, cls in globals().items():
        if isinstance(cls, type) and issubclass(cls, Base) and cls is not Base:
            out.setdefault(cls().model_class.__name__, cls)
    return out


#: models whose dummy inputs are made for the block counts of their config (one input per block)
AS_CONFIGURED = ("HiDreamImageTransformer2DModel", "BriaFiboTransformer2DModel", "WanAnimateTransformer3DModel",
                 "NucleusMoEImageTransformer2DModel")


def build(name: str, layers: int = 2):
    """``(model, inputs)``: the tiny model (seeded, eval mode) with every block count at least ``layers`` (except
    :data:`AS_CONFIGURED`)."""
    cfg = configs()[name]()
    init = cfg.get_init_dict()
    for k, v in list(init.items()):
        if name not in AS_CONFIGURED and _LAYERS.match(k) and isinstance(v, int) and 0 < v < layers:
            init[k] = layers
    torch.manual_seed(0)
    model = cfg.model_class(**init).eval()
    return model, cfg.get_dummy_inputs()
