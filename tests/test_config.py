"""DeepCacheConfig as a user meets it: numpy numbers accepted, wrong types TypeError, values ValueError, settings
that contradict each other refused on construction (or at the first call when only the step count can tell)."""

import dataclasses
import json

import numpy as np
import pytest

from stepcache import DeepCacheConfig, ProfileKey
from stepcache.core import schedules as S
from stepcache.core.config import DEFAULT_THRESHOLD, THRESHOLD_SCHEDULES


def test_numpy_numbers_are_accepted_and_stored_as_python_numbers():
    cfg = DeepCacheConfig(interval=np.int64(3), branch=np.int32(2), center=np.int64(4), power=np.float32(1.5),
                          start=np.int64(1), stop=np.float64(0.5), num_steps=np.int64(10))
    assert cfg == DeepCacheConfig(interval=3, branch=2, center=4, power=1.5, start=1, stop=0.5, num_steps=10)
    assert (type(cfg.interval), type(cfg.branch), type(cfg.start), type(cfg.num_steps)) == (int, int, int, int)
    assert type(cfg.power) is float and type(cfg.stop) is float
    assert hash(cfg) == hash(DeepCacheConfig(interval=3, branch=2, center=4, power=1.5, start=1, stop=0.5,
                                             num_steps=10))
    json.dumps(dataclasses.asdict(cfg))  # serialisable (the generate manifest writes it)
    ada = DeepCacheConfig(schedule="adaptive", threshold=np.float32(0.25), weights=np.ones(4), num_steps=4)
    assert ada.threshold == 0.25 and ada.weights == (1.0,) * 4 and type(ada.weights) is tuple
    cal = DeepCacheConfig(schedule="calibrated", full_steps=[0, np.int64(3)], num_steps=5)
    assert cal.full_steps == (0, 3) and type(cal.full_steps[1]) is int
    assert S.full_steps(5, cal) == [0, 3]  # hashable: the schedule's cache takes it


@pytest.mark.parametrize("kwargs, match", [
    ({"interval": 3.0}, r"interval must be an integer in \[1, inf\), got 3.0 \(float\)"),
    ({"interval": "3"}, r"interval must be an integer in \[1, inf\), got '3' \(str\)"),
    ({"branch": np.bool_(True)}, r"branch must be an integer in \[1, inf\)"),
    ({"center": 1.5}, r"center must be an integer in \[0, inf\)"),
    ({"num_steps": 10.0}, r"num_steps must be an integer in \[1, inf\)"),
    ({"schedule": None}, r"schedule must be a string, one of 'uniform'"),
    ({"profile": "x"}, r"profile must be a stepcache.ProfileKey or None.*got 'x' \(str\)"),
    ({"profile": {"model_hash": "a"}}, r"profile must be a stepcache.ProfileKey"),
    ({"controlnet": 1}, r"controlnet must be True or False, got 1"),
    ({"schedule": "adaptive", "threshold": "high"}, r"threshold must be a number in \[0, inf\), got 'high'"),
    ({"schedule": "adaptive", "weights": "1,2"}, r"weights must be a sequence of numbers"),
    ({"schedule": "adaptive", "weights": (1.0, "x")}, r"weights must be a tuple of numbers in \[0, inf\).*'x'"),
    ({"schedule": "calibrated", "full_steps": 3}, r"full_steps must be a sequence of increasing step indices"),
    ({"schedule": "calibrated", "full_steps": (0, 2.0)}, r"full_steps\[\] must be an integer in \[0, inf\)"),
])
def test_wrong_types_raise_type_error(kwargs, match):
    with pytest.raises(TypeError, match=match):
        DeepCacheConfig(**kwargs)


@pytest.mark.parametrize("kwargs, match", [
    ({"interval": 0}, r"interval must be an integer in \[1, inf\), got 0"),
    ({"schedule": "cosine"}, r"schedule must be one of 'uniform', .*got 'cosine'"),
    ({"power": 0.5}, r"power must be a finite number in \(1, inf\), got 0.5"),
    ({"schedule": "adaptive", "threshold": -1}, r"threshold must be a finite number in \[0, inf\), got -1"),
    ({"schedule": "adaptive", "threshold": float("nan")}, r"threshold must be a finite number in \[0, inf\)"),
    ({"schedule": "adaptive", "weights": ()}, r"weights must be a non-empty tuple of finite numbers"),
    ({"schedule": "calibrated"}, r"full_steps must be a non-empty tuple .* for schedule='calibrated', got None"),
    ({"schedule": "calibrated", "full_steps": (0, 4), "num_steps": 4},
     r"full_steps must be steps in \[0, 4\) for num_steps=4, got 4"),
])
def test_values_out_of_range_raise_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DeepCacheConfig(**kwargs)


@pytest.mark.parametrize("schedule", ["uniform", "nonuniform", "nonuniform-reference", "calibrated"])
def test_threshold_with_a_schedule_that_ignores_it_is_refused_like_weights_and_full_steps(schedule):
    extra = {"full_steps": (0, 2)} if schedule == "calibrated" else {}
    with pytest.raises(ValueError, match=rf"threshold is only used by schedule='adaptive' or schedule='first-block', not '{schedule}'"):
        DeepCacheConfig(schedule=schedule, threshold=0.1, **extra)
    with pytest.raises(ValueError, match=rf"weights is only used by schedule='adaptive', not '{schedule}'"):
        DeepCacheConfig(schedule=schedule, weights=(1.0,), **extra)
    if schedule != "calibrated":
        with pytest.raises(ValueError, match=rf"full_steps is only used by schedule='calibrated', not '{schedule}'"):
            DeepCacheConfig(schedule=schedule, full_steps=(0, 2))


def test_threshold_default_only_where_it_is_used():
    assert DeepCacheConfig().threshold is None
    assert "adaptive" in THRESHOLD_SCHEDULES
    ada = DeepCacheConfig(schedule="adaptive")
    assert ada.threshold == DEFAULT_THRESHOLD == 0.05
    assert ada == DeepCacheConfig(schedule="adaptive", threshold=0.05)  # not given = the default, same config
    assert DeepCacheConfig(schedule="adaptive", threshold=0).threshold == 0.0


@pytest.mark.parametrize("kwargs", [
    {"start": 5, "stop": 2}, {"start": 5, "stop": 5}, {"start": 0.5, "stop": 0.2},
    {"start": 3, "stop": 0.2, "num_steps": 10}, {"start": 0.9, "stop": 8, "num_steps": 10},
    {"schedule": "adaptive", "start": 4, "stop": 1},
])
def test_a_window_that_caches_nothing_is_refused(kwargs):
    with pytest.raises(ValueError, match=r"stop must come after start .*nothing would be cached"):
        DeepCacheConfig(**kwargs)


def test_a_mixed_window_is_checked_once_the_step_count_is_known():
    cfg = DeepCacheConfig(start=3, stop=0.5)  # index vs fraction: fine for 50 steps, empty for 6
    assert S.full_steps(50, cfg)[:4] == [0, 1, 2, 3]
    with pytest.raises(ValueError, match=r"start=3, stop=0.5, i.e. steps \[3, 3\) of 6: nothing would be cached"):
        S.full_steps(6, cfg)


def test_nonuniform_center_checked_at_construction_when_the_step_count_is_known():
    with pytest.raises(ValueError, match=r"center must be a step in \[0, 10\) for 10 steps \(schedule='nonuniform'\), "
                                         r"got center=15; set DeepCacheConfig\(center=...\) below 10"):
        DeepCacheConfig(schedule="nonuniform", num_steps=10)  # the default center=15
    with pytest.raises(ValueError, match=r"center must be a step in \[0, 8\) .*'nonuniform-reference'"):
        DeepCacheConfig(schedule="nonuniform-reference", num_steps=8, center=8)
    assert DeepCacheConfig(schedule="nonuniform", num_steps=10, center=3).center == 3
    assert DeepCacheConfig(schedule="nonuniform", num_steps=10, interval=1).interval == 1  # never caches: no center


def test_nonuniform_center_checked_at_the_first_call_otherwise_naming_center_and_steps():
    cfg = DeepCacheConfig(schedule="nonuniform", interval=3)  # center=15, step count unknown until the call
    with pytest.raises(ValueError, match=r"center must be a step in \[0, 12\) for 12 steps.*got center=15.*"
                                         r"center=4\) or run more steps"):
        S.full_steps(12, cfg)
    assert S.full_steps(30, cfg)[0] == 0


def test_profile_key_accepted_and_from_profile_errors(tmp_path):
    key = ProfileKey("abc", "DDIMScheduler:0", 4)
    assert DeepCacheConfig(schedule="calibrated", full_steps=(0, 2), num_steps=4, profile=key).profile == key
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ValueError, match="not a profile .*stepcache calibrate"):
        DeepCacheConfig.from_profile(tmp_path / "bad.json")
    (tmp_path / "old.json").write_text('{"version": 1}')
    with pytest.raises(ValueError, match="profile version 1, this stepcache reads versions 2, 3"):
        DeepCacheConfig.from_profile(tmp_path / "old.json")
    with pytest.raises(FileNotFoundError):
        DeepCacheConfig.from_profile(tmp_path / "missing.json")


def test_every_field_documents_its_type_and_range():
    doc = DeepCacheConfig.__doc__
    for f in dataclasses.fields(DeepCacheConfig):
        line = next((ln for ln in doc.splitlines() if ln.strip().startswith(f"{f.name} (")), None)
        assert line is not None, f"{f.name} has no '(type, range)' entry in the docstring"
