"""``stepcache demo``: DeepCache side by side with the uncached model on the embedded models (the emoji
text-to-image U-Net and transformer, or the MNIST DDPM): a grid and a table, offline."""

from __future__ import annotations

from pathlib import Path

from .common import check_out_dir, guidance_flag, int_flag, threads_flag


#: the demo's models: ``--model``
MODELS = ("emoji", "digits")

#: ``stepcache demo``'s defaults per --model: images, steps, guidance, the lowest --samples (and why)
DEMO_DEFAULTS = {"emoji": (32, 25, 3.0, 1, ""), "digits": (100, 50, 1.0, 2, " (FID-domain needs at least 2)")}


def add_parser(sub, common) -> None:
    demo = sub.add_parser("demo", parents=[common],
                          help="DeepCache on the embedded emoji text-to-image models (U-Net and transformer) or "
                               "the MNIST DDPM: a grid and a table (offline)")
    demo.add_argument("--model", choices=list(MODELS), default="emoji",
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


def run_demo(out: Path, model: str = "emoji", **kwargs) -> str:
    """Run the demo of ``model`` (one of :data:`MODELS`) into ``out``; return its text (settings and table)."""
    if model == "emoji":
        from ..embedded.demo_emoji import run_emoji

        return run_emoji(out, **kwargs)
    if model == "digits":
        from ..embedded.demo_digits import run_digits

        return run_digits(out, **kwargs)
    raise ValueError(f"model must be one of {', '.join(MODELS)}, got {model!r}")


def prepare(args, prog, argv=None):
    samples, steps, guidance, low, why = DEMO_DEFAULTS[args.model]
    samples = int_flag("--samples", samples if args.samples is None else args.samples, low, why=why)
    steps = int_flag("--steps", steps if args.steps is None else args.steps, 1, 1000)
    guidance = guidance_flag(guidance if args.guidance is None else args.guidance)
    threads_flag("--threads", args.threads)
    check_out_dir(args.out)
    if args.model == "digits":
        kwargs = dict(samples=20, steps=25, fid=False) if args.fast else dict(samples=samples, steps=steps, fid=True)
    else:
        from ..embedded.demo_emoji import FAST

        kwargs = dict(FAST) if args.fast else dict(samples=samples, steps=steps)

    def run():
        print(run_demo(args.out, args.model, guidance=guidance, threads=args.threads, **kwargs))
        print(f"\nwrote {args.out / 'demo.png'} and {args.out / 'demo.md'}")
    return run

