"""The ``stepcache`` command line."""

from __future__ import annotations

import argparse
from pathlib import Path


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="stepcache", description="DeepCache for diffusers U-Net pipelines")
    sub = ap.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="DeepCache on the embedded MNIST DDPM: a grid and a table (offline)")
    demo.add_argument("--out", type=Path, default=Path("out/demo"), help="folder for demo.png and demo.md")
    demo.add_argument("--samples", type=int, default=100, help="samples per setting (FID-domain, accuracy)")
    demo.add_argument("--steps", type=int, default=50, help="DDIM steps")
    demo.add_argument("--guidance", type=float, default=1.0, help="classifier-free guidance scale (1: none)")
    demo.add_argument("--fast", action="store_true", help="a quick look: 20 samples, 25 steps, no FID")
    demo.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")

    bench = sub.add_parser("bench", help="the paper's tables on the embedded model + an SD-shaped speed preset")
    bench.add_argument("--out", type=Path, default=Path("out/bench"))
    bench.add_argument("--quick", action="store_true", help="a small run for CI: 10 steps, 20 samples")
    bench.add_argument("--steps", type=int, nargs="*", default=[50, 100],
                       help="DDIM step counts for the embedded model (none: only the SD-shaped preset)")
    bench.add_argument("--samples", type=int, default=1000, help="samples per setting for FID-domain, PSNR, SSIM")
    bench.add_argument("--batch", type=int, default=100, help="batch for the quality pass")
    bench.add_argument("--timing-batch", type=int, default=20, help="batch for the speed pass")
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

    for name, text in (("analyze", "record the deep features of an uncached run: Figure 3 heatmaps + MAC table"),
                       ("calibrate", "choose the full steps for a MAC budget from uncached runs; write a profile")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--model", type=Path, default=None, help="class-conditional pipeline folder "
                                                                   "(default: the embedded MNIST DDPM)")
        p.add_argument("--scheduler", choices=["ddim", "dpm"], default="ddim")
        p.add_argument("--steps", type=int, default=50)
        p.add_argument("--samples", type=int, default=20, help="images in the uncached run(s)")
        p.add_argument("--seed", type=int, default=10_000, help="first seed (kept apart from the bench's 0..n)")
        p.add_argument("--guidance", type=float, default=1.0)
        p.add_argument("--branches", type=int, nargs="+", default=None)
        if name == "analyze":
            p.add_argument("--out", type=Path, default=Path("out/analyze"))
        else:
            p.add_argument("--speedup", type=float, required=True, help="target: this many times fewer U-Net MACs")
            p.add_argument("--predictor", choices=["feature", "output", "final"], default="final",
                           help="cost of a reused step: deep-feature distance, measured U-Net output error, or "
                                "that error times the measured sensitivity of the final output to the step")
            p.add_argument("--out", type=Path, default=Path("profile.json"))

    gen = sub.add_parser("generate", help="the batch generation job: PNGs, manifest, npz; resumable; "
                                          "one process, torchrun (-m stepcache generate) or Ray Data")
    gen.add_argument("spec", nargs="?", type=Path, help="job spec (JSON or YAML); flags below override it")
    gen.add_argument("--out", type=Path, default=Path("out/generate"))
    gen.add_argument("--items", type=int, default=None, help="without a spec: this many digits, classes 0..9 in turn")
    gen.add_argument("--steps", type=int, default=None)
    gen.add_argument("--batch-size", type=int, default=None)
    gen.add_argument("--seed", type=int, default=None)
    gen.add_argument("--guidance", type=float, default=None)
    gen.add_argument("--interval", type=int, default=None, help="DeepCache interval N (1 or --no-deepcache: off)")
    gen.add_argument("--branch", type=int, default=None)
    gen.add_argument("--no-deepcache", action="store_true")
    gen.add_argument("--npz", action="store_true", help="also write samples.npz (ADM / pytorch-fid format)")
    gen.add_argument("--restart", action="store_true", help="start over when the spec changed")
    gen.add_argument("--launcher", choices=["local", "ray"], default="local",
                     help="local: one process, or one rank per process under torchrun; ray: Ray Data actors")
    gen.add_argument("--workers", type=int, default=2, help="Ray actors")
    gen.add_argument("--threads", type=int, default=None, help="torch threads per process")

    args = ap.parse_args(argv)
    if args.command == "demo":
        from .demo import run_demo

        samples, steps, fid = (20, 25, False) if args.fast else (args.samples, args.steps, True)
        print(run_demo(args.out, samples=samples, steps=steps, guidance=args.guidance, fid=fid,
                       threads=args.threads))
        print(f"\nwrote {args.out / 'demo.png'} and {args.out / 'demo.md'}")
    elif args.command in ("analyze", "calibrate"):
        import json

        import torch

        from . import calibration as cal
        from .sampling import EMBEDDED_MODEL, load_embedded

        pipe = load_embedded(args.model or EMBEDDED_MODEL, scheduler=args.scheduler)
        labels = [i % 10 for i in range(args.samples)]

        def run(p):
            return p(labels, num_inference_steps=args.steps, guidance_scale=args.guidance, output_type="np",
                     generator=[torch.Generator().manual_seed(args.seed + i) for i in range(args.samples)]).images

        if args.command == "analyze":
            analysis = cal.analyze(pipe, run, args.branches)
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / "analysis.json").write_text(json.dumps(analysis.to_json()) + "\n")
            cal.plot_analysis(analysis, args.out / "similarity.png",
                              f"{args.scheduler.upper()} {args.steps} steps, {args.samples} samples")
            print("branch  cached-step MACs  mean similarity of adjacent steps  step 0 vs last")
            for b, sim in sorted(analysis.similarity.items()):
                print(f"{b:>6}  {analysis.mac_fraction[b]:>16.1%}  {sim.diagonal(1).mean():>33.4f}  "
                      f"{sim[0, -1]:>14.4f}")
            print(f"wrote {args.out / 'similarity.png'} and {args.out / 'analysis.json'}")
        else:
            profile = cal.calibrate(pipe, run, args.speedup, args.branches, predictor=args.predictor)
            profile.save(args.out)
            print(f"branch {profile.branch}, {len(profile.full_steps)} full steps of {profile.num_steps}: "
                  f"{profile.full_steps}")
            print(f"MACs {profile.mac_fraction:.3f} of uncached; output error vs uncached "
                  f"{profile.validation_error:.4f} (relative L2) on the calibration run")
            print(f"wrote {args.out}; use it with stepcache.DeepCacheConfig.from_profile({str(args.out)!r})")
            if profile.adaptive_weights:
                print("or, deciding each step online with the profile's per-step weights: "
                      f"DeepCacheConfig.from_profile({str(args.out)!r}, threshold=...) (larger: faster)")
    elif args.command == "generate":
        import json

        import torch

        from .generate import JobSpec, run_job, run_ray

        if args.threads:
            torch.set_num_threads(args.threads)
        overrides = {"steps": args.steps, "batch_size": args.batch_size, "seed": args.seed,
                     "guidance": args.guidance}
        if args.npz:
            overrides["npz"] = True
        if args.items is not None:
            overrides["classes"] = tuple(i % 10 for i in range(args.items))
        if args.no_deepcache or args.interval == 1:
            overrides["deepcache"] = None
        elif args.interval is not None or args.branch is not None:
            base = {"interval": 3, "branch": 3}
            overrides["deepcache"] = dict(base, **{k: v for k, v in (("interval", args.interval),
                                                                     ("branch", args.branch)) if v is not None})
        if args.spec is not None:
            spec = JobSpec.load(args.spec, **overrides)
        else:
            overrides.setdefault("classes", tuple(i % 10 for i in range(100)))
            spec = JobSpec(**{k: v for k, v in overrides.items() if v is not None or k == "deepcache"})
        if args.launcher == "ray":
            result = run_ray(spec, args.out, workers=args.workers, restart=args.restart)
        else:
            result = run_job(spec, args.out, restart=args.restart)
        if result.get("rank", 0) == 0:
            print(json.dumps(result, indent=2))
    elif args.command == "bench":
        import json
        import shlex
        import sys

        from .bench import plot, run_bench

        if args.replot:
            plot(json.loads((args.out / "results.json").read_text())["embedded"], args.out / "quality_vs_speedup.png")
            return

        command = "stepcache " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
        result = run_bench(args.out, quick=args.quick, steps=tuple(args.steps), samples=args.samples,
                           batch=args.batch, timing_batch=args.timing_batch, repeats=args.repeats,
                           guidance=args.guidance, threads=args.threads, quality_threads=args.quality_threads,
                           sd_steps=args.sd_steps, command=command, beyond_only=args.beyond_only,
                           predictor=args.predictor, beyond=not args.no_beyond,
                           sd_preset=not args.no_sd_preset)
        print((args.out / "results.md").read_text())
        print(f"wrote {args.out}/results.md, results.csv, results.json, quality_vs_speedup.png, grids/")
        del result


if __name__ == "__main__":
    main()
