"""The pipeline coverage harness (benchmarks/pipeline_coverage.py; issue 21, point 7).

* A fast subset of diffusers' own test pipelines, rebuilt offline from ``benchmarks/coverage_specs.json`` and run
  through every check (plain; interval 1 and ``disable`` bit-identical; interval 3 caches and repeats itself): the
  U-Nets must be ok, nothing may be wrong or crash.
* The committed full run (``benchmarks/results/coverage/pipelines.json``) has 0 wrong and 0 crash, every refusal
  says why, and ``docs/coverage.md`` is generated from it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import pipeline_coverage as pc  # noqa: E402

#: representative cases: SD (2D U-Net + CLIP), AnimateDiff (motion U-Net), Kandinsky 3 (level U-Net, T5),
#: the SD latent upscaler (K-blocks), PixArt-alpha (a transformer, T5); QwenImage and Allegro (transformers found by
#: their ModuleLists; Allegro's one-block tiny stack at F0B0), HunyuanDiT's ControlNet (its forward pops the
#: residuals from a list: the structure probe and the MAC count must run on copies)
FAST = {"stable_diffusion/StableDiffusionPipelineTesterConfig": "ok",
        "animatediff/AnimateDiffPipelineFastTests": "ok",
        "kandinsky3/Kandinsky3PipelineFastTests": "ok",
        "stable_diffusion_2/StableDiffusionLatentUpscalePipelineFastTests": "ok",
        "pixart_alpha/PixArtAlphaPipelineFastTests": "ok",
        "qwenimage/QwenImagePipelineTesterConfig": "ok",
        "allegro/AllegroPipelineFastTests": "ok",
        "controlnet_hunyuandit/HunyuanDiTControlNetPipelineFastTests": "ok"}


@pytest.fixture(autouse=True, scope="module")
def quiet():
    import diffusers
    import transformers

    diffusers.utils.logging.set_verbosity_error()
    transformers.utils.logging.set_verbosity_error()


@pytest.mark.parametrize("name", list(FAST))
def test_fast_subset(name):
    spec, = pc.load_specs([name])
    r = pc.check(spec)
    assert r["verdict"] == FAST[name], r
    assert r["exact_interval1"] and r["exact_after_disable"] and r["repeat"], r
    assert any("C" in s and len(s) >= 4 for s in r["pattern"]), r


@pytest.mark.parametrize("name", ["flux2/Flux2KleinKVPipelineTesterConfig", "anyflow/AnyFlowFARPipelineFastTests"])
def test_pipelines_stepcache_cannot_follow_are_refused_before_they_run(name):
    spec, = pc.load_specs([name])
    r = pc.check(spec)
    assert r["verdict"] == "refused" and r["stage"] == "enable(interval=1)", r
    assert "run it without DeepCache" in r["why"] and "\n" not in r["why"], r


def test_a_pipeline_without_a_denoiser_stepcache_knows_is_refused_not_crashed():
    """Shap-E runs a PriorTransformer as ``prior``: enable refuses it in one line naming the pipeline."""
    spec, = pc.load_specs(["shap_e/ShapEPipelineFastTests"])
    r = pc.check(spec)
    assert r["verdict"] == "refused" and r["why"].startswith("ShapEPipeline is not supported"), r
    assert "its models are prior (PriorTransformer)" in r["why"] and "\n" not in r["why"], r


def test_a_refusal_is_one_line_and_names_the_model():
    spec, = pc.load_specs(["lumina2/Lumina2PipelineFastTests"])
    r = pc.check(spec)
    assert r["verdict"] in ("ok", "refused"), r
    if r["verdict"] == "refused":
        assert "\n" not in r["why"] and r["denoiser"] in r["why"], r


def test_specs_are_data_for_every_case():
    data = json.loads(pc.SPECS.read_text())
    specs = data["specs"]
    assert len(specs) >= 200 and len({s["name"] for s in specs}) == len(specs)
    assert len(data["diffusers_tests_commit"]) == 40
    for s in specs:
        assert s["pipeline"] and isinstance(s["components"], dict) and isinstance(s["inputs"], dict), s["name"]


def test_committed_results_have_no_wrong_image_and_no_crash():
    data = json.loads(pc.JSON_OUT.read_text())
    results = data["results"]
    names = {s["name"] for s in pc.load_specs()}
    assert {r["name"] for r in results} == names  # the full run: one result per spec
    c = pc.counts(results)
    assert c["wrong"] == 0 and c["crash"] == 0, [(r["name"], r["why"]) for r in results
                                                 if r["verdict"] in ("wrong", "crash")]
    assert c == data["meta"]["counts"]
    for r in results:
        if r["verdict"] in ("refused", "not built"):
            assert r["why"] and "\n" not in r["why"], r
        if r["verdict"] == "ok":
            assert r["exact_interval1"] and r["exact_after_disable"] and r["repeat"], r


def test_docs_coverage_is_generated_from_the_results():
    data = json.loads(pc.JSON_OUT.read_text())
    text = (ROOT / "docs" / "coverage.md").read_text()
    assert pc.doc_section(data) in text
    assert "<!-- hooks:begin -->" in text and "diffusers' cache hooks" in text  # the hooks comparison is kept
