"""A class-conditional sampling pipeline for a diffusers ``UNet2DModel`` (diffusers ships none for U-Nets).

It is the pipeline of the embedded MNIST model, written the diffusers way: components ``unet`` and ``scheduler``
(any diffusers scheduler), ``from_pretrained``/``save_pretrained``, a progress bar, classifier-free guidance
batched into one U-Net call. The last class embedding is the null class.
"""

from __future__ import annotations

import inspect

import numpy as np
import torch
from diffusers import DiffusionPipeline, ImagePipelineOutput, UNet2DModel
from diffusers.utils.torch_utils import randn_tensor


class ClassConditionalPipeline(DiffusionPipeline):
    model_cpu_offload_seq = "unet"

    def __init__(self, unet: UNet2DModel, scheduler):
        super().__init__()
        self.register_modules(unet=unet, scheduler=scheduler)

    @property
    def null_class(self) -> int:
        return self.unet.config.num_class_embeds - 1

    @torch.no_grad()
    def __call__(self, class_labels, num_inference_steps: int = 50, guidance_scale: float = 1.0,
                 generator: torch.Generator | list[torch.Generator] | None = None, eta: float = 0.0,
                 use_clipped_model_output: bool | None = True, output_type: str = "pil", return_dict: bool = True):
        """Sample one image per entry of ``class_labels`` (ints in ``[0, null_class)``).

        ``use_clipped_model_output`` (as in diffusers' ``DDIMPipeline``; ``None``: not passed, or for schedulers
        without it): re-derive the noise from the clipped x0 prediction (GLIDE). On by default here: DDIM otherwise
        steps with a clipped x0 and the unclipped noise, and on the embedded model that mismatch adds up with the
        step count (stray blobs, thicker strokes; measured in its model card).
        ``output_type``: ``"pil"``, ``"np"`` (NHWC floats in [0, 1]) or ``"pt"`` (NCHW in [-1, 1]).
        """
        device, dtype = self._execution_device, self.unet.dtype
        labels = torch.as_tensor(class_labels, dtype=torch.long).reshape(-1).to(device)
        if labels.numel() == 0 or labels.min() < 0 or labels.max() >= self.null_class:
            raise ValueError(f"class_labels must be integers in [0, {self.null_class}), got {class_labels!r}")
        cfg = self.unet.config
        shape = (len(labels), cfg.in_channels, cfg.sample_size, cfg.sample_size)
        x = randn_tensor(shape, generator=generator, device=device, dtype=dtype) * self.scheduler.init_noise_sigma
        self.scheduler.set_timesteps(num_inference_steps, device=device)
        guided = guidance_scale > 1.0
        y = torch.cat([torch.full_like(labels, self.null_class), labels]) if guided else labels
        step_kwargs = {}
        params = inspect.signature(self.scheduler.step).parameters
        if "eta" in params:
            step_kwargs["eta"] = eta
        if "generator" in params:
            step_kwargs["generator"] = generator
        if "use_clipped_model_output" in params and use_clipped_model_output is not None:
            step_kwargs["use_clipped_model_output"] = use_clipped_model_output
        for t in self.progress_bar(self.scheduler.timesteps):
            model_input = self.scheduler.scale_model_input(torch.cat([x, x]) if guided else x, t)
            eps = self.unet(model_input, t, class_labels=y).sample
            if guided:
                uncond, cond = eps.chunk(2)
                eps = uncond + guidance_scale * (cond - uncond)
            x = self.scheduler.step(eps, t, x, **step_kwargs).prev_sample
        if output_type == "pt":
            images = x
        else:
            images = (x / 2 + 0.5).clamp(0, 1).permute(0, 2, 3, 1).float().cpu().numpy()
            if output_type == "pil":
                images = self.numpy_to_pil(images)
            elif output_type != "np":
                raise ValueError(f"output_type must be 'pil', 'np' or 'pt', got {output_type!r}")
        self.maybe_free_model_hooks()
        if not return_dict:
            return (images,)
        return ImagePipelineOutput(images=images)


def to_uint8(images: np.ndarray) -> np.ndarray:
    """NHWC floats in [0, 1] -> uint8 (N, H, W) for one-channel images."""
    return np.round(np.clip(images[..., 0], 0, 1) * 255).astype(np.uint8)
