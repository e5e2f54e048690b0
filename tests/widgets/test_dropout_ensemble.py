"""The dropout-ensemble widget shows what dlwidgets.core samples, and never raises at a learner."""

import base64

import numpy as np
import pytest

from dlwidgets.core import rnn_params
from dlwidgets.core.dropout import zoneout_rnn_forward
from dlwidgets.core.dropout_ensemble import dropout_ensemble
from dlwidgets.widgets.dropout_ensemble import DropoutEnsemble


@pytest.mark.parametrize("scheme", ["dropout", "dropconnect", "input_dropout"])
def test_view_is_cores_ensemble(scheme):
    w = DropoutEnsemble(scheme=scheme, p=0.3, masks=50, x1=0.2, x2=-1.0, seed=4)
    run = dropout_ensemble([0.2, -1.0], 0.3, 50, scheme, 4)
    v = w.view
    np.testing.assert_allclose(v["predictions"], run.predictions, atol=1e-4)
    np.testing.assert_allclose(v["running_mean"], run.running_mean, atol=1e-4)
    assert v["full"] == pytest.approx(run.full)
    np.testing.assert_array_equal(np.array(v["masks"]), run.masks.reshape(50, -1))
    assert v["exact_in_expectation"] == (scheme == "dropout")


def test_zoneout_panel_is_cores_zoneout_rnn():
    v = DropoutEnsemble(p=0.25, seed=2).view
    xs = np.random.default_rng(11).normal(size=(12, 2))
    hs, keep = zoneout_rnn_forward(xs, rnn_params(2, 6, seed=0), 0.25, seed=2)
    np.testing.assert_allclose(v["zoneout_train"], hs, atol=1e-3)
    np.testing.assert_array_equal(v["zoneout_keep"], keep)


@pytest.mark.parametrize("settings, words", [
    (dict(scheme="bagging"), "scheme must be one of"),
    (dict(p=1.0), "drop probability p must be between"),
    (dict(masks=0), "masks must be between 1 and 300"),
    (dict(x1="a"), "x1 must be a number"),
])
def test_impossible_settings_show_a_message_instead_of_raising(settings, words):
    w = DropoutEnsemble()
    w.set(**settings)
    assert words in w.error and w.view == {}
    w.static_png()


def test_static_fallback_description_and_stepping():
    w = DropoutEnsemble(masks=20)
    data, _ = w._repr_mimebundle_()
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    assert "equals it in expectation" in data["text/plain"]
    assert w.step_forward() == 1
