"""Every optimizer against hand-worked steps and against torch.optim's documented pseudo-code, written as loops."""

import math

import numpy as np
import pytest

from dlwidgets.core.objectives import conditioned_quadratic, rosenbrock
from dlwidgets.core.optimizer_runs import LR_GRID, RACERS, race, run_optimizer, tune_learning_rate
from dlwidgets.core.optimizers import (DEFAULTS, adagrad_step, adam_step, adamw_step, lookahead_step, radam_rho,
                                       radam_step, rmsprop_step, sgd_step)


def steps(step_fn, grads, p0=0.0, **options):
    """Parameters after each step of step_fn fed the gradients ``grads`` in turn (scalars)."""
    p, state, out = np.array([p0]), None, []
    for g in grads:
        p, state = step_fn(p, np.array([g]), state, **options)
        out.append(float(p[0]))
    return out, state


# ---------------------------------------------------------------- hand-worked

def test_sgd_plain_momentum_dampening_nesterov_and_weight_decay_by_hand():
    assert steps(sgd_step, [2.0, 2.0], lr=0.1)[0] == pytest.approx([-0.2, -0.4])
    # momentum 0.9: b1 = g = 1 (no dampening on the first step), b2 = 0.9*1 + 1 = 1.9
    assert steps(sgd_step, [1.0, 1.0], lr=0.1, momentum=0.9)[0] == pytest.approx([-0.1, -0.29])
    # dampening 0.5: b2 = 0.9*1 + 0.5*1 = 1.4
    assert steps(sgd_step, [1.0, 1.0], lr=0.1, momentum=0.9, dampening=0.5)[0] == pytest.approx([-0.1, -0.24])
    # Nesterov: step 1 uses g + 0.9*b1 = 1.9; step 2: b2 = 1.9, g + 0.9*b2 = 2.71
    assert steps(sgd_step, [1.0, 1.0], lr=0.1, momentum=0.9, nesterov=True)[0] == pytest.approx([-0.19, -0.461])
    # weight decay 0.5 at p = 2: g = 0 + 0.5*2 = 1
    assert steps(sgd_step, [0.0], p0=2.0, lr=0.1, weight_decay=0.5)[0] == pytest.approx([1.9])
    with pytest.raises(ValueError, match="Nesterov"):
        sgd_step(np.zeros(1), np.ones(1), nesterov=True)


def test_adagrad_first_step_is_lr_and_steps_shrink_as_squares_pile_up():
    path, state = steps(adagrad_step, [3.0, 4.0], lr=0.1, eps=0.0)
    # step 1: 0.1 * 3 / sqrt(9) = 0.1; step 2: 0.1 * 4 / sqrt(9 + 16) = 0.08
    assert path == pytest.approx([-0.1, -0.18])
    assert state["sum"][0] == 25 and state["step"] == 2
    # a constant gradient: the k-th step is lr / sqrt(k), ever smaller
    sizes = -np.diff([0.0] + steps(adagrad_step, [1.0] * 5, lr=1.0)[0])
    np.testing.assert_allclose(sizes, 1 / np.sqrt(np.arange(1, 6)), rtol=1e-9)
    # lr_decay: clr = lr / (1 + (t - 1) * decay); initial accumulator 1
    path, _ = steps(adagrad_step, [1.0, 1.0], lr=1.0, lr_decay=1.0, initial_accumulator_value=1.0, eps=0.0)
    assert path == pytest.approx([-1 / math.sqrt(2), -1 / math.sqrt(2) - 0.5 / math.sqrt(3)])


def test_rmsprop_first_step_is_ten_times_lr_with_the_default_alpha():
    # v = 0.01 g^2, so the step is lr * g / (0.1 |g|) = 10 lr
    assert steps(rmsprop_step, [5.0], lr=0.01)[0][0] == pytest.approx(-0.1, rel=1e-6)
    # centred: v - mean^2 = 0.01 g^2 - 0.0001 g^2 = 0.0099 g^2
    assert steps(rmsprop_step, [5.0], lr=0.01, centered=True)[0][0] == pytest.approx(-0.01 / math.sqrt(0.0099), rel=1e-6)
    # momentum 0.5: b1 = g / (sqrt(v1) + eps) = 10, b2 = 0.5*10 + 1 / sqrt(0.0199)
    path, state = steps(rmsprop_step, [1.0, 1.0], lr=0.01, momentum=0.5, eps=0.0)
    b2 = 5 + 1 / math.sqrt(0.99 * 0.01 + 0.01)
    assert path == pytest.approx([-0.1, -0.1 - 0.01 * b2]) and state["momentum_buffer"][0] == pytest.approx(b2)


def test_adams_first_step_has_size_lr_in_every_coordinate_whatever_the_gradient():
    p, state = adam_step(np.array([1.0, -2.0, 3.0]), np.array([1e-3, -50.0, 7.0]), lr=0.01)
    np.testing.assert_allclose(p - [1.0, -2.0, 3.0], [-0.01, 0.01, -0.01], rtol=1e-4)
    assert state["step"] == 1
    # without bias correction the same step would be 0.1 g / sqrt(0.001 g^2) = 3.16 lr
    m, v = 0.1 * 7.0, 0.001 * 49.0
    assert m / math.sqrt(v) == pytest.approx(math.sqrt(10))


def test_adam_two_steps_by_hand():
    g1, g2, lr = 1.0, -3.0, 0.1
    m1, v1 = 0.1 * g1, 0.001 * g1 ** 2
    m2, v2 = 0.9 * m1 + 0.1 * g2, 0.999 * v1 + 0.001 * g2 ** 2
    expected2 = -lr * 1.0 - lr * (m2 / (1 - 0.81)) / (math.sqrt(v2 / (1 - 0.999 ** 2)) + 1e-8)
    path, state = steps(adam_step, [g1, g2], lr=lr)
    assert path == pytest.approx([-lr, expected2], rel=1e-6)
    assert state["exp_avg"][0] == pytest.approx(m2) and state["exp_avg_sq"][0] == pytest.approx(v2)


def test_amsgrad_keeps_the_largest_second_moment():
    _, state = steps(adam_step, [10.0, 0.1, 0.1], lr=0.1, amsgrad=True)
    v = [0.001 * 100]
    v.append(0.999 * v[-1] + 0.001 * 0.01)
    v.append(0.999 * v[-1] + 0.001 * 0.01)
    assert state["max_exp_avg_sq"][0] == pytest.approx(max(v)) and state["exp_avg_sq"][0] == pytest.approx(v[-1])
    assert state["max_exp_avg_sq"][0] > state["exp_avg_sq"][0]


def test_adamw_decays_the_weights_themselves_and_adam_decays_through_the_gradient():
    # zero gradient: AdamW shrinks p by lr*wd, then Adam's step is 0
    p, _ = adamw_step(np.array([2.0]), np.array([0.0]), lr=0.1, weight_decay=0.5)
    assert p[0] == pytest.approx(2.0 * (1 - 0.05))
    # Adam with L2: g = wd*p, a first step of size lr whatever wd is
    p, _ = adam_step(np.array([2.0]), np.array([0.0]), lr=0.1, weight_decay=0.5)
    assert p[0] == pytest.approx(1.9, rel=1e-6)
    assert DEFAULTS["adamw"]["weight_decay"] == 1e-2 and DEFAULTS["adam"]["weight_decay"] == 0


def test_radam_is_momentum_sgd_until_rho_passes_five_then_rectified_adam():
    assert radam_rho(1) == pytest.approx(1.0)   # rho_inf - 2 b2 / (1 - b2) = 1999 - 1998
    first = next(t for t in range(1, 20) if radam_rho(t) > 5)
    assert first == 6
    path, _ = steps(radam_step, [2.0], lr=0.1)
    assert path[0] == pytest.approx(-0.2)        # lr * m_hat = lr * g: no division by sqrt(v)


def test_lookahead_pulls_the_fast_weights_back_every_k_steps():
    # SGD lr 1 with gradient 1: fast goes 0 -> -1 -> -2; at k = 2 slow = 0 + 0.5*(-2 - 0) = -1, fast = slow
    p, state, out = np.zeros(1), None, []
    for _ in range(4):
        p, state = lookahead_step(p, np.ones(1), state, sgd_step, k=2, alpha=0.5, lr=1.0)
        out.append(float(p[0]))
    assert out == [-1.0, -1.0, -2.0, -2.0]       # step 3: -1 -> -2; step 4: -3, slow -1 + 0.5*(-3 + 1) = -2
    assert float(state["slow"][0]) == -2.0


def test_defaults_are_torchs():
    assert DEFAULTS["sgd"]["lr"] == 1e-3 and DEFAULTS["adagrad"] == dict(lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                                                                        initial_accumulator_value=0.0, eps=1e-10)
    assert DEFAULTS["rmsprop"]["alpha"] == 0.99 and DEFAULTS["rmsprop"]["eps"] == 1e-8
    assert DEFAULTS["adam"]["betas"] == (0.9, 0.999) and DEFAULTS["radam"]["lr"] == 1e-3
    # a step with no options uses them
    p, _ = adam_step(np.array([0.0]), np.array([5.0]))
    assert p[0] == pytest.approx(-1e-3, rel=1e-6)


# ---------------------------------------------------------------- torch's documented pseudo-code, as plain loops

def doc_adam(grads, lr, b1, b2, eps, wd=0.0, amsgrad=False, p=0.0):
    m = v = vmax = 0.0
    out = []
    for t, g in enumerate(grads, 1):
        g = g + wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        mh = m / (1 - b1 ** t)
        if amsgrad:
            vmax = max(vmax, v)
            vh = vmax / (1 - b2 ** t)
        else:
            vh = v / (1 - b2 ** t)
        p = p - lr * mh / (math.sqrt(vh) + eps)
        out.append(p)
    return out


def doc_radam(grads, lr, b1, b2, eps, p=0.0):
    m = v = 0.0
    rho_inf = 2 / (1 - b2) - 1
    out = []
    for t, g in enumerate(grads, 1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        mh = m / (1 - b1 ** t)
        rho = rho_inf - 2 * t * b2 ** t / (1 - b2 ** t)
        if rho > 5:
            lt = math.sqrt(1 - b2 ** t) / (math.sqrt(v) + eps)
            rt = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
            p = p - lr * mh * lt * rt
        else:
            p = p - lr * mh
        out.append(p)
    return out


def doc_rmsprop(grads, lr, alpha, eps, momentum, centered, p=0.0):
    v = b = ga = 0.0
    out = []
    for g in grads:
        v = alpha * v + (1 - alpha) * g * g
        vt = v
        if centered:
            ga = ga * alpha + (1 - alpha) * g
            vt = vt - ga * ga
        if momentum > 0:
            b = momentum * b + g / (math.sqrt(vt) + eps)
            p = p - lr * b
        else:
            p = p - lr * g / (math.sqrt(vt) + eps)
        out.append(p)
    return out


GRADS = list(np.random.default_rng(3).normal(size=40) * np.linspace(3, 0.1, 40))


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_matches_the_documented_algorithm(amsgrad):
    ours, _ = steps(adam_step, GRADS, lr=0.05, betas=(0.8, 0.99), eps=1e-6, amsgrad=amsgrad, weight_decay=0.1, p0=0.5)
    np.testing.assert_allclose(ours, doc_adam(GRADS, 0.05, 0.8, 0.99, 1e-6, 0.1, amsgrad, p=0.5), rtol=1e-12)


def test_radam_matches_the_documented_algorithm():
    ours, _ = steps(radam_step, GRADS, lr=0.05)
    np.testing.assert_allclose(ours, doc_radam(GRADS, 0.05, 0.9, 0.999, 1e-8), rtol=1e-12)


@pytest.mark.parametrize("momentum, centered", [(0.0, False), (0.0, True), (0.7, False), (0.7, True)])
def test_rmsprop_matches_the_documented_algorithm(momentum, centered):
    ours, _ = steps(rmsprop_step, GRADS, lr=0.01, momentum=momentum, centered=centered)
    np.testing.assert_allclose(ours, doc_rmsprop(GRADS, 0.01, 0.99, 1e-8, momentum, centered), rtol=1e-12)


# ---------------------------------------------------------------- runs, tuning, races

def test_a_run_keeps_path_loss_step_sizes_and_state_per_step():
    obj = rosenbrock()
    run = run_optimizer(obj, "adam", (-1.5, 2.0), 30, lr=0.05)
    assert run.path.shape == (31, 2) and run.loss.shape == (31,) and run.step_size.shape == (30,)
    assert set(run.state) == {"exp_avg", "exp_avg_sq"} and run.state["exp_avg"].shape == (30, 2)
    np.testing.assert_allclose(run.loss, obj.value(run.path))
    np.testing.assert_allclose(run.step_size[0], 0.05 * math.sqrt(2), rtol=1e-6)   # lr in each coordinate
    p, state = np.array([-1.5, 2.0]), None
    for _ in range(30):
        p, state = adam_step(p, obj.gradient(p), state, lr=0.05)
    np.testing.assert_array_equal(run.path[-1], p)


def test_a_batch_of_learning_rates_gives_the_single_runs():
    obj = conditioned_quadratic(10, 30)
    lrs = np.array([0.01, 0.1, 1.0])
    batch = run_optimizer(obj, "sgd", (1.0, 1.0), 20, lr=lrs, options={"momentum": 0.9})
    for k, lr in enumerate(lrs):
        single = run_optimizer(obj, "sgd", (1.0, 1.0), 20, lr=lr, options={"momentum": 0.9})
        np.testing.assert_allclose(batch.path[:, k], single.path, rtol=1e-13)


def test_divergence_stops_a_run_and_tuning_avoids_it():
    obj = conditioned_quadratic(10, 0)     # lambda_max = 1: plain SGD diverges for lr > 2
    run = run_optimizer(obj, "sgd", (1.0, 1.0), 200, lr=3.0)
    assert run.diverged and np.isnan(run.loss[-1]) and np.isfinite(run.loss[0])
    lr, final = tune_learning_rate(obj, RACERS["SGD"], (1.0, 1.0), 50)
    assert lr in LR_GRID and lr < 2 and np.isinf(final[-1])


def test_a_race_gives_everyone_the_same_start_budget_and_noise():
    runs = race(rosenbrock(), ["SGD", "Adam", "Lookahead(Adam)"], (-1.5, 2.0), 50, gradient_noise=1.0, seed=4)
    assert {r.path.shape for r in runs.values()} == {(51, 2)}
    assert all(np.array_equal(r.path[0], [-1.5, 2.0]) for r in runs.values())
    again = race(rosenbrock(), ["Adam"], (-1.5, 2.0), 50, gradient_noise=1.0, seed=4)
    np.testing.assert_array_equal(again["Adam"].path, runs["Adam"].path)


def test_a_tuned_racer_is_its_grid_runs_pick_and_equals_running_it_alone():
    runs = race(rosenbrock(), ["Adam", "Momentum"], (-1.5, 2.0), 40)
    for label, run in runs.items():
        racer = RACERS[label]
        assert run.lr == tune_learning_rate(rosenbrock(), racer, (-1.5, 2.0), 40)[0]
        alone = run_optimizer(rosenbrock(), racer.optimizer, (-1.5, 2.0), 40, lr=run.lr, options=racer.options)
        np.testing.assert_allclose(run.path, alone.path, rtol=1e-12)
        for name, values in alone.state.items():
            np.testing.assert_allclose(run.state[name], values, rtol=1e-12)
