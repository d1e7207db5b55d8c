"""The ``stepcache`` command line: builds the parser from the command modules and dispatches.

Each command lives in its own module of :mod:`stepcache.commands` with its parser (``add_parser``), its checks and
its run (``prepare`` checks every input -- numbers, files, the model and the branch against it, the output folder,
optional dependencies -- before it writes anything, and returns the work to do). Errors are one line on stderr,
``stepcache <command>: error: ...``: exit code 2 for a bad command line or input (nothing was written), 1 for a
failure while running. ``--debug`` (or ``STEPCACHE_DEBUG=1``) shows the traceback instead.
"""

from __future__ import annotations

import argparse
import os

from . import analyze, bench, calibrate, demo, generate, plan, ui
from .common import INPUT_ERRORS, Parser, fail, one_line, quiet_loading

#: the commands, in the order ``stepcache --help`` lists them
COMMANDS = {"demo": demo, "bench": bench, "analyze": analyze, "calibrate": calibrate, "generate": generate,
            "plan": plan, "ui": ui}


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("stepcache")
    except Exception:  # not installed as a distribution (e.g. run from a source tree)
        from .. import __version__

        return __version__


def build_parser() -> Parser:
    ap = Parser(prog="stepcache", description="DeepCache for diffusers pipelines (U-Nets and transformers)")
    ap.add_argument("--version", action="version", version=f"stepcache {_version()}")
    ap.add_argument("--debug", action="store_true", help="show the traceback of an error (or STEPCACHE_DEBUG=1)")
    common = Parser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the traceback of an error (or STEPCACHE_DEBUG=1)")
    sub = ap.add_subparsers(dest="command", required=True, parser_class=Parser)
    for module in COMMANDS.values():
        module.add_parser(sub, common)
    return ap


def main(argv=None) -> None:
    """``stepcache ...``: exit 0 on success, 2 on a bad command line or input (nothing written), 1 on a failure
    while running, 130 when interrupted."""
    args = build_parser().parse_args(argv)
    debug = args.debug or os.environ.get("STEPCACHE_DEBUG", "").strip().lower() not in ("", "0", "false", "no")
    prog = f"stepcache {args.command}"
    try:
        with quiet_loading():
            work = COMMANDS[args.command].prepare(args, prog, argv)
    except KeyboardInterrupt:
        if debug:
            raise
        fail(prog, "interrupted", 130)
    except INPUT_ERRORS as e:
        if debug:
            raise
        fail(prog, one_line(e), 2)
    except Exception as e:  # a bug while checking: not the user's input
        if debug:
            raise
        fail(prog, f"{one_line(e)} (rerun with --debug for the traceback)", 1)
    try:
        work()
    except KeyboardInterrupt:
        if debug:
            raise
        fail(prog, "interrupted", 130)
    except Exception as e:
        if debug:
            raise
        fail(prog, f"{one_line(e)} (rerun with --debug for the traceback)", 1)


if __name__ == "__main__":
    main()
