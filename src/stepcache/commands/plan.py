"""``stepcache plan``: at a MAC budget, fewer steps or which caching rule? Every candidate measured on calibration
seeds (:func:`stepcache.planning.plan_for`), checked on held-out seeds, one recommended, its profile written."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

from ..core.config import check_number
from .common import (check_branches, check_out_dir, guidance_flag, int_flag, load_class_conditional, max_steps,
                     note, threads_flag)

#: stepcache.planning.KINDS and MEASURES, repeated here so that parsing the command line imports no torch
PLAN_KINDS = ("steps", "uniform", "extrapolated", "nonuniform", "calibrated", "calibrated-extrapolated",
              "adaptive", "first-block", "cached-fewer-steps")
PLAN_MEASURES = ("psnr", "ssim")
#: stepcache.planning.FORECASTS (names) and DEFAULT_FORECASTS
PLAN_FORECASTS = ("reuse", "taylor1", "taylor2", "chebyshev")
PLAN_DEFAULT_FORECASTS = ("reuse", "taylor2", "chebyshev")


def add_parser(sub, common) -> None:
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
                   help="kinds to measure (default all that fit the model: first-block only on transformers)")
    p.add_argument("--forecasters", nargs="+", choices=list(PLAN_FORECASTS), default=None,
                   help="forecasters crossed with the uniform, non-uniform and calibrated schedules and with caching "
                        f"at fewer steps (default: {' '.join(PLAN_DEFAULT_FORECASTS)})")
    p.add_argument("--predictor", choices=["feature", "output", "final"], default="final",
                   help="the calibrated rule's cost model (see stepcache calibrate); 'final' costs one generation per "
                        "step and branch, 'output' far less")
    p.add_argument("--measure-seeds", type=int, default=1, help="calibration seeds the predictor is measured on")
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    p.add_argument("--out", type=Path, default=Path("out/plan"), help="folder for plan.md, plan.json, profile.json")


#: the embedded text-to-image models ``stepcache plan --model`` knows by name, and their guidance
_EMOJI_MODELS = ("emoji-sd", "emoji-pixart")


def load_plan_model(arg: str, scheduler: str | None):
    """``(pipe, text)``: the pipeline ``--model`` names, and whether it takes prompts (text-to-image). The
    scheduler: ``--scheduler`` if given (refused on a flow-matching pipeline), else DDIM for the class-conditional
    models and the pipeline's own for text-to-image ones."""
    if arg == "embedded":
        return load_class_conditional(None, scheduler or "ddim"), False
    from ..jobs import model_source, set_scheduler

    folder = Path(model_source(arg)) if arg in _EMOJI_MODELS else Path(arg)
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
        return load_class_conditional(folder, scheduler or "ddim"), False
    try:
        import torch
        from diffusers import DiffusionPipeline

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
    set_scheduler(pipe, scheduler, "--scheduler")
    pipe.set_progress_bar_config(disable=True)
    return pipe, True


def plan_prompts(path: Path | None, model_arg: str) -> list[str]:
    if path is None:
        if model_arg in _EMOJI_MODELS:
            from ..embedded.demo_emoji import PROMPTS

            return [p for p, _ in PROMPTS]
        raise ValueError("--prompts is required for a text-to-image --model: a file with one prompt per line")
    if not path.is_file():
        raise FileNotFoundError(f"--prompts {path} not found (a file with one prompt per line)")
    prompts = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    if not prompts:
        raise ValueError(f"--prompts {path} has no prompt (one per line)")
    return prompts



def prepare(args, prog, argv=None):
    import shlex

    steps = int_flag("--steps", args.steps, 2, why=" (the uncached reference and one fewer)")
    speedup = check_number("--speedup", args.speedup, 1.0, low_open=True)
    seeds = int_flag("--seeds", args.seeds, 2, why=" (a std needs two)")
    held_out = int_flag("--held-out", args.held_out, 0)
    if held_out == 1:
        raise ValueError("--held-out must be 0 (no check) or >= 2 (a paired std needs two seeds), got 1")
    first = int_flag("--seed", args.seed, 0)
    measure_seeds = int_flag("--measure-seeds", args.measure_seeds, 1, seeds, " (a subset of the calibration seeds)")
    guidance = guidance_flag(args.guidance)
    threads_flag("--threads", args.threads)
    kinds = None if args.candidates is None else list(dict.fromkeys(args.candidates))
    forecasters = None if args.forecasters is None else list(dict.fromkeys(args.forecasters))
    check_out_dir(args.out)
    pipe, text = load_plan_model(args.model, args.scheduler)
    if text:
        prompts = plan_prompts(args.prompts, args.model)
        if guidance is None and args.model in _EMOJI_MODELS:
            guidance = 3.0
    elif args.prompts is not None:
        raise ValueError(f"--prompts is for text-to-image models; --model {args.model} is class-conditional")
    elif guidance is None:
        guidance = 1.0
    high = max_steps(pipe)
    steps = int_flag("--steps", steps, 2, high, f" ({high} training timesteps)" if high else "")
    branches = check_branches(pipe, args.branches)
    import torch

    from .. import api
    from ..calibration import full_steps_for_budget, placement_fractions, placement_name
    from ..core.config import DeepCacheConfig
    from ..embedded.sampling import no_binning
    from ..families import transformer

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
    if kinds is not None and "first-block" in kinds and not transformer.is_transformer(api.split(pipe)[0]):
        raise ValueError("--candidates first-block is a transformer rule (a stack of blocks); for a U-Net use "
                         "adaptive")
    asked = list(PLAN_KINDS) if kinds is None else kinds
    caching = [k for k in asked if k != "steps"]
    fewer = "steps" in asked and steps // speedup >= 1
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
               + (f" --candidates {' '.join(kinds)}" if kinds else "")
               + (f" --forecasters {' '.join(forecasters)}" if forecasters else "")
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
                        candidates=kinds, branches=branches, predictor=args.predictor, measure_seeds=measure_seeds,
                        forecasters=forecasters)
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
                note(prog, f"removed {profile} of an earlier plan: this one recommends no cache")
            print(f"recommendation: {plan.recommendation}: fewer uncached steps beat every caching rule at this "
                  "budget; no profile written")
        print("wrote " + ", ".join(map(str, wrote)))
    return run

