"""``stepcache ui``: a local web page (Gradio) to compare the uncached and the cached image of a model, side by side,
and to run ``plan`` at a budget (the page itself: :mod:`stepcache.ui`)."""

from __future__ import annotations

import importlib.util

from .common import int_flag

#: the models the page knows by name (the embedded ones); anything else is a pipeline folder
UI_MODELS = ("emoji-sd", "emoji-pixart", "digits")


def add_parser(sub, common) -> None:
    p = sub.add_parser("ui", parents=[common],
                       help="a local web page: the uncached and the cached image side by side, measured; plan at a "
                            "budget (needs pip install 'stepcache[ui]')")
    p.add_argument("--model", default="emoji-sd",
                   help="emoji-sd (the embedded text-to-image U-Net, default), emoji-pixart (its transformer twin), "
                        "digits (the MNIST DDPM), or a diffusers text-to-image pipeline folder; the page can load "
                        "others")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 opens it to the "
                        "network)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")


def load_model(name: str):
    """The :class:`stepcache.ui.Model` that ``name`` names: an embedded model or a pipeline folder (errors: one
    line, naming the model)."""
    from .common import quiet_loading

    with quiet_loading():
        return _load(name)


def _load(name: str):
    from ..ui import Model
    from .plan import _EMOJI_MODELS, load_plan_model

    if name == "digits":
        pipe, _ = load_plan_model("embedded", None)
        return Model("digits", pipe, text=False, guidance=1.0, classes=pipe.null_class)
    pipe, text = load_plan_model(name, None)
    if not text:  # a class-conditional folder
        return Model(name, pipe, text=False, guidance=1.0, classes=pipe.null_class)
    from ..embedded.sampling import no_binning

    call = no_binning(pipe)
    if name in _EMOJI_MODELS:
        from ..embedded.demo_emoji import PIXART_CALL, PROMPTS

        if name == "emoji-pixart":
            call.update(PIXART_CALL)
        return Model(name, pipe, text=True, call=call, prompts=tuple(p for p, _ in PROMPTS), guidance=3.0)
    import inspect

    own = inspect.signature(type(pipe).__call__).parameters.get("guidance_scale")  # the pipeline's default
    guidance = own.default if own is not None and isinstance(own.default, (int, float)) else None
    return Model(name, pipe, text=True, call=call, prompts=("a photo of a cat",), guidance=guidance)


def check_address(host: str, port: int) -> None:
    """The page can listen on ``host:port`` (checked before the model loads)."""
    import socket

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, port))
    except OSError as e:
        raise OSError(f"--host {host} --port {port}: cannot listen there ({e.strerror or e}); choose another "
                      "--port (or --host)") from None


def prepare(args, prog, argv=None):
    port = int_flag("--port", args.port, 1, 65535)
    check_address(args.host, port)
    if importlib.util.find_spec("gradio") is None:
        raise ImportError("the page needs Gradio: pip install 'stepcache[ui]'")
    from ..ui import Models, build_page, launch

    models = Models(load_model)
    models.get(args.model)  # a bad --model fails here: exit 2, before the server starts
    page = build_page(models, args.model)

    def run():
        print(f"stepcache ui: serving {args.model} on http://{args.host}:{port} (Ctrl+C stops it)", flush=True)
        launch(page, args.host, port, block=True, quiet=True)
    return run
