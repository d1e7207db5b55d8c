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
