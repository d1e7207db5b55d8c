"""``stepcache generate``: the batch generation job, resumable and lossless, on one process, under ``torchrun``,
or on Ray Data.

A job spec (JSON or YAML) names the model, the items (class labels or prompts, each with its seed), the sampler and
the DeepCache settings. Items are grouped into batches by their position in the spec, and a batch is the unit of
work everywhere (one process, a torchrun rank, a Ray actor), so an item's image depends only on the model, its spec,
its seed and the config: never on the launcher, the number of workers or what else ran.

Output folder::

    job.json            the spec as run (a rerun with another spec is refused while the folder holds finished
                        items of the first, unless restart=True; a job that finished nothing is replaced)
    images/<id>.png     one PNG per item, written to a temporary file and renamed: never half-written
    manifest*.jsonl     one line per finished item (id, seed, class/prompt, config, timings); per worker, merged
                        into manifest.jsonl at the end
    samples.npz         optional: all images, uint8 NHWC under ``arr_0``, as the ADM evaluator and pytorch-fid read
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib.util
import inspect
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from tqdm import tqdm

from . import api
from .core.config import DeepCacheConfig, check_int, check_number

#: ``pipeline``: "auto" takes the spec's classes or prompts to whatever pipeline the model is; the two older values
#: keep the specs written for them running as before (their scheduler defaults to DDIM, their guidance to 1)
PIPELINES = ("auto", "class-conditional", "stable-diffusion")
#: the samplers a spec may name instead of the pipeline's own
SCHEDULERS = {"ddim": "DDIMScheduler", "dpm": "DPMSolverMultistepScheduler"}
#: the embedded models by name (folders in stepcache/embedded/models)
NAMED_MODELS = {"embedded": "mnist-ddpm", "digits": "mnist-ddpm", "emoji-sd": "emoji-sd",
                "emoji-pixart": "emoji-pixart"}
#: pipeline arguments the job sets itself (the spec's classes / prompts, seeds, steps, guidance, output)
JOB_ARGUMENTS = ("prompt", "class_labels", "generator", "num_inference_steps", "guidance_scale", "output_type",
                 "return_dict", "num_images_per_prompt", "latents", "callback_on_step_end", "callback", "callback_steps")
VIDEO_FORMATS = ("mp4", "gif")


def _sequence(name: str, value, what: str) -> tuple:
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{name} must be a list of {what}, got {value!r} ({type(value).__name__})")
    return tuple(value)


def _json_value(name: str, value) -> None:
    if isinstance(value, (list, tuple)):
        for v in value:
            _json_value(name, v)
    elif value is not None and not isinstance(value, (str, bool, int, float)):
        raise TypeError(f"{name} must be a number, string, boolean, null or a list of them (what JSON / YAML "
                        f"hold), got {value!r} ({type(value).__name__})")


@dataclass(frozen=True)
class JobSpec:
    model: str = "embedded"  # a name of NAMED_MODELS, a local pipeline folder, or a hub id (from_pretrained)
    pipeline: str = "auto"  # see PIPELINES
    classes: tuple[int, ...] = ()  # one item per entry (class-conditional pipelines)
    prompts: tuple[str, ...] = ()  # one item per entry (text-to-image / text-to-video pipelines)
    seed: int = 0  # item i gets seed + i
    steps: int = 50
    scheduler: str | None = None  # None: the pipeline's own ("ddim" for the two older pipeline values)
    guidance: float | None = None  # guidance_scale in [1, inf); None: the pipeline's default (1 for the older values)
    arguments: dict = field(default_factory=dict)  # more pipeline arguments: height, width, num_frames, ...
    batch_size: int = 16
    deepcache: dict | None = field(default_factory=lambda: {"interval": 3, "branch": 3})  # or {"profile": PATH}
    npz: bool = False
    video: str = "mp4"  # the file of a video pipeline's item: "mp4" (H.264) or "gif"
    fps: int = 8  # frames per second of the video files

    def __post_init__(self):
        """Every field checked on construction: wrong types raise TypeError, values out of range ValueError. The
        limits that depend on the model (class labels, pipeline arguments, DeepCache branch, profile, step count)
        are checked by :func:`load_checked` once the model is loaded, before anything is written."""
        def put(name, value):
            object.__setattr__(self, name, value)

        for name in ("model", "pipeline"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"{name} must be a string, got {getattr(self, name)!r} "
                                f"({type(getattr(self, name)).__name__})")
        if not self.model:
            raise ValueError(f"model must be one of {', '.join(NAMED_MODELS)}, a local pipeline folder or a hub id, "
                             "got ''")
        if self.pipeline not in PIPELINES:
            raise ValueError(f"pipeline must be one of {', '.join(map(repr, PIPELINES))}, got {self.pipeline!r}")
        put("classes", tuple(check_int("classes[]", c, 0) for c in _sequence("classes", self.classes, "integers")))
        prompts = _sequence("prompts", self.prompts, "strings")
        for p in prompts:
            if not isinstance(p, str):
                raise TypeError(f"prompts must be a list of strings, got an entry {p!r} ({type(p).__name__})")
        put("prompts", prompts)
        if self.pipeline == "class-conditional" and (not self.classes or self.prompts):
            raise ValueError("a class-conditional job needs a non-empty list of classes (one item each) and no "
                             f"prompts, got classes={list(self.classes)}, {len(self.prompts)} prompts")
        if self.pipeline == "stable-diffusion" and (not self.prompts or self.classes):
            raise ValueError("a stable-diffusion job needs a non-empty list of prompts (one item each) and no "
                             f"classes, got {len(self.prompts)} prompts, classes={list(self.classes)}")
        if bool(self.classes) == bool(self.prompts):
            raise ValueError("a job needs a non-empty list of classes (class-conditional pipelines) or of prompts "
                             f"(text-to-image / video), one item each, not both: got classes={list(self.classes)}, "
                             f"{len(self.prompts)} prompts")
        for name, low in (("steps", 1), ("batch_size", 1), ("seed", 0), ("fps", 1)):
            put(name, check_int(name, getattr(self, name), low))
        legacy = self.pipeline != "auto"
        if self.scheduler is None and legacy:
            put("scheduler", "ddim")
        if self.scheduler is not None and self.scheduler not in SCHEDULERS:
            raise ValueError(f"scheduler must be {' or '.join(map(repr, SCHEDULERS))} (or left out: the pipeline's "
                             f"own), got {self.scheduler!r}")
        if self.guidance is None and legacy:
            put("guidance", 1.0)
        if self.guidance is not None:
            guidance = check_number("guidance", self.guidance, 1.0)
            put("guidance", self.guidance if type(self.guidance) in (int, float) else guidance)  # same digest
        if not isinstance(self.arguments, dict):
            raise TypeError(f"arguments must be a mapping of pipeline arguments (e.g. {{height: 64, width: 64}}), "
                            f"got {self.arguments!r} ({type(self.arguments).__name__})")
        for key, value in self.arguments.items():
            if key in JOB_ARGUMENTS:
                raise ValueError(f"arguments.{key} is set by the job (from classes / prompts, seed, steps, "
                                 "guidance); leave it out of arguments")
            _json_value(f"arguments.{key}", value)
        put("arguments", {k: list(v) if isinstance(v, tuple) else v for k, v in self.arguments.items()})
        if self.video not in VIDEO_FORMATS:
            raise ValueError(f"video must be {' or '.join(map(repr, VIDEO_FORMATS))}, got {self.video!r}")
        if not isinstance(self.npz, bool):
            raise TypeError(f"npz must be true or false, got {self.npz!r} ({type(self.npz).__name__})")
        if self.deepcache is not None:
            put("deepcache", _check_deepcache(self.deepcache, self.steps))

    @classmethod
    def load(cls, path: str | Path, **overrides) -> "JobSpec":
        """A spec from a JSON or YAML file (``.yaml``/``.yml``), ``overrides`` (not None) on top. A relative
        ``deepcache.profile`` path is taken relative to the spec's folder."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"job spec {path} not found" if not path.exists() else
                                    f"job spec {path} is not a file")
        text = path.read_text()
        if path.suffix in (".yaml", ".yml"):
            if importlib.util.find_spec("yaml") is None:
                raise ModuleNotFoundError("a YAML job spec needs PyYAML: pip install pyyaml (or write the spec as "
                                          "JSON)")
            import yaml

            try:
                data = yaml.safe_load(text)
            except yaml.YAMLError as e:
                raise ValueError(f"job spec {path} is not valid YAML: {' '.join(str(e).split())}") from None
        else:
            try:
                data = json.loads(text)
            except ValueError as e:
                raise ValueError(f"job spec {path} is not valid JSON ({e}); YAML specs end in .yaml or .yml") \
                    from None
        if not isinstance(data, dict):
            raise TypeError(f"job spec {path} must be a mapping of JobSpec fields, got {type(data).__name__}")
        dc = data.get("deepcache")
        if isinstance(dc, dict) and isinstance(dc.get("profile"), str) and not Path(dc["profile"]).is_absolute():
            data["deepcache"] = dict(dc, profile=str((path.parent / dc["profile"]).resolve()))
        data.update({k: v for k, v in overrides.items() if v is not None})
        unknown = set(data) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"unknown job spec fields {sorted(unknown)}; known: "
                             f"{[f.name for f in dataclasses.fields(cls)]}")
        return cls(**data)

    def config(self) -> DeepCacheConfig | None:
        if self.deepcache is None:
            return None
        if "profile" in self.deepcache:
            return DeepCacheConfig.from_profile(self.deepcache["profile"], self.deepcache.get("threshold"),
                                                self.deepcache.get("interval"))
        return DeepCacheConfig(**self.deepcache)

    @property
    def items(self) -> list[dict]:
        conds = self.classes if self.classes else self.prompts
        key = "class" if self.classes else "prompt"
        return [{"id": f"{i:06d}", key: c, "seed": self.seed + i} for i, c in enumerate(conds)]

    def batches(self) -> list[list[dict]]:
        items = self.items
        return [items[i:i + self.batch_size] for i in range(0, len(items), self.batch_size)]

    def to_json(self) -> dict:
        return json.loads(json.dumps(dataclasses.asdict(self)))

    def digest(self) -> str:
        """sha256 of the spec (fields added since the first format are left out at their defaults, so an older
        job's folder is still its own) and of the profile file it names."""
        data = self.to_json()
        for name in _LATER_FIELDS:
            if data[name] == _DEFAULTS[name]:
                del data[name]
        if self.deepcache is not None and "profile" in self.deepcache:
            data["profile_sha256"] = hashlib.sha256(Path(self.deepcache["profile"]).read_bytes()).hexdigest()
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


_LATER_FIELDS = ("arguments", "video", "fps")
_DEFAULTS = {f.name: f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
             for f in dataclasses.fields(JobSpec)}


def _check_deepcache(deepcache, steps: int) -> dict:
    """The spec's ``deepcache``: DeepCacheConfig fields, or ``profile`` (+ ``threshold``, ``interval``: the
    arguments of :meth:`DeepCacheConfig.from_profile`); validated by DeepCacheConfig with the job's step count."""
    if not isinstance(deepcache, dict):
        raise TypeError(f"deepcache must be a mapping of DeepCacheConfig fields (e.g. {{interval: 3, branch: 3}}), "
                        f"{{profile: PATH}} or null, got {deepcache!r} ({type(deepcache).__name__})")
    if "profile" in deepcache:
        unknown = sorted(set(deepcache) - {"profile", "threshold", "interval"})
        if unknown:
            raise ValueError(f"deepcache.{unknown[0]} does not go with deepcache.profile (the profile sets it); "
                             "with a profile give only threshold and interval (DeepCacheConfig.from_profile)")
        path = deepcache["profile"]
        if not isinstance(path, str):
            raise TypeError(f"deepcache.profile must be a path (a string), got {path!r} ({type(path).__name__})")
        if not Path(path).is_file():
            raise FileNotFoundError(f"deepcache.profile {path} not found (a profile written by stepcache plan or "
                                    "stepcache calibrate)")
        try:
            DeepCacheConfig.from_profile(path, deepcache.get("threshold"), deepcache.get("interval"))
        except (KeyError, TypeError) as e:
            raise ValueError(f"deepcache.profile {path}: not a stepcache profile ({type(e).__name__}: {e})") \
                from None
        return dict(deepcache)
    known = [f.name for f in dataclasses.fields(DeepCacheConfig) if f.name != "profile"]
    unknown = sorted(set(deepcache) - set(known))
    if unknown:
        raise ValueError(f"unknown deepcache fields {unknown}; known: {known} (or profile)")
    deepcache = dict(deepcache)
    for key in ("weights", "full_steps"):  # JSON / YAML lists
        if isinstance(deepcache.get(key), list):
            deepcache[key] = tuple(deepcache[key])
    # validated with the job's step count: what only the first call could tell is told now
    try:
        DeepCacheConfig(**dict({"num_steps": steps}, **deepcache))
    except (TypeError, ValueError) as e:
        raise type(e)(f"deepcache: {e}") from None
    return deepcache


# -- the model ------------------------------------------------------------------------------------------------------

def model_source(model: str) -> str:
    """The folder of an embedded model's name, else ``model`` (a folder or a hub id)."""
    if model in NAMED_MODELS:
        from .embedded.sampling import EMBEDDED_MODEL

        return str(EMBEDDED_MODEL.parent / NAMED_MODELS[model])
    return model


def is_flow_matching(scheduler) -> bool:
    config = getattr(scheduler, "config", {})
    return "FlowMatch" in type(scheduler).__name__ or bool(config.get("use_flow_sigmas")) or \
        config.get("prediction_type") == "flow_prediction"


def set_scheduler(pipe, scheduler: str | None, field_name: str = "scheduler") -> None:
    """Replace the pipeline's scheduler by ``scheduler`` (``"ddim"``, ``"dpm"``) built from its config; ``None``
    keeps it. Refused (ValueError naming ``field_name``) on a flow-matching pipeline, which these do not sample."""
    if scheduler is None:
        return
    import diffusers

    if scheduler not in SCHEDULERS:
        raise ValueError(f"{field_name} must be {' or '.join(map(repr, SCHEDULERS))}, got {scheduler!r}")
    own = pipe.scheduler
    if is_flow_matching(own):
        raise ValueError(f"{field_name} {scheduler} does not apply to a flow-matching pipeline "
                         f"({type(own).__name__}); leave {field_name} out to keep the pipeline's own")
    if type(own).__name__ != SCHEDULERS[scheduler]:
        pipe.scheduler = getattr(diffusers, SCHEDULERS[scheduler]).from_config(own.config)


def load_model(model: str, scheduler: str | None = None):
    """Any diffusers pipeline: an embedded model by name (:data:`NAMED_MODELS`), a folder or a hub id, loaded with
    ``DiffusionPipeline.from_pretrained`` (the embedded class-conditional pipeline with its own class); its own
    scheduler, or ``scheduler`` (:func:`set_scheduler`). Progress bars off."""
    source = model_source(model)
    index = Path(source) / "model_index.json"
    kind = None
    if index.is_file():
        try:
            kind = json.loads(index.read_text()).get("_class_name")
        except (OSError, ValueError, AttributeError):
            kind = None
    if kind == "ClassConditionalPipeline":
        from .embedded.sampling import load_embedded

        pipe = load_embedded(source)
    else:
        from diffusers import DiffusionPipeline

        pipe = DiffusionPipeline.from_pretrained(source)
    set_scheduler(pipe, scheduler)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def load_pipeline(spec: JobSpec):
    return load_model(spec.model, spec.scheduler)


def _parameters(pipe) -> dict:
    return dict(inspect.signature(type(pipe).__call__).parameters)


def call_arguments(pipe, spec: JobSpec) -> dict:
    """The keyword arguments of every batch besides the items and their generators: steps, guidance, the spec's
    ``arguments``, and what makes a pipeline draw the size asked from the prompt as given (no resolution binning,
    no caption cleaning)."""
    params = _parameters(pipe)
    kwargs = {k: False for k in ("use_resolution_binning", "clean_caption") if k in params}
    kwargs.update(num_inference_steps=spec.steps, output_type="np", **spec.arguments)
    if spec.guidance is not None:
        kwargs["guidance_scale"] = spec.guidance
    return kwargs


def _condition(pipe, spec: JobSpec) -> str:
    return "class_labels" if spec.classes else "prompt"


def check_arguments(pipe, spec: JobSpec) -> None:
    """The spec's items, guidance and ``arguments`` against the pipeline's ``__call__`` signature."""
    params = _parameters(pipe)
    name = type(pipe).__name__
    cond = _condition(pipe, spec)
    if cond not in params:
        has = "class_labels" if "class_labels" in params else "prompt" if "prompt" in params else None
        raise ValueError(f"{'classes' if spec.classes else 'prompts'}: {name} takes no {cond}"
                         + (f"; give {'classes' if has == 'class_labels' else 'prompts'} instead" if has else ""))
    if spec.guidance is not None and "guidance_scale" not in params:
        raise ValueError(f"guidance: {name} takes no guidance_scale; leave guidance out")
    for key in spec.arguments:  # a pipeline's **kwargs take only deprecated arguments: the named ones count
        if key not in params or params[key].kind in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL):
            options = sorted(k for k, p in params.items() if k not in JOB_ARGUMENTS and k != "self"
                             and p.kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL))
            raise ValueError(f"arguments.{key} is not an argument of {name}.__call__; it takes {', '.join(options)}")


def load_checked(spec: JobSpec):
    """The spec's pipeline, loaded and checked against the spec: the model exists and loads, the scheduler fits
    it, the class labels, pipeline arguments (one one-step call), the DeepCache branch or profile and the step count
    fit it. Raises (FileNotFoundError, ValueError) before anything is written."""
    from .families.unet import UnsupportedModelError, layout

    local = Path(spec.model)
    if spec.model not in NAMED_MODELS and not local.exists() and spec.model.startswith((".", "/", "~")):
        raise FileNotFoundError(f"model {spec.model} not found: model must be one of {', '.join(NAMED_MODELS)}, a "
                                "pipeline folder or a hub id")
    try:
        pipe = load_pipeline(spec)
    except Exception as e:  # any loader failure: the model, not the run
        if "does not apply to a flow-matching" in str(e):
            raise
        reason = " ".join(str(e).split())[:300]
        raise ValueError(f"cannot load model {spec.model!r} as a diffusers pipeline: {type(e).__name__}: "
                         f"{reason}") from e
    max_steps = getattr(pipe.scheduler.config, "num_train_timesteps", None)
    if max_steps is not None and spec.steps > max_steps:
        raise ValueError(f"steps must be an integer in [1, {max_steps}] for this model's scheduler "
                         f"({max_steps} training timesteps), got {spec.steps}")
    check_arguments(pipe, spec)
    if spec.classes:
        n = getattr(pipe, "null_class", None)
        n = n if n is not None else getattr(getattr(api.split(pipe)[0], "config", None), "num_embeds_ada_norm", None)
        bad = [c for c in spec.classes if n is not None and c >= n]
        if bad:
            raise ValueError(f"classes must be class labels in [0, {n - 1}] for model {spec.model!r} "
                             f"({n} classes), got {bad[0]}")
    config = spec.config()
    if config is not None:
        model, _ = api.split(pipe)
        from .families import transformer

        if transformer.is_transformer(model):
            try:
                transformer.check_supported(model)
                transformer.stack(model, config.first_blocks, config.last_blocks)
            except ValueError as e:
                raise ValueError(f"deepcache: model {spec.model!r}: {e}") from e
        else:
            try:
                branches = layout(model).num_branches
            except UnsupportedModelError as e:
                raise ValueError(f"model {spec.model!r}: {e}") from e
            if config.branch > branches:
                raise ValueError(f"deepcache branch must be in [1, {branches}] for model {spec.model!r} "
                                 f"({branches} skip branches), got {config.branch}")
        try:
            api.check_profile(pipe, config, spec.steps)
        except ValueError as e:
            raise ValueError(f"deepcache.profile {spec.deepcache.get('profile')}: {e}") from None
    _probe(pipe, spec)
    return pipe


def _probe(pipe, spec: JobSpec) -> None:
    """One item, one step, no decoding: what the pipeline's own checks refuse in the spec's arguments (a size it
    cannot draw, a frame count it cannot take) is told now, as bad input."""
    if not spec.arguments:
        return
    item = spec.items[0]
    kwargs = dict(call_arguments(pipe, spec), num_inference_steps=1,
                  output_type="np" if hasattr(pipe, "null_class") else "latent")
    try:
        pipe(**{_condition(pipe, spec): [item.get("class", item.get("prompt"))]},
             generator=[torch.Generator().manual_seed(item["seed"])], **kwargs)
    except Exception as e:
        raise ValueError(f"arguments: {type(pipe).__name__} refuses them ({type(e).__name__}: "
                         f"{' '.join(str(e).split())[:300]})") from None


def run_batch(pipe, spec: JobSpec, batch: list[dict], config: DeepCacheConfig | None = None) -> np.ndarray:
    """uint8 images (NHWC) or videos (NFHWC) for one batch, with DeepCache at ``config`` if given; each item has its
    own generator seeded with its seed."""
    gens = [torch.Generator().manual_seed(item["seed"]) for item in batch]
    conds = [item["class"] if "class" in item else item["prompt"] for item in batch]
    with api.cached(pipe, config) if config is not None else contextlib.nullcontext():
        out = pipe(**{_condition(pipe, spec): conds}, generator=gens, **call_arguments(pipe, spec))
    frames = getattr(out, "frames", None)
    images = np.asarray(frames if frames is not None else out.images)
    return np.round(np.clip(images, 0, 1) * 255).astype(np.uint8)


def write_batch(pipe, spec: JobSpec, batch: list[dict], out: "Output", done: set[str]) -> int:
    """Generate one batch and write its unfinished items (the whole batch is recomputed, so an item's image never
    depends on what else was done); returns the number written."""
    config = spec.config()
    t = time.perf_counter()
    images = run_batch(pipe, spec, batch, config)
    per_item = (time.perf_counter() - t) / len(batch)
    written = 0
    for item, image in zip(batch, images):
        if item["id"] not in done:
            out.write(item, image, per_item, config)
            written += 1
    return written


# -- the output folder ----------------------------------------------------------------------------------------------

def finished_of_another_spec(folder: Path, spec: JobSpec) -> int:
    """How many finished items of *another* job spec ``folder`` holds (0 if it holds this spec's job, or none)."""
    folder = Path(folder)
    job = folder / "job.json"
    if not job.is_file():
        return 0
    try:
        old = json.loads(job.read_text())
    except ValueError:
        old = {}
    if isinstance(old, dict) and old.get("digest") == spec.digest():
        return 0
    return len(Output.finished(folder))


class Output:
    def __init__(self, folder: Path, spec: JobSpec, restart: bool = False, writer: str = "0"):
        """The output folder of ``spec``. If it holds another spec's job: refused when that job finished any item
        (unless ``restart``: its files are deleted); a job that finished nothing is simply replaced."""
        self.folder, self.spec, self.writer = Path(folder), spec, writer
        self.images = self.folder / "images"
        job = self.folder / "job.json"
        other = finished_of_another_spec(self.folder, spec)
        if other and not restart:
            old = json.loads(job.read_text()).get("digest", "?") if job.is_file() else "?"
            raise ValueError(f"{folder} holds {other} finished item(s) of another job spec (spec digest "
                             f"{str(old)[:12]}, this one {spec.digest()[:12]}); pass --restart (restart=True) to "
                             "delete them and start over, or choose another --out")
        if job.is_file() and (other or not self._same_spec(job)):  # the other job's files, finished or not
            leftovers = set(self.images.glob("*")) | set(self.images.glob(".*")) | set(self.folder.glob("manifest*.jsonl"))
            for p in leftovers:
                if p.is_file():
                    p.unlink()
            for name in ("samples.npz", "summary.json"):
                (self.folder / name).unlink(missing_ok=True)
        self.images.mkdir(parents=True, exist_ok=True)
        if writer in ("0", "rank0"):  # temporary files of a crashed run are never outputs
            for tmp in self.images.glob(".*.tmp"):
                tmp.unlink(missing_ok=True)
        _atomic_write(job, json.dumps({"digest": spec.digest(), "spec": spec.to_json()}, indent=2).encode())

    def _same_spec(self, job: Path) -> bool:
        try:
            data = json.loads(job.read_text())
        except ValueError:
            return False
        return isinstance(data, dict) and data.get("digest") == self.spec.digest()

    @staticmethod
    def finished(folder: Path) -> set[str]:
        """Items finished in ``folder``: a manifest line and a PNG that opens. A file left by a crash is never
        counted."""
        folder = Path(folder)
        listed = set()
        for path in folder.glob("manifest*.jsonl"):
            for line in path.read_text().splitlines():
                try:
                    listed.add(json.loads(line)["id"])
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut by a crash
        ok = set()
        for item_id in listed:
            videos = [p for p in (folder / "images").glob(f"{item_id}.*") if p.suffix[1:] in VIDEO_FORMATS]
            if videos:  # written whole to a temporary file and renamed, checked by its sha256 in the manifest
                if any(p.stat().st_size > 0 for p in videos):
                    ok.add(item_id)
                continue
            try:
                with Image.open(folder / "images" / f"{item_id}.png") as im:
                    im.load()
                ok.add(item_id)
            except (OSError, ValueError):
                continue
        return ok

    def done(self) -> set[str]:
        """Items finished: a manifest line and a PNG that opens. A file left by a crash is never counted."""
        return self.finished(self.folder)

    def write(self, item: dict, image: np.ndarray, seconds: float, config: DeepCacheConfig | None) -> None:
        """One item's file (a PNG, or a video file for an ``(frames, H, W, C)`` array) and its manifest line."""
        if image.ndim == 4:
            name = f"{item['id']}.{self.spec.video}"
            buf = _video_bytes(image, self.spec.video, self.spec.fps)
        else:
            name, buf = f"{item['id']}.png", _png_bytes(image)
        _atomic_write(self.images / name, buf)
        line = dict(item, file=f"images/{name}", sha256=hashlib.sha256(buf).hexdigest(),
                    config=None if config is None else _config_json(config), seconds=round(seconds, 4),
                    worker=self.writer)
        with open(self.folder / f"manifest.{self.writer}.jsonl", "a") as f:
            f.write(json.dumps(line) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def finalize(self, npz: bool) -> Path:
        """Merge the per-worker manifests (one line per item, in item order); write samples.npz if asked."""
        lines = {}
        for path in sorted(self.folder.glob("manifest*.jsonl")):
            for line in path.read_text().splitlines():
                try:
                    rec = json.loads(line)
                    lines.setdefault(rec["id"], rec)
                except (ValueError, KeyError, TypeError):
                    continue
        order = [item["id"] for item in self.spec.items if item["id"] in lines]
        _atomic_write(self.folder / "manifest.jsonl",
                      "".join(json.dumps(lines[i]) + "\n" for i in order).encode())
        for path in self.folder.glob("manifest.*.jsonl"):
            path.unlink()
        if npz and all(lines[i].get("file", ".png").endswith(".png") for i in order):
            arr = np.stack([np.asarray(Image.open(self.images / f"{i}.png")) for i in order])
            if arr.ndim == 3:
                arr = arr[..., None]
            tmp = self.folder / "samples.tmp.npz"
            np.savez(tmp, arr_0=arr)
            tmp.replace(self.folder / "samples.npz")
        return self.folder / "manifest.jsonl"


def _png_bytes(image: np.ndarray) -> bytes:
    import io

    img = Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _config_json(config: DeepCacheConfig) -> dict:
    return json.loads(json.dumps(dataclasses.asdict(config)))


def _video_bytes(frames: np.ndarray, fmt: str, fps: int) -> bytes:
    """One item's video (uint8 frames, ``(F, H, W, C)``) as an H.264 mp4 (diffusers' ``export_to_video``: imageio
    and the ffmpeg binary of imageio-ffmpeg, the ``stepcache[video]`` extra) or a GIF (Pillow)."""
    import io

    pils = [Image.fromarray(f[..., 0] if f.shape[-1] == 1 else f) for f in frames]
    if fmt == "gif":
        buf = io.BytesIO()
        pils[0].save(buf, format="GIF", save_all=True, append_images=pils[1:], duration=round(1000 / fps), loop=0)
        return buf.getvalue()
    from diffusers.utils import export_to_video

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "video.mp4"
        export_to_video(pils, str(path), fps=fps)
        return path.read_bytes()


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- launchers ------------------------------------------------------------------------------------------------------

def _work(spec: JobSpec, out: Output, batches: list[list[dict]], desc: str, pipe) -> tuple[int, float]:
    """Generate the unfinished items of ``batches``; returns (items written, seconds)."""
    done = out.done()
    todo = [b for b in batches if any(item["id"] not in done for item in b)]
    written, t0 = 0, time.perf_counter()
    with tqdm(total=sum(len(b) for b in todo), desc=desc, unit="img") as bar:
        for batch in todo:
            written += write_batch(pipe, spec, batch, out, done)
            bar.update(len(batch))
    return written, time.perf_counter() - t0


def run_job(spec: JobSpec, folder: Path, restart: bool = False, measure_speedup: bool = True, pipe=None) -> dict:
    """One process, or one rank under ``torchrun`` (``WORLD_SIZE`` set): batches are sharded round-robin by rank,
    rank 0 merges the manifests and writes the npz after a barrier.

    The model is loaded and checked against the spec (:func:`load_checked`, or pass the ``pipe`` it returned)
    before the output folder is touched: a spec that cannot run writes nothing."""
    pipe = load_checked(spec) if pipe is None else pipe
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if world > 1:
        import torch.distributed as dist

        backend = "nccl" if torch.cuda.is_available() else "gloo"
        dist.init_process_group(backend)
        if rank == 0:
            out = Output(folder, spec, restart, writer=f"rank{rank}")
        dist.barrier()  # rank 0 has checked / written job.json
        if rank != 0:
            out = Output(folder, spec, restart=False, writer=f"rank{rank}")
    else:
        out = Output(folder, spec, restart)
    try:
        batches = spec.batches()[rank::world]
        t0 = time.perf_counter()
        written, _ = _work(spec, out, batches, f"generate (rank {rank}/{world})", pipe)
        if world > 1:
            total_written = torch.tensor([written])
            dist.all_reduce(total_written)  # all ranks' items, over the slowest rank's wall time
            written = int(total_written)
        seconds = time.perf_counter() - t0
        result = {"items_written": written, "seconds": seconds, "rank": rank, "world": world}
        if rank == 0:
            out.finalize(spec.npz)
            total = len(spec.items)
            result.update(items=total, items_per_s=written / seconds if seconds else 0.0)
            if measure_speedup and spec.config() is not None and spec.items:
                result["deepcache_speedup"] = measure_deepcache_speedup(spec, pipe=pipe)
            (Path(folder) / "summary.json").write_text(json.dumps(result, indent=2) + "\n")
        return result
    finally:
        if world > 1:
            dist.destroy_process_group()


def measure_deepcache_speedup(spec: JobSpec, repeats: int = 3, pipe=None) -> float:
    """DeepCache's speedup on this job: the first batch, uncached vs cached, interleaved, median of repeats."""
    import statistics

    pipe = load_pipeline(spec) if pipe is None else pipe
    batch = spec.batches()[0]
    ratios = []
    for _ in range(repeats):
        t = time.perf_counter()
        run_batch(pipe, spec, batch)
        plain = time.perf_counter() - t
        t = time.perf_counter()
        run_batch(pipe, spec, batch, spec.config())
        ratios.append(plain / (time.perf_counter() - t))
    return statistics.median(ratios)


def run_ray(spec: JobSpec, folder: Path, workers: int = 2, restart: bool = False, address: str | None = None) -> dict:
    """On Ray. Without ``address``: Ray Data in this process's own Ray instance, batches as rows, ``map_batches``
    over an actor pool; each actor loads the pipeline once. Each actor uses one CPU and the read takes none, so
    actors + read never ask for more CPUs than exist (Ray Data would wait forever).

    With ``address`` (``HOST:PORT`` of a running cluster's head, or ``"auto"``): the job is submitted to that
    cluster (:func:`_run_on_cluster`), ``workers`` actors of one CPU each, placed by Ray on any node; a batch whose
    actor dies (its node lost, its process killed) goes back in the queue and is done by another actor. The output
    folder must be one that every node sees (a shared file system; on one machine, any folder).

    Needs the ``stepcache[ray]`` extra."""
    if importlib.util.find_spec("ray") is None:
        raise ModuleNotFoundError("the ray launcher needs Ray Data: pip install 'stepcache[ray]' (or use the local "
                                  "launcher / torchrun)")
    check_int("workers", workers, 1)
    import ray

    load_checked(spec)  # the model is checked before anything is written; each actor loads its own
    out = Output(folder, spec, restart)
    done = out.done()
    todo = [b for b in spec.batches() if any(item["id"] not in done for item in b)]
    folder = Path(folder).resolve()
    t0 = time.perf_counter()
    if address is not None:
        if not ray.is_initialized():
            ray.init(address=address, log_to_driver=False)
        written, lost = _run_on_cluster(ray, spec, folder, todo, workers, done)
    else:
        if not ray.is_initialized():
            ray.init(num_cpus=max(workers, 1), include_dashboard=False, log_to_driver=False)

        class Worker:
            def __init__(self):
                self.worker = ClusterWorker(spec, folder)

            def __call__(self, rows):
                written = sum(self.worker.run(json.loads(payload), done) for payload in rows["batch"])
                return {"written": np.array([written])}

        ds = ray.data.from_items([{"batch": json.dumps(b)} for b in todo], override_num_blocks=max(1, len(todo)))
        res = ds.map_batches(Worker, batch_size=1, concurrency=workers, num_cpus=1).take_all()
        written, lost = int(sum(int(np.asarray(r["written"]).sum()) for r in res)), 0
    seconds = time.perf_counter() - t0
    out.finalize(spec.npz)
    result = {"items_written": written, "seconds": seconds, "world": workers, "launcher": "ray",
              "items": len(spec.items), "items_per_s": written / seconds if seconds else 0.0}
    if address is not None:
        result.update(address=address, workers_lost=lost)
    (Path(folder) / "summary.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


class ClusterWorker:
    """A Ray worker: the pipeline, loaded once, and its own manifest (``manifest.ray-<host>-<pid>.jsonl``)."""

    def __init__(self, spec: JobSpec, folder: Path):
        import socket

        torch.set_num_threads(int(os.environ.get("STEPCACHE_THREADS", "1")))
        self.spec = spec
        self.pipe = load_pipeline(spec)
        self.out = Output(folder, spec, writer=f"ray-{socket.gethostname()}-{os.getpid()}")

    def ready(self) -> bool:
        return True

    def run(self, batch: list[dict], done=frozenset()) -> int:
        return write_batch(self.pipe, self.spec, batch, self.out, set(done))


def _run_on_cluster(ray, spec: JobSpec, folder: Path, todo: list, workers: int, done: set) -> tuple[int, int]:
    """``workers`` actors, a queue of batches, one batch per actor at a time. An actor that dies takes no item
    with it: its batch is queued again (the items it had written are written again, to the same bytes; the merged
    manifest keeps one line each) and a new actor is asked for, used once Ray has placed it. Returns (items
    written, actors lost)."""
    from collections import deque

    actor_cls = ray.remote(num_cpus=1, max_restarts=0)(ClusterWorker)
    dead = (ray.exceptions.RayActorError,) + tuple(
        getattr(ray.exceptions, n) for n in ("ActorUnavailableError", "NodeDiedError") if hasattr(ray.exceptions, n))
    queue, running, starting = deque(todo), {}, {}
    actors, idle, written, lost = [], deque(), 0, 0

    def start_actor():
        actor = actor_cls.remote(spec, folder)
        actors.append(actor)
        starting[actor.ready.remote()] = actor

    for _ in range(min(workers, len(todo))):
        start_actor()
    try:
        while queue or running:
            while queue and idle:
                actor, batch = idle.popleft(), queue.popleft()
                running[actor.run.remote(batch, done)] = (actor, batch)
            ready, _ = ray.wait(list(running) + list(starting), num_returns=1)
            ref = ready[0]
            if ref in starting:
                actor = starting.pop(ref)
                try:
                    ray.get(ref)
                    idle.append(actor)
                except dead:
                    lost += 1
                    start_actor()
                continue
            actor, batch = running.pop(ref)
            try:
                written += ray.get(ref)
                idle.append(actor)
            except dead:
                queue.appendleft(batch)
                lost += 1
                start_actor()
    finally:
        for actor in actors:
            ray.kill(actor)
    return written, lost
