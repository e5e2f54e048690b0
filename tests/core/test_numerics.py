"""Softmax and log-sum-exp in float16/32/64: the naive forms fail where the formats' limits say, the stable ones never."""

import math

import numpy as np
import pytest

from dlwidgets.core import (FLOAT_FORMATS, first_overflow, format_limits, logsumexp_steps, naive_log_softmax,
                            naive_logsumexp, naive_softmax, softmax, stable_log_softmax, stable_logsumexp,
                            stable_softmax)


@pytest.mark.parametrize("name", FLOAT_FORMATS)
def test_exp_edges_are_exact_in_each_format(name):
    dt = np.dtype(name)
    lim = format_limits(name)
    with np.errstate(over="ignore", under="ignore"):
        assert np.isfinite(np.exp(dt.type(lim.exp_overflow)))
        assert np.isinf(np.exp(np.nextafter(dt.type(lim.exp_overflow), dt.type(np.inf))))
        assert np.exp(dt.type(lim.exp_underflow)) > 0
        assert np.exp(np.nextafter(dt.type(lim.exp_underflow), dt.type(-np.inf))) == 0
    assert lim.exp_overflow == pytest.approx(math.log(lim.largest), abs=0.01)
    assert lim.largest == float(np.finfo(dt).max)


def test_the_known_thresholds():
    assert [round(format_limits(n).exp_overflow, 2) for n in FLOAT_FORMATS] == [11.09, 88.72, 709.78]


@pytest.mark.parametrize("name", FLOAT_FORMATS)
def test_stable_forms_agree_with_float64_and_never_fail(name):
    x = np.array([3.0, 1.0, 0.2, -2.0])
    for shift in (0.0, 500.0, -500.0, 1000.0):
        s = stable_softmax(x + shift, name)
        assert s.dtype == np.dtype(name) and np.all(np.isfinite(s))
        stored = (x + shift).astype(name).astype(float)   # float16 keeps 500.2 as 500.25: the input rounds first
        np.testing.assert_allclose(s, softmax(stored), rtol=5e-3 if name == "float16" else 1e-6)
        ls = stable_log_softmax(x + shift, name)
        want = stored - stored.max() - math.log(np.exp(stored - stored.max()).sum())
        np.testing.assert_allclose(ls, want, rtol=5e-3, atol=5e-3)
    assert stable_logsumexp([1000.0, -1000.0], "float64") == 1000.0


def test_naive_forms_fail_at_the_edges():
    assert np.isnan(naive_softmax([1000.0, 0.0])[0])
    assert np.isnan(naive_softmax([12.0, 0.0], "float16")[0]) and not np.isnan(naive_softmax([12.0, 0.0], "float32")[0])
    assert np.all(naive_softmax([-800.0, -800.0]) != naive_softmax([-800.0, -800.0]))   # 0 / 0 = nan
    assert naive_log_softmax([0.0, -800.0])[1] == -np.inf
    assert naive_logsumexp([1000.0]) == np.inf and naive_logsumexp([-1000.0]) == -np.inf
    assert first_overflow([3.0, 12.0, 100.0], "float16") == 1
    assert first_overflow([3.0, 12.0, 100.0], "float32") == 2
    assert first_overflow([3.0, 12.0, 100.0], "float64") is None


def test_logsumexp_steps_hand_worked():
    steps = logsumexp_steps([2.0, 2.0], "float64")
    assert steps.m == 2.0 and list(steps.shifted) == [0.0, 0.0] and steps.total == 2.0
    assert steps.result == pytest.approx(2.0 + math.log(2))
    steps = logsumexp_steps([1000.0, 999.0])
    assert steps.result == pytest.approx(1000.0 + math.log(1 + math.exp(-1)))
    with pytest.raises(ValueError, match="dtype must be one of"):
        stable_softmax([1.0], "int8")
    with pytest.raises(ValueError, match="finite"):
        stable_softmax([np.inf])
