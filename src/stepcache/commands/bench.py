"""``stepcache bench``: the paper's Tables 1, 2 and 4 on the embedded MNIST DDPM, side by side with the official
``DeepCache`` package, plus a speed preset on a Stable-Diffusion-shaped U-Net (:mod:`stepcache.embedded.bench`)."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from . import common
from .common import BENCH_EXTRA, check_out_dir, guidance_flag, int_flag, note, threads_flag



def add_parser(sub, common) -> None:
    bench = sub.add_parser("bench", parents=[common],
                           help="the paper's tables on the embedded model + an SD-shaped speed preset")
    bench.add_argument("--out", type=Path, default=Path("out/bench"))
    bench.add_argument("--quick", action="store_true", help="a small run for CI: 10 steps, 10 samples")
    bench.add_argument("--steps", type=int, nargs="*", default=[50, 100],
                       help="DDIM step counts (>= 10) for the embedded model (none: only the SD-shaped preset)")
    bench.add_argument("--samples", type=int, default=1000,
                       help="samples per setting for FID-domain, PSNR, SSIM (>= 10)")
    bench.add_argument("--batch", type=int, default=100, help="batch for the quality pass")
    bench.add_argument("--timing-batch", type=int, default=20, help="batch for the speed pass (<= --samples)")
    bench.add_argument("--repeats", type=int, default=5, help="interleaved speed rounds (medians are reported)")
    bench.add_argument("--guidance", type=float, default=1.0)
    bench.add_argument("--sd-steps", type=int, default=50)
    bench.add_argument("--threads", type=int, default=1,
                       help="torch threads for the speed passes (1: robust timings on a shared machine)")
    bench.add_argument("--quality-threads", type=int, default=None, help="torch threads for the quality pass")
    bench.add_argument("--replot", action="store_true", help="only redraw the plot from OUT/results.json")
    bench.add_argument("--beyond-only", action="store_true",
                       help="only the adaptive / calibrated rows at 2x/3x/4x fewer MACs, with their baselines")
    bench.add_argument("--no-beyond", action="store_true", help="leave out the adaptive / calibrated rows")
    bench.add_argument("--no-sd-preset", action="store_true", help="leave out the SD-shaped speed preset")
    bench.add_argument("--predictor", choices=["feature", "output", "final"], default="final",
                       help="calibration cost model (see stepcache.calibrate)")


def prepare(args, prog, argv=None):
    if args.replot:
        results = args.out / "results.json"
        if not results.is_file():
            raise FileNotFoundError(f"--replot: {results} not found; run stepcache bench --out {args.out} first")
        if not common.has("matplotlib"):
            raise ModuleNotFoundError(f"--replot draws with matplotlib, which is not installed: {BENCH_EXTRA}")
        try:
            rows = json.loads(results.read_text())["embedded"]
        except (ValueError, KeyError, TypeError) as e:
            raise ValueError(f"--replot: {results} is not a stepcache bench result ({e}); rerun stepcache bench")
        if not rows:
            raise ValueError(f"--replot: {results} has no embedded-model rows to plot (an SD-preset-only run)")
        check_out_dir(args.out)

        def replot():
            from ..embedded.bench import plot

            plot(rows, args.out / "quality_vs_speedup.png")
            print(f"wrote {args.out / 'quality_vs_speedup.png'}")
        return replot

    if args.beyond_only and args.no_beyond:
        raise ValueError("--beyond-only and --no-beyond contradict each other; give one of them")
    if not args.quick:
        for n in args.steps:
            int_flag("--steps", n, 10, 1000, " (the largest interval in the tables is 10)")
        samples = int_flag("--samples", args.samples, 10, why=" (the grids show 10 digits a row)")
        int_flag("--batch", args.batch, 1)
        int_flag("--timing-batch", args.timing_batch, 1, samples, " (a batch of the samples)")
        int_flag("--repeats", args.repeats, 1)
        int_flag("--sd-steps", args.sd_steps, 1, 1000)
        if len(set(args.steps)) != len(args.steps):
            raise ValueError(f"--steps lists a step count twice ({' '.join(map(str, args.steps))}); give each once")
        if not args.steps and (args.no_sd_preset or args.beyond_only):
            raise ValueError("nothing to run: no --steps for the embedded model and "
                             + ("--beyond-only" if args.beyond_only else "--no-sd-preset")
                             + "; give --steps 50 (or drop that flag)")
    guidance_flag(args.guidance)
    int_flag("--threads", args.threads, 1)
    threads_flag("--quality-threads", args.quality_threads)
    check_out_dir(args.out)
    plot = common.has("matplotlib")
    official = common.has("DeepCache")
    if not plot:
        note(prog, f"matplotlib is not installed: every table will be written, the plot skipped ({BENCH_EXTRA})")
    if not official:
        note(prog, "the official DeepCache package is not installed: its comparison rows are skipped "
                    "(pip install DeepCache==0.1.1)")
    command = "stepcache " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))

    def run():
        from ..embedded.bench import run_bench

        run_bench(args.out, quick=args.quick, steps=tuple(args.steps), samples=args.samples, batch=args.batch,
                  timing_batch=args.timing_batch, repeats=args.repeats, guidance=args.guidance,
                  threads=args.threads, quality_threads=args.quality_threads, sd_steps=args.sd_steps,
                  command=command, beyond_only=args.beyond_only, predictor=args.predictor,
                  beyond=not args.no_beyond, sd_preset=not args.no_sd_preset, draw_plot=plot, official=official)
        print((args.out / "results.md").read_text())
        wrote = ["results.md", "results.csv", "results.json"]
        if plot and (args.out / "quality_vs_speedup.png").exists():
            wrote.append("quality_vs_speedup.png")
        if (args.out / "grids").exists():
            wrote.append("grids/")
        print(f"wrote {args.out}/" + ", ".join(wrote))
    return run

