"""The bookkeeping cost of stepcache against the official DeepCache helper, where it is visible.

    python benchmarks/overhead_bench.py --rounds 20 --out benchmarks/results

Both implementations run exactly the same tensor operations (their outputs are bit-identical), so on a U-Net of
real size their times differ by less than the timing noise. What differs is the Python around each U-Net call:
stepcache counts calls and looks up a few hook flags; the official helper converts the scheduler's timesteps to a
list and searches it on every call, and wraps every resnet and attention module. This benchmark makes that part
visible with U-Nets whose calls are cheap: the SD 1.5 layout at 1/16 width on 8x8 latents (CFG batch 2) and the
embedded MNIST DDPM at batch 1. Each round times stepcache and the official helper back to back (the order
alternating), ``rounds`` rounds; the ratio is the median over rounds of ours / theirs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
import torch

from stepcache.embedded.bench import Setting, machine, sd_call, sd_shaped_pipe
from stepcache.core.config import DeepCacheConfig
from stepcache.embedded.sampling import load_embedded, markdown_table


def _ddpm_call(pipe, steps: int):
    return lambda: pipe([7], num_inference_steps=steps, guidance_scale=1.0,
                        generator=[torch.Generator().manual_seed(0)], output_type="np").images


def compare(pipe, call, config: DeepCacheConfig, steps: int, rounds: int) -> dict:
    ours, theirs = Setting("ours", steps, config), Setting("official", steps, config, official=True)
    times = {"ours": [], "official": []}
    outputs = {}
    for s in (ours, theirs):  # warm-up and outputs
        with s.context(pipe):
            outputs[s.name] = np.asarray(call())
    for k in range(rounds):
        for s in ((ours, theirs) if k % 2 == 0 else (theirs, ours)):
            with s.context(pipe):
                t0 = time.perf_counter()
                call()
                times[s.name].append(time.perf_counter() - t0)
    ratios = [a / b for a, b in zip(times["ours"], times["official"])]
    return {"ours_ms": 1000 * statistics.median(times["ours"]),
            "official_ms": 1000 * statistics.median(times["official"]),
            "ours_over_official": statistics.median(ratios),
            "rounds_ours_faster": sum(r < 1 for r in ratios), "rounds": rounds,
            "max_abs_diff": float(np.abs(outputs["ours"] - outputs["official"]).max())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    sd = sd_shaped_pipe(16, 8)
    ddpm = load_embedded()
    cases = [("SD 1.5 layout, 1/16 width, 8x8 latents, CFG batch 2", sd, sd_call(sd, args.steps), n, 1)
             for n in (2, 3, 5, 10)]
    cases += [("embedded MNIST DDPM, batch 1", ddpm, _ddpm_call(ddpm, args.steps), n, b)
              for b in (3, 1) for n in (2, 3, 5, 10)]
    rows = []
    for model, pipe, call, n, b in cases:
        r = compare(pipe, call, DeepCacheConfig(interval=n, branch=b), args.steps, args.rounds)
        rows.append(dict(r, model=model, interval=n, branch=b))
        print(model, f"N={n} b={b}", f"{r['ours_over_official']:.3f}", flush=True)
    command = f"python benchmarks/overhead_bench.py --steps {args.steps} --rounds {args.rounds} --out {args.out}"
    table = markdown_table(
        ["U-Net", "setting", "ours ms", "official ms", "ours / official (median of rounds)", "rounds ours faster",
         "max |ours - official|"],
        [[r["model"], f"N={r['interval']} b={r['branch']}", f"{r['ours_ms']:.1f}", f"{r['official_ms']:.1f}",
          f"{r['ours_over_official']:.3f}", f"{r['rounds_ours_faster']} / {r['rounds']}", f"{r['max_abs_diff']:.1e}"]
         for r in rows])
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "overhead.md").write_text(
        f"# Bookkeeping overhead: stepcache vs the official DeepCache helper\n\nCommand: `{command}`  \n"
        f"Machine: {machine()}\n\nDDIM {args.steps} steps; whole generations timed, the two implementations back to "
        "back in each round (order alternating). Cheap U-Net calls make the Python around each call visible.\n\n"
        + table + "\n")
    (args.out / "overhead.json").write_text(json.dumps({"command": command, "rows": rows}, indent=2) + "\n")
    print(table)


if __name__ == "__main__":
    main()
