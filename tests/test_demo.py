"""``stepcache demo``: the emoji text-to-image demo end to end (``--fast``: both models, every setting, sane numbers),
the MNIST one (``--model digits --fast``), and DeepCache N=1 giving the uncached images bit for bit."""

import math

import numpy as np
import pytest
from PIL import Image

from stepcache import DeepCacheConfig
from stepcache.embedded import demo_emoji as de
from stepcache.commands.cli import main

SETTINGS = ["uncached", "uniform N=2", "uniform N=3", "uniform N=5"]


def _table(md: str) -> list[list[str]]:
    """The rows of the markdown table (header and rule left out), as lists of cells."""
    lines = [line for line in md.splitlines() if line.startswith("| ")]
    return [[c.strip() for c in line.strip("|").split("|")] for line in lines[1:]]


def _models() -> list[str]:
    return ["SD U-Net"] + (["PixArt transformer"] if de.pixart_missing() is None else [])


def test_emoji_fast_end_to_end(tmp_path, capsys):
    out = tmp_path / "demo"
    main(["demo", "--fast", "--threads", "1", "--out", str(out)])
    captured = capsys.readouterr()
    md = (out / "demo.md").read_text()
    rows = _table(md)
    models = _models()
    assert [r[:2] for r in rows[:-1]] == [[m, s] for m in models for s in SETTINGS]
    assert rows[-1][:2] == ["real emoji", "Twemoji + Noto (8 images)"]
    for model, setting, wall, speedup, macs, ideal, psnr, agree in rows[:-1]:
        assert float(wall) > 0 and float(speedup.rstrip("x")) > 0
        assert 0.0 <= float(agree.rstrip("%")) / 100 <= 1.0
        if setting == "uncached":
            assert (psnr, speedup, ideal) == ("inf", "1.00x", "1.00x")
            full = float(macs.rstrip("M"))
        else:
            assert math.isfinite(float(psnr)) and float(psnr) > 10  # close to the uncached images, not equal
            assert float(ideal.rstrip("x")) > 1 and float(macs.rstrip("M")) < full
    assert 0.0 <= float(rows[-1][-1].rstrip("%")) / 100 <= 1.0
    assert "DDIM 10 steps" in md and "4 images per setting" in md
    missing = de.pixart_missing()
    if missing is not None:  # said on stderr and in demo.md, never silently
        assert f"stepcache demo: note: {missing}" in captured.err.splitlines()
        assert f"Note: {missing}." in md
    assert "| SD U-Net | uniform N=5 |" in captured.out and f"wrote {out / 'demo.png'}" in captured.out
    png = Image.open(out / "demo.png")
    assert png.mode == "RGB" and png.height > (2 + 4 * len(models)) * 32 * 3  # real rows + a row per setting


def test_digits_fast_still_works(tmp_path, capsys):
    out = tmp_path / "digits"
    main(["demo", "--model", "digits", "--fast", "--threads", "1", "--out", str(out)])
    md = (out / "demo.md").read_text()
    assert "Embedded class-conditional MNIST DDPM, DDIM 25 steps" in md
    assert [r[0] for r in _table(md)] == ["uncached", "uniform N=2", "uniform N=3", "uniform N=5", "non-uniform N=5"]
    assert (out / "demo.png").stat().st_size > 0
    assert "| non-uniform N=5 |" in capsys.readouterr().out


@pytest.mark.parametrize("model", ["sd", "pixart"])
def test_interval_1_is_the_uncached_images_bit_for_bit(model):
    if model == "pixart" and de.pixart_missing() is not None:
        pytest.skip(de.pixart_missing())
    pipe, config, call = ((de.load_sd(), DeepCacheConfig(interval=1, branch=de.SD_BRANCH), {}) if model == "sd" else
                          (de.load_pixart(), DeepCacheConfig(interval=1), de.PIXART_CALL))
    prompts, _ = de.prompts(2)
    plain, _, none = de.generate(pipe, prompts, [0, 1], 4, 3.0, **call)
    cached, _, summary = de.generate(pipe, prompts, [0, 1], 4, 3.0, config, **call)
    assert none is None and summary.streams == ("FFFF",)
    assert plain.dtype == np.float32 and np.array_equal(plain, cached)
    if model == "pixart":  # the demo's 16 token positions give the pipeline's default 120's images, bit for bit
        default = {k: v for k, v in call.items() if k != "max_sequence_length"}
        assert np.array_equal(plain, de.generate(pipe, prompts, [0, 1], 4, 3.0, **default)[0])
    again, _, summary = de.generate(pipe, prompts, [0, 1], 4, 3.0, DeepCacheConfig(interval=2, branch=1), **call)
    assert summary.streams == ("FCFC",) and not np.array_equal(plain, again)  # the check can fail
