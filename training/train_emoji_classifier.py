"""Train the subcategory classifier behind the emoji quality measures (prompt agreement, FID-emoji) on the real 32x32
emoji of the train-side emoji; report its accuracy on the held-out emoji (never seen: the split is by emoji), and
write its weights (safetensors), the subcategory names, the held-out prompts and the real-data feature statistics.

    OMP_NUM_THREADS=1 python training/train_emoji_classifier.py --out src/stepcache/models/emoji-classifier
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

from stepcache import emoji as E
from stepcache import emoji_eval as ev
from stepcache.emoji_eval import frechet_distance, gaussian


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=24)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", type=Path, default=ev.CLASSIFIER_DIR)
    args = ap.parse_args(argv)
    torch.set_flush_denormal(True)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    t0 = time.time()

    data = E.load()
    held = data.held_out
    x = torch.from_numpy(E.to_model_range(data.images[~held]))
    y = torch.from_numpy(data.labels[~held])
    model = ev.EmojiClassifier(len(data.subcategories))
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    per_epoch = len(x) // args.batch
    steps = args.epochs * per_epoch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, args.lr, total_steps=steps)
    gen = torch.Generator().manual_seed(args.seed)
    bar = tqdm(total=steps, desc="train emoji classifier", mininterval=10)
    for _ in range(args.epochs):
        order = torch.randperm(len(x), generator=gen)
        for i in range(per_epoch):
            idx = order[i * args.batch:(i + 1) * args.batch]
            xb = x[idx]
            dx, dy = torch.randint(-2, 3, (2,), generator=gen).tolist()  # small random shifts (white wraps in)
            xb = torch.roll(xb, shifts=(dx, dy), dims=(2, 3))
            flip = torch.rand(len(xb), generator=gen) < 0.5
            xb = torch.where(flip.view(-1, 1, 1, 1), xb.flip(3), xb)
            loss = torch.nn.functional.cross_entropy(model(xb), y[idx], label_smoothing=0.1)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.3f}")
    bar.close()
    model.eval()
    args.out.mkdir(parents=True, exist_ok=True)
    save_file({k: v.detach().half().contiguous() for k, v in model.state_dict().items()},
              str(args.out / "model.safetensors"))
    (args.out / "subcategories.json").write_text(json.dumps(data.subcategories, indent=0) + "\n")
    rows, seen = [], set()
    for p, lab, h in zip(data.prompts, data.labels, held):
        if h and p not in seen:
            seen.add(p)
            rows.append([p, data.subcategories[lab]])
    (args.out / "held_out.json").write_text(json.dumps(rows, indent=0) + "\n")
    ev.CLASSIFIER_DIR = args.out
    ev._load_classifier.cache_clear(); ev._subcategories.cache_clear(); ev._reference_stats.cache_clear()

    feats = ev.features(data.images)
    mu, sigma = gaussian(feats)
    np.savez(args.out / "fid_stats.npz", mu=mu, sigma=sigma)
    rng = np.random.default_rng(args.seed)
    real_500 = [ev.fid(feats=feats[rng.choice(len(feats), 500, replace=False)]) for _ in range(5)]
    real_held = feats[held]
    half = rng.permutation(len(feats))
    a, b = half[: len(half) // 2], half[len(half) // 2:]
    report = {
        "held_out_accuracy": ev.agreement(data.images[held], data.labels[held]),
        "held_out_images": int(held.sum()), "held_out_emoji": len({b for b, h in zip(data.bases, held) if h}),
        "held_out_prompts": len(rows),
        "train_accuracy": ev.agreement(data.images[~held], data.labels[~held]),
        "classes": len(data.subcategories),
        "fid_sanity": {
            "real_500_vs_all_mean_of_5": float(np.mean(real_500)),
            "real_held_out_vs_all": ev.fid(feats=real_held),
            "real_half_vs_other_half": frechet_distance(*gaussian(feats[a]), *gaussian(feats[b])),
        },
        "epochs": args.epochs, "batch": args.batch, "lr": args.lr, "seed": args.seed, "threads": args.threads,
        "train_seconds": round(time.time() - t0, 1),
        "command": "OMP_NUM_THREADS=1 python training/train_emoji_classifier.py --out src/stepcache/models/emoji-classifier",
    }
    (args.out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
