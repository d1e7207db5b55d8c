"""FID-domain of real digits: the floor of the metric at a given sample size.

Draws ``--draws`` random sets of n real digits from the 10,000 the reference statistics come from and scores each
against those statistics, exactly as generated samples are scored. A generated set that scores within this spread
is, on this metric and at this n, as good as real data: differences below it cannot be seen.

    python benchmarks/real_floor.py --out benchmarks/results
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

from stepcache.embedded import evaluation as ev


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[500, 1000, 2000])
    ap.add_argument("--draws", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    rng = np.random.default_rng(args.seed)
    rows = []
    for n in args.sizes:
        scores = ev.real_fid_domain(n, args.draws, seed=rng)
        rows.append({"n": n, "mean": float(np.mean(scores)), "min": float(np.min(scores)),
                     "max": float(np.max(scores)), "scores": scores})
    args.out.mkdir(parents=True, exist_ok=True)
    command = "python benchmarks/real_floor.py " + " ".join(sys.argv[1:])
    (args.out / "real_floor.json").write_text(json.dumps({"command": command, "rows": rows}, indent=2) + "\n")
    md = ["# FID-domain of real digits (the metric's floor)\n", f"Command: `{command}`\n",
          f"{args.draws} random sets of n real digits drawn from the 10,000 behind the reference statistics, each "
          "scored against them like a generated set.\n", "| n | mean | min | max |", "|---|---|---|---|"]
    md += [f"| {r['n']} | {r['mean']:.3f} | {r['min']:.3f} | {r['max']:.3f} |" for r in rows]
    (args.out / "real_floor.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
