"""The overfitting explorer shows the run dlwidgets.core records, and never raises at a learner."""

import base64

import numpy as np
import pytest

from dlwidgets.core.overfitting import train_regressor
from dlwidgets.widgets.overfitting_explorer import EPOCHS, RECORD_EVERY, OverfittingExplorer


def test_view_is_cores_training_run():
    w = OverfittingExplorer(hidden=8, n_train=10, noise=0.2, penalty="l2", strength=0.01, dropout=0.1, seed=3)
    v = w.view
    run = train_regressor(8, 10, 0.2, "l2", 0.01, 0.1, EPOCHS, seed=3, record_every=RECORD_EVERY)
    assert v["frames"] == EPOCHS // RECORD_EVERY and v["epochs"] == run.epochs.tolist()
    np.testing.assert_allclose(v["val_loss"], run.val_loss, atol=1e-5)
    np.testing.assert_allclose(v["curves"][-1], run.curves[-1], atol=1e-3)
    assert v["best_epoch"] == run.epochs[run.best] and v["final_val"] == pytest.approx(run.val_loss[-1])
    assert len(v["weights"][-1]) == 8


def test_a_strength_without_a_penalty_changes_nothing():
    a = OverfittingExplorer(penalty="none", strength=0.0).view
    b = OverfittingExplorer(penalty="none", strength=0.1).view
    assert a["val_loss"] == b["val_loss"]


def test_l1_zeroes_weights_and_the_description_says_so():
    w = OverfittingExplorer(penalty="l1", strength=0.1)
    assert w.view["zeros"][-1] > 30
    assert f"{w.view['zeros'][-1]} of them exactly 0" in w.describe()


@pytest.mark.parametrize("settings, words", [
    (dict(hidden=0), "hidden units must be between 1 and 64"),
    (dict(n_train=2), "training points must be between 5 and 60"),
    (dict(noise=-0.1), "noise must be between"),
    (dict(penalty="l3"), "penalty must be one of"),
    (dict(strength=0.002), "strength must be one of"),
    (dict(dropout=0.9), "dropout must be between"),
    (dict(seed=-1), "seed must be between"),
])
def test_impossible_settings_show_a_message_instead_of_raising(settings, words):
    w = OverfittingExplorer(hidden=4)
    w.set(**settings)
    assert words in w.error and w.view == {}
    assert "impossible settings" in w.describe()
    w.static_png()


def test_static_fallback_and_stepping():
    w = OverfittingExplorer(hidden=4)
    data, _ = w._repr_mimebundle_()
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    assert "early stopping" in data["text/plain"]
    w.playing = True
    assert w.step_forward() == 1 and not w.playing
