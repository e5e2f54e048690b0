"""The normalisation-axes widget shows what dlwidgets.core computes, and never raises at a learner."""

import base64

import numpy as np
import pytest

from dlwidgets.core.normalisation import batch_norm_eval, batch_norm_train, group_statistics, norm_groups
from dlwidgets.widgets.norm_axes import NormAxes, POPULATION_MEAN


def tensor(view):
    values = np.array(view["values"])
    return values.reshape(values.shape[:2]) if view["positions"] == 1 else values.reshape(values.shape[:2] + (2, 2))


@pytest.mark.parametrize("kind, groups, count", [("batch", 2, 6), ("layer", 2, 4), ("instance", 2, 24), ("group", 3, 12)])
def test_colours_are_cores_groups_and_the_selected_statistics_are_exact(kind, groups, count):
    w = NormAxes(kind=kind, num_groups=groups, batch_size=4, sample=2, channel=4)
    v = w.view
    labels = norm_groups(kind, (4, 6, 2, 2), groups)
    np.testing.assert_array_equal(np.array(v["labels"]), labels.reshape(4, 6, 4))
    assert v["groups"] == count
    x = tensor(v)
    _, means, variances = group_statistics(x, kind, groups)
    label = labels[2, 4, 0, 0]
    assert v["selected"]["mean"] == pytest.approx(means[label], abs=1e-3)   # values are sent rounded to 3 places
    assert v["selected"]["std"] == pytest.approx(np.sqrt(variances[label]), abs=1e-3)


def test_running_statistics_follow_pytorchs_update_and_give_the_eval_output():
    w = NormAxes(kind="batch", batch_size=8, channel=3, momentum=0.1, gamma=2.0, beta=0.5)
    v = w.view
    assert v["steps"] == 60 and len(v["running_mean"]) == 61 and v["running_mean"][0] == 0.0
    first = tensor(v)   # the batch shown is the first training batch
    r = batch_norm_train(first, momentum=0.1)
    assert v["running_mean"][1] == pytest.approx(r.running_mean[3], abs=1e-3)
    assert v["running_std"][1] == pytest.approx(np.sqrt(r.running_var[3]), abs=1e-3)
    assert abs(v["running_mean"][-1] - POPULATION_MEAN[3]) < 0.5
    rm, rs = v["running_mean"][-1], v["running_std"][-1]
    x = np.full((1, 6, 1, 1), v["selected"]["value"])
    gamma, beta = np.full(6, 2.0), np.full(6, 0.5)
    expected = batch_norm_eval(x, np.full(6, rm), np.full(6, rs ** 2), gamma, beta)[0, 3, 0, 0]
    assert v["eval_outputs"][-1] == pytest.approx(expected)


def test_batch_size_one_shows_what_happens_instead_of_failing():
    w = NormAxes(kind="batch", batch_size=1, shape="N,C")
    assert w.error == "" and "every output is β" in w.view["warning"]
    np.testing.assert_array_equal(np.array(w.view["outputs"]), 0.0)
    assert w.view["steps"] == 0
    w.set(shape="N,C,2,2")
    assert "instance norm" in w.view["warning"] and w.view["steps"] == 60


def test_the_spread_of_batch_statistics_grows_as_the_batch_shrinks():
    v = NormAxes(channel=0, shape="N,C").view
    assert v["spread_sizes"][0] == 1 and v["std_spread"][0] == 0.0
    assert all(a > b for a, b in zip(v["mean_spread"], v["mean_spread"][1:]))


def test_a_shrinking_batch_keeps_the_selected_sample_inside_it():
    w = NormAxes(batch_size=8, sample=7)
    w.set(batch_size=3)
    assert w.error == "" and w.view["sample"] == 2


@pytest.mark.parametrize("settings, words", [
    (dict(kind="group", num_groups=4), "divide the 6 channels"),
    (dict(kind="instance", shape="N,C"), "choose shape N,C,2,2"),
    (dict(kind="weight"), "kind must be one of"),
    (dict(batch_size=0), "batch size must be between 1 and 16"),
    (dict(momentum=1.5), "momentum must be between"),
    (dict(mode="test"), "mode must be one of"),
    (dict(channel=2.5), "channel must be a whole number"),
])
def test_impossible_settings_show_a_message_instead_of_raising(settings, words):
    w = NormAxes()
    w.set(**settings)
    assert words in w.error and w.view == {}
    assert "impossible settings" in w.describe()
    w.static_png()


def test_static_fallback_and_description():
    w = NormAxes(kind="group", num_groups=3)
    data, _ = w._repr_mimebundle_()
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    assert "group norm with 3 groups: 12 groups of 8 cells" in data["text/plain"]


def test_step_forward_wraps_and_stops_playing():
    w = NormAxes()
    w.playing = True
    assert w.step_forward() == 1 and not w.playing
    w.step = 60
    assert w.step_forward() == 1


@pytest.mark.parametrize("kind", ["batch", "layer", "group"])
def test_each_cells_output_is_its_own_groups_normalisation_as_the_readout_shows(kind):
    w = NormAxes(kind=kind, num_groups=2, batch_size=3, gamma=1.5, beta=-0.5)
    v = w.view
    means, variances = np.array(v["group_means"]), np.array(v["group_variances"])
    assert len(means) == len(variances) == v["groups"]
    x, labels = np.array(v["values"]), np.array(v["labels"])
    for g in range(v["groups"]):
        assert means[g] == pytest.approx(x[labels == g].mean(), abs=2e-3)
        assert variances[g] == pytest.approx(x[labels == g].var(), abs=2e-3)
    # the readout's formula, with the rounded numbers it shows, lands on core's output to display precision
    by_hand = 1.5 * (x - means[labels]) / np.sqrt(variances[labels] + 1e-5) - 0.5
    np.testing.assert_allclose(by_hand, np.array(v["outputs"]), atol=0.05)
