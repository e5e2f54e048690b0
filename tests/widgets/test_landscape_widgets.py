"""The landscape explorer, optimizer race and batch-noise widgets show what dlwidgets.core computes, and never
raise at a learner."""

import base64
import json

import numpy as np
import pytest

from dlwidgets.core import (RACERS, DEFAULTS, conditioned_quadratic, full_gradient, gradient_noise_variance,
                            max_stable_step, optimal_step, race, rosenbrock, run_optimizer, sgd_minibatch_run)
from dlwidgets.widgets import BatchNoise, LandscapeExplorer, OptimizerRace
from dlwidgets.widgets.batch_noise import noise_data


def as_array(nested):
    return np.array([[np.nan if c is None else c for c in row] for row in nested], dtype=float)


# ---------------------------------------------------------------- landscape explorer

def test_explorer_path_is_gradient_descent_from_core():
    w = LandscapeExplorer(condition=20.0, angle=45.0, lr=0.8, steps=30, start_x=-1.0, start_y=1.5)
    run = run_optimizer(conditioned_quadratic(20.0, 45.0), "sgd", (-1.0, 1.5), 30, lr=0.8)
    np.testing.assert_allclose(as_array(w.view["path"]), run.path, rtol=1e-4, atol=1e-9)   # 5 digits for drawing
    assert w.final_loss() == pytest.approx(run.loss[-1], rel=1e-5)


def test_explorer_shows_the_hessians_closed_form_numbers():
    w = LandscapeExplorer(condition=10.0, lr=0.5)
    c = w.view["at_critical"]
    h = conditioned_quadratic(10.0, 30.0).hessian(np.zeros(2))
    assert c["eigenvalues"] == pytest.approx([0.1, 1.0]) and c["condition"] == pytest.approx(10)
    assert c["max_stable"] == pytest.approx(max_stable_step(h)) == pytest.approx(2.0)
    assert c["optimal_step"] == pytest.approx(optimal_step(h), rel=1e-4)
    assert c["optimal_rate"] == pytest.approx(9 / 11, rel=1e-4) and c["rate"] == pytest.approx(0.95)
    r = LandscapeExplorer(objective="rosenbrock", start_x=-1.5, start_y=2.0, lr=0.001).view["at_critical"]
    assert r["max_stable"] == pytest.approx(max_stable_step(rosenbrock().hessian(np.ones(2))), rel=1e-4)


def test_crossing_two_over_lambda_max_makes_descent_diverge():
    below = LandscapeExplorer(lr=1.95, steps=200)
    above = LandscapeExplorer(lr=2.05, steps=200)
    assert not below.view["diverged"] and below.view["at_critical"]["rate"] < 1
    assert above.view["diverged"] and above.view["at_critical"]["rate"] > 1
    assert above.final_loss() > above.view["loss"][0] * 1e6          # |1 - 2.05|^(2*200) = 3e8
    assert np.isnan(LandscapeExplorer(lr=5.0, steps=200).final_loss())


def test_the_saddle_traps_exact_descent_and_noise_lets_it_escape():
    on_axis = LandscapeExplorer(objective="saddle", start_x=-1.5, start_y=0.0, lr=0.1, steps=100)
    assert abs(on_axis.view["final_point"][1]) == 0 and abs(on_axis.view["final_point"][0]) < 1e-6
    noisy = LandscapeExplorer(objective="saddle", start_x=-1.5, start_y=0.0, lr=0.1, steps=100, noise=0.1)
    assert noisy.view["diverged"] or abs(noisy.view["final_point"][1]) > 1
    assert on_axis.view["at_critical"]["eigenvalues"] == [-2, 2] and on_axis.view["at_critical"]["condition"] is None


@pytest.mark.parametrize("settings, words", [
    (dict(objective="himmelblau"), "objective must be one of"),
    (dict(lr=0.0), "learning rate must be between"),
    (dict(lr="big"), "learning rate must be a number"),
    (dict(steps=2.5), "steps must be a whole number"),
    (dict(start_x=5.0), "start x on quadratic must be between -2 and 2"),
    (dict(condition=0.5), "condition number must be between 1 and 1000"),
])
def test_explorer_bad_settings_show_a_message(settings, words):
    w = LandscapeExplorer(**settings)
    assert words in w.error and w.view == {}
    assert "impossible settings" in w.describe()
    w.static_png()


def test_explorer_views_are_json_and_carry_a_picture_and_a_description():
    w = LandscapeExplorer(objective="monkey_saddle", start_x=1.2, start_y=0.3)
    json.dumps(w.view, allow_nan=False)
    data, _ = w._repr_mimebundle_()
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    assert data["text/plain"].startswith("Landscape explorer: gradient descent on x^3 - 3 x y^2")
    assert w.start_at_default().settings()["start_x"] == 1.2


# ---------------------------------------------------------------- optimizer race

def test_race_is_core_race_with_equal_budget_start_and_tuned_rates():
    w = OptimizerRace(objective="beale", start_x=1.0, start_y=1.4, steps=60)
    from dlwidgets.core import beale
    runs = race(beale(), list(RACERS), (1.0, 1.4), 60)
    assert [r["label"] for r in w.view["racers"]] == list(RACERS)
    for r in w.view["racers"]:
        run = runs[r["label"]]
        assert r["lr"] == pytest.approx(run.lr, rel=1e-4)
        np.testing.assert_allclose(as_array(r["path"]), run.path, rtol=1e-4, atol=1e-9)
        assert len(r["path"]) == 61 and r["path"][0] == [1.0, 1.4]
    adam = next(r for r in w.view["racers"] if r["label"] == "Adam")
    assert set(adam["state"]) == {"m", "v"} and len(adam["state"]["m"]) == 60
    np.testing.assert_allclose(as_array(adam["state"]["m"]), runs["Adam"].state["exp_avg"], rtol=1e-3, atol=1e-12)


def test_race_with_torch_defaults_uses_them():
    w = OptimizerRace(learning_rates="defaults", steps=20)
    assert w.learning_rates_used() == {label: DEFAULTS[r.optimizer]["lr"] for label, r in RACERS.items()}
    assert "torch.optim's default learning rate" in w.describe()


def test_race_noise_is_the_same_for_everyone_and_seeded():
    a = OptimizerRace(noise=1.0, seed=3, steps=30)
    b = OptimizerRace(noise=1.0, seed=3, steps=30)
    assert a.final_losses() == b.final_losses()
    assert a.final_losses() != OptimizerRace(noise=1.0, seed=4, steps=30).final_losses()


@pytest.mark.parametrize("settings, words", [
    (dict(objective="saddle"), "objective must be one of"),
    (dict(steps=5), "steps must be between 10 and 400"),
    (dict(learning_rates="best"), "learning rates must be one of"),
    (dict(start_y=-3.0), "start y on rosenbrock must be between -1 and 3"),
])
def test_race_bad_settings_show_a_message(settings, words):
    w = OptimizerRace(**settings)
    assert words in w.error and "impossible settings" in w.describe()


def test_race_view_is_json_with_a_picture():
    w = OptimizerRace(steps=30)
    json.dumps(w.view, allow_nan=False)
    assert w.static_png().startswith(b"\x89PNG") and w.describe().startswith("Optimizer race on (1 - x)^2")


# ---------------------------------------------------------------- batch-size noise

def test_batch_noise_shows_core_gradients_variances_and_paths():
    w = BatchNoise(batch_size=16, w=0.5, b=1.0, lr=0.01, epochs=2, seed=2)
    data = noise_data()
    theta = np.array([0.5, 1.0])
    np.testing.assert_allclose(w.view["true_gradient"], full_gradient(data, theta), rtol=1e-4)
    assert w.view["exact_variance"] == pytest.approx(gradient_noise_variance(data, theta, 16), rel=1e-4)
    assert w.view["measured_variance"] == pytest.approx(w.view["exact_variance"], rel=0.25)
    for p in w.view["paths"]:
        lr = 0.01 * p["batch"]
        np.testing.assert_allclose(as_array(p["path"]), sgd_minibatch_run(data, theta, p["batch"], lr, 2, seed=2),
                                   rtol=1e-4, atol=1e-9)
        assert p["lr"] == pytest.approx(lr)
    variance = w.view["curve"]["variance"]
    assert variance[-1] == 0 and all(a > b for a, b in zip(variance, variance[1:]))


def test_linear_scaling_breaks_once_the_scaled_rate_passes_two_over_lambda_max():
    w = BatchNoise(lr=0.02)
    limit = w.view["max_stable"]
    for p in w.view["paths"]:
        assert p["diverged"] == (p["lr"] > limit)
    assert any(p["diverged"] for p in w.view["paths"])
    assert not any(p["diverged"] for p in BatchNoise(lr=0.02, scaling="none").view["paths"])


@pytest.mark.parametrize("settings, words", [
    (dict(batch_size=0), "batch size must be between 1 and 256"),
    (dict(batch_size=300), "batch size must be between 1 and 256"),
    (dict(scaling="sqrt"), "scaling must be one of"),
    (dict(w=99.0), "w must be between"),
])
def test_batch_noise_bad_settings_show_a_message(settings, words):
    w = BatchNoise(**settings)
    assert words in w.error and "impossible settings" in w.describe()


def test_batch_noise_view_is_json_with_a_picture():
    w = BatchNoise()
    json.dumps(w.view, allow_nan=False)
    assert w.static_png().startswith(b"\x89PNG") and w.describe().startswith("Batch-size noise on a line fit")


def test_surface_grid_is_the_objectives_log_loss_row_by_row_from_the_bottom():
    from dlwidgets.widgets._landscape import short_list, surface_grid
    obj = rosenbrock()
    grid = surface_grid(obj, size=5)
    logs = np.array(grid["logs"]).reshape(5, 5)
    xs, ys = np.linspace(-2, 2, 5), np.linspace(-1, 3, 5)
    values = np.array([[float(obj.value(np.array([x, y]))) for x in xs] for y in ys])
    np.testing.assert_allclose(logs, np.log10(values - values.min() + 1e-3), atol=1e-3)
    assert grid["x"] == [-2.0, 2.0] and grid["y"] == [-1.0, 3.0] and grid["lo"] == pytest.approx(logs.min(), abs=1e-3)
    assert short_list([[1.234567, float("nan")], [float("inf"), -2e-9]], 3) == [[1.23, None], [None, -2e-09]]
