"""What every command shares: the one-line-error parser, the input checks (nothing is written before they pass),
the class-conditional model loader and the error reporting of :func:`stepcache.commands.cli.main`."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
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


def int_flag(flag: str, value, low: int, high: int | None = None, why: str = "") -> int:
    try:
        return check_int(flag, value, low, high)
    except ValueError as e:
        raise ValueError(f"{e}{why}") from None


def guidance_flag(value) -> float:
    return check_number("--guidance", value, 1.0) if value is not None else value


def threads_flag(flag: str, value) -> None:
    if value is not None:
        int_flag(flag, value, 1)


def check_out_dir(path: Path, flag: str = "--out") -> None:
    """``path`` is (or can be made) a writable folder: refused if it, or a folder above it, is a file."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(f"{flag} {path} is a file, not a folder; choose another {flag}")
    check_parent(path, flag)


def check_out_file(path: Path, flag: str = "--out") -> None:
    """``path`` can be written as a file: not a folder, and its folder is (or can be made) writable."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{flag} {path} is a folder; give a file path, e.g. {path / 'profile.json'}")
    check_parent(path.parent, flag, of=path)


def check_parent(path: Path, flag: str, of: Path | None = None) -> None:
    target = of if of is not None else path
    p = path.absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    if not p.is_dir():
        raise NotADirectoryError(f"{flag} {target}: {p} is a file, so no folder can be made there; choose another "
                                 f"{flag}")
    if not os.access(p, os.W_OK | os.X_OK):
        raise PermissionError(f"{flag} {target}: {p} is not writable; choose another {flag}")


def load_class_conditional(model: Path | None, scheduler: str):
    """The class-conditional pipeline at ``--model`` (default: the embedded one), checked to load."""
    from ..embedded.sampling import EMBEDDED_MODEL, load_embedded

    if model is not None and not model.exists():
        raise FileNotFoundError(f"--model {model} not found: give a class-conditional pipeline folder, or leave "
                                "--model out for the embedded MNIST DDPM")
    try:
        return load_embedded(model or EMBEDDED_MODEL, scheduler=scheduler)
    except Exception as e:
        raise ValueError(f"--model {model}: cannot load a class-conditional pipeline from it "
                         f"({type(e).__name__}: {' '.join(str(e).split())[:200]})") from e


def max_steps(pipe) -> int | None:
    return getattr(pipe.scheduler.config, "num_train_timesteps", None)


def check_branches(pipe, branches) -> list | None:
    """``--branches``: U-Net branches (ints) or a transformer's live blocks (``F1B0``: first 1, last 0)."""
    if branches is None:
        return None
    from .. import api
    from ..calibration import parse_placement
    from ..families import transformer
    from ..families.unet import layout

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
            int_flag("--branches F", first, 0, n - 1, f" (this {type(model).__name__} has {n} blocks)")
            try:
                transformer.stack(model, first, last)
            except ValueError as e:
                raise ValueError(f"--branches {b}: {e}") from None
            out.append((first, last))
    else:
        n = layout(model).num_branches
        out = [int_flag("--branches", as_int("--branches", b), 1, n, f" (this model has {n} branches)")
               for b in branches]
    dup = sorted({str(b) for b in out if out.count(b) > 1})
    if dup:
        raise ValueError(f"--branches lists {dup[0]} twice; give each branch once")
    return out


def as_int(flag: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{flag} must be integers, got {value!r}") from None



def note(prog: str, text: str) -> None:
    print(f"{prog}: note: {text}", file=sys.stderr)


def has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def one_line(e: BaseException) -> str:
    text = " ".join(str(e).split())
    if isinstance(e, KeyError) and text.startswith("'"):
        text = f"missing {text}"
    if not text:
        return type(e).__name__
    if isinstance(e, (ValueError, TypeError, OSError, ImportError)) and not isinstance(e, UnicodeError):
        return text
    return f"{type(e).__name__}: {text}"


class quiet_loading:
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


def fail(prog: str, message: str, code: int) -> None:
    print(f"{prog}: error: {message}", file=sys.stderr)
    raise SystemExit(code)


