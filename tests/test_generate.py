"""`stepcache generate`: launchers agree byte for byte, a killed job resumes losslessly, bad files never count."""

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from stepcache.jobs import JobSpec, Output, run_job

ARGS = ["--items", "24", "--steps", "6", "--batch-size", "5", "--npz", "--threads", "1"]
ENV = dict(os.environ, OMP_NUM_THREADS="1")


def _cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "stepcache", "generate", *args], env=ENV, capture_output=True,
                          text=True, **kw)


def _pngs(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted((folder / "images").glob("*.png"))}


def _manifest_ids(folder: Path) -> list:
    return [json.loads(line)["id"] for line in (folder / "manifest.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def single(tmp_session):
    out = tmp_session / "gen-single"
    res = _cli(*ARGS, "--out", str(out))
    assert res.returncode == 0, res.stderr
    return out


def test_single_process_outputs(single):
    pngs = _pngs(single)
    assert len(pngs) == 24
    assert _manifest_ids(single) == [f"{i:06d}" for i in range(24)]
    arr = np.load(single / "samples.npz")["arr_0"]
    assert arr.shape == (24, 32, 32, 1) and arr.dtype == np.uint8
    summary = json.loads((single / "summary.json").read_text())
    assert summary["items_written"] == 24 and summary["deepcache_speedup"] > 0


def test_torchrun_two_ranks_byte_identical(single, tmp_path):
    out = tmp_path / "gen-torchrun"
    res = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
                          "--master_port", "29533", "-m", "stepcache", "generate", *ARGS, "--out", str(out)],
                         env=ENV, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
    assert _pngs(out) == _pngs(single)
    assert _manifest_ids(out) == _manifest_ids(single)
    assert {json.loads(line)["worker"] for line in (out / "manifest.jsonl").read_text().splitlines()} == \
        {"rank0", "rank1"}
    assert np.array_equal(np.load(out / "samples.npz")["arr_0"], np.load(single / "samples.npz")["arr_0"])


def test_ray_data_byte_identical(single, tmp_path):
    if importlib.util.find_spec("ray") is None:
        pytest.skip("the stepcache[ray] extra (ray[data]) is not installed")
    out = tmp_path / "gen-ray"
    res = _cli(*ARGS, "--out", str(out), "--launcher", "ray", "--workers", "2")
    assert res.returncode == 0, res.stderr[-2000:]
    assert _pngs(out) == _pngs(single)
    assert _manifest_ids(out) == _manifest_ids(single)


def test_killed_job_resumes_with_exactly_the_missing_items(single, tmp_path):
    out = tmp_path / "gen-kill"
    proc = subprocess.Popen([sys.executable, "-m", "stepcache", "generate", *ARGS, "--out", str(out)], env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((out / "images").glob("*.png"))) < 8:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = _pngs(out)
    assert 8 <= len(partial) < 24, "the job must be killed mid-way"
    res = _cli(*ARGS, "--out", str(out))
    assert res.returncode == 0, res.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["items_written"] == 24 - len(partial)  # exactly the missing ones
    assert _pngs(out) == _pngs(single)
    ids = _manifest_ids(out)
    assert ids == sorted(set(ids)) and len(ids) == 24
    assert not list((out / "images").glob(".*.tmp"))


def test_corrupt_files_are_never_taken_as_done(single, tmp_path):
    out = tmp_path / "gen-corrupt"
    spec = JobSpec(classes=tuple(i % 10 for i in range(6)), steps=4, batch_size=3)
    run_job(spec, out, measure_speedup=False)
    good = _pngs(out)
    # a truncated PNG under a final name, a cut manifest line, a temporary file left by a crash
    (out / "images" / "000004.png").write_bytes(good["000004.png"][:40])
    with open(out / "manifest.jsonl", "a") as f:
        f.write('{"id": "000005", "cla')
    (out / "images" / "000005.png").unlink()
    (out / "images" / ".000003.png.abc.tmp").write_bytes(b"\x89PNG")
    assert Output(out, spec).done() == {f"{i:06d}" for i in range(4)}
    result = run_job(spec, out, measure_speedup=False)
    assert result["items_written"] == 2
    assert _pngs(out) == good
    assert _manifest_ids(out) == [f"{i:06d}" for i in range(6)]


def test_changed_spec_is_refused_unless_restart(tmp_path):
    out = tmp_path / "gen-spec"
    spec = JobSpec(classes=(1, 2), steps=3, batch_size=2)
    run_job(spec, out, measure_speedup=False)
    changed = JobSpec(classes=(1, 2), steps=4, batch_size=2)
    with pytest.raises(ValueError, match="another job spec.*restart"):
        run_job(changed, out, measure_speedup=False)
    assert run_job(changed, out, restart=True, measure_speedup=False)["items_written"] == 2
    assert run_job(changed, out, measure_speedup=False)["items_written"] == 0  # all done already


def test_spec_validation():
    with pytest.raises(ValueError, match="steps must be an integer in"):
        JobSpec(classes=(1,), steps=0)
    with pytest.raises(ValueError, match="needs a non-empty list of classes"):
        JobSpec(classes=(), prompts=())
    with pytest.raises(ValueError, match=r"interval must be an integer in \[1, inf\)"):
        JobSpec(classes=(1,), deepcache={"interval": 0})
    with pytest.raises(TypeError, match=r"guidance must be a number in \[1, inf\), got 'high'"):
        JobSpec(classes=(1,), guidance="high")
    with pytest.raises(TypeError, match=r"classes\[\] must be an integer in \[0, inf\), got 1.5"):
        JobSpec(classes=(1, 1.5))
    with pytest.raises(ValueError, match=r"unknown deepcache fields \['intervall'\]"):
        JobSpec(classes=(1,), deepcache={"intervall": 3})
    # lists and numpy integers, as YAML / JSON / numpy give them, are fine; the digest does not see the difference
    assert JobSpec(classes=[np.int64(1), 2]).digest() == JobSpec(classes=(1, 2)).digest()


def test_model_dependent_checks_write_nothing(tmp_path):
    """Class labels, the DeepCache branch, the step count and the model path are checked against the loaded model
    before the output folder is touched."""
    out = tmp_path / "never"
    for spec, match in [(JobSpec(classes=(1, 99), steps=2), r"classes must be class labels in \[0, 9\].*got 99"),
                        (JobSpec(classes=(1,), steps=2, deepcache={"interval": 3, "branch": 40}),
                         r"deepcache branch must be in \[1, 12\].*got 40"),
                        (JobSpec(classes=(1,), steps=2000), r"steps must be an integer in \[1, 1000\]"),
                        (JobSpec(classes=(1,), model=str(tmp_path / "nope")), "not found")]:
        with pytest.raises((ValueError, FileNotFoundError), match=match):
            run_job(spec, out, measure_speedup=False)
        assert not out.exists()


def test_a_folder_with_no_finished_item_is_not_another_jobs(tmp_path):
    out = tmp_path / "gen-unfinished"
    first = JobSpec(classes=(1, 2), steps=2, batch_size=2)
    Output(out, first)  # a start that wrote job.json and then died before finishing anything
    (out / "manifest.0.jsonl").write_text('{"id": "000000"}\n')  # a line without its PNG: not finished
    second = JobSpec(classes=(3, 4), steps=2, batch_size=2)
    assert run_job(second, out, measure_speedup=False)["items_written"] == 2
    assert json.loads((out / "job.json").read_text())["digest"] == second.digest()


# -- any pipeline (issue 25): a tiny Wan text-to-video folder, emoji-pixart by name, a tiny SD folder, profiles ------

WAN_ARGS = dict(height=16, width=16, num_frames=9, max_sequence_length=8)


@pytest.fixture(scope="module")
def wan_folder(tmp_path_factory):
    """A tiny WanPipeline saved with save_pretrained (a character tokenizer, a one-layer UMT5 encoder)."""
    import torch
    from transformers import UMT5Config, UMT5EncoderModel

    import tiny
    import tiny_dit

    tmp = tmp_path_factory.mktemp("wan")
    pipe, _ = tiny_dit.wan()
    tok = tiny.tokenizer(tmp / "tok")
    torch.manual_seed(0)
    enc = UMT5EncoderModel(UMT5Config(vocab_size=len(tok), d_model=32, d_kv=8, d_ff=37, num_layers=1,
                                      num_heads=4)).eval()
    pipe.register_modules(tokenizer=tok, text_encoder=enc)
    pipe.save_pretrained(tmp / "pipe")
    return tmp / "pipe"


def _files(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted((folder / "images").glob("*.*"))}


def test_text_to_video_one_file_per_item_same_bytes_on_two_ranks(wan_folder, tmp_path):
    spec = dict(model=str(wan_folder), prompts=["a cat", "a dog", "red", "blue"], steps=3, batch_size=1,
                arguments=WAN_ARGS, deepcache={"interval": 2}, fps=4)
    single = tmp_path / "single"
    run_job(JobSpec(**spec), single, measure_speedup=False)
    files = _files(single)
    assert sorted(files) == [f"{i:06d}.mp4" for i in range(4)]
    lines = [json.loads(line) for line in (single / "manifest.jsonl").read_text().splitlines()]
    for line in lines:  # seed, prompt, setting and time on every line; the sha256 of the file
        assert {"seed", "prompt", "config", "seconds"} <= set(line) and line["config"]["interval"] == 2
        assert line["sha256"] == __import__("hashlib").sha256(files[Path(line["file"]).name]).hexdigest()
    import imageio.v3 as iio

    frames = iio.imread(single / "images" / "000000.mp4", plugin="pyav") if importlib.util.find_spec("av") \
        else np.stack(list(iio.imiter(single / "images" / "000000.mp4")))
    assert frames.shape[0] == 9 and frames.shape[-1] == 3
    (tmp_path / "job.json").write_text(json.dumps(spec))
    ranks = tmp_path / "ranks"
    res = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port",
                          "29537", "-m", "stepcache", "generate", str(tmp_path / "job.json"), "--out", str(ranks)],
                         env=ENV, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
    assert _files(ranks) == files  # byte-identical videos whatever the number of workers
    gif = tmp_path / "gif"
    run_job(JobSpec(**dict(spec, video="gif", prompts=spec["prompts"][:1])), gif, measure_speedup=False)
    assert list(_files(gif)) == ["000000.gif"]


def test_pipeline_dependent_refusals_write_nothing(wan_folder, tmp_path):
    out = tmp_path / "never"
    base = dict(model=str(wan_folder), prompts=["a cat"], steps=2, arguments=WAN_ARGS)
    for change, match in [(dict(scheduler="ddim"), "scheduler ddim does not apply to a flow-matching pipeline"),
                          (dict(arguments=dict(WAN_ARGS, heigth=16)),
                           r"arguments.heigth is not an argument of WanPipeline.__call__; it takes .*height"),
                          (dict(arguments=dict(WAN_ARGS, height=17)), "arguments: WanPipeline refuses them.*16"),
                          (dict(prompts=[], classes=[1]), "classes: WanPipeline takes no class_labels"),
                          (dict(deepcache={"first_blocks": 3, "last_blocks": 2}), "deepcache"),
                          (dict(model="emoji-sd", arguments={"num_frames": 9}),
                           "arguments.num_frames is not an argument of StableDiffusionPipeline")]:
        with pytest.raises(ValueError, match=match):
            run_job(JobSpec(**dict(base, **change)), out, measure_speedup=False)
        assert not out.exists()
    with pytest.raises(ValueError, match="arguments.generator is set by the job"):
        JobSpec(**dict(base, arguments={"generator": 1}))
    (tmp_path / "bad.json").write_text(json.dumps(dict(base, scheduler="ddim")))
    res = _cli(str(tmp_path / "bad.json"), "--out", str(out))
    errors = [line for line in res.stderr.splitlines() if line.startswith("stepcache generate: error: ")]
    assert res.returncode == 2 and len(errors) == 1 and "Traceback" not in res.stderr, res.stderr
    assert "scheduler ddim does not apply to a flow-matching pipeline" in errors[0] and not out.exists()


def test_emoji_pixart_by_name_interval_1_is_the_uncached_model(tmp_path):
    spec = dict(model="emoji-pixart", prompts=["cat face", "pizza"], steps=3, guidance=3.0, batch_size=2)
    pngs = {}
    for name, dc in (("off", None), ("n1", {"interval": 1}), ("n2", {"interval": 2})):
        run_job(JobSpec(**dict(spec, deepcache=dc)), tmp_path / name, measure_speedup=False)
        pngs[name] = _pngs(tmp_path / name)
    assert sorted(pngs["off"]) == ["000000.png", "000001.png"]
    from PIL import Image

    assert Image.open(tmp_path / "off" / "images" / "000000.png").size == (32, 32)
    assert pngs["n1"] == pngs["off"]  # interval 1: bit-identical to the uncached pipeline
    assert pngs["n2"] != pngs["off"]


@pytest.fixture(scope="module")
def sd_folder(tmp_path_factory):
    import tiny

    tmp = tmp_path_factory.mktemp("sd")
    tiny.sd_pipe(tmp).save_pretrained(tmp / "pipe")
    return tmp / "pipe"


def _profile(folder: Path, path: Path, steps: int, full_steps: list) -> Path:
    """A calibrated profile for the pipeline at ``folder`` (its U-Net's weights, its own scheduler)."""
    from stepcache.core.identity import model_hash, scheduler_id
    from stepcache.jobs import load_model

    pipe = load_model(str(folder))
    path.write_text(json.dumps(dict(version=3, model_hash=model_hash(pipe.unet), scheduler=scheduler_id(pipe.scheduler),
                                    num_steps=steps, branch=1, full_steps=full_steps, first_blocks=None,
                                    last_blocks=None)))
    return path


def test_sd_folder_with_a_profile_and_its_refusals(sd_folder, tmp_path):
    profile = _profile(sd_folder, tmp_path / "profile.json", 4, [0, 2])
    spec = dict(model=str(sd_folder), prompts=["a red cat", "blue"], steps=4, batch_size=2, guidance=2.0)
    run_job(JobSpec(**dict(spec, deepcache={"profile": str(profile)})), tmp_path / "profile", measure_speedup=False)
    run_job(JobSpec(**dict(spec, deepcache={"schedule": "calibrated", "full_steps": [0, 2], "branch": 1})),
            tmp_path / "direct", measure_speedup=False)
    assert _pngs(tmp_path / "profile") == _pngs(tmp_path / "direct") and len(_pngs(tmp_path / "direct")) == 2
    line = json.loads((tmp_path / "profile" / "manifest.jsonl").read_text().splitlines()[0])
    assert line["config"]["full_steps"] == [0, 2] and line["config"]["profile"]["num_steps"] == 4
    out = tmp_path / "never"
    for change, match in [(dict(steps=5), r"profile.*num_steps=4.*makes 5"),
                          (dict(scheduler="dpm"), "profile.*made for scheduler DDIMScheduler"),
                          (dict(model="emoji-sd"), "profile.*made for model weights")]:
        with pytest.raises(ValueError, match=match):
            run_job(JobSpec(**dict(spec, deepcache={"profile": str(profile)}, **change)), out, measure_speedup=False)
        assert not out.exists()
    with pytest.raises(ValueError, match="deepcache.branch does not go with deepcache.profile"):
        JobSpec(**dict(spec, deepcache={"profile": str(profile), "branch": 2}))
    with pytest.raises(FileNotFoundError, match="deepcache.profile .* not found"):
        JobSpec(**dict(spec, deepcache={"profile": str(tmp_path / "nope.json")}))
    # the spec format of before: pipeline stable-diffusion (DDIM, guidance 1) still runs
    legacy = tmp_path / "legacy"
    run_job(JobSpec(model=str(sd_folder), pipeline="stable-diffusion", prompts=("cat",), steps=2), legacy,
            measure_speedup=False)
    assert len(_pngs(legacy)) == 1


def test_cli_model_prompts_and_profile_flags(sd_folder, tmp_path):
    profile = _profile(sd_folder, tmp_path / "profile.json", 4, [0, 2])
    (tmp_path / "prompts.txt").write_text("a red cat\n\nblue\n")
    args = ["--model", str(sd_folder), "--prompts", str(tmp_path / "prompts.txt"), "--items", "3", "--batch-size",
            "3", "--steps", "4", "--profile", str(profile), "--threads", "1"]
    res = _cli(*args, "--out", str(tmp_path / "ok"))
    assert res.returncode == 0, res.stderr[-2000:]
    lines = [json.loads(line) for line in (tmp_path / "ok" / "manifest.jsonl").read_text().splitlines()]
    assert [line["prompt"] for line in lines] == ["a red cat", "blue", "a red cat"]
    assert all(line["config"]["full_steps"] == [0, 2] for line in lines)
    res = _cli(*args[:-4], "--steps", "5", "--profile", str(profile), "--out", str(tmp_path / "never"))
    errors = [line for line in res.stderr.splitlines() if line.startswith("stepcache generate: error: ")]
    assert res.returncode == 2 and len(errors) == 1 and "num_steps=4" in errors[0], res.stderr[-2000:]
    assert not (tmp_path / "never").exists()
