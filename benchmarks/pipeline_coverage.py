"""Every diffusers pipeline with a denoiser, built tiny and offline, run with stepcache: ok / refused / wrong / crash.

The table ``benchmarks/coverage_specs.json`` holds one spec per pipeline case of diffusers' own test suite
(``tests/pipelines/*/test_*.py``: the components ``get_dummy_components`` builds, as class + config, and the call
``get_dummy_inputs`` makes, with tensors and images as shapes): ``benchmarks/coverage_extract.py`` made it from a
diffusers checkout. Here each spec is rebuilt from configs alone (seeded random weights; tokenizers made in code,
text encoders from tiny configs: nothing from a hub) and checked:

* plain: the pipeline runs (``num_inference_steps`` raised to at least 6, also after a ``strength``);
* ``stepcache.enable(pipe, DeepCacheConfig(interval=1))``: bit-identical to plain;
* ``interval=3``: ``summary(pipe)`` shows at least one cached step among >= 4 calls of a stream (where the pipeline
  runs the denoiser fewer times, among those), and two identical calls give the same output;
* ``stepcache.disable(pipe)``: bit-identical to plain.

Verdicts: **ok**; **refused** (``enable`` or the first call raised ``UnsupportedModelError``, or a documented
``RuntimeError`` refusal: its message); **wrong** (a check not bit-identical, or nothing cached); **crash** (any
other exception under stepcache); **not built** (the spec cannot be built offline, the plain pipeline fails, or
it is not deterministic itself: why). A model refused at ``enable`` is not run. Run::

    OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python benchmarks/pipeline_coverage.py \\
        --json benchmarks/results/coverage/pipelines.json --doc docs/coverage.md

``--only NAME`` (a case or pipeline class name, repeatable) runs a subset; ``--doc-only`` rewrites the doc from the
json. Each case runs in a child process (a hung or crashing case cannot stop the run; ``--timeout`` seconds).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import inspect
import json
import math
import multiprocessing as mp
import string
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "benchmarks" / "coverage_specs.json"
JSON_OUT = ROOT / "benchmarks" / "results" / "coverage" / "pipelines.json"
DOC = ROOT / "docs" / "coverage.md"
BEGIN, END = "<!-- pipelines:begin -->", "<!-- pipelines:end -->"
DENOISERS = ("unet", "transformer", "prior", "decoder", "dit")


# -- tokenizers and text encoders made in code ---------------------------------------------------------------------
_CHARS = string.ascii_lowercase + string.ascii_uppercase + string.digits + " ,.!?'-_:;()[]<>|/\n"
_DIR = None


def clip_tokenizer(max_length: int = 77):
    """A CLIP BPE tokenizer over single characters (no merges, no download)."""
    from transformers import CLIPTokenizer

    global _DIR
    _DIR = _DIR or Path(tempfile.mkdtemp(prefix="stepcache-tok-"))
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for c in string.ascii_lowercase + string.digits + ",.!?'-":
        vocab.setdefault(c, len(vocab))
        vocab.setdefault(c + "</w>", len(vocab))
    (_DIR / "vocab.json").write_text(json.dumps(vocab))
    (_DIR / "merges.txt").write_text("#version: 0.2\n")
    return CLIPTokenizer(str(_DIR / "vocab.json"), str(_DIR / "merges.txt"), model_max_length=max_length,
                         pad_token="<|endoftext|>")


def char_tokenizer(max_length: int = 512):
    """A fast word-level tokenizer over single characters, with T5/Llama-like special tokens (ids 0-3)."""
    from tokenizers import Regex, Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "</s>": 1, "<unk>": 2, "<s>": 3}
    for c in _CHARS:
        vocab.setdefault(c, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    out = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>",
                                  bos_token="<s>", model_max_length=max_length)
    out.chat_template = CHAT  # for pipelines that format prompts as chat messages (Qwen-Image, ...)
    return out


#: a chat template that keeps the text of the messages
CHAT = ("{% for m in messages %}{% if m['content'] is string %}{{ m['content'] }}{% else %}{% for c in m['content'] %}"
        "{% if c['type'] == 'text' %}{{ c['text'] }}{% endif %}{% endfor %}{% endif %}{% endfor %}")


def local_tokenizer(kind: str, max_length: int | None = None):
    if kind == "CLIPTokenizer" or kind == "CLIPTokenizerFast":
        return clip_tokenizer(max_length or 77)
    return char_tokenizer(max_length or 512)


def tiny_text_config(name: str):
    """Tiny configs standing in for the hub's test encoders (hf-internal-testing/tiny-random-*)."""
    from transformers import BertConfig, T5Config, UMT5Config

    if "umt5" in name.lower():
        return UMT5Config(vocab_size=256, d_model=32, d_ff=37, d_kv=8, num_heads=4, num_layers=2,
                          relative_attention_num_buckets=8)
    if "t5" in name.lower():
        return T5Config(vocab_size=256, d_model=32, d_ff=37, d_kv=8, num_heads=4, num_layers=2,
                        num_decoder_layers=2, relative_attention_num_buckets=8)
    if "bert" in name.lower():
        return BertConfig(vocab_size=256, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                          intermediate_size=37, max_position_embeddings=512)
    raise NotBuilt(f"needs the hub model {name}")


class NotBuilt(Exception):
    """The spec cannot be built offline."""


# -- building a spec -------------------------------------------------------------------------------------------------
def _component(name: str, c):
    if c is None or not isinstance(c, dict) or "kind" not in c:
        return c
    kind = c["kind"]
    if kind == "missing":
        raise NotBuilt(f"{name}: {c['why']}")
    if kind == "tokenizer":
        return local_tokenizer(c["class"], c.get("max_length"))
    if kind == "list":
        return [_component(name, x) for x in c["items"]]
    import importlib

    import diffusers
    import transformers

    def find(cls_name, module):
        try:
            return getattr(importlib.import_module(module), cls_name)
        except (ImportError, AttributeError):
            raise NotBuilt(f"{name}: diffusers {diffusers.__version__} has no {cls_name}") from None

    torch.manual_seed(0)
    if kind == "diffusers":
        cls = find(c["class"], c.get("module", "diffusers"))
        if "nets" in c:  # MultiControlNetModel and the like
            return cls([_component(name, x) for x in c["nets"]])
        obj = cls.from_config(c["config"])
    elif kind == "transformers":
        cls = find(c["class"], c.get("module", "transformers"))
        if "config_class" in c:  # a model: its config, then random weights
            config = find(c["config_class"], c.get("config_module", "transformers")).from_dict(c["config"])
            obj = cls(config)
        else:  # image processors, feature extractors
            obj = cls(**c["config"])
    else:
        raise NotBuilt(f"{name}: unknown component kind {kind}")
    return obj.eval() if isinstance(obj, torch.nn.Module) else obj


def _value(v, seed: int):
    """Rebuild a call argument: tensors, arrays and images from their recorded shapes (seeded)."""
    if isinstance(v, list):
        return [_value(x, seed + i) for i, x in enumerate(v)]
    if not isinstance(v, dict) or "kind" not in v:
        return v
    g = torch.Generator().manual_seed(seed)
    kind = v["kind"]
    if kind == "generator":
        return torch.Generator().manual_seed(0)
    if kind in ("tensor", "array"):
        shape, dtype = v["shape"], v["dtype"]
        if "values" in v:
            t = torch.tensor(v["values"]).reshape(shape)
        elif "int" in dtype or "bool" in dtype:
            t = torch.ones(shape, dtype=torch.long)
        else:
            lo, hi = v["range"]
            t = lo + (hi - lo) * torch.rand(shape, generator=g)
        if kind == "array":
            return t.numpy().astype(dtype)
        return t.to(getattr(torch, dtype.replace("torch.", ""), torch.float32))
    if kind == "pil":
        from PIL import Image

        w, h = v["size"]
        chans = {"L": 1, "RGB": 3, "RGBA": 4}.get(v["mode"], 3)
        data = (torch.rand(h, w, chans, generator=g) * 255).to(torch.uint8).numpy()
        return Image.fromarray(data[..., 0] if chans == 1 else data, v["mode"])
    if kind == "dict":
        return {k: _value(x, seed + i) for i, (k, x) in enumerate(v["items"].items())}
    if kind == "tuple":
        return tuple(_value(x, seed + i) for i, x in enumerate(v["items"]))
    raise NotBuilt(f"input of unknown kind {kind}")


def steps_for(inputs: dict) -> int:
    """At least 6 denoising steps, also after an img2img ``strength`` cuts the schedule."""
    strength = inputs.get("strength")
    return max(6, math.ceil(6 / strength)) if isinstance(strength, (int, float)) and 0 < strength < 1 else 6


def build(spec: dict):
    """``(pipe, call)``: the pipeline of ``spec`` and a function running one seeded call of it."""
    import diffusers

    cls = getattr(diffusers, spec["pipeline"], None)
    if cls is None:
        raise NotBuilt(f"diffusers {diffusers.__version__} has no {spec['pipeline']}")
    components, left_out = {}, []
    for name, c in spec["components"].items():
        try:
            components[name] = _component(name, c)
        except NotBuilt:  # an optional component (a watermarker, a safety checker) may be left out
            if name not in getattr(cls, "_optional_components", ()):
                raise
            components[name], _ = None, left_out.append(name)
    pipe = cls(**components)
    pipe._coverage_left_out = left_out
    if hasattr(pipe, "set_progress_bar_config"):
        pipe.set_progress_bar_config(disable=True)
    inputs = dict(spec["inputs"])
    if "num_inference_steps" in inputs:
        inputs["num_inference_steps"] = max(int(inputs["num_inference_steps"] or 0), steps_for(inputs))

    def call(**override):
        kwargs = {k: _value(v, 1 + i) for i, (k, v) in enumerate(inputs.items())}
        kwargs.update(override)
        with torch.no_grad():
            return pipe(**kwargs)

    return pipe, call


def arrays(out) -> list[np.ndarray]:
    """Every array in a pipeline output (tensors, numpy arrays, PIL images, nested), for exact comparison."""
    if isinstance(out, torch.Tensor):
        return [out.detach().float().cpu().numpy()]
    if isinstance(out, np.ndarray):
        return [out]
    if hasattr(out, "size") and hasattr(out, "mode"):  # a PIL image
        return [np.asarray(out)]
    if isinstance(out, (list, tuple)):
        return [a for x in out for a in arrays(x)]
    if isinstance(out, dict):
        return [a for x in out.values() for a in arrays(x)]
    if hasattr(out, "__dataclass_fields__"):
        return [a for k in out.__dataclass_fields__ for a in arrays(getattr(out, k))]
    return []


def same(a, b) -> bool:
    xa, xb = arrays(a), arrays(b)
    return len(xa) == len(xb) > 0 and all(x.shape == y.shape and np.array_equal(x, y, equal_nan=True)
                                          for x, y in zip(xa, xb))


def denoiser_of(pipe):
    for name in DENOISERS:
        m = getattr(pipe, name, None)
        if isinstance(m, torch.nn.Module):
            return name, m
    return None, None


def _one_line(e: BaseException) -> str:
    return f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}"[:300]


def check(spec: dict) -> dict:
    """The verdict of one spec (see the module docstring)."""
    import stepcache
    from stepcache import DeepCacheConfig
    from stepcache.families import UnsupportedModelError

    r = {"name": spec["name"], "pipeline": spec["pipeline"], "source": spec["source"]}
    try:
        pipe, call = build(spec)
    except Exception as e:  # noqa: BLE001 -- anything that stops the offline build is reported as such
        return dict(r, verdict="not built", why=_one_line(e))
    if pipe._coverage_left_out:
        r["left_out"] = pipe._coverage_left_out  # optional components that cannot be rebuilt offline
    slot, model = denoiser_of(pipe)
    r["denoiser"] = type(model).__name__ if model is not None else None
    r["slot"] = slot
    if model is None:
        return dict(r, verdict="not built", why="no denoiser component")
    try:  # a model refused at enable: run it once (it builds and runs offline), then say so
        stepcache.enable(pipe, DeepCacheConfig(interval=1))
        stepcache.disable(pipe)
    except UnsupportedModelError as e:  # built offline; not run (what runs it is stepcache's refusal)
        return dict(r, verdict="refused", why=_one_line(e).split(": ", 1)[1], stage="enable(interval=1)")
    except ValueError:
        pass  # a setting of the default config: handled below
    try:
        plain = call()
    except Exception as e:  # noqa: BLE001
        # the denoiser is what is checked: where only the decoding fails offline (tiled VAEs, ...), compare latents
        if "output_type" not in inspect.signature(pipe.__call__).parameters:
            return dict(r, verdict="not built", why="plain pipeline fails: " + _one_line(e))
        latent = call
        call = lambda: latent(output_type="latent")  # noqa: E731
        try:
            plain = call()
        except Exception:  # noqa: BLE001
            return dict(r, verdict="not built", why="plain pipeline fails: " + _one_line(e))
        r["output"] = "latent (decoding fails: " + _one_line(e)[:120] + ")"
    stage = "enable(interval=1)"
    extra: dict = {}
    try:
        try:
            stepcache.enable(pipe, DeepCacheConfig(interval=1))
        except ValueError as e:  # a tiny stack below the default live blocks: what a user does, say so
            if "first_blocks" not in str(e):
                raise
            extra = dict(first_blocks=0, last_blocks=0)
            r["config"] = "first_blocks=0, last_blocks=0 (the tiny stack is below the default live blocks)"
            stepcache.enable(pipe, DeepCacheConfig(interval=1, **extra))
        stage = "interval=1 call"
        exact1 = same(call(), plain)
        stepcache.disable(pipe)
        stage = "enable(interval=3)"
        stepcache.enable(pipe, DeepCacheConfig(interval=3, **extra))
        stage = "interval=3 call"
        out3 = call()
        pattern = stepcache.summary(pipe).streams
        repeat = same(call(), out3)
        stepcache.disable(pipe)
        stage = "after disable"
        exact_off = same(call(), plain)
    except Exception as e:  # noqa: BLE001 -- classified below
        # deliberate: an unsupported model, a setting refused at enable, or a RuntimeError stepcache raises itself
        inner = traceback.extract_tb(e.__traceback__)[-1].filename
        deliberate = isinstance(e, UnsupportedModelError) or (isinstance(e, ValueError) and stage.startswith(
            "enable")) or (isinstance(e, RuntimeError) and "/stepcache/" in inner)
        why = _one_line(e).split(": ", 1)[1] if isinstance(e, UnsupportedModelError) else _one_line(e)
        out = dict(r, verdict="refused" if deliberate else "crash", why=why, stage=stage)
        if not deliberate:
            out["trace"] = traceback.format_exc(limit=-4)[-1500:]
        return out
    if not (exact1 and exact_off):  # a difference: is the plain pipeline itself deterministic?
        with contextlib.suppress(Exception):
            if not same(call(), plain):
                return dict(r, verdict="not built", why="the plain pipeline is not deterministic")
    r.update(exact_interval1=exact1, exact_after_disable=exact_off, repeat=repeat, pattern=list(pattern))
    long = [s for s in pattern if len(s) >= 4]
    # where the pipeline runs this denoiser for fewer than 4 steps (fixed short schedules, a second expert taking
    # over), it must still cache one of them
    cached = any("C" in s for s in (long or pattern))
    problems = ([] if exact1 else ["interval 1 not bit-identical"]) + \
        ([] if exact_off else ["disable not bit-identical"]) + ([] if repeat else ["interval 3 not repeatable"]) + \
        ([] if cached else [f"interval 3 cached nothing ({'/'.join(pattern) or 'no calls'})"])
    note = "" if long or problems else f"this denoiser runs fewer than 4 steps per stream here ({'/'.join(pattern)})"
    return dict(r, verdict="ok" if not problems else "wrong", why="; ".join(problems) or note)


def _child(spec, queue):
    import warnings

    import diffusers
    import transformers

    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")
    diffusers.utils.logging.set_verbosity_error()
    transformers.utils.logging.set_verbosity_error()
    try:
        queue.put(check(spec))
    except BaseException as e:  # noqa: BLE001
        queue.put({"name": spec["name"], "pipeline": spec["pipeline"], "source": spec["source"],
                   "verdict": "crash", "why": "harness: " + _one_line(e)})


def run_isolated(spec: dict, timeout: float) -> dict:
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    p = ctx.Process(target=_child, args=(spec, queue))
    t0 = time.perf_counter()
    p.start()
    try:
        r = queue.get(timeout=timeout)
    except Exception:  # noqa: BLE001 -- queue.Empty: hung or died
        died = p.exitcode is not None  # else still running: too slow for this run on this machine
        r = {"name": spec["name"], "pipeline": spec["pipeline"], "source": spec["source"],
             "verdict": "crash" if died else "not built",
             "why": f"the case died (exit code {p.exitcode})" if died else
             f"too slow here: no result in {timeout:.0f} s (the checks make 5 pipeline calls)"}
    p.join(5)
    if p.is_alive():
        p.kill()
    r["seconds"] = round(time.perf_counter() - t0, 1)
    return r


def load_specs(only=None) -> list[dict]:
    specs = json.loads(SPECS.read_text())["specs"]
    if only:
        specs = [s for s in specs if s["name"] in only or s["pipeline"] in only]
    return specs


# -- the document ----------------------------------------------------------------------------------------------------
ORDER = ("ok", "refused", "wrong", "crash", "not built")


def counts(results: list[dict]) -> dict:
    c = {v: sum(r["verdict"] == v for r in results) for v in ORDER}
    c["built"] = len(results) - c["not built"]
    c["total"] = len(results)
    return c


def doc_section(data: dict) -> str:
    meta, results = data["meta"], data["results"]
    c = counts(results)
    share = c["ok"] / c["built"] if c["built"] else 0.0
    lines = [BEGIN, "## Every diffusers pipeline (diffusers' test configs)", "",
             f"Generated by `{meta['command'].split(' (')[0]}` (run in shards, `--shard K/N --resume`; each result in "
             "the json records the command that made it) from `benchmarks/results/coverage/pipelines.json` "
             f"(torch {meta['torch']}, diffusers {meta['diffusers']}, transformers {meta['transformers']}). "
             "One row per pipeline case of diffusers' own test suite (`tests/pipelines/*/test_*.py`, "
             "`get_dummy_components` / `get_dummy_inputs`, as recorded in `benchmarks/coverage_specs.json`), rebuilt "
             "offline from configs (random weights, tokenizers made in code). **ok**: plain runs; `interval=1` and "
             "`disable` bit-identical to plain; `interval=3` caches at least one of >= 4 steps (one of the steps "
             "it runs, where a pipeline runs its denoiser fewer times) and repeats itself. "
             "**refused**: stepcache says why, in one line. **wrong**: a check failed without an error. "
             "**crash**: another exception. **not built**: the case cannot be built offline (why).", "",
             f"**{c['total']} cases: {c['built']} built, {c['ok']} ok ({share:.0%} of built), {c['refused']} "
             f"refused, {c['wrong']} wrong, {c['crash']} crash; {c['not built']} not built.**", "",
             "| case | pipeline | denoiser | verdict | why |", "|---|---|---|---|---|"]
    for r in sorted(results, key=lambda r: (ORDER.index(r["verdict"]), r["pipeline"], r["name"])):
        why = (r.get("why") or "").replace("|", "\\|").replace("\n", " ")
        if r["verdict"] == "ok":
            why = "pattern " + " / ".join(r.get("pattern", [])) + (f"; {why}" if why else "")
        lines.append(f"| {r['name']} | {r['pipeline']} | {r.get('denoiser') or ''} | {r['verdict']} | {why} |")
    lines.append(END)
    return "\n".join(lines)


def replace_section(path: Path, section: str, begin: str, end: str) -> None:
    """Put ``section`` (which starts with ``begin`` and ends with ``end``) in place of the one between those
    markers in ``path``, or after its title; the rest of the file is kept (docs/coverage.md holds two)."""
    text = path.read_text() if path.exists() else "# Coverage\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + section + rest.split(end, 1)[1]
    else:
        title, _, body = text.partition("\n")
        text = f"{title}\n\n{section}\n{body}"
    path.write_text(text)


def write_doc(data: dict, path: Path = DOC) -> None:
    replace_section(path, doc_section(data), BEGIN, END)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", action="append", help="a case or pipeline class name (repeatable)")
    ap.add_argument("--shard", default="0/1", help="K/N: run every N-th case from the K-th (parallel runs)")
    ap.add_argument("--json", type=Path, help="write the results here (e.g. " + str(JSON_OUT.relative_to(ROOT)) + "), "
                    "after every case; results already there for other cases are kept")
    ap.add_argument("--doc", type=Path, help="regenerate this doc's pipeline section from the results")
    ap.add_argument("--doc-only", action="store_true", help="only rewrite --doc from the --json file")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per case")
    ap.add_argument("--resume", action="store_true", help="skip the cases --json already has")
    args = ap.parse_args(argv)
    if args.doc_only:
        write_doc(json.loads((args.json or JSON_OUT).read_text()), args.doc or DOC)
        return 0
    import diffusers
    import transformers

    import stepcache  # noqa: F401 -- imported once, before the children fork

    k, n = map(int, args.shard.split("/"))
    specs = load_specs(args.only)[k::n]
    if args.resume and args.json and args.json.exists():
        done = {r["name"] for r in json.loads(args.json.read_text())["results"]}
        specs = [s for s in specs if s["name"] not in done]
    order = [s["name"] for s in load_specs()]
    cmd = "OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python benchmarks/pipeline_coverage.py " + " ".join(
        argv if argv is not None else sys.argv[1:])
    for spec in specs:
        r = run_isolated(spec, args.timeout)
        r["command"] = cmd.strip()
        print(f"{r['name']:55s} {r['verdict']:9s} {r['seconds']:6.1f}s {r.get('why', '')[:110]}", flush=True)
        if args.json:  # re-read under a lock: parallel shards write the same file
            args.json.parent.mkdir(parents=True, exist_ok=True)
            lock = open(Path(tempfile.gettempdir()) / (args.json.name + ".lock"), "w")  # not beside the results
            fcntl.flock(lock, fcntl.LOCK_EX)
            old = json.loads(args.json.read_text())["results"] if args.json.exists() else []
            merged = {x["name"]: x for x in old if x["name"] in order}
            merged[r["name"]] = r
            results = sorted(merged.values(), key=lambda x: order.index(x["name"]))
            data = {"meta": {"command": "OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python "
                             "benchmarks/pipeline_coverage.py --json " + str(JSON_OUT.relative_to(ROOT)) +
                             " --doc docs/coverage.md (each result records the command that made it)",
                             "torch": torch.__version__, "diffusers": diffusers.__version__,
                             "transformers": transformers.__version__, "counts": counts(results)},
                    "results": results}
            tmp = args.json.with_suffix(f".{k}.tmp")
            tmp.write_text(json.dumps(data, indent=1) + "\n")
            tmp.replace(args.json)
            lock.close()
    if args.json:
        data = json.loads(args.json.read_text())
        print(" ".join(f"{key}={v}" for key, v in data["meta"]["counts"].items()))
        if args.doc:
            write_doc(data, args.doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
