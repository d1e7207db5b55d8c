"""``stepcache generate``: the batch generation job, resumable and lossless, on one process, under ``torchrun``,
or on Ray Data.

A job spec (JSON or YAML) names the model, the items (class labels or prompts, each with its seed), the sampler and
the DeepCache settings. Items are grouped into batches by their position in the spec, and a batch is the unit of
work everywhere (one process, a torchrun rank, a Ray actor), so an item's image depends only on the model, its spec,
its seed and the config: never on the launcher, the number of workers or what else ran.

Output folder::

    job.json            the spec as run (a rerun with another spec is refused unless restart=True)
    images/<id>.png     one PNG per item, written to a temporary file and renamed: never half-written
    manifest*.jsonl     one line per finished item (id, seed, class/prompt, config, timings); per worker, merged
                        into manifest.jsonl at the end
    samples.npz         optional: all images, uint8 NHWC under ``arr_0``, as the ADM evaluator and pytorch-fid read
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
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
from .config import DeepCacheConfig


@dataclass(frozen=True)
class JobSpec:
    model: str = "embedded"  # "embedded", a local pipeline folder, or a hub id (from_pretrained)
    pipeline: str = "class-conditional"  # or "stable-diffusion"
    classes: tuple[int, ...] = ()  # one item per entry (class-conditional)
    prompts: tuple[str, ...] = ()  # one item per entry (stable-diffusion)
    seed: int = 0  # item i gets seed + i
    steps: int = 50
    scheduler: str = "ddim"
    guidance: float = 1.0
    batch_size: int = 16
    deepcache: dict | None = field(default_factory=lambda: {"interval": 3, "branch": 3})
    npz: bool = False

    def __post_init__(self):
        if self.pipeline not in ("class-conditional", "stable-diffusion"):
            raise ValueError(f"pipeline must be 'class-conditional' or 'stable-diffusion', got {self.pipeline!r}")
        if (self.pipeline == "class-conditional") != bool(self.classes) or bool(self.classes) == bool(self.prompts):
            raise ValueError("a class-conditional job needs classes (and no prompts), a stable-diffusion job prompts")
        for name, low in (("steps", 1), ("batch_size", 1), ("seed", 0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{name} must be an integer in [{low}, inf), got {value!r}")
        if self.scheduler not in ("ddim", "dpm"):
            raise ValueError(f"scheduler must be 'ddim' or 'dpm', got {self.scheduler!r}")
        self.config()  # validates the DeepCache settings

    @classmethod
    def load(cls, path: str | Path, **overrides) -> "JobSpec":
        text = Path(path).read_text()
        if str(path).endswith((".yaml", ".yml")):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
        data.update({k: v for k, v in overrides.items() if v is not None})
        for key in ("classes", "prompts"):
            if key in data:
                data[key] = tuple(data[key])
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
    from .sampling import EMBEDDED_MODEL, load_embedded

    if spec.pipeline == "class-conditional":
        return load_embedded(EMBEDDED_MODEL if spec.model == "embedded" else spec.model, scheduler=spec.scheduler)
    from diffusers import DDIMScheduler, DPMSolverMultistepScheduler, StableDiffusionPipeline

    pipe = StableDiffusionPipeline.from_pretrained(spec.model)
    sched = DDIMScheduler if spec.scheduler == "ddim" else DPMSolverMultistepScheduler
    pipe.scheduler = sched.from_config(pipe.scheduler.config)
    pipe.set_progress_bar_config(disable=True)
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

class Output:
    def __init__(self, folder: Path, spec: JobSpec, restart: bool = False, writer: str = "0"):
        self.folder, self.spec, self.writer = Path(folder), spec, writer
        self.images = self.folder / "images"
        self.images.mkdir(parents=True, exist_ok=True)
        if writer in ("0", "rank0"):  # temporary files of a crashed run are never outputs
            for tmp in self.images.glob(".*.tmp"):
                tmp.unlink(missing_ok=True)
        job = self.folder / "job.json"
        if job.exists():
            old = json.loads(job.read_text())
            if old.get("digest") != spec.digest() and not restart:
                raise ValueError(f"{folder} holds the outputs of another job spec (spec digest "
                                 f"{old.get('digest', '?')[:12]}, this one {spec.digest()[:12]}); "
                                 "pass --restart (restart=True) to start over")
        if restart and job.exists() and json.loads(job.read_text()).get("digest") != spec.digest():
            for p in list(self.images.glob("*")) + list(self.folder.glob("manifest*.jsonl")):
                p.unlink()
            (self.folder / "samples.npz").unlink(missing_ok=True)
        _atomic_write(job, json.dumps({"digest": spec.digest(), "spec": spec.to_json()}, indent=2).encode())

    def done(self) -> set[str]:
        """Items finished: a manifest line and a PNG that opens. A file left by a crash is never counted."""
        listed = set()
        for path in self.folder.glob("manifest*.jsonl"):
            for line in path.read_text().splitlines():
                try:
                    listed.add(json.loads(line)["id"])
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut by a crash
        ok = set()
        for item_id in listed:
            try:
                with Image.open(self.images / f"{item_id}.png") as im:
                    im.load()
                ok.add(item_id)
            except (OSError, ValueError):
                continue
        return ok

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

def _work(spec: JobSpec, out: Output, batches: list[list[dict]], desc: str) -> tuple[int, float]:
    """Generate the unfinished items of ``batches``; returns (items written, seconds)."""
    done = out.done()
    todo = [b for b in batches if any(item["id"] not in done for item in b)]
    pipe = load_pipeline(spec)
    written, t0 = 0, time.perf_counter()
    with tqdm(total=sum(len(b) for b in todo), desc=desc, unit="img") as bar:
        for batch in todo:
            written += write_batch(pipe, spec, batch, out, done)
            bar.update(len(batch))
    return written, time.perf_counter() - t0


def run_job(spec: JobSpec, folder: Path, restart: bool = False, measure_speedup: bool = True) -> dict:
    """One process, or one rank under ``torchrun`` (``WORLD_SIZE`` set): batches are sharded round-robin by rank,
    rank 0 merges the manifests and writes the npz after a barrier."""
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
        written, _ = _work(spec, out, batches, f"generate (rank {rank}/{world})")
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
                result["deepcache_speedup"] = measure_deepcache_speedup(spec)
            (Path(folder) / "summary.json").write_text(json.dumps(result, indent=2) + "\n")
        return result
    finally:
        if world > 1:
            dist.destroy_process_group()


def measure_deepcache_speedup(spec: JobSpec, repeats: int = 3) -> float:
    """DeepCache's speedup on this job: the first batch, uncached vs cached, interleaved, median of repeats."""
    import statistics

    pipe = load_pipeline(spec)
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
    import ray

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
