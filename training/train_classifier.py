"""Train the digit classifier behind FID-domain, on the same 10,000 real MNIST digits (9,000 train / 1,000 held out,
every 10th digit), and write its weights, the real-data feature statistics and a sanity report.

    python training/train_classifier.py --out src/stepcache/embedded/models/mnist-classifier
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file
from tqdm import tqdm

from stepcache.embedded import evaluation as ev
from stepcache.embedded.mnist import load_digits, pad_to_32


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", type=Path, default=ev.CLASSIFIER_DIR)
    args = ap.parse_args(argv)
    torch.set_flush_denormal(True)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    t0 = time.time()

    images, labels = load_digits()
    padded = pad_to_32(images)
    held = np.arange(len(padded)) % 10 == 0
    x = torch.from_numpy(padded[~held].astype(np.float32) / 127.5 - 1)[:, None]
    y = torch.from_numpy(labels[~held])
    model = ev.DigitClassifier()
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr)
    steps = args.epochs * (len(x) // args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, args.lr, total_steps=steps)
    gen = torch.Generator().manual_seed(args.seed)
    bar = tqdm(total=steps, desc="train classifier")
    for _ in range(args.epochs):
        order = torch.randperm(len(x), generator=gen)
        for i in range(len(x) // args.batch):
            idx = order[i * args.batch:(i + 1) * args.batch]
            dx, dy = torch.randint(-2, 3, (2,), generator=gen).tolist()  # small random shifts
            xb = torch.roll(x[idx], shifts=(dx, dy), dims=(2, 3))
            loss = torch.nn.functional.cross_entropy(model(xb), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.3f}")
    bar.close()
    model.eval()
    args.out.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(args.out / "model.safetensors"))
    ev.load_classifier.cache_clear()
    ev.reference_stats.cache_clear()

    feats = ev.features(padded)
    mu, sigma = ev.gaussian(feats)
    np.savez(args.out / "fid_stats.npz", mu=mu, sigma=sigma)

    # sanity scale for FID-domain
    rng = np.random.default_rng(args.seed)
    half = rng.permutation(len(padded))
    a, b = half[: len(half) // 2], half[len(half) // 2:]
    as_float = padded.astype(np.float32) / 255
    blurred = torch.nn.functional.avg_pool2d(torch.from_numpy(as_float)[:, None], 3, 1, 1)[:, 0].numpy()
    noisy = np.clip(as_float + rng.normal(0, 0.1, as_float.shape), 0, 1).astype(np.float32)
    fid = lambda imgs, ref: ev.frechet_distance(*ev.gaussian(ev.features(imgs)), *ev.gaussian(feats[ref]))  # noqa
    report = {
        "held_out_accuracy": ev.accuracy(padded[held], labels[held]),
        "held_out_count": int(held.sum()),
        "train_accuracy": ev.accuracy(padded[~held], labels[~held]),
        "fid_domain_sanity": {
            "real_half_vs_other_half": fid(padded[a], b),
            "real_500_vs_other_half": fid(padded[a[:500]], b),
            "box_blur_3x3_vs_other_half": fid(blurred[a], b),
            "gaussian_noise_0.1_vs_other_half": fid(noisy[a], b),
        },
        "epochs": args.epochs, "seed": args.seed, "train_seconds": round(time.time() - t0, 1),
        "command": "python training/train_classifier.py --out src/stepcache/embedded/models/mnist-classifier",
    }
    (args.out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
