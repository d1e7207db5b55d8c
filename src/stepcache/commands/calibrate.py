"""``stepcache calibrate``: choose the full steps for a MAC budget from uncached runs of a class-conditional model
(:func:`stepcache.calibrate`) and write a profile for ``DeepCacheConfig.from_profile``."""

from __future__ import annotations

from pathlib import Path

from ..core.config import check_number
from .analyze import add_run_arguments, uncached_runs
from .common import check_out_file


def add_parser(sub, common) -> None:
    p = sub.add_parser("calibrate", parents=[common],
                       help="choose the full steps for a MAC budget from uncached runs; write a profile")
    add_run_arguments(p)
    p.add_argument("--speedup", type=float, required=True, help="target: this many times fewer U-Net MACs")
    p.add_argument("--predictor", choices=["feature", "output", "final"], default="final",
                   help="cost of a reused step: deep-feature distance, measured U-Net output error, or "
                        "that error times the measured sensitivity of the final output to the step")
    p.add_argument("--out", type=Path, default=Path("profile.json"))


def prepare(args, prog, argv=None):
    from .. import api
    from .. import calibration as cal

    speedup = None

    def check_out():
        nonlocal speedup
        speedup = check_number("--speedup", args.speedup, 1.0, low_open=True)
        check_out_file(args.out)

    pipe, run_pipe, steps, branches, _ = uncached_runs(args, check_out)
    fractions = {b.branch: b.mac_fraction for b in api.branches(pipe)}
    considered = branches or sorted(fractions)
    if all(cal.full_steps_for_budget(steps, fractions[b], speedup) is None for b in considered):
        cheapest = min(fractions[b] for b in considered)
        raise ValueError(f"--speedup {speedup:g} is out of reach: a cached step of the cheapest branch "
                         f"considered costs {cheapest:.1%} of a full one (largest reachable speedup "
                         f"{1 / cheapest:.2f}); ask for less, or include --branches 1")

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
    return calibrate
