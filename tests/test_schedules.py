import math

import pytest

from stepcache import DeepCacheConfig
from stepcache.core import schedules as S


def test_uniform_full_every_n():
    assert S.uniform(10, 3) == [0, 3, 6, 9]
    assert S.full_steps(10, DeepCacheConfig(interval=1)) == list(range(10))
    assert S.full_steps(7, DeepCacheConfig(interval=10)) == [0]


def test_reference_schedule_reproduces_the_papers_code():
    # the steps the paper's sample_from_quad_center produces for 50 steps, N=5, c=15, p=1.4
    cfg = DeepCacheConfig(interval=5, schedule="nonuniform-reference", center=15, power=1.4)
    assert S.full_steps(50, cfg) == [0, 5, 9, 13, 17, 21, 26, 31, 37, 43]


def test_reference_schedule_lowers_power_until_steps_are_distinct():
    steps = S.nonuniform_reference(20, 2, 10, 1.5)
    assert len(steps) == math.ceil(20 / 2) and len(set(steps)) == len(steps)


def test_nonuniform_is_eq7_sign_preserving():
    T, N, c, p = 50, 5, 15, 1.4
    k = math.ceil(T / N)
    steps = S.nonuniform(T, N, c, p)
    # Eq. 7 by hand, point by point
    a, b = -(c ** (1 / p)), (T - c) ** (1 / p)
    expect = set()
    for i in range(k):
        x = a + (b - a) * i / (k - 1)
        v = math.floor(math.copysign(abs(x) ** p, x) + c + 1e-9)
        if 0 <= v < T:
            expect.add(v)
    assert steps == sorted(expect | {0})
    # denser around the center than anywhere else: the smallest gap brackets c
    gaps = [(b - a, a) for a, b in zip(steps, steps[1:])]
    g, at = min(gaps)
    assert at <= c <= at + g + 3
    assert steps != S.nonuniform_reference(T, N, c, p)


@pytest.mark.parametrize("schedule", ["nonuniform", "nonuniform-reference"])
def test_nonuniform_fewer_full_steps_as_n_grows(schedule):
    counts = [len(S.full_steps(100, DeepCacheConfig(interval=n, schedule=schedule, center=40))) for n in (2, 3, 5, 10)]
    assert counts == sorted(counts, reverse=True) and counts[-1] < counts[0]


def test_window_keeps_first_and_last_steps_full():
    cfg = DeepCacheConfig(interval=4, start=3, stop=0.8)
    full = S.full_steps(20, cfg)
    assert full == [0, 1, 2, 3, 7, 11, 15, 16, 17, 18, 19]
    assert [S.is_full(i, cfg, 20) for i in range(20)] == [i in full for i in range(20)]
    # an integer window needs no step count
    cfg = DeepCacheConfig(interval=3, start=2, stop=8)
    assert [i for i in range(10) if S.is_full(i, cfg)] == [0, 1, 2, 5, 8, 9]


def test_num_steps_required_when_schedule_depends_on_it():
    with pytest.raises(ValueError, match="needs the number of steps"):
        S.is_full(3, DeepCacheConfig(schedule="nonuniform"))


def test_center_outside_the_steps_is_refused():
    with pytest.raises(ValueError, match=r"center must be a step in \[0, 10\)"):
        S.full_steps(10, DeepCacheConfig(schedule="nonuniform", center=15))
