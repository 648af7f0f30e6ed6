from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stridebeat.errors import InputError
from stridebeat.runner.tap import cadence_from_taps


def test_steady_taps() -> None:
    # 172 spm: a step every 60/172 s; 80 taps span 79 intervals
    result = cadence_from_taps([k * 60 / 172 for k in range(80)])
    assert result.cadence_spm == pytest.approx(172)
    assert (result.taps, result.missed, result.doubled) == (80, 0, 0)


def test_a_missed_and_a_doubled_tap_change_nothing() -> None:
    times = [k * 60 / 172 for k in range(80)]
    del times[30]  # a step with no tap
    times.insert(50, times[49] + 0.03)  # a bounce on the key
    result = cadence_from_taps(times)
    assert result.cadence_spm == pytest.approx(172)
    assert (result.missed, result.doubled) == (1, 1)


@settings(max_examples=80, deadline=None)
@given(
    st.floats(140, 200),
    st.integers(0, 2**32 - 1),
    st.integers(0, 3),
    st.integers(0, 3),
)
def test_robust_to_slips(spm: float, seed: int, misses: int, doubles: int) -> None:
    rng = random.Random(seed)
    period = 60 / spm
    times = [k * period + rng.gauss(0, 0.012) for k in range(90)]
    for _ in range(misses):
        del times[rng.randrange(5, len(times) - 5)]
    for _ in range(doubles):
        at = rng.randrange(5, len(times) - 5)
        times.append(times[at] + rng.uniform(0.02, 0.06))
    assert cadence_from_taps(times).cadence_spm == pytest.approx(spm, abs=1.0)


@pytest.mark.parametrize(
    ("times", "message"),
    [
        ([0.0, 0.3, 0.6], "only 3 taps"),
        ([k * 1.0 for k in range(30)], "not a running cadence"),
        ([0.0] * 30, "all at once"),
    ],
)
def test_bad_tap_tests(times: list[float], message: str) -> None:
    with pytest.raises(InputError, match=message):
        cadence_from_taps(times)
