"""Throughput of `stepcache generate` on this machine: 1 vs 2 workers, DeepCache on and off.

    python benchmarks/generate_throughput.py --items 200 --steps 50 --out benchmarks/results

Each worker is one process with one torch thread (a worker per core). 1 worker: a plain process; 2 workers:
`torchrun --nproc_per_node 2 -m stepcache generate`, the same command that runs N ranks per node on a cluster
(add --nnodes / --rdzv-endpoint there). Every configuration writes the same items; their PNGs are compared.
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


def run(workers: int, deepcache: bool, items: int, steps: int, batch: int, folder: Path) -> dict:
    args = ["-m", "stepcache", "generate", "--items", str(items), "--steps", str(steps), "--batch-size", str(batch),
            "--threads", "1", "--out", str(folder)]
    if not deepcache:
        args.append("--no-deepcache")
    cmd = [sys.executable] + (["-m", "torch.distributed.run", "--nproc_per_node", str(workers),
                               "--master_port", "29561"] if workers > 1 else []) + args
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=dict(os.environ, OMP_NUM_THREADS="1"), capture_output=True)
    wall = time.perf_counter() - t0
    summary = json.loads((folder / "summary.json").read_text())
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sorted((folder / "images").glob("*.png"))))
    return {"workers": workers, "deepcache": deepcache, "items": items, "generate_seconds": summary["seconds"],
            "items_per_s": summary["items_per_s"], "wall_seconds_with_startup": wall,
            "images_sha256": digest.hexdigest()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=200)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = ap.parse_args()
    rows = []
    tmp = Path(tempfile.mkdtemp())
    for deepcache in (False, True):
        for workers in (1, 2):
            folder = tmp / f"w{workers}-dc{int(deepcache)}"
            rows.append(run(workers, deepcache, args.items, args.steps, args.batch, folder))
            shutil.rmtree(folder)
            print(rows[-1], flush=True)
    base = rows[0]["items_per_s"]
    lines = ["# `stepcache generate` throughput", "",
             f"Command: `python benchmarks/generate_throughput.py --items {args.items} --steps {args.steps} "
             f"--batch {args.batch}`  ",
             f"Machine: {os.cpu_count()} CPU cores, one torch thread per worker; embedded MNIST DDPM, DDIM "
             f"{args.steps} steps, DeepCache N=3 branch 3 (the job default); items/s over the generation itself "
             "(model loading excluded, shown with it in the last column).", "",
             "| workers | DeepCache | items/s | vs 1 worker uncached | wall s incl. start-up | same PNGs as row 1 |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        same = "yes" if r["images_sha256"] == rows[0]["images_sha256"] else "no (DeepCache changes pixels)" \
            if r["deepcache"] else "NO"
        if r["deepcache"]:
            same = "yes (vs 1 worker with DeepCache)" if r["images_sha256"] == rows[2]["images_sha256"] else "NO"
        lines.append(f"| {r['workers']} | {'on' if r['deepcache'] else 'off'} | {r['items_per_s']:.2f} | "
                     f"{r['items_per_s'] / base:.2f}x | {r['wall_seconds_with_startup']:.1f} | {same} |")
    lines += ["", "On a cluster: `torchrun --nnodes M --nproc_per_node N --rdzv-backend c10d "
              "--rdzv-endpoint HOST:PORT -m stepcache generate job.yaml --out /shared/out` (nccl on GPUs, gloo on "
              "CPUs); or `stepcache generate job.yaml --launcher ray --workers N` inside a Ray cluster."]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "generate_throughput.md").write_text("\n".join(lines) + "\n")
    (args.out / "generate_throughput.json").write_text(json.dumps(rows, indent=2) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
