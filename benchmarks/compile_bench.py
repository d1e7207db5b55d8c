"""Eager vs torch.compile (default backend, inductor) on the SD 1.5-shaped U-Net preset, with and without DeepCache.

    python benchmarks/compile_bench.py --steps 50 --repeats 3 --out benchmarks/results

Compile time is reported apart: the first generation of each compiled setting (which compiles) is timed on its own;
the table's times are medians of the following generations, interleaved across settings.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import torch
import torch._dynamo as dynamo

import stepcache
from stepcache import DeepCacheConfig
from stepcache.embedded.bench import machine, sd_call, sd_shaped_pipe


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--interval", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    pipe = sd_shaped_pipe(8, 32)
    generate = sd_call(pipe, args.steps)
    import copy

    plain = pipe.unet
    cached = copy.deepcopy(plain)
    pipe.unet = cached
    stepcache.enable(pipe, DeepCacheConfig(interval=args.interval, branch=1))  # stays on: no re-hooking between calls
    pipe.unet = plain
    unets = {(False, False): plain, (False, True): cached, (True, False): torch.compile(plain),
             (True, True): torch.compile(cached)}

    def call(compiled: bool, deepcache: bool):
        pipe.unet = unets[(compiled, deepcache)]
        try:
            t0 = time.perf_counter()
            images = generate()
            return images, time.perf_counter() - t0
        finally:
            pipe.unet = plain

    settings = [(False, False), (False, True), (True, False), (True, True)]
    name = {s: f"{'compiled' if s[0] else 'eager'}, {'DeepCache N=%d b=1' % args.interval if s[1] else 'uncached'}"
            for s in settings}
    first, outputs = {}, {}
    for s in settings:  # warm-up; for the compiled settings this is where compilation happens
        graphs_before = dynamo.utils.counters["stats"]["unique_graphs"]
        outputs[s], first[s] = call(*s)
        first[s] = (first[s], dynamo.utils.counters["stats"]["unique_graphs"] - graphs_before)
    times = {s: [] for s in settings}
    graphs_before = dynamo.utils.counters["stats"]["unique_graphs"]
    for _ in range(args.repeats):
        for s in settings:
            times[s].append(call(*s)[1])
    recompiles = dynamo.utils.counters["stats"]["unique_graphs"] - graphs_before
    base = statistics.median(times[(False, False)])
    rows = []
    for s in settings:
        med = statistics.median(times[s])
        rows.append({"setting": name[s], "seconds": med, "speedup_vs_eager_uncached": base / med,
                     "first_call_seconds": first[s][0], "compile_seconds": max(0.0, first[s][0] - med),
                     "graphs_compiled": first[s][1],
                     "max_abs_diff_vs_eager": float((outputs[s] - outputs[(False, s[1])]).abs().max())})
    lines = ["# torch.compile on the SD 1.5-shaped U-Net", "",
             f"Command: `python benchmarks/compile_bench.py --steps {args.steps} --repeats {args.repeats} "
             f"--interval {args.interval} --threads {args.threads}`  ", f"Machine: {machine()}  ",
             f"SD 1.5 U-Net layout at 1/8 width, 32x32 latents, DDIM {args.steps} steps, CFG batch 2, default "
             f"backend (inductor). Times: medians of {args.repeats} interleaved generations after a warm-up "
             "generation, which is where compilation happens (compile time = first call - median).", "",
             "| setting | s / generation | speedup vs eager uncached | compile s | graphs compiled | "
             "max abs diff vs eager |", "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['setting']} | {r['seconds']:.2f} | {r['speedup_vs_eager_uncached']:.2f}x | "
                     f"{r['compile_seconds']:.1f} | {r['graphs_compiled']} | {r['max_abs_diff_vs_eager']:.1e} |")
    lines += ["", f"Graphs compiled during the {args.repeats} timed rounds (recompilations): {recompiles}."]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "compile.md").write_text("\n".join(lines) + "\n")
    (args.out / "compile.json").write_text(json.dumps({"rows": rows, "recompiles_in_timed_rounds": recompiles},
                                                      indent=2) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
