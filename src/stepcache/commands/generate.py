"""``stepcache generate``: the batch generation job (:mod:`stepcache.jobs`), resumable and lossless, on one
process, one rank per process under ``torchrun``, or Ray Data actors."""

from __future__ import annotations

from pathlib import Path

from . import common
from .common import check_out_dir, guidance_flag, int_flag, threads_flag


def add_parser(sub, common) -> None:
    gen = sub.add_parser("generate", parents=[common],
                         help="the batch generation job: PNGs, manifest, npz; resumable; "
                              "one process, torchrun (-m stepcache generate) or Ray Data")
    gen.add_argument("spec", nargs="?", type=Path, help="job spec (JSON or YAML); flags below override it")
    gen.add_argument("--out", type=Path, default=Path("out/generate"))
    gen.add_argument("--model", default=None,
                     help="overrides the spec's model: embedded / digits (the MNIST DDPM), emoji-sd, emoji-pixart, a "
                          "pipeline folder or a hub id (any diffusers pipeline)")
    gen.add_argument("--items", type=int, default=None, help="without a spec: this many digits, classes 0..9 in turn")
    gen.add_argument("--prompts", type=Path, default=None,
                     help="a file of prompts, one item per line (overrides the spec's items)")
    gen.add_argument("--scheduler", choices=["ddim", "dpm"], default=None,
                     help="replace the pipeline's own sampler (not for flow-matching pipelines)")
    gen.add_argument("--profile", type=Path, default=None,
                     help="DeepCache from a stepcache plan / calibrate profile (made for this model, sampler and "
                          "step count)")
    gen.add_argument("--steps", type=int, default=None)
    gen.add_argument("--batch-size", type=int, default=None)
    gen.add_argument("--seed", type=int, default=None)
    gen.add_argument("--guidance", type=float, default=None)
    gen.add_argument("--interval", type=int, default=None, help="DeepCache interval N (1 or --no-deepcache: off)")
    gen.add_argument("--branch", type=int, default=None)
    gen.add_argument("--no-deepcache", action="store_true")
    gen.add_argument("--npz", action="store_true", help="also write samples.npz (ADM / pytorch-fid format)")
    gen.add_argument("--restart", action="store_true",
                     help="start over when OUT holds finished items of another job spec (they are deleted)")
    gen.add_argument("--launcher", choices=["local", "ray"], default="local",
                     help="local: one process, or one rank per process under torchrun; ray: Ray Data actors")
    gen.add_argument("--workers", type=int, default=2, help="Ray actors")
    gen.add_argument("--ray-address", default=None,
                     help="with --launcher ray: submit to this running Ray cluster (HOST:PORT of its head, or auto) "
                          "instead of starting Ray in this process; OUT must be seen by every node")
    gen.add_argument("--threads", type=int, default=None, help="torch threads per process")


def prepare(args, prog, argv=None):
    import dataclasses
    import json

    from ..jobs import JobSpec, Output, finished_of_another_spec, load_checked, run_job, run_ray

    if args.items is not None:
        int_flag("--items", args.items, 1)
    for flag, value, low in (("--steps", args.steps, 1), ("--batch-size", args.batch_size, 1),
                             ("--seed", args.seed, 0), ("--interval", args.interval, 1),
                             ("--branch", args.branch, 1)):
        if value is not None:
            int_flag(flag, value, low)
    guidance_flag(args.guidance)
    workers = int_flag("--workers", args.workers, 1)
    threads_flag("--threads", args.threads)
    if args.ray_address is not None and args.launcher != "ray":
        raise ValueError("--ray-address goes with --launcher ray")
    if args.launcher == "ray" and not common.has("ray"):
        raise ModuleNotFoundError("--launcher ray needs Ray Data: pip install 'stepcache[ray]' (or use the local "
                                  "launcher / torchrun)")
    overrides = {"steps": args.steps, "batch_size": args.batch_size, "seed": args.seed, "guidance": args.guidance,
                 "model": args.model, "scheduler": args.scheduler}
    if args.npz:
        overrides["npz"] = True
    if args.prompts is not None:
        if not args.prompts.is_file():
            raise FileNotFoundError(f"--prompts {args.prompts} not found (a file with one prompt per line)")
        prompts = [line.strip() for line in args.prompts.read_text().splitlines() if line.strip()]
        if not prompts:
            raise ValueError(f"--prompts {args.prompts} has no prompt (one per line)")
        if args.items is not None:
            prompts = [prompts[i % len(prompts)] for i in range(args.items)]
        overrides.update(prompts=tuple(prompts), classes=())
    elif args.items is not None:
        overrides.update(classes=tuple(i % 10 for i in range(args.items)), prompts=())
    if args.profile is not None and (args.no_deepcache or args.interval is not None or args.branch is not None):
        raise ValueError("--profile sets DeepCache from the profile: leave out --no-deepcache, --interval, --branch")
    if args.profile is not None:
        if not args.profile.is_file():
            raise FileNotFoundError(f"--profile {args.profile} not found (a profile written by stepcache plan or "
                                    "calibrate)")
        overrides["deepcache"] = {"profile": str(args.profile.resolve())}
    if args.spec is not None:
        spec = JobSpec.load(args.spec, **overrides)
    else:
        overrides.setdefault("classes", tuple(i % 10 for i in range(100)))
        spec = JobSpec(**{k: v for k, v in overrides.items() if v is not None})
    if args.no_deepcache or args.interval == 1:
        spec = dataclasses.replace(spec, deepcache=None)
    elif args.interval is not None or args.branch is not None:  # on top of the spec's settings
        flags = {k: v for k, v in (("interval", args.interval), ("branch", args.branch)) if v is not None}
        spec = dataclasses.replace(spec, deepcache=dict(spec.deepcache or {"interval": 3, "branch": 3}, **flags))
    check_out_dir(args.out)
    pipe = load_checked(spec)
    other = finished_of_another_spec(args.out, spec)
    if other and not args.restart:
        Output(args.out, spec)  # raises the refusal (before writing anything)

    def run():
        import torch

        if args.threads:
            torch.set_num_threads(args.threads)
        if args.launcher == "ray":
            result = run_ray(spec, args.out, workers=workers, restart=args.restart, address=args.ray_address)
        else:
            result = run_job(spec, args.out, restart=args.restart, pipe=pipe)
        if result.get("rank", 0) == 0:
            print(json.dumps(result, indent=2))
    return run

