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

PIPELINES = ("class-conditional", "stable-diffusion")


def _sequence(name: str, value, what: str) -> tuple:
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{name} must be a list of {what}, got {value!r} ({type(value).__name__})")
    return tuple(value)


@dataclass(frozen=True)
class JobSpec:
    model: str = "embedded"  # "embedded", a local pipeline folder, or a hub id (from_pretrained)
    pipeline: str = "class-conditional"  # or "stable-diffusion"
    classes: tuple[int, ...] = ()  # one item per entry (class-conditional)
    prompts: tuple[str, ...] = ()  # one item per entry (stable-diffusion)
    seed: int = 0  # item i gets seed + i
    steps: int = 50
    scheduler: str = "ddim"
    guidance: float = 1.0  # classifier-free guidance scale, in [1, inf) (1: none)
    batch_size: int = 16
    deepcache: dict | None = field(default_factory=lambda: {"interval": 3, "branch": 3})
    npz: bool = False

    def __post_init__(self):
        """Every field checked on construction: wrong types raise TypeError, values out of range ValueError. The
        limits that depend on the model (class labels, DeepCache branch, step count) are checked by
        :func:`load_checked` once the model is loaded, before anything is written."""
        def put(name, value):
            object.__setattr__(self, name, value)

        for name in ("model", "pipeline", "scheduler"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"{name} must be a string, got {getattr(self, name)!r} "
                                f"({type(getattr(self, name)).__name__})")
        if not self.model:
            raise ValueError("model must be 'embedded', a local pipeline folder or a hub id, got ''")
        if self.pipeline not in PIPELINES:
            raise ValueError(f"pipeline must be 'class-conditional' or 'stable-diffusion', got {self.pipeline!r}")
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
        for name, low in (("steps", 1), ("batch_size", 1), ("seed", 0)):
            put(name, check_int(name, getattr(self, name), low))
        if self.scheduler not in ("ddim", "dpm"):
            raise ValueError(f"scheduler must be 'ddim' or 'dpm', got {self.scheduler!r}")
        guidance = check_number("guidance", self.guidance, 1.0)
        put("guidance", self.guidance if type(self.guidance) in (int, float) else guidance)  # same digest as before
        if not isinstance(self.npz, bool):
            raise TypeError(f"npz must be true or false, got {self.npz!r} ({type(self.npz).__name__})")
        if self.deepcache is not None:
            if not isinstance(self.deepcache, dict):
                raise TypeError(f"deepcache must be a mapping of DeepCacheConfig fields (e.g. {{interval: 3, "
                                f"branch: 3}}) or null, got {self.deepcache!r} ({type(self.deepcache).__name__})")
            known = [f.name for f in dataclasses.fields(DeepCacheConfig) if f.name != "profile"]
            unknown = sorted(set(self.deepcache) - set(known))
            if unknown:
                raise ValueError(f"unknown deepcache fields {unknown}; known: {known}")
            deepcache = dict(self.deepcache)
            for key in ("weights", "full_steps"):  # JSON / YAML lists
                if isinstance(deepcache.get(key), list):
                    deepcache[key] = tuple(deepcache[key])
            put("deepcache", deepcache)
            # validated with the job's step count: what only the first call could tell is told now
            DeepCacheConfig(**dict({"num_steps": self.steps}, **deepcache))

    @classmethod
    def load(cls, path: str | Path, **overrides) -> "JobSpec":
        """A spec from a JSON or YAML file (``.yaml``/``.yml``), ``overrides`` (not None) on top."""
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
        data.update({k: v for k, v in overrides.items() if v is not None})
        unknown = set(data) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"unknown job spec fields {sorted(unknown)}; known: "
                             f"{[f.name for f in dataclasses.fields(cls)]}")
        return cls(**data)

    def config(self) -> DeepCacheConfig | None:
        return None if self.deepcache is None else DeepCacheConfig(**self.deepcache)

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
        return hashlib.sha256(json.dumps(self.to_json(), sort_keys=True).encode()).hexdigest()


def load_pipeline(spec: JobSpec):
    from .embedded.sampling import EMBEDDED_MODEL, load_embedded

    if spec.pipeline == "class-conditional":
        return load_embedded(EMBEDDED_MODEL if spec.model == "embedded" else spec.model, scheduler=spec.scheduler)
    from diffusers import DDIMScheduler, DPMSolverMultistepScheduler, StableDiffusionPipeline

    pipe = StableDiffusionPipeline.from_pretrained(spec.model)
    sched = DDIMScheduler if spec.scheduler == "ddim" else DPMSolverMultistepScheduler
    pipe.scheduler = sched.from_config(pipe.scheduler.config)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def load_checked(spec: JobSpec):
    """The spec's pipeline, loaded and checked against the spec: the model exists and loads, the class labels, the
    DeepCache branch and the step count fit it. Raises (FileNotFoundError, ValueError) before anything is
    written."""
    from .families.unet import UnsupportedModelError, layout

    local = Path(spec.model)
    if spec.model != "embedded" and not local.exists() and (spec.pipeline == "class-conditional"
                                                            or spec.model.startswith((".", "/", "~"))):
        raise FileNotFoundError(f"model {spec.model} not found: model must be 'embedded' or a pipeline folder"
                                + (" (or a hub id for stable-diffusion)" if spec.pipeline == "stable-diffusion"
                                   else ""))
    try:
        pipe = load_pipeline(spec)
    except Exception as e:  # any loader failure: the model, not the run
        reason = " ".join(str(e).split())[:300]
        raise ValueError(f"cannot load model {spec.model!r} as a {spec.pipeline} pipeline: "
                         f"{type(e).__name__}: {reason}") from e
    max_steps = getattr(pipe.scheduler.config, "num_train_timesteps", None)
    if max_steps is not None and spec.steps > max_steps:
        raise ValueError(f"steps must be an integer in [1, {max_steps}] for this model's scheduler "
                         f"({max_steps} training timesteps), got {spec.steps}")
    if spec.classes:
        n = pipe.null_class
        bad = [c for c in spec.classes if c >= n]
        if bad:
            raise ValueError(f"classes must be class labels in [0, {n - 1}] for model {spec.model!r} "
                             f"({n} classes), got {bad[0]}")
    config = spec.config()
    if config is not None:
        unet, _ = api.split(pipe)
        try:
            branches = layout(unet).num_branches
        except UnsupportedModelError as e:
            raise ValueError(f"model {spec.model!r}: {e}") from e
        if config.branch > branches:
            raise ValueError(f"deepcache branch must be in [1, {branches}] for model {spec.model!r} "
                             f"({branches} skip branches), got {config.branch}")
    return pipe


def run_batch(pipe, spec: JobSpec, batch: list[dict], config: DeepCacheConfig | None = None) -> np.ndarray:
    """uint8 NHWC images for one batch, with DeepCache at ``config`` if given; each item has its own generator
    seeded with its seed."""
    gens = [torch.Generator().manual_seed(item["seed"]) for item in batch]
    kwargs = dict(num_inference_steps=spec.steps, guidance_scale=spec.guidance, generator=gens, output_type="np")
    conds = [item["class"] for item in batch] if spec.pipeline == "class-conditional" else \
        [item["prompt"] for item in batch]
    with api.cached(pipe, config) if config is not None else contextlib.nullcontext():
        images = pipe(conds, **kwargs).images
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
        buf = _png_bytes(image)
        _atomic_write(self.images / f"{item['id']}.png", buf)
        line = dict(item, config=None if config is None else dataclasses.asdict(config), seconds=round(seconds, 4),
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
        if npz:
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


def run_ray(spec: JobSpec, folder: Path, workers: int = 2, restart: bool = False) -> dict:
    """Ray Data: batches as rows, ``map_batches`` over an actor pool; each actor loads the pipeline once.
    Needs the ``stepcache[ray]`` extra. Each actor uses one CPU and the read takes none, so actors + read never ask
    for more CPUs than exist (Ray Data would wait forever)."""
    if importlib.util.find_spec("ray") is None:
        raise ModuleNotFoundError("the ray launcher needs Ray Data: pip install 'stepcache[ray]' (or use the local "
                                  "launcher / torchrun)")
    check_int("workers", workers, 1)
    import ray

    load_checked(spec)  # the model is checked before anything is written; each actor loads its own
    out = Output(folder, spec, restart)
    done = out.done()
    todo = [b for b in spec.batches() if any(item["id"] not in done for item in b)]
    if not ray.is_initialized():
        ray.init(num_cpus=max(workers, 1), include_dashboard=False, log_to_driver=False)

    class Worker:
        def __init__(self):
            torch.set_num_threads(1)
            self.pipe = load_pipeline(spec)
            self.out = Output(folder, spec, writer=f"ray{os.getpid()}")

        def __call__(self, rows):
            written = sum(write_batch(self.pipe, spec, json.loads(payload), self.out, done)
                          for payload in rows["batch"])
            return {"written": np.array([written])}

    t0 = time.perf_counter()
    ds = ray.data.from_items([{"batch": json.dumps(b)} for b in todo], override_num_blocks=max(1, len(todo)))
    res = ds.map_batches(Worker, batch_size=1, concurrency=workers, num_cpus=1).take_all()
    seconds = time.perf_counter() - t0
    written = int(sum(int(np.asarray(r["written"]).sum()) for r in res))
    out.finalize(spec.npz)
    result = {"items_written": written, "seconds": seconds, "world": workers, "launcher": "ray",
              "items": len(spec.items), "items_per_s": written / seconds if seconds else 0.0}
    (Path(folder) / "summary.json").write_text(json.dumps(result, indent=2) + "\n")
    return result
