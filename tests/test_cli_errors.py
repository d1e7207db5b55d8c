"""The command line on bad input: one line on stderr saying what is wrong and how to fix it, exit code 2 for bad
input (1 for a failure while running), and nothing written. Run in-process through ``stepcache.commands.cli.main``."""

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import stepcache
from stepcache.commands import cli, common
from stepcache.commands.cli import main
from stepcache.jobs import JobSpec


def _snapshot(root: Path) -> dict:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def _spec(data):
    def make(ws: Path) -> str:
        path = ws / "spec.json"
        path.write_text((data if isinstance(data, str) else json.dumps(data)).replace("{ws}", str(ws)))
        return str(path)
    return make


def _yaml(text):
    def make(ws: Path) -> str:
        (ws / "spec.yaml").write_text(text)
        return str(ws / "spec.yaml")
    return make


def _finished_other_job(ws: Path) -> str:
    """An output folder holding two finished items of another job spec."""
    out = ws / "done"
    (out / "images").mkdir(parents=True)
    other = JobSpec(classes=(3, 4), steps=3)
    (out / "job.json").write_text(json.dumps({"digest": other.digest(), "spec": other.to_json()}))
    for i in range(2):
        Image.fromarray(np.zeros((8, 8), np.uint8)).save(out / "images" / f"{i:06d}.png")
    (out / "manifest.jsonl").write_text("".join(json.dumps({"id": f"{i:06d}"}) + "\n" for i in range(2)))
    return str(out)


def _bench_results(ws: Path) -> str:
    (ws / "res").mkdir()
    (ws / "res" / "results.json").write_text(json.dumps({"embedded": [{"setting": "uncached"}]}))
    return str(ws / "res")


# (argv, expected message substring, exit code, modules that are "not installed")
# {ws} is the test's workspace: it holds `afile` (a regular file), `emptydir` (an empty folder) and the outputs.
CASES = [
    # -- the command line itself (argparse): exit 2, one line
    ([], "the following arguments are required: command", 2, ()),
    (["frobnicate"], "invalid choice: 'frobnicate'", 2, ()),
    (["demo", "--steps", "x", "--out", "{ws}/o"], "argument --steps: invalid int value: 'x'", 2, ()),
    (["calibrate", "--out", "{ws}/p.json"], "the following arguments are required: --speedup", 2, ()),
    (["analyze", "--scheduler", "euler", "--out", "{ws}/o"], "argument --scheduler: invalid choice: 'euler'", 2, ()),
    # -- demo
    (["demo", "--samples", "0", "--out", "{ws}/o"], "--samples must be an integer in [1, inf), got 0", 2, ()),
    (["demo", "--model", "digits", "--samples", "1", "--out", "{ws}/o"],
     "--samples must be an integer in [2, inf), got 1 (FID-domain needs at least 2)", 2, ()),
    (["demo", "--model", "faces", "--out", "{ws}/o"], "argument --model: invalid choice: 'faces'", 2, ()),
    (["demo", "--fast", "--steps", "2000", "--out", "{ws}/o"], "--steps must be an integer in [1, 1000], got 2000",
     2, ()),
    (["demo", "--steps", "0", "--out", "{ws}/o"], "--steps must be an integer in [1, 1000], got 0", 2, ()),
    (["demo", "--guidance", "nan", "--out", "{ws}/o"], "--guidance must be a finite number in [1, inf), got nan",
     2, ()),
    (["demo", "--threads", "0", "--out", "{ws}/o"], "--threads must be an integer in [1, inf), got 0", 2, ()),
    (["demo", "--out", "{ws}/afile"], "--out {ws}/afile is a file, not a folder; choose another --out", 2, ()),
    # -- analyze
    (["analyze", "--steps", "1", "--out", "{ws}/o"], "--steps must be an integer in [2, inf), got 1", 2, ()),
    (["analyze", "--steps", "2000", "--out", "{ws}/o"], "--steps must be an integer in [2, 1000], got 2000", 2, ()),
    (["analyze", "--model", "{ws}/missing", "--out", "{ws}/o"], "--model {ws}/missing not found", 2, ()),
    (["analyze", "--model", "{ws}/emptydir", "--out", "{ws}/o"],
     "--model {ws}/emptydir: cannot load a class-conditional pipeline from it", 2, ()),
    (["analyze", "--branches", "0", "--out", "{ws}/o"],
     "--branches must be an integer in [1, 12], got 0 (this model has 12 branches)", 2, ()),
    (["analyze", "--branches", "13", "--out", "{ws}/o"], "--branches must be an integer in [1, 12], got 13", 2, ()),
    (["analyze", "--branches", "1", "1", "--out", "{ws}/o"], "--branches lists 1 twice", 2, ()),
    (["analyze", "--out", "{ws}/afile/sub"], "is a file, so no folder can be made there; choose another --out",
     2, ()),
    (["analyze", "--samples", "0", "--out", "{ws}/o"], "--samples must be an integer in [1, inf), got 0", 2, ()),
    # -- calibrate
    (["calibrate", "--steps", "0", "--speedup", "2", "--out", "{ws}/p.json"],
     "--steps must be an integer in [2, inf), got 0", 2, ()),
    (["calibrate", "--samples", "0", "--speedup", "2", "--out", "{ws}/p.json"],
     "--samples must be an integer in [1, inf), got 0", 2, ()),
    (["calibrate", "--speedup", "1", "--out", "{ws}/p.json"], "--speedup must be a finite number in (1, inf), got 1",
     2, ()),
    (["calibrate", "--steps", "10", "--speedup", "50", "--out", "{ws}/p.json"],
     "--speedup 50 is out of reach", 2, ()),
    (["calibrate", "--speedup", "2", "--out", "{ws}/emptydir"], "--out {ws}/emptydir is a folder; give a file path",
     2, ()),
    (["calibrate", "--speedup", "2", "--out", "{ws}/afile/p.json"], "is a file, so no folder can be made there",
     2, ()),
    # -- generate
    (["generate", "{ws}/missing.json", "--out", "{ws}/g"], "job spec {ws}/missing.json not found", 2, ()),
    (["generate", _spec({"classes": [1, 99]}), "--out", "{ws}/g"],
     "classes must be class labels in [0, 9] for model 'embedded' (10 classes), got 99", 2, ()),
    (["generate", _spec({"classes": [1], "deepcache": {"interval": 3, "branch": 40}}), "--out", "{ws}/g"],
     "deepcache branch must be in [1, 12] for model 'embedded' (12 skip branches), got 40", 2, ()),
    (["generate", _spec({"classes": [1], "model": "{ws}/nomodel"}), "--out", "{ws}/g"],
     "model {ws}/nomodel not found: model must be one of embedded, digits, emoji-sd, emoji-pixart, a pipeline folder or a hub id", 2, ()),
    (["generate", _spec({"classes": [1], "guidance": "high"}), "--out", "{ws}/g"],
     "guidance must be a number in [1, inf), got 'high' (str)", 2, ()),
    (["generate", _spec({"classes": []}), "--out", "{ws}/g"],
     "a job needs a non-empty list of classes (class-conditional pipelines) or of prompts", 2, ()),
    (["generate", _spec({"classes": [1], "colour": "red"}), "--out", "{ws}/g"],
     "unknown job spec fields ['colour']", 2, ()),
    (["generate", _spec("{classes: [1]}"), "--out", "{ws}/g"], "is not valid JSON", 2, ()),
    (["generate", _spec([1, 2]), "--out", "{ws}/g"], "must be a mapping of JobSpec fields, got list", 2, ()),
    (["generate", _spec({"classes": [1], "steps": 10, "deepcache": {"schedule": "nonuniform"}}), "--out", "{ws}/g"],
     "center must be a step in [0, 10) for 10 steps (schedule='nonuniform'), got center=15", 2, ()),
    (["generate", _spec({"classes": [1], "deepcache": {"intervall": 3}}), "--out", "{ws}/g"],
     "unknown deepcache fields ['intervall']", 2, ()),
    (["generate", _yaml("classes: [1, 2]\nsteps: ten\n"), "--out", "{ws}/g"],
     "steps must be an integer in [1, inf), got 'ten' (str)", 2, ()),
    (["generate", "--items", "0", "--out", "{ws}/g"], "--items must be an integer in [1, inf), got 0", 2, ()),
    (["generate", "--items", "2", "--batch-size", "0", "--out", "{ws}/g"],
     "--batch-size must be an integer in [1, inf), got 0", 2, ()),
    (["generate", "--items", "2", "--steps", "2000", "--out", "{ws}/g"],
     "steps must be an integer in [1, 1000] for this model's scheduler", 2, ()),
    (["generate", "--items", "2", "--out", "{ws}/afile/g"], "is a file, so no folder can be made there", 2, ()),
    (["generate", "--items", "2", "--launcher", "ray", "--out", "{ws}/g"],
     "--launcher ray needs Ray Data: pip install 'stepcache[ray]'", 2, ("ray",)),
    (["generate", "--items", "2", "--out", _finished_other_job],
     "holds 2 finished item(s) of another job spec", 2, ()),
    # -- bench (checked before any benchmark runs)
    (["bench", "--steps", "5", "--out", "{ws}/b"], "--steps must be an integer in [10, 1000], got 5", 2, ()),
    (["bench", "--samples", "5", "--out", "{ws}/b"], "--samples must be an integer in [10, inf), got 5", 2, ()),
    (["bench", "--samples", "20", "--timing-batch", "50", "--out", "{ws}/b"],
     "--timing-batch must be an integer in [1, 20], got 50", 2, ()),
    (["bench", "--repeats", "0", "--out", "{ws}/b"], "--repeats must be an integer in [1, inf), got 0", 2, ()),
    (["bench", "--steps", "--no-sd-preset", "--out", "{ws}/b"], "nothing to run", 2, ()),
    (["bench", "--beyond-only", "--no-beyond", "--out", "{ws}/b"], "--beyond-only and --no-beyond contradict", 2, ()),
    (["bench", "--out", "{ws}/afile"], "is a file, not a folder", 2, ()),
    (["bench", "--replot", "--out", "{ws}/emptydir"], "results.json not found; run stepcache bench --out", 2, ()),
    (["bench", "--replot", "--out", _bench_results], "pip install 'stepcache[bench]'", 2, ("matplotlib",)),
]


@pytest.mark.parametrize("argv, message, code, missing", CASES,
                         ids=[f"{i:02d}-{' '.join(a for a in c[0] if isinstance(a, str))[:40]}"
                              for i, c in enumerate(CASES)])
def test_bad_input_one_line_exit_code_nothing_written(tmp_path, capsys, monkeypatch, argv, message, code, missing):
    ws = tmp_path
    (ws / "afile").write_text("not a folder")
    (ws / "emptydir").mkdir()
    monkeypatch.chdir(ws)  # default output folders (out/...) would land here
    argv = [a(ws) if callable(a) else a.replace("{ws}", str(ws)) for a in argv]
    if missing:
        has = common.has
        monkeypatch.setattr(common, "has", lambda module: module not in missing and has(module))
    before = _snapshot(ws)
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == code, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("stepcache") and ": error: " in lines[0]
    assert message.replace("{ws}", str(ws)) in lines[0]
    assert "Traceback" not in err
    assert _snapshot(ws) == before  # nothing new, nothing changed


def test_enough_cases():
    assert len(CASES) >= 25
    assert {c[0][0] for c in CASES if c[0]} >= {"demo", "analyze", "calibrate", "generate", "bench"}


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"stepcache {stepcache.__version__}"


def test_debug_shows_the_original_error(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match=r"--samples must be an integer in \[2, inf\), got 1"):
        main(["demo", "--model", "digits", "--samples", "1", "--out", str(tmp_path / "o"), "--debug"])
    with pytest.raises(ValueError, match=r"--samples must be an integer in \[1, inf\), got 0"):
        main(["--debug", "demo", "--samples", "0", "--out", str(tmp_path / "o")])
    monkeypatch.setenv("STEPCACHE_DEBUG", "1")
    with pytest.raises(ValueError, match=r"--samples must be an integer"):
        main(["demo", "--samples", "0", "--out", str(tmp_path / "o")])
    assert not (tmp_path / "o").exists()


def test_failure_while_running_exits_1_with_one_line(tmp_path, capsys, monkeypatch):
    import stepcache.commands.demo

    def boom(*args, **kwargs):
        raise RuntimeError("the U-Net ran out of memory")

    monkeypatch.setattr(stepcache.commands.demo, "run_demo", boom)
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--fast", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip().splitlines()
    assert exc.value.code == 1
    assert err == ["stepcache demo: error: RuntimeError: the U-Net ran out of memory "
                   "(rerun with --debug for the traceback)"]


def test_generate_starts_cleanly_after_a_failed_start(tmp_path, capsys):
    """A folder left by a start that finished nothing (job.json of another spec, a manifest line whose PNG was never
    written, a temporary file) is not "another job's outputs": the corrected spec runs there without --restart."""
    out = tmp_path / "g"
    (out / "images").mkdir(parents=True)
    bad = {"classes": [1, 2], "steps": 2, "guidance": 3.0}
    (out / "job.json").write_text(json.dumps({"digest": "0" * 64, "spec": bad}))
    (out / "manifest.0.jsonl").write_text(json.dumps({"id": "000000"}) + "\n")
    (out / "images" / ".000001.png.x.tmp").write_bytes(b"\x89PNG")
    main(["generate", "--items", "2", "--steps", "2", "--batch-size", "2", "--out", str(out)])
    result = json.loads(capsys.readouterr().out)
    assert result["items_written"] == 2
    assert sorted(p.name for p in (out / "images").iterdir()) == ["000000.png", "000001.png"]
    assert json.loads((out / "job.json").read_text())["spec"]["classes"] == [0, 1]
    # and a bad spec into that finished folder is refused before anything changes
    before = _snapshot(out)
    spec = tmp_path / "bad.json"
    spec.write_text(json.dumps({"classes": [1, 99], "steps": 2}))
    with pytest.raises(SystemExit) as exc:
        main(["generate", str(spec), "--out", str(out)])
    assert exc.value.code == 2 and "got 99" in capsys.readouterr().err
    assert _snapshot(out) == before


def test_bench_without_matplotlib_writes_the_tables_and_skips_the_plot(tmp_path, capsys, monkeypatch):
    """No real benchmark: the embedded-model rows come from the committed 50-step results."""
    import stepcache.embedded.bench as bench

    rows = json.loads((Path(__file__).parents[1] / "benchmarks" / "results" / "results.json").read_text())["embedded"]
    rows = [{k: v for k, v in r.items() if k != "base_steps"} for r in rows if r.get("base_steps", 50) == 50]
    monkeypatch.setattr(bench, "bench_embedded", lambda out, n, *a, **kw: [dict(r) for r in rows])
    has = common.has
    monkeypatch.setattr(common, "has", lambda module: module != "matplotlib" and has(module))
    out = tmp_path / "b"
    main(["bench", "--steps", "50", "--no-sd-preset", "--out", str(out)])
    captured = capsys.readouterr()
    notes = [line for line in captured.err.splitlines() if "note:" in line]
    assert notes == ["stepcache bench: note: matplotlib is not installed: every table will be written, the plot "
                     "skipped (pip install 'stepcache[bench]')"]
    assert {p.name for p in out.iterdir()} == {"results.md", "results.csv", "results.json"}
    assert "uniform N=2 b=3" in (out / "results.md").read_text()
    assert "wrote " + str(out) + "/results.md, results.csv, results.json" in captured.out


def test_out_folder_not_writable(tmp_path, capsys, monkeypatch):
    """Root can write anywhere, so a read-only folder is simulated where the check asks the OS."""
    (tmp_path / "ro").mkdir()
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != tmp_path / "ro")
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--fast", "--out", str(tmp_path / "ro" / "demo")])
    assert exc.value.code == 2
    assert f"{tmp_path / 'ro'} is not writable; choose another --out" in capsys.readouterr().err
    assert list((tmp_path / "ro").iterdir()) == []
