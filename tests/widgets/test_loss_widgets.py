"""Lesson 12's widgets show what dlwidgets.core computes, and never raise at a learner."""

import base64

import numpy as np
import pytest

from dlwidgets.core import (binned_distribution, format_limits, kl_divergence, masked_softmax, naive_softmax,
                            sigmoid_cross_entropy_grad, sigmoid_mse_grad, stable_log_softmax, entropy)
from dlwidgets.widgets import LossExplorer, OverflowExplorer


def test_gradient_panel_is_core_values_and_marks_the_saturated_wrong_region():
    w = LossExplorer(logit=-6.0, target=1)
    assert w.gradients() == (float(sigmoid_mse_grad(-6.0, 1)), float(sigmoid_cross_entropy_grad(-6.0, 1)))
    assert w.view["in_region"] and w.view["ratio"] > 50
    np.testing.assert_array_equal(w.view["ce_grad"], sigmoid_cross_entropy_grad(np.array(w.view["grid"]), 1))
    (a, b), = w.view["regions"]
    assert a == -10.0 and -3.5 < b < -2.5
    w.set(target=0)
    (a, b), = w.view["regions"]
    assert 2.5 < a < 3.5 and b == 10.0 and not w.view["in_region"]


def test_temperature_and_divergence_panels_are_core_values():
    w = LossExplorer(panel="temperature", logits=[1.0, 2.0, 3.0], temperature=0.5)
    np.testing.assert_array_equal(w.view["probs"], masked_softmax(np.array([1.0, 2.0, 3.0]), temperature=0.5))
    assert w.view["entropy"] == pytest.approx(float(entropy(np.array(w.view["probs"]))))
    w = LossExplorer(panel="divergence", p_centre=2.0, p_width=0.5, q_centre=5.0, q_width=3.0)
    p, q = binned_distribution(9, 2.0, 0.5), binned_distribution(9, 5.0, 3.0)
    assert w.view["KL_pq"] == float(kl_divergence(p, q)) and w.view["KL_qp"] == float(kl_divergence(q, p))
    assert w.view["KL_pq"] != pytest.approx(w.view["KL_qp"])


def test_overflow_explorer_is_core_values_in_each_format():
    w = OverflowExplorer(dtype="float32", shift=86.0)
    assert w.view["first_overflow"] == 0 and w.view["naive_softmax"][0] == "nan"
    assert w.view["stable_log_softmax"] == [f"{x:.6g}" for x in stable_log_softmax(np.array([89.0, 87, 86.2, 84]), "float32")]
    assert w.view["limits"]["float16"]["exp_overflow"] == format_limits("float16").exp_overflow
    w.set(dtype="float64")
    assert w.view["first_overflow"] is None and not w.view["naive_fails"]
    w.set(dtype="float16", shift=8.0)                       # no single exp overflows, their sum does
    assert w.view["first_overflow"] is None and w.view["naive_total"] == "inf"
    assert w.view["naive_softmax"] == [f"{x:.6g}" for x in naive_softmax(np.array([11.0, 9, 8.2, 6]), "float16")]
    assert w.view["steps"]["m"] == "11"


@pytest.mark.parametrize("widget, settings, words", [
    (LossExplorer, dict(panel="loss"), "panel must be one of"),
    (LossExplorer, dict(logit=50), "logit must be between"),
    (LossExplorer, dict(target=2), "target y must be between"),
    (LossExplorer, dict(logits=[1.0]), "between 2 and 10 logits"),
    (LossExplorer, dict(temperature=0), "temperature must be between"),
    (LossExplorer, dict(p_width=0), "p width must be between"),
    (OverflowExplorer, dict(dtype="float8"), "dtype must be one of"),
    (OverflowExplorer, dict(logits="1 2 3"), "logits must be a list"),
    (OverflowExplorer, dict(shift=float("nan")), "shift must be between"),
])
def test_impossible_settings_show_a_message_instead_of_raising(widget, settings, words):
    w = widget().set(**settings)
    assert words in w.error and w.view == {}
    assert "impossible settings" in w.describe()
    w.static_png()


@pytest.mark.parametrize("widget, settings", [(LossExplorer, {}), (LossExplorer, dict(panel="temperature")),
                                              (LossExplorer, dict(panel="divergence")), (OverflowExplorer, {})])
def test_display_bundle_carries_a_png_and_a_text_description(widget, settings):
    data, _ = widget(**settings)._repr_mimebundle_()
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    assert data["text/plain"].startswith(("Loss explorer", "Overflow explorer"))
