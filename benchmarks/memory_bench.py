"""Peak memory of a generation with and without DeepCache, each run in a fresh process.

    python benchmarks/memory_bench.py --steps 50 --batch 20 --repeats 3 --out benchmarks/results

Inside one long benchmark process the allocator reuses freed memory, so the peak-RSS growth of a setting measured
after others have run reads about 0 (the `peak RSS +MB` column of results.md). Here every setting runs in its own
freshly spawned process: load the embedded model, one warm-up step, then the generation; peak = the process's
maximum resident set (getrusage) minus its resident set just before the generation. Rows: uncached, stepcache
uniform N at branches 3 and 1, the official DeepCache helper at the same settings. Median over ``repeats``
processes. The DeepCache cost should be about the cache itself (the deep outputs of one full step, `cache MB`).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import statistics
from pathlib import Path


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


def _child(setting: dict, steps: int, batch: int, queue) -> None:
    import numpy as np
    import torch

    from stepcache.embedded.bench import Setting, _nbytes
    from stepcache.core.config import DeepCacheConfig
    from stepcache.embedded.sampling import load_embedded

    torch.set_num_threads(1)
    pipe = load_embedded()
    config = DeepCacheConfig(**setting["config"]) if setting["config"] else None
    s = Setting(setting["name"], steps, config, official=setting["official"])
    labels, gens = list(np.arange(batch) % 10), lambda: [torch.Generator().manual_seed(i) for i in range(batch)]
    pipe(labels, num_inference_steps=1, generator=gens(), output_type="np")  # warm-up: kernels, lazy init
    before = _rss_mb()
    with s.context(pipe):
        pipe(labels, num_inference_steps=steps, generator=gens(), output_type="np")
        ctrl = getattr(pipe.unet, "_stepcache", None)
        cache = sum(_nbytes(v) for st in ctrl.streams for v in st.cache.values()) / 2**20 if ctrl else None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    queue.put({"before_mb": before, "peak_mb": peak, "cache_mb_at_end": cache})


def measure(setting: dict, steps: int, batch: int) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    p = ctx.Process(target=_child, args=(setting, steps, batch, queue))
    p.start()
    result = queue.get()
    p.join()
    return result


def main() -> None:
    from stepcache.embedded.bench import machine
    from stepcache.embedded.sampling import markdown_table

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = ap.parse_args()
    settings = [{"name": "uncached", "config": None, "official": False}]
    for branch in (3, 1):
        for n in (2, 3, 5, 10):
            cfg = {"interval": n, "branch": branch}
            settings += [{"name": f"uniform N={n} b={branch}", "config": cfg, "official": False},
                         {"name": f"official uniform N={n} b={branch}", "config": cfg, "official": True}]
    runs = {s["name"]: [] for s in settings}
    for _ in range(args.repeats):  # interleaved: every setting once per round
        for s in settings:
            runs[s["name"]].append(measure(s, args.steps, args.batch))
    rows = []
    for s in settings:
        growth = statistics.median(r["peak_mb"] - r["before_mb"] for r in runs[s["name"]])
        rows.append({"setting": s["name"], "peak_growth_mb": growth,
                     "peak_mb": statistics.median(r["peak_mb"] for r in runs[s["name"]]),
                     "cache_mb": runs[s["name"]][0]["cache_mb_at_end"]})
    base = rows[0]["peak_growth_mb"]
    for r in rows:
        r["over_uncached_mb"] = r["peak_growth_mb"] - base
    command = (f"python benchmarks/memory_bench.py --steps {args.steps} --batch {args.batch} "
               f"--repeats {args.repeats} --out {args.out}")
    table = markdown_table(
        ["setting", "peak RSS during generation, MB over pre-generation RSS", "vs uncached, MB", "process peak MB",
         "stepcache cache MB"],
        [[r["setting"], f"{r['peak_growth_mb']:.1f}", f"{r['over_uncached_mb']:+.1f}", f"{r['peak_mb']:.0f}",
          f"{r['cache_mb']:.2f}" if r["cache_mb"] is not None else "-"] for r in rows])
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "memory.md").write_text(
        f"# Peak memory, one fresh process per setting\n\nCommand: `{command}`  \nMachine: {machine()}\n\n"
        f"Embedded MNIST DDPM, DDIM {args.steps} steps, batch {args.batch}, median of {args.repeats} processes "
        "per setting.\n\n" + table + "\n")
    (args.out / "memory.json").write_text(json.dumps({"command": command, "rows": rows}, indent=2) + "\n")
    print(table)


if __name__ == "__main__":
    main()
