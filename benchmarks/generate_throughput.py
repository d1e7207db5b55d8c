"""Throughput of `stepcache generate` on this machine: the embedded emoji models (the Stable Diffusion U-Net and its
PixArt transformer twin), 1 vs 2 workers, uncached vs DeepCache from a `stepcache plan` profile.

    OMP_NUM_THREADS=1 python benchmarks/generate_throughput.py --items 16 --steps 20 --batch 4 --out benchmarks/results

Each worker is one process with one torch thread (a worker per core). 1 worker: a plain process; 2 workers:
`torchrun --nproc_per_node 2 -m stepcache generate`, the same command that runs N ranks per node on a cluster.
The profiles (benchmarks/results/generate_profiles/<model>.json) were written by `stepcache plan` at the same step
count and sampler (their plan.md next to them gives the command). Every configuration of a model writes the same
items (the demo's prompts in turn, seeds 0..items-1, guidance 3); their PNGs are compared. The machine's load average
is recorded before and after each run: on a shared machine the numbers move with it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROFILES = Path(__file__).parent / "results" / "generate_profiles"


def run(model: str, workers: int, profile: Path | None, args, tmp: Path) -> dict:
    from stepcache.embedded.demo_emoji import PROMPTS

    folder = tmp / f"{model}-w{workers}-{'profile' if profile else 'uncached'}"
    spec = dict(model=model, prompts=[PROMPTS[i % len(PROMPTS)][0] for i in range(args.items)], steps=args.steps,
                guidance=3.0, batch_size=args.batch,
                deepcache={"profile": str(profile.resolve())} if profile else None)
    spec_path = tmp / f"{folder.name}.json"
    spec_path.write_text(json.dumps(spec))
    cmd = [sys.executable] + (["-m", "torch.distributed.run", "--nproc_per_node", str(workers),
                               "--master_port", str(29561 + workers)] if workers > 1 else []) + \
        ["-m", "stepcache", "generate", str(spec_path), "--threads", "1", "--out", str(folder)]
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=dict(os.environ, OMP_NUM_THREADS="1"), capture_output=True)
    wall = time.perf_counter() - t0
    summary = json.loads((folder / "summary.json").read_text())
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sorted((folder / "images").glob("*.png"))))
    shutil.rmtree(folder)
    return {"model": model, "workers": workers, "deepcache": "profile" if profile else "off", "items": args.items,
            "steps": args.steps, "generate_seconds": summary["seconds"], "items_per_s": summary["items_per_s"],
            "wall_seconds_with_startup": wall, "images_sha256": digest.hexdigest(),
            "load_average_before": load0, "load_average_after": os.getloadavg()[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="+", default=["emoji-sd", "emoji-pixart"])
    ap.add_argument("--items", type=int, default=16)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = ap.parse_args()
    rows = []
    tmp = Path(tempfile.mkdtemp())
    for model in args.models:
        for profile in (None, PROFILES / f"{model}.json"):
            for workers in (1, 2):
                rows.append(run(model, workers, profile, args, tmp))
                print(rows[-1], flush=True)
    lines = ["# `stepcache generate` throughput", "",
             f"Command: `OMP_NUM_THREADS=1 python benchmarks/generate_throughput.py --models {' '.join(args.models)} "
             f"--items {args.items} --steps {args.steps} --batch {args.batch}`  ",
             f"Machine: {os.cpu_count()} CPU cores, shared with other work (the load average before and after each "
             "run is in the table: above 2 the workers waited for a core, and the numbers are lower and noisier "
             f"than on a quiet machine); one torch thread per worker. DDIM {args.steps} steps (the pipelines' own), "
             f"guidance 3, {args.items} items of the demo's prompts, batches of {args.batch}; DeepCache from the "
             "`stepcache plan` profile in [generate_profiles](generate_profiles) (2x fewer denoiser MACs). items/s "
             "over the generation itself (model loading excluded; the wall time with start-up is shown too).", "",
             "| model | workers | DeepCache | items/s | vs 1 worker uncached | wall s incl. start-up | load avg before / "
             "after | same PNGs as 1 worker |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        base = next(b for b in rows if b["model"] == r["model"] and b["workers"] == 1 and b["deepcache"] == "off")
        one = next(b for b in rows if b["model"] == r["model"] and b["workers"] == 1
                   and b["deepcache"] == r["deepcache"])
        same = "yes" if r["images_sha256"] == one["images_sha256"] else "NO"
        lines.append(f"| {r['model']} | {r['workers']} | {r['deepcache']} | {r['items_per_s']:.2f} | "
                     f"{r['items_per_s'] / base['items_per_s']:.2f}x | {r['wall_seconds_with_startup']:.1f} | "
                     f"{r['load_average_before']:.1f} / {r['load_average_after']:.1f} | {same} |")
    lines += ["", "On a cluster: `torchrun --nnodes M --nproc_per_node N --rdzv-backend c10d "
              "--rdzv-endpoint HOST:PORT -m stepcache generate job.yaml --out /shared/out` (nccl on GPUs, gloo on "
              "CPUs); or `stepcache generate job.yaml --launcher ray --ray-address HEAD:PORT --workers N` on a running "
              "Ray cluster (see docs/commands.md)."]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "generate_throughput.md").write_text("\n".join(lines) + "\n")
    (args.out / "generate_throughput.json").write_text(json.dumps(rows, indent=2) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
