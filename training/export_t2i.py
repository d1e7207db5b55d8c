"""Write the emoji Stable Diffusion pipeline folder from a ``train_t2i.py`` checkpoint (EMA weights, or the raw ones if
they validate better, as early in a run when the EMA still lags) and the trained
VAE: unet, vae, text_encoder, tokenizer, scheduler (DDIM, the training betas), model_index.json; U-Net and VAE safetensors in fp16 (loaded as fp32), text encoder fp32;
no safety checker. ``StableDiffusionPipeline.from_pretrained(folder)`` loads it offline and makes 32x32 images.

Can run while training goes on (it reads the last checkpoint).

    python training/export_t2i.py --work /root/.cache/stepcache-train/t2i --out src/stepcache/embedded/models/emoji-sd
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import torch
from diffusers import StableDiffusionPipeline, UNet2DConditionModel
from transformers import CLIPTextConfig, CLIPTextModel, PreTrainedTokenizerFast

from train_t2i import WORK, inference_scheduler, load_vae


def pick_weights(work: Path, weights: str) -> str:
    """'ema' or 'raw'; 'best': the one with the lower held-out validation loss at the last validation."""
    if weights != "best":
        return weights
    rows = (work / "val.csv").read_text().strip().splitlines()[1:]
    if not rows:
        return "ema"
    _, raw, ema, _ = rows[-1].split(",")
    return "ema" if float(ema) <= float(raw) else "raw"


def export(work: Path, vae_dir: Path, out: Path, weights: str = "best") -> dict:
    if not vae_dir.exists() and (out / "vae").exists():
        vae_dir = out / "vae"  # the committed VAE (the training run's folder is gone)
    state = torch.load(work / "checkpoint.pt", weights_only=False, map_location="cpu")
    which = pick_weights(work, weights)
    prefix = "ema_" if which == "ema" else ""
    te = CLIPTextModel(CLIPTextConfig.from_dict(state["te_config"]))
    te.load_state_dict(state[prefix + "te"])
    unet = UNet2DConditionModel.from_config(state["unet_config"])
    unet.load_state_dict(state[prefix + "unet"])
    pipe = StableDiffusionPipeline(
        vae=load_vae(vae_dir), text_encoder=te.eval(), tokenizer=PreTrainedTokenizerFast.from_pretrained(work / "tokenizer"),
        unet=unet.eval(), scheduler=inference_scheduler(), safety_checker=None, feature_extractor=None,
        requires_safety_checker=False)
    pipe.unet.to(torch.float16); pipe.vae.to(torch.float16)  # the text encoder stays fp32 (1.7 MB -> 3.3 MB):
    # transformers loads a model in its saved dtype, diffusers in fp32, and a plain from_pretrained must run on CPU
    for sub in ("unet", "vae", "text_encoder", "tokenizer", "scheduler"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    pipe.save_pretrained(out, safe_serialization=True)
    info = {"step": state["step"], "train_minutes": round(state["elapsed"] / 60, 1), "weights": which}
    (out / "training.json").write_text(json.dumps({**info, **_run_meta(work)}, indent=2) + "\n")
    if vae_dir != out / "vae" and (vae_dir.parent / "report.json").exists():  # the VAE run's report (PSNR, steps, time)
        shutil.copy(vae_dir.parent / "report.json", out / "vae_training.json")
    if (work / "val.csv").exists():  # the held-out validation loss (the batch losses stay in the work folder)
        shutil.copy(work / "val.csv", out / "val_loss.csv")
    return info


def _run_meta(work: Path) -> dict:
    meta = {}
    for name in ("run.json",):
        if (work / name).exists():
            meta.update(json.loads((work / name).read_text()))
    return meta


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=WORK / "t2i")
    ap.add_argument("--vae", type=Path, default=WORK / "vae" / "final")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "src/stepcache/embedded/models/emoji-sd")
    ap.add_argument("--weights", choices=("best", "ema", "raw"), default="best",
                    help="EMA or raw weights; best: lower held-out validation loss at the last validation")
    args = ap.parse_args(argv)
    print(export(args.work, args.vae, args.out, args.weights))


if __name__ == "__main__":
    main()
