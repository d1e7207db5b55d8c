"""benchmarks/gpu_check.py --dry: the GPU check's whole path (four model families, stepcache's settings, the
official helper, diffusers' FirstBlockCache and TaylorSeer, a compiled run) at tiny sizes on CPU. Checks what it
reports, not speeds (timings of tiny models on a shared CPU mean nothing)."""

import json
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import gpu_check  # noqa: E402


def test_dry_run_reports_every_model_and_setting(tmp_path):
    steps = 4
    report = gpu_check.main(["--dry", "--steps", str(steps), "--out", str(tmp_path)])
    data = json.loads((tmp_path / "gpu_check.json").read_text())
    assert data["dry"] and [m["model"] for m in data["models"]] == list(gpu_check.MODELS)
    assert "# GPU check (dry" in (tmp_path / "gpu_check.md").read_text()
    for m in report["models"]:
        assert not m["skipped"], m["skipped"]
        eager = {r["setting"]: r for r in m["runs"] if r["mode"] == "eager"}
        unet = m["model"].endswith("unet")
        expected = {"uncached"} | {s for s, _ in gpu_check.SETTINGS} | (
            {"official DeepCache N=3"} if unet else {"diffusers FirstBlockCache", "diffusers TaylorSeer N=5 order 2"})
        assert set(eager) == expected
        for name, cfg in gpu_check.SETTINGS:
            r = eager[name]
            n = cfg["interval"]
            assert r["pattern"] == "".join("F" if i % n == 0 else "C" for i in range(steps))
            assert r["mac_ideal_speedup"] > 1 and r["kept_bytes"] > 0 and math.isfinite(r["speedup"])
            assert r["cached_step_s"] > 0 and r["ideal_speedup_time"] > 0
        # the forecaster keeps order + 1 = 3 copies of what it forecasts (the U-Net also keeps the other replayed
        # outputs once): more than reuse
        assert eager["stepcache N=5 taylor2"]["kept_bytes"] > eager["stepcache N=5"]["kept_bytes"]
        for name in expected - {"uncached"} - {s for s, _ in gpu_check.SETTINGS}:
            assert eager[name]["loop_s"] > 0 and math.isfinite(eager[name]["speedup"])
    compiled = [r for r in report["models"][0]["runs"] if r["mode"] == "compiled"]
    assert {r["setting"] for r in compiled} == {"uncached", "stepcache N=3", "stepcache N=5 taylor2"}
