"""The ``stepcache`` command line.

Every command checks all its inputs (numbers, files, the model and the branch against it, the output folder,
optional dependencies) before it writes anything. Errors are one line on stderr, ``stepcache <command>: error:
...``: exit code 2 for a bad command line or input (nothing was written), 1 for a failure while running.
``--debug`` (or ``STEPCACHE_DEBUG=1``) shows the traceback instead.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import os
import sys
from pathlib import Path

from ..core.config import check_int, check_number

#: exceptions that, raised while a command checks its inputs, mean "bad input" (exit 2)
INPUT_ERRORS = (ValueError, TypeError, LookupError, OSError, ImportError)
BENCH_EXTRA = "pip install 'stepcache[bench]'"


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (the usage is one ``--help`` away)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}; see '{self.prog} --help'\n")


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("stepcache")
    except Exception:  # not installed as a distribution (e.g. run from a source tree)
        from .. import __version__

        return __version__


def build_parser() -> Parser:
    ap = Parser(prog="stepcache", description="DeepCache for diffusers U-Net pipelines")
    ap.add_argument("--version", action="version", version=f"stepcache {_version()}")
    ap.add_argument("--debug", action="store_true", help="show the traceback of an error (or STEPCACHE_DEBUG=1)")
    common = Parser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the traceback of an error (or STEPCACHE_DEBUG=1)")
    sub = ap.add_subparsers(dest="command", required=True, parser_class=Parser)

    demo = sub.add_parser("demo", parents=[common],
                          help="DeepCache on the embedded emoji text-to-image models (U-Net and transformer) or "
                               "the MNIST DDPM: a grid and a table (offline)")
    demo.add_argument("--model", choices=["emoji", "digits"], default="emoji",
                      help="emoji: the text-to-image SD U-Net and PixArt transformer on 16 prompts (default); "
                           "digits: the class-conditional MNIST DDPM")
    demo.add_argument("--out", type=Path, default=Path("out/demo"), help="folder for demo.png and demo.md")
    demo.add_argument("--samples", type=int, default=None,
                      help="images per setting (emoji: 32, the 16 prompts in turn, >= 1; "
                           "digits: 100, >= 2 for FID-domain)")
    demo.add_argument("--steps", type=int, default=None, help="DDIM steps (emoji: 25, digits: 50)")
    demo.add_argument("--guidance", type=float, default=None,
                      help="classifier-free guidance scale (emoji: 3, digits: 1 = none)")
    demo.add_argument("--fast", action="store_true",
                      help="a quick look: emoji 4 prompts, 10 steps; digits 20 samples, 25 steps, no FID")
    demo.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")

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

    for name, text in (("analyze", "record the deep features of an uncached run: Figure 3 heatmaps + MAC table"),
                       ("calibrate", "choose the full steps for a MAC budget from uncached runs; write a profile")):
        p = sub.add_parser(name, parents=[common], help=text)
        p.add_argument("--model", type=Path, default=None, help="class-conditional pipeline folder "
                                                                   "(default: the embedded MNIST DDPM)")
        p.add_argument("--scheduler", choices=["ddim", "dpm"], default="ddim")
        p.add_argument("--steps", type=int, default=50, help="steps (>= 2)")
        p.add_argument("--samples", type=int, default=20, help="images in the uncached run(s)")
        p.add_argument("--seed", type=int, default=10_000, help="first seed (kept apart from the bench's 0..n)")
        p.add_argument("--guidance", type=float, default=1.0)
        p.add_argument("--branches", type=int, nargs="+", default=None, help="branches to look at (default: all)")
        if name == "analyze":
            p.add_argument("--out", type=Path, default=Path("out/analyze"))
        else:
            p.add_argument("--speedup", type=float, required=True, help="target: this many times fewer U-Net MACs")
            p.add_argument("--predictor", choices=["feature", "output", "final"], default="final",
                           help="cost of a reused step: deep-feature distance, measured U-Net output error, or "
                                "that error times the measured sensitivity of the final output to the step")
            p.add_argument("--out", type=Path, default=Path("profile.json"))

    gen = sub.add_parser("generate", parents=[common],
                         help="the batch generation job: PNGs, manifest, npz; resumable; "
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
    gen.add_argument("--restart", action="store_true",
                     help="start over when OUT holds finished items of another job spec (they are deleted)")
    gen.add_argument("--launcher", choices=["local", "ray"], default="local",
                     help="local: one process, or one rank per process under torchrun; ray: Ray Data actors")
    gen.add_argument("--workers", type=int, default=2, help="Ray actors")
    gen.add_argument("--threads", type=int, default=None, help="torch threads per process")
    _add_plan_parser(sub, common)
    return ap


#: stepcache.planning.KINDS and MEASURES, repeated here so that parsing the command line imports no torch
PLAN_KINDS = ("steps", "uniform", "extrapolated", "nonuniform", "calibrated", "calibrated-extrapolated",
              "adaptive", "first-block", "cached-fewer-steps")
PLAN_MEASURES = ("psnr", "ssim")


def _add_plan_parser(sub, common) -> None:
    p = sub.add_parser("plan", parents=[common],
                       help="at a MAC budget: fewer steps or which caching rule? measure them all, recommend one, "
                            "write a profile")
    p.add_argument("--model", default="embedded",
                   help="'embedded' (the MNIST DDPM), 'emoji-sd' / 'emoji-pixart' (the embedded text-to-image U-Net "
                        "and transformer), or a pipeline folder: class-conditional, or any diffusers text-to-image "
                        "pipeline (U-Net or transformer)")
    p.add_argument("--prompts", type=Path, default=None,
                   help="text-to-image: a file of prompts, one per line; seed s draws line s mod n (default for the "
                        "emoji models: the demo's 16 prompts)")
    p.add_argument("--scheduler", choices=["ddim", "dpm"], default=None,
                   help="the sampler (default: DDIM for the class-conditional models, the pipeline's own for "
                        "text-to-image folders; not for flow-matching pipelines)")
    p.add_argument("--steps", type=int, default=50, help="your step count (>= 2): the uncached reference")
    p.add_argument("--speedup", type=float, default=2.0, help="budget: this many times fewer denoiser MACs (> 1)")
    p.add_argument("--measure", choices=list(PLAN_MEASURES), default="psnr",
                   help="rank by PSNR or SSIM against the uncached output at --steps")
    p.add_argument("--seeds", type=int, default=8, help="calibration seeds, one image each (>= 2)")
    p.add_argument("--held-out", type=int, default=8, help="held-out seeds to check the pick on (0: none, else >= 2)")
    p.add_argument("--seed", type=int, default=10_000,
                   help="first seed; the held-out seeds follow the calibration ones")
    p.add_argument("--guidance", type=float, default=None,
                   help="classifier-free guidance (default: 1 = none for class-conditional models, 3 for the emoji "
                        "models, the pipeline's own default for other text-to-image folders)")
    p.add_argument("--branches", nargs="+", default=None,
                   help="where the caching rules cache: U-Net branches (1 2 ...; default: up to 3 shallowest that "
                        "leave 2 full steps) or a transformer's live blocks (F1B0 F2B1 ...; default: the 3 cheapest)")
    p.add_argument("--candidates", nargs="+", choices=list(PLAN_KINDS), default=None,
                   help="kinds to measure (default all)")
    p.add_argument("--predictor", choices=["feature", "output", "final"], default="final",
                   help="the calibrated rule's cost model (see stepcache calibrate); 'final' costs one generation per "
                        "step and branch, 'output' far less")
    p.add_argument("--measure-seeds", type=int, default=1, help="calibration seeds the predictor is measured on")
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    p.add_argument("--out", type=Path, default=Path("out/plan"), help="folder for plan.md, plan.json, profile.json")


# -- input checks (nothing is written before they pass) --------------------------------------------------------------

def _int(flag: str, value, low: int, high: int | None = None, why: str = "") -> int:
    try:
        return check_int(flag, value, low, high)
    except ValueError as e:
        raise ValueError(f"{e}{why}") from None


def _guidance(value) -> float:
    return check_number("--guidance", value, 1.0) if value is not None else value


def _threads(flag: str, value) -> None:
    if value is not None:
        _int(flag, value, 1)


def check_out_dir(path: Path, flag: str = "--out") -> None:
    """``path`` is (or can be made) a writable folder: refused if it, or a folder above it, is a file."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(f"{flag} {path} is a file, not a folder; choose another {flag}")
    _check_parent(path, flag)


def check_out_file(path: Path, flag: str = "--out") -> None:
    """``path`` can be written as a file: not a folder, and its folder is (or can be made) writable."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{flag} {path} is a folder; give a file path, e.g. {path / 'profile.json'}")
    _check_parent(path.parent, flag, of=path)


def _check_parent(path: Path, flag: str, of: Path | None = None) -> None:
    target = of if of is not None else path
    p = path.absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    if not p.is_dir():
        raise NotADirectoryError(f"{flag} {target}: {p} is a file, so no folder can be made there; choose another "
                                 f"{flag}")
    if not os.access(p, os.W_OK | os.X_OK):
        raise PermissionError(f"{flag} {target}: {p} is not writable; choose another {flag}")


def _load_model(model: Path | None, scheduler: str):
    """The class-conditional pipeline at ``--model`` (default: the embedded one), checked to load."""
    from ..sampling import EMBEDDED_MODEL, load_embedded

    if model is not None and not model.exists():
        raise FileNotFoundError(f"--model {model} not found: give a class-conditional pipeline folder, or leave "
                                "--model out for the embedded MNIST DDPM")
    try:
        return load_embedded(model or EMBEDDED_MODEL, scheduler=scheduler)
    except Exception as e:
        raise ValueError(f"--model {model}: cannot load a class-conditional pipeline from it "
                         f"({type(e).__name__}: {' '.join(str(e).split())[:200]})") from e


def _max_steps(pipe) -> int | None:
    return getattr(pipe.scheduler.config, "num_train_timesteps", None)


def _check_branches(pipe, branches) -> list | None:
    """``--branches``: U-Net branches (ints) or a transformer's live blocks (``F1B0``: first 1, last 0)."""
    if branches is None:
        return None
    from .. import api
    from ..families import transformer
    from ..families.unet import layout

    from ..calibration import parse_placement

    model = api.split(pipe)[0]
    if transformer.is_transformer(model):
        n = len(transformer.block_names(model))
        out = []
        for b in branches:
            try:
                first, last = parse_placement(b)
            except (ValueError, TypeError):  # a malformed string, or a bare integer (a U-Net branch)
                raise ValueError(f"--branches of a transformer are its live blocks as F<first>B<last>, e.g. F1B0, "
                                 f"got {b!r}") from None
            _int("--branches F", first, 0, n - 1, f" (this {type(model).__name__} has {n} blocks)")
            try:
                transformer.stack(model, first, last)
            except ValueError as e:
                raise ValueError(f"--branches {b}: {e}") from None
            out.append((first, last))
    else:
        n = layout(model).num_branches
        out = [_int("--branches", _as_int("--branches", b), 1, n, f" (this model has {n} branches)")
               for b in branches]
    dup = sorted({str(b) for b in out if out.count(b) > 1})
    if dup:
        raise ValueError(f"--branches lists {dup[0]} twice; give each branch once")
    return out


def _as_int(flag: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{flag} must be integers, got {value!r}") from None


#: the embedded text-to-image models ``stepcache plan --model`` knows by name, and their guidance
_EMOJI_MODELS = ("emoji-sd", "emoji-pixart")


def _load_plan_model(arg: str, scheduler: str | None):
    """``(pipe, text)``: the pipeline ``--model`` names, and whether it takes prompts (text-to-image). The
    scheduler: ``--scheduler`` if given (refused on a flow-matching pipeline), else DDIM for the class-conditional
    models and the pipeline's own for text-to-image ones."""
    if arg == "embedded":
        return _load_model(None, scheduler or "ddim"), False
    from ..sampling import EMBEDDED_MODEL

    folder = EMBEDDED_MODEL.parent / arg if arg in _EMOJI_MODELS else Path(arg)
    index = folder / "model_index.json"
    if not folder.exists():
        if arg in _EMOJI_MODELS:
            raise FileNotFoundError(f"--model {arg}: the embedded {arg} is not in this installation ({folder} is "
                                    "missing; training/ makes it)")
        raise FileNotFoundError(f"--model {arg} not found: give 'embedded', {', '.join(map(repr, _EMOJI_MODELS))} "
                                "or a pipeline folder")
    try:
        kind = json.loads(index.read_text()).get("_class_name")
    except (OSError, ValueError) as e:
        raise ValueError(f"--model {arg}: cannot load a pipeline from it (no readable model_index.json: "
                         f"{type(e).__name__})") from None
    if kind == "ClassConditionalPipeline":
        return _load_model(folder, scheduler or "ddim"), False
    try:
        import torch
        from diffusers import DDIMScheduler, DiffusionPipeline, DPMSolverMultistepScheduler

        from .. import api
        from ..families import transformer
        from ..families.unet import check_supported

        pipe = DiffusionPipeline.from_pretrained(str(folder))
        model = api.split(pipe)[0]
        if not isinstance(model, torch.nn.Module):
            raise ValueError(f"{kind} has no U-Net or transformer")
        if "prompt" not in inspect.signature(type(pipe).__call__).parameters:
            raise ValueError(f"a {kind} is neither class-conditional nor text-to-image (it takes no prompt)")
        transformer.check_supported(model) if transformer.is_transformer(model) else check_supported(model)
    except Exception as e:
        raise ValueError(f"--model {arg}: cannot load a text-to-image pipeline from it "
                         f"({type(e).__name__}: {' '.join(str(e).split())[:200]})") from e
    if scheduler is not None:
        own = pipe.scheduler
        if "FlowMatch" in type(own).__name__ or own.config.get("use_flow_sigmas") or \
                own.config.get("prediction_type") == "flow_prediction":
            raise ValueError(f"--scheduler {scheduler} does not apply to a flow-matching pipeline "
                             f"({type(own).__name__}); leave --scheduler out to keep the pipeline's own")
        pipe.scheduler = (DPMSolverMultistepScheduler if scheduler == "dpm" else DDIMScheduler).from_config(
            own.config)
    pipe.set_progress_bar_config(disable=True)
    return pipe, True


def _plan_prompts(path: Path | None, model_arg: str) -> list[str]:
    if path is None:
        if model_arg in _EMOJI_MODELS:
            from .demo_emoji import PROMPTS

            return [p for p, _ in PROMPTS]
        raise ValueError("--prompts is required for a text-to-image --model: a file with one prompt per line")
    if not path.is_file():
        raise FileNotFoundError(f"--prompts {path} not found (a file with one prompt per line)")
    prompts = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    if not prompts:
        raise ValueError(f"--prompts {path} has no prompt (one per line)")
    return prompts


def _note(prog: str, text: str) -> None:
    print(f"{prog}: note: {text}", file=sys.stderr)


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


# -- the commands: each checks its inputs and returns the work to do --------------------------------------------------

#: ``stepcache demo``'s defaults per --model: images, steps, guidance, the lowest --samples (and why)
DEMO_DEFAULTS = {"emoji": (32, 25, 3.0, 1, ""), "digits": (100, 50, 1.0, 2, " (FID-domain needs at least 2)")}


def prepare_demo(args, prog):
    samples, steps, guidance, low, why = DEMO_DEFAULTS[args.model]
    samples = _int("--samples", samples if args.samples is None else args.samples, low, why=why)
    steps = _int("--steps", steps if args.steps is None else args.steps, 1, 1000)
    guidance = _guidance(guidance if args.guidance is None else args.guidance)
    _threads("--threads", args.threads)
    check_out_dir(args.out)
    if args.model == "digits":
        kwargs = dict(samples=20, steps=25, fid=False) if args.fast else dict(samples=samples, steps=steps, fid=True)
    else:
        from .demo_emoji import FAST

        kwargs = dict(FAST) if args.fast else dict(samples=samples, steps=steps)

    def run():
        from .demo import run_demo

        print(run_demo(args.out, args.model, guidance=guidance, threads=args.threads, **kwargs))
        print(f"\nwrote {args.out / 'demo.png'} and {args.out / 'demo.md'}")
    return run


def prepare_analyze_calibrate(args, prog):
    from .. import calibration as cal

    samples = _int("--samples", args.samples, 1)
    seed = _int("--seed", args.seed, 0)
    guidance = _guidance(args.guidance)
    _int("--steps", args.steps, 2, why=" (similarities and schedules need two steps or more)")
    speedup = None
    if args.command == "calibrate":
        speedup = check_number("--speedup", args.speedup, 1.0, low_open=True)
        check_out_file(args.out)
    else:
        check_out_dir(args.out)
    pipe = _load_model(args.model, args.scheduler)
    high = _max_steps(pipe)
    steps = _int("--steps", args.steps, 2, high, f" ({high} training timesteps)" if high else "")
    branches = _check_branches(pipe, args.branches)
    labels = [i % pipe.null_class for i in range(samples)]
    if args.command == "calibrate":
        from .. import api

        fractions = {b.branch: b.mac_fraction for b in api.branches(pipe)}
        considered = branches or sorted(fractions)
        if all(cal.full_steps_for_budget(steps, fractions[b], speedup) is None for b in considered):
            cheapest = min(fractions[b] for b in considered)
            raise ValueError(f"--speedup {speedup:g} is out of reach: a cached step of the cheapest branch "
                             f"considered costs {cheapest:.1%} of a full one (largest reachable speedup "
                             f"{1 / cheapest:.2f}); ask for less, or include --branches 1")
    plot = _has("matplotlib")
    if args.command == "analyze" and not plot:
        _note(prog, f"matplotlib is not installed: analysis.json will be written, similarity.png skipped "
                    f"({BENCH_EXTRA})")

    def run_pipe(p):
        import torch

        return p(labels, num_inference_steps=steps, guidance_scale=guidance, output_type="np",
                 generator=[torch.Generator().manual_seed(seed + i) for i in range(samples)]).images

    def analyze():
        import json

        analysis = cal.analyze(pipe, run_pipe, branches)
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "analysis.json").write_text(json.dumps(analysis.to_json()) + "\n")
        wrote = [args.out / "analysis.json"]
        if plot:
            cal.plot_analysis(analysis, args.out / "similarity.png",
                              f"{args.scheduler.upper()} {steps} steps, {samples} samples")
            wrote.insert(0, args.out / "similarity.png")
        print("branch  cached-step MACs  mean similarity of adjacent steps  step 0 vs last")
        for b, sim in sorted(analysis.similarity.items()):
            print(f"{b:>6}  {analysis.mac_fraction[b]:>16.1%}  {sim.diagonal(1).mean():>33.4f}  "
                  f"{sim[0, -1]:>14.4f}")
        print("wrote " + " and ".join(map(str, wrote)))

    def calibrate():
        profile = cal.calibrate(pipe, run_pipe, speedup, branches, predictor=args.predictor)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        profile.save(args.out)
        print(f"branch {profile.branch}, {len(profile.full_steps)} full steps of {profile.num_steps}: "
              f"{profile.full_steps}")
        print(f"MACs {profile.mac_fraction:.3f} of uncached; output error vs uncached "
              f"{profile.validation_error:.4f} (relative L2) on the calibration run")
        print(f"wrote {args.out}; use it with stepcache.DeepCacheConfig.from_profile({str(args.out)!r})")
        if profile.adaptive_weights:
            print("or, deciding each step online with the profile's per-step weights: "
                  f"DeepCacheConfig.from_profile({str(args.out)!r}, threshold=...) (larger: faster)")
    return analyze if args.command == "analyze" else calibrate


def prepare_generate(args, prog):
    import dataclasses
    import json

    from .generate import JobSpec, Output, finished_of_another_spec, load_checked, run_job, run_ray

    if args.items is not None:
        _int("--items", args.items, 1)
    for flag, value, low in (("--steps", args.steps, 1), ("--batch-size", args.batch_size, 1),
                             ("--seed", args.seed, 0), ("--interval", args.interval, 1),
                             ("--branch", args.branch, 1)):
        if value is not None:
            _int(flag, value, low)
    _guidance(args.guidance)
    workers = _int("--workers", args.workers, 1)
    _threads("--threads", args.threads)
    if args.launcher == "ray" and not _has("ray"):
        raise ModuleNotFoundError("--launcher ray needs Ray Data: pip install 'stepcache[ray]' (or use the local "
                                  "launcher / torchrun)")
    overrides = {"steps": args.steps, "batch_size": args.batch_size, "seed": args.seed, "guidance": args.guidance}
    if args.npz:
        overrides["npz"] = True
    if args.items is not None:
        overrides["classes"] = tuple(i % 10 for i in range(args.items))
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
            result = run_ray(spec, args.out, workers=workers, restart=args.restart)
        else:
            result = run_job(spec, args.out, restart=args.restart, pipe=pipe)
        if result.get("rank", 0) == 0:
            print(json.dumps(result, indent=2))
    return run


def prepare_bench(args, prog, argv):
    import json
    import shlex

    if args.replot:
        results = args.out / "results.json"
        if not results.is_file():
            raise FileNotFoundError(f"--replot: {results} not found; run stepcache bench --out {args.out} first")
        if not _has("matplotlib"):
            raise ModuleNotFoundError(f"--replot draws with matplotlib, which is not installed: {BENCH_EXTRA}")
        try:
            rows = json.loads(results.read_text())["embedded"]
        except (ValueError, KeyError, TypeError) as e:
            raise ValueError(f"--replot: {results} is not a stepcache bench result ({e}); rerun stepcache bench")
        if not rows:
            raise ValueError(f"--replot: {results} has no embedded-model rows to plot (an SD-preset-only run)")
        check_out_dir(args.out)

        def replot():
            from .bench import plot

            plot(rows, args.out / "quality_vs_speedup.png")
            print(f"wrote {args.out / 'quality_vs_speedup.png'}")
        return replot

    if args.beyond_only and args.no_beyond:
        raise ValueError("--beyond-only and --no-beyond contradict each other; give one of them")
    if not args.quick:
        for n in args.steps:
            _int("--steps", n, 10, 1000, " (the largest interval in the tables is 10)")
        samples = _int("--samples", args.samples, 10, why=" (the grids show 10 digits a row)")
        _int("--batch", args.batch, 1)
        _int("--timing-batch", args.timing_batch, 1, samples, " (a batch of the samples)")
        _int("--repeats", args.repeats, 1)
        _int("--sd-steps", args.sd_steps, 1, 1000)
        if len(set(args.steps)) != len(args.steps):
            raise ValueError(f"--steps lists a step count twice ({' '.join(map(str, args.steps))}); give each once")
        if not args.steps and (args.no_sd_preset or args.beyond_only):
            raise ValueError("nothing to run: no --steps for the embedded model and "
                             + ("--beyond-only" if args.beyond_only else "--no-sd-preset")
                             + "; give --steps 50 (or drop that flag)")
    _guidance(args.guidance)
    _int("--threads", args.threads, 1)
    _threads("--quality-threads", args.quality_threads)
    check_out_dir(args.out)
    plot = _has("matplotlib")
    official = _has("DeepCache")
    if not plot:
        _note(prog, f"matplotlib is not installed: every table will be written, the plot skipped ({BENCH_EXTRA})")
    if not official:
        _note(prog, "the official DeepCache package is not installed: its comparison rows are skipped "
                    "(pip install DeepCache==0.1.1)")
    command = "stepcache " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))

    def run():
        from .bench import run_bench

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


def prepare_plan(args, prog):
    import shlex

    steps = _int("--steps", args.steps, 2, why=" (the uncached reference and one fewer)")
    speedup = check_number("--speedup", args.speedup, 1.0, low_open=True)
    seeds = _int("--seeds", args.seeds, 2, why=" (a std needs two)")
    held_out = _int("--held-out", args.held_out, 0)
    if held_out == 1:
        raise ValueError("--held-out must be 0 (no check) or >= 2 (a paired std needs two seeds), got 1")
    first = _int("--seed", args.seed, 0)
    measure_seeds = _int("--measure-seeds", args.measure_seeds, 1, seeds, " (a subset of the calibration seeds)")
    guidance = _guidance(args.guidance)
    _threads("--threads", args.threads)
    kinds = list(PLAN_KINDS) if args.candidates is None else list(dict.fromkeys(args.candidates))
    check_out_dir(args.out)
    pipe, text = _load_plan_model(args.model, args.scheduler)
    if text:
        prompts = _plan_prompts(args.prompts, args.model)
        if guidance is None and args.model in _EMOJI_MODELS:
            guidance = 3.0
    elif args.prompts is not None:
        raise ValueError(f"--prompts is for text-to-image models; --model {args.model} is class-conditional")
    elif guidance is None:
        guidance = 1.0
    high = _max_steps(pipe)
    steps = _int("--steps", steps, 2, high, f" ({high} training timesteps)" if high else "")
    branches = _check_branches(pipe, args.branches)
    import torch

    from .. import api
    from ..calibration import full_steps_for_budget, placement_fractions, placement_name
    from ..core.config import DeepCacheConfig
    from ..families import transformer

    from ..sampling import no_binning

    call = no_binning(pipe) if text else {}  # the plan compares with its own reference: the size asked, as asked
    if text and guidance is not None:
        call["guidance_scale"] = guidance

    def run_pipe(p, seed, n):
        gen = torch.Generator().manual_seed(seed)
        if text:
            return p(prompts[seed % len(prompts)], num_inference_steps=n, output_type="np", generator=gen,
                     **call).images
        return p([seed % pipe.null_class], num_inference_steps=n, guidance_scale=guidance, output_type="np",
                 generator=[gen]).images

    with api.cached(pipe, DeepCacheConfig(interval=1)), torch.no_grad():  # inputs to count a transformer's MACs on
        if transformer.is_transformer(api.split(pipe)[0]):
            run_pipe(pipe, first, 2)
        fractions = placement_fractions(pipe)
    caching = [k for k in kinds if k != "steps"]
    fewer = "steps" in kinds and steps // speedup >= 1
    considered = branches or sorted(fractions)
    if not fewer and (not caching or all(full_steps_for_budget(steps, fractions[b], speedup) is None
                                         for b in considered)):
        cheapest = min(fractions[b] for b in considered)
        raise ValueError(f"--speedup {speedup:g} is out of reach at --steps {steps} for the candidates asked for: "
                         f"fewer steps need speedup <= {steps}, caching <= {1 / cheapest:.2f} (cheapest placement "
                         "considered); ask for less")
    calibration = list(range(first, first + seeds))
    held = list(range(first + seeds, first + seeds + held_out))
    scheduler = args.scheduler or ("the pipeline's own" if text else "ddim")
    command = (f"stepcache plan --model {shlex.quote(args.model)}"
               + (f" --scheduler {args.scheduler}" if args.scheduler else "") + f" --steps {steps} "
               f"--speedup {speedup:g} --measure {args.measure} --seeds {seeds} --held-out {held_out}"
               + (f" --prompts {shlex.quote(str(args.prompts))}" if args.prompts else "")
               + f" --seed {first}" + (f" --guidance {guidance:g}" if guidance is not None else "")
               + f" --predictor {args.predictor} --measure-seeds {measure_seeds}"
               + (f" --branches {' '.join(map(placement_name, branches))}" if branches else "")
               + (f" --candidates {' '.join(kinds)}" if args.candidates else "")
               + (f" --threads {args.threads}" if args.threads else "") + f" --out {shlex.quote(str(args.out))}")

    def run():
        import json
        import time

        import torch

        from ..planning import evaluate, plan_for

        if args.threads:
            torch.set_num_threads(args.threads)
        t0 = time.perf_counter()
        plan = plan_for(pipe, run_pipe, steps, 1 / speedup, measure=args.measure, calibration_seeds=calibration,
                        candidates=kinds, branches=branches, predictor=args.predictor, measure_seeds=measure_seeds)
        evaluation = evaluate(plan, pipe, run_pipe, held) if held else None
        seconds = time.perf_counter() - t0
        best = plan.best
        what = (f"prompt = line seed mod {len(prompts)} of the prompts" if text else
                f"class = seed mod {pipe.null_class}")
        sampler = scheduler.upper() if scheduler in ("ddim", "dpm") else f"{type(pipe.scheduler).__name__}"
        lines = [f"# stepcache plan: {args.model} model, {sampler} {steps} steps, "
                 f"{speedup:g}x fewer denoiser MACs", "", f"Command: `{command}`", "",
                 f"Calibration seeds {calibration[0]}..{calibration[-1]} (one image each, {what}); {seconds:.0f} s "
                 f"in all ({plan.seconds:.0f} s planning).", "", "## Candidates (calibration seeds)", "", plan.table()]
        if evaluation is not None:
            lines += ["", f"## Held-out check (seeds {held[0]}..{held[-1]})", "", evaluation.table()]
        text_md = "\n".join(lines) + "\n"
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "plan.md").write_text(text_md)
        data = dict(plan.to_json(), command=command, held_out=evaluation.to_json() if evaluation else None)
        (args.out / "plan.json").write_text(json.dumps(data, indent=2) + "\n")
        print(text_md)
        wrote = [args.out / "plan.md", args.out / "plan.json"]
        profile = args.out / "profile.json"
        if best.cached:
            plan.save_profile(profile)
            wrote.append(profile)
            use = (f"DeepCacheConfig.from_profile({str(profile)!r}, threshold={best.config.threshold!r}, "
                   f"interval={best.config.interval})" if best.config.decides_online
                   else f"DeepCacheConfig.from_profile({str(profile)!r})")
            print(f"recommendation: {plan.recommendation}; use it with {use} at {best.steps} steps")
        else:
            if profile.exists():
                profile.unlink()
                _note(prog, f"removed {profile} of an earlier plan: this one recommends no cache")
            print(f"recommendation: {plan.recommendation}: fewer uncached steps beat every caching rule at this "
                  "budget; no profile written")
        print("wrote " + ", ".join(map(str, wrote)))
    return run


# -- main --------------------------------------------------------------------------------------------------------------

def _one_line(e: BaseException) -> str:
    text = " ".join(str(e).split())
    if isinstance(e, KeyError) and text.startswith("'"):
        text = f"missing {text}"
    if not text:
        return type(e).__name__
    if isinstance(e, (ValueError, TypeError, OSError, ImportError)) and not isinstance(e, UnicodeError):
        return text
    return f"{type(e).__name__}: {text}"


class _quiet_loading:
    """No "Loading pipeline components" / "Loading weights" bars (diffusers', transformers') while the inputs are
    checked: stderr carries the error alone."""

    def __enter__(self):
        self.restore = []
        for name in ("diffusers.utils.logging", "transformers.utils.logging"):
            try:
                log = importlib.import_module(name)
            except ImportError:  # pragma: no cover
                continue
            if log.is_progress_bar_enabled():
                log.disable_progress_bar()
                self.restore.append(log)

    def __exit__(self, *exc):
        for log in self.restore:
            log.enable_progress_bar()


def _fail(prog: str, message: str, code: int) -> None:
    print(f"{prog}: error: {message}", file=sys.stderr)
    raise SystemExit(code)


def main(argv=None) -> None:
    """``stepcache ...``: exit 0 on success, 2 on a bad command line or input (nothing written), 1 on a failure
    while running, 130 when interrupted."""
    args = build_parser().parse_args(argv)
    debug = args.debug or os.environ.get("STEPCACHE_DEBUG", "").strip().lower() not in ("", "0", "false", "no")
    prog = f"stepcache {args.command}"
    prepare = {"demo": prepare_demo, "analyze": prepare_analyze_calibrate, "calibrate": prepare_analyze_calibrate,
               "generate": prepare_generate, "plan": prepare_plan}.get(args.command)
    try:
        with _quiet_loading():
            work = prepare(args, prog) if prepare else prepare_bench(args, prog, argv)
    except KeyboardInterrupt:
        if debug:
            raise
        _fail(prog, "interrupted", 130)
    except INPUT_ERRORS as e:
        if debug:
            raise
        _fail(prog, _one_line(e), 2)
    except Exception as e:  # a bug while checking: not the user's input
        if debug:
            raise
        _fail(prog, f"{_one_line(e)} (rerun with --debug for the traceback)", 1)
    try:
        work()
    except KeyboardInterrupt:
        if debug:
            raise
        _fail(prog, "interrupted", 130)
    except Exception as e:
        if debug:
            raise
        _fail(prog, f"{_one_line(e)} (rerun with --debug for the traceback)", 1)


if __name__ == "__main__":
    main()
