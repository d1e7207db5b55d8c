"""The analyze and calibrate commands on the embedded model (small runs)."""

import json

from stepcache import DeepCacheConfig
from stepcache.commands.cli import main


def test_analyze_and_calibrate_commands(tmp_path, capsys):
    main(["analyze", "--steps", "8", "--samples", "2", "--branches", "1", "3", "--out", str(tmp_path / "an")])
    data = json.loads((tmp_path / "an" / "analysis.json").read_text())
    assert set(data["similarity"]) == {"1", "3"} and len(data["similarity"]["1"]) == 8
    assert (tmp_path / "an" / "similarity.png").stat().st_size > 0
    main(["calibrate", "--steps", "8", "--samples", "2", "--speedup", "1.5", "--out", str(tmp_path / "p.json")])
    config = DeepCacheConfig.from_profile(tmp_path / "p.json")
    assert config.schedule == "calibrated" and config.num_steps == 8
    assert "full steps of 8" in capsys.readouterr().out
