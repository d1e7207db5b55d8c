"""Record diffusers' tiny test pipelines as specs for ``benchmarks/pipeline_coverage.py``.

For every test class of ``tests/pipelines/*/test_*.py`` in a diffusers checkout that has a ``pipeline_class`` and
``get_dummy_components``, this calls ``get_dummy_components()`` and ``get_dummy_inputs("cpu")`` with every
``from_pretrained`` answered offline (tokenizers made in code, text encoders from tiny configs; anything else is
recorded as missing) and writes what they made as data: each component as its class and config, each call argument
as a literal or (tensors, arrays, images) a shape. Nothing of the test code is kept. Run::

    git --git-dir=<diffusers>.git archive <commit> tests | tar -x -C /tmp/difftests
    PYTHONPATH=src .venv/bin/python benchmarks/coverage_extract.py /tmp/difftests --commit <commit>
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import sys
import types
import unittest
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pipeline_coverage as pc  # noqa: E402


def _stub_parameterized():
    mod = types.ModuleType("parameterized")

    def expand(*_a, **_k):
        return lambda f: f

    mod.parameterized = types.SimpleNamespace(expand=expand)
    mod.parameterized_class = lambda *a, **k: (lambda c: c)
    sys.modules.setdefault("parameterized", mod)
    sys.modules.setdefault("requests_mock", types.ModuleType("requests_mock"))


class Missing(Exception):
    pass


def _patch_hub():
    """Every from_pretrained answered offline: tokenizers and tiny text encoders, else Missing."""
    import diffusers
    import transformers
    from transformers import AutoConfig, AutoTokenizer, PreTrainedModel
    from transformers.tokenization_utils_base import PreTrainedTokenizerBase

    def tokenizer(cls, name, *a, **k):
        tok = pc.local_tokenizer(cls.__name__)
        tok._recorded = cls.__name__
        return tok

    def auto_tokenizer(name, *a, **k):
        tok = pc.local_tokenizer("CLIPTokenizer" if "clip" in name.lower() else "fast")
        tok._recorded = "CLIPTokenizer" if "clip" in name.lower() else "AutoTokenizer"
        return tok

    def config(name, *a, **k):
        try:
            return pc.tiny_text_config(name)
        except pc.NotBuilt as e:
            raise Missing(str(e)) from None

    def model(cls, name, *a, **k):
        try:
            return cls(pc.tiny_text_config(name))
        except pc.NotBuilt as e:
            raise Missing(str(e)) from None

    def missing(cls, name, *a, **k):
        raise Missing(f"needs {cls.__name__}.from_pretrained({name!r})")

    PreTrainedTokenizerBase.from_pretrained = classmethod(tokenizer)
    AutoTokenizer.from_pretrained = staticmethod(auto_tokenizer)
    AutoConfig.from_pretrained = staticmethod(config)
    PreTrainedModel.from_pretrained = classmethod(model)
    transformers.ProcessorMixin.from_pretrained = classmethod(missing)
    transformers.AutoProcessor.from_pretrained = classmethod(missing)
    transformers.ImageProcessingMixin.from_pretrained = classmethod(missing)
    diffusers.ModelMixin.from_pretrained = classmethod(missing)
    diffusers.DiffusionPipeline.from_pretrained = classmethod(missing)


def component(c):
    import diffusers
    import transformers

    if c is None or isinstance(c, (bool, int, float, str)):
        return c
    from transformers.tokenization_utils_base import PreTrainedTokenizerBase

    if isinstance(c, PreTrainedTokenizerBase):  # made in code by pipeline_coverage, whatever the test loaded
        return {"kind": "tokenizer", "class": getattr(c, "_recorded", type(c).__name__),
                "max_length": int(min(c.model_max_length, 4096))}
    if isinstance(c, (list, tuple)):
        return {"kind": "list", "items": [component(x) for x in c]}
    name, module = type(c).__name__, type(c).__module__
    where = {} if getattr(diffusers, name, None) is not None or getattr(transformers, name, None) is not None \
        else {"module": module}
    if isinstance(c, transformers.PreTrainedModel):
        return {"kind": "transformers", "class": name, "config_class": type(c.config).__name__,
                "config": json.loads(json.dumps(c.config.to_diff_dict(), default=str)), **where,
                **({"config_module": type(c.config).__module__} if where else {})}
    if module.startswith("diffusers"):
        if hasattr(c, "nets"):
            return {"kind": "diffusers", "class": name, "nets": [component(n) for n in c.nets], **where}
        if not hasattr(c, "config"):
            return {"kind": "missing", "why": f"{name} has no config"}
        cfg = {k: v for k, v in dict(c.config).items() if not k.startswith("_")}
        return {"kind": "diffusers", "class": name, "config": json.loads(json.dumps(cfg, default=list)), **where}
    if module.startswith("transformers") and getattr(transformers, name, None) is not None:
        if hasattr(c, "to_dict") and not hasattr(c, "tokenizer"):
            d = {k: v for k, v in c.to_dict().items() if not k.startswith("_") and k not in ("image_processor_type",
                                                                                               "processor_class")}
            return {"kind": "transformers", "class": name, "config": json.loads(json.dumps(d, default=str))}
    return {"kind": "missing", "why": f"{name} is not recorded"}


def value(v):
    if isinstance(v, torch.Generator):
        return {"kind": "generator"}
    if isinstance(v, (torch.Tensor, np.ndarray)):
        t = torch.as_tensor(v)
        rec = {"kind": "tensor" if isinstance(v, torch.Tensor) else "array", "shape": list(t.shape),
               "dtype": str(v.dtype)}
        if t.numel() <= 64 or not t.is_floating_point():
            rec["values"] = t.flatten().tolist()
        else:
            rec["range"] = [float(t.min()), float(t.max())]
        return rec
    if hasattr(v, "size") and hasattr(v, "mode") and hasattr(v, "getpixel"):
        return {"kind": "pil", "size": list(v.size), "mode": v.mode}
    if isinstance(v, list):
        return [value(x) for x in v]
    if isinstance(v, tuple):
        return {"kind": "tuple", "items": [value(x) for x in v]}
    if isinstance(v, dict):
        return {"kind": "dict", "items": {k: value(x) for k, x in v.items()}}
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    raise Missing(f"input of type {type(v).__name__}")


def cases(tests: Path):
    for path in sorted((tests / "pipelines").glob("*/test_*.py")):
        modname = ".".join(path.relative_to(tests.parent).with_suffix("").parts)
        try:
            mod = importlib.import_module(modname)
        except Exception as e:  # noqa: BLE001
            print(f"skip {modname}: {type(e).__name__}: {e}", file=sys.stderr)
            continue
        for cname, cls in vars(mod).items():
            if not (inspect.isclass(cls) and cls.__module__ == modname and hasattr(cls, "get_dummy_components")
                    and "pipeline_class" in {k for c in cls.__mro__[:-1] if c.__module__ == modname
                                             or "TesterConfig" in c.__name__ for k in vars(c)}):
                continue
            yield f"{path.parent.name}/{cname}", cls


def record(name, cls) -> dict:
    inst = cls.__new__(cls)
    if isinstance(inst, unittest.TestCase):
        unittest.TestCase.__init__(inst)
    spec = {"name": name, "pipeline": inst.pipeline_class.__name__, "source": name.split("/")[0]}
    try:
        torch.manual_seed(0)
        comps = inst.get_dummy_components()
        spec["components"] = {k: component(v) for k, v in comps.items()}
        sig = inspect.signature(inst.get_dummy_inputs)
        params = sig.parameters
        inputs = inst.get_dummy_inputs(**{k: v for k, v in (("device", "cpu"), ("seed", 0)) if k in params})
        spec["inputs"] = {k: value(v) for k, v in inputs.items()}
    except Exception as e:  # noqa: BLE001
        spec.setdefault("components", {})
        spec.setdefault("inputs", {})
        spec["components"]["__error__"] = {"kind": "missing", "why": f"{type(e).__name__}: {str(e)[:200]}"}
    return spec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tests_root", type=Path, help="folder holding diffusers' tests/ package")
    ap.add_argument("--commit", required=True, help="the diffusers commit the tests are from")
    ap.add_argument("--out", type=Path, default=pc.SPECS)
    args = ap.parse_args()
    _stub_parameterized()
    sys.path.insert(0, str(args.tests_root))
    _patch_hub()
    specs, seen = [], set()
    for name, cls in cases(args.tests_root / "tests"):
        spec = record(name, cls)
        key = json.dumps([spec["pipeline"], spec["components"], spec["inputs"]], sort_keys=True)
        if key in seen:  # a test class sharing another's components and call (new-style mixins)
            continue
        seen.add(key)
        names = {s["name"] for s in specs}
        while spec["name"] in names:  # the same class name in two files
            spec["name"] += "+"
        specs.append(spec)
        err = spec["components"].get("__error__")
        print(name, spec["pipeline"], "" if err is None else err["why"][:100], flush=True)
    args.out.write_text(json.dumps({"diffusers_tests_commit": args.commit, "specs": specs}, indent=0) + "\n")
    print(len(specs), "specs", file=sys.stderr)


if __name__ == "__main__":
    main()
