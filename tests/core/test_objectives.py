"""The 2-D objectives against finite differences, and the Hessian's predictions against gradient descent itself."""

import numpy as np
import pytest

from dlwidgets.core.objectives import (OBJECTIVES, beale, condition_number, conditioned_quadratic, gd_rate,
                                       hessian_eigenvalues, local_minimum_of_two_minima, max_stable_step,
                                       monkey_saddle, objective, optimal_gd_rate, optimal_step, quadratic, rosenbrock,
                                       saddle, steps_to_shrink, two_minima)

from .oracles import numeric_grad

ALL = [conditioned_quadratic(10, 30), quadratic((3.0, -0.5), 70), rosenbrock(), saddle(), monkey_saddle(),
       two_minima(), beale()]
POINTS = [(0.3, -0.7), (-1.2, 0.4), (1.1, 1.3), (2.0, -0.2)]


@pytest.mark.parametrize("obj", ALL, ids=lambda o: o.name)
def test_gradients_match_central_differences(obj):
    for point in POINTS:
        p = np.array(point)
        numeric = numeric_grad(lambda: float(obj.value(p)), p)
        np.testing.assert_allclose(obj.gradient(np.array(point)), numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("obj", ALL, ids=lambda o: o.name)
def test_hessians_are_central_differences_of_the_gradient(obj):
    for point in POINTS:
        p = np.array(point, dtype=float)
        numeric = np.array([numeric_grad(lambda: float(obj.gradient(p)[i]), p) for i in range(2)])
        np.testing.assert_allclose(obj.hessian(np.array(point)), numeric, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("obj", ALL, ids=lambda o: o.name)
def test_grids_and_batches_give_the_pointwise_values(obj):
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 3), np.linspace(-1, 1, 4)), -1)
    assert obj.value(grid).shape == (4, 3) and obj.gradient(grid).shape == (4, 3, 2)
    assert obj.hessian(grid).shape == (4, 3, 2, 2)
    assert obj.value(grid)[2, 1] == pytest.approx(float(obj.value(grid[2, 1])))


def test_minima_are_where_the_notes_and_the_formulas_put_them():
    assert rosenbrock().value(np.array([1.0, 1.0])) == 0 and np.all(rosenbrock().gradient(np.array([1.0, 1.0])) == 0)
    assert beale().value(np.array([3.0, 0.5])) == pytest.approx(0, abs=1e-15)
    two = two_minima()
    for x in (two.minimum, local_minimum_of_two_minima()):
        np.testing.assert_allclose(two.gradient(np.array(x)), 0, atol=1e-12)
        assert np.all(hessian_eigenvalues(two.hessian(np.array(x))) > 0)
    assert two.minimum[0] < 0 < local_minimum_of_two_minima()[0]
    assert two.value(np.array(two.minimum)) < two.value(np.array(local_minimum_of_two_minima()))


def test_saddles_have_zero_gradient_and_an_indefinite_or_zero_hessian():
    origin = np.zeros(2)
    np.testing.assert_array_equal(hessian_eigenvalues(saddle().hessian(origin)), [-2, 2])
    np.testing.assert_array_equal(monkey_saddle().hessian(origin), np.zeros((2, 2)))
    assert condition_number(saddle().hessian(origin)) == float("inf")


def test_rotated_quadratic_has_the_chosen_eigenvalues_and_condition_number():
    h = conditioned_quadratic(25, angle=40).hessian(np.zeros(2))
    np.testing.assert_allclose(hessian_eigenvalues(h), [0.04, 1.0])
    assert condition_number(h) == pytest.approx(25)
    # the first eigenvector is the x axis turned by the angle
    v = np.array([np.cos(np.deg2rad(40)), np.sin(np.deg2rad(40))])
    np.testing.assert_allclose(h @ v, v)


def test_step_sizes_and_rates_hand_worked():
    h = np.diag([4.0, 1.0])          # kappa 4
    assert max_stable_step(h) == 0.5
    assert optimal_step(h) == pytest.approx(0.4)          # 2 / (1 + 4)
    assert optimal_gd_rate(h) == pytest.approx(0.6)       # (4 - 1) / (4 + 1)
    assert gd_rate(0.4, h) == pytest.approx(0.6)          # |1 - 0.4*4| = |1 - 0.4| = 0.6
    assert gd_rate(0.5, h) == pytest.approx(1.0) and gd_rate(0.6, h) == pytest.approx(1.4)
    assert steps_to_shrink(0.5, 1e-3) == 10 and steps_to_shrink(1.2) == -1


def test_gradient_descent_shrinks_the_error_by_the_predicted_rate_and_diverges_past_two_over_lambda_max():
    obj = conditioned_quadratic(10, 25)
    h = obj.hessian(np.zeros(2))
    for lr, rate in [(optimal_step(h), optimal_gd_rate(h)), (0.5, gd_rate(0.5, h)), (2.1, gd_rate(2.1, h))]:
        p = np.array([1.0, -0.4])
        errors = []
        for _ in range(200):
            p = p - lr * obj.gradient(p)
            errors.append(np.linalg.norm(p))
        measured = (errors[-1] / errors[-51]) ** (1 / 50)
        assert measured == pytest.approx(rate, rel=1e-3)
    assert gd_rate(max_stable_step(h) * 0.999, h) < 1 < gd_rate(max_stable_step(h) * 1.001, h)


def test_objective_by_name_and_bad_names():
    assert set(OBJECTIVES) == {"quadratic", "rosenbrock", "saddle", "monkey_saddle", "two_minima", "beale"}
    assert objective("quadratic", condition=4, angle=0).value(np.array([0.0, 1.0])) == pytest.approx(0.125)
    with pytest.raises(ValueError, match="objective must be one of"):
        objective("himmelblau")
    with pytest.raises(ValueError, match="condition number must be at least 1"):
        conditioned_quadratic(0.5)
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)"):
        rosenbrock().value(np.zeros(3))
    with pytest.raises(ValueError, match="not positive definite"):
        optimal_step(np.diag([1.0, -1.0]))
