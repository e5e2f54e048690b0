"""MLP.forward_backward (buffers reused between calls, fused activation kernels) against the
pass written out plainly, and the fused tanh against math.tanh and exact derivatives."""

import copy
import math
import pickle
import threading
import warnings
from decimal import Decimal, getcontext

import numpy as np
import pytest

from dlwidgets.core import ForwardTrace
from dlwidgets.core.activations import (
    ACTIVATIONS,
    DEFAULT_SATURATION_THRESHOLD,
    activation_and_grad,
    activation_and_grad_into,
    grad_peak,
    tanh_and_grad,
    tanh_grad,
)
from dlwidgets.core.experiments import scaled_initialiser
from dlwidgets.core.mlp import (
    BN_EPS,
    MLP,
    clip_grad_norm,
    clip_grad_value,
    cross_entropy_loss,
    global_grad_norm,
    mse_loss,
    norm_clipped,
)

from .results import assert_identical

# ---------------------------------------------------------------------------------------
# The reference: one forward and backward pass with fresh arrays and no shortcuts.


def reference_forward_backward(model, x, y, clip_value=None, max_norm=None,
                               threshold=DEFAULT_SATURATION_THRESHOLD):
    """Loss, output, per-layer (mean, std, saturated, dead), weight and activation gradient
    norms, raw gradients and clipped gradients, computed the straightforward way."""
    p, depth, bn = model.params, model.depth, model.batch_norm
    x = np.asarray(x, dtype=float)
    if model.loss_name == "mse":
        y = np.asarray(y, dtype=float).reshape(x.shape[0], -1)
    h, cache = x, []
    for l in range(1, depth + 1):
        z = h @ p[f"W{l}"].T
        if bn:
            zc = z - z.mean(axis=0)
            inv_std = 1.0 / np.sqrt(np.mean(zc * zc, axis=0) + BN_EPS)
            zhat = zc * inv_std
            u = zhat * p[f"gamma{l}"] + p[f"beta{l}"]
        else:
            zhat = inv_std = None
            u = z + p[f"b{l}"]
        a, fprime = activation_and_grad(model.activation, u)
        skip = model.residual and p[f"W{l}"].shape[0] == p[f"W{l}"].shape[1]
        cache.append((h, a, fprime, zhat, inv_std, skip))
        h = h + a if skip else a
    out = h @ p[f"W{depth + 1}"].T + p[f"b{depth + 1}"]
    loss, g_out = (mse_loss if model.loss_name == "mse" else cross_entropy_loss)(out, y)

    grads = {f"W{depth + 1}": g_out.T @ h, f"b{depth + 1}": g_out.sum(axis=0)}
    g_h = g_out @ p[f"W{depth + 1}"]
    below = threshold * grad_peak(model.activation)
    stats, act_norms = [None] * depth, [0.0] * depth
    for l in range(depth, 0, -1):
        h_in, a, fprime, zhat, inv_std, skip = cache[l - 1]
        act_norms[l - 1] = np.linalg.norm(g_h)
        stats[l - 1] = (a.mean(), a.std(), np.mean(np.abs(fprime) < below), np.mean(fprime == 0))
        g_u = g_h * fprime
        if bn:
            grads[f"gamma{l}"] = np.sum(g_u * zhat, axis=0)
            grads[f"beta{l}"] = g_u.sum(axis=0)
            g_zhat = g_u * p[f"gamma{l}"]
            g_z = inv_std * (g_zhat - g_zhat.mean(axis=0) - zhat * np.mean(g_zhat * zhat, axis=0))
        else:
            g_z = g_u
            grads[f"b{l}"] = g_z.sum(axis=0)
        grads[f"W{l}"] = g_z.T @ h_in
        g_in = g_z @ p[f"W{l}"]
        g_h = g_in + g_h if skip else g_in
    grads = {name: grads[name] for name in p}
    clipped = grads
    if clip_value is not None:
        clipped, _ = clip_grad_value(clipped, clip_value)
    if max_norm is not None:
        clipped, _ = clip_grad_norm(clipped, max_norm)
    return dict(loss=loss, output=out, stats=stats, act_norms=act_norms, grads=grads, clipped=clipped,
                weight_norms=[np.linalg.norm(grads[f"W{l}"]) for l in range(1, depth + 2)])


def assert_close(actual, expected, rtol, what=""):
    """Entrywise agreement to rtol of the largest entry (small entries carry the same absolute error)."""
    expected = np.asarray(expected, dtype=float)
    scale = np.max(np.abs(expected)) if expected.size else 0.0
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale, err_msg=what)


def assert_matches_reference(res, ref, rtol):
    assert_close(res.loss, ref["loss"], rtol, "loss")
    assert_close(res.output, ref["output"], rtol, "output")
    assert_close(res.weight_grad_norms, ref["weight_norms"], rtol, "weight norms")
    assert_close(res.activation_grad_norms, ref["act_norms"], rtol, "activation norms")
    assert res.total_grad_norm == pytest.approx(global_grad_norm(ref["grads"]), rel=rtol)
    for stats, (mean, std, saturated, dead) in zip(res.layer_stats, ref["stats"]):
        assert stats.mean == pytest.approx(mean, rel=rtol, abs=1e-15)
        assert stats.std == pytest.approx(std, rel=rtol, abs=1e-15)
        assert (stats.saturated_fraction, stats.dead_fraction) == (saturated, dead)


def make_model(activation, batch_norm, residual, depth=6, width=16, in_features=None, out_features=1,
               loss="mse", init="glorot_normal", seed=4):
    model = MLP(depth=depth, width=width, in_features=in_features, out_features=out_features,
                activation=activation, init=init, batch_norm=batch_norm, residual=residual, loss=loss, seed=seed)
    rng = np.random.default_rng(seed + 100)
    for name, value in model.params.items():  # general position: biases, gamma and beta off 0 and 1
        if value.ndim == 1:
            value += rng.normal(scale=0.3, size=value.shape)
    return model


def batch(model, n=12, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, model.in_features))
    if model.loss_name == "cross_entropy":
        return x, rng.integers(0, model.out_features, size=n)
    return x, rng.normal(size=(n, model.out_features))


VARIANTS = [(False, False), (True, False), (False, True), (True, True)]
VARIANT_IDS = ["plain", "bn", "residual", "bn+residual"]
CLIPS = [dict(), dict(max_norm=0.05), dict(clip_value=0.01), dict(clip_value=0.01, max_norm=0.02),
         dict(max_norm=1e6)]
CLIP_IDS = ["no-clip", "max_norm", "clip_value", "both", "max_norm-not-reached"]


# ---------------------------------------------------------------------------------------
# Against the reference


@pytest.mark.parametrize("clip", CLIPS, ids=CLIP_IDS)
@pytest.mark.parametrize("batch_norm, residual", VARIANTS, ids=VARIANT_IDS)
@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "gelu"])
def test_forward_backward_matches_the_plain_pass(activation, batch_norm, residual, clip):
    model = make_model(activation, batch_norm, residual, in_features=5)
    x, y = batch(model)
    ref = reference_forward_backward(model, x, y, **clip)
    for _ in range(2):  # the second call reuses the first call's buffers
        res = model.forward_backward(x, y, **clip)
        assert_matches_reference(res, ref, rtol=1e-12)
        assert res.grads.keys() == ref["grads"].keys()
        for name in ref["grads"]:
            assert_close(res.grads[name], ref["clipped"][name], 1e-12, name)
        assert res.clipped == bool(clip)
        if clip:
            assert res.clipped_total_norm == pytest.approx(global_grad_norm(ref["clipped"]), rel=1e-12)
            assert_close(res.clipped_weight_grad_norms,
                         [np.linalg.norm(ref["clipped"][f"W{l}"]) for l in range(1, model.depth + 2)], 1e-12)
        else:
            assert res.clipped_total_norm is None and res.clipped_weight_grad_norms is None


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_every_activation_matches_the_plain_pass_with_other_shapes_and_losses(activation):
    for loss, out_features in (("mse", 3), ("cross_entropy", 4)):
        model = make_model(activation, batch_norm=False, residual=True, in_features=7, out_features=out_features,
                           loss=loss, depth=4, width=9)
        x, y = batch(model, n=10, seed=3)
        ref = reference_forward_backward(model, x, y, max_norm=0.1)
        res = model.forward_backward(x, y, max_norm=0.1)
        assert_matches_reference(res, ref, rtol=1e-12)
        for name in ref["grads"]:
            assert_close(res.grads[name], ref["clipped"][name], 1e-12, name)


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
@pytest.mark.parametrize("batch_norm, residual", VARIANTS, ids=VARIANT_IDS)
def test_the_gradient_flow_meter_network_matches_the_plain_pass(activation, batch_norm, residual):
    # depth 50, width 128, batch 64, orthogonal init: the meter's own setting
    model = MLP(50, 128, activation=activation, init="orthogonal", batch_norm=batch_norm, residual=residual)
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(64, 128)), rng.normal(size=(64, 1))
    ref = reference_forward_backward(model, x, y)
    # 50 batch norms amplify rounding: with ReLU the plain float64 pass is itself 2e-11 away from
    # one in 80-bit arithmetic, and the fast pass sums in another order
    assert_matches_reference(model.forward_backward(x, y, keep_grads=False), ref, rtol=1e-10 if batch_norm else 1e-11)


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_an_overflowing_network_gives_the_same_non_finite_numbers(activation):
    model = MLP(8, 16, activation=activation, init=scaled_initialiser("he_normal", 1e40), seed=1)
    x, y = batch(model, n=6)
    with np.errstate(all="ignore"):
        ref = reference_forward_backward(model, x, y)
        res = model.forward_backward(x, y)
    # the same infinities and NaNs in the same places; finite numbers agree to rounding
    np.testing.assert_allclose(res.output, ref["output"], rtol=1e-14)
    np.testing.assert_allclose(res.weight_grad_norms, ref["weight_norms"], rtol=1e-14)
    for name in ref["grads"]:
        np.testing.assert_allclose(res.grads[name], ref["grads"][name], rtol=1e-14, err_msg=name)
        np.testing.assert_array_equal(np.isfinite(res.grads[name]), np.isfinite(ref["grads"][name]), err_msg=name)


# ---------------------------------------------------------------------------------------
# Reusing buffers must never leak from one call into another


def test_kept_grads_are_fresh_arrays_that_later_calls_leave_alone():
    model = make_model("tanh", batch_norm=True, residual=True)
    x1, y1 = batch(model, seed=1)
    x2, y2 = batch(model, seed=2)
    first = model.forward_backward(x1, y1, max_norm=0.01)
    saved = {name: g.copy() for name, g in first.grads.items()}
    second = model.forward_backward(x2, y2, max_norm=0.01)
    model.forward_backward(x2, y2, keep_grads=False)
    for name, g in first.grads.items():
        np.testing.assert_array_equal(g, saved[name])
        assert not np.shares_memory(g, second.grads[name])
    assert not np.shares_memory(first.output, second.output)


@pytest.mark.parametrize("clip", CLIPS, ids=CLIP_IDS)
def test_without_kept_grads_every_number_is_still_reported(clip):
    model = make_model("sigmoid", batch_norm=True, residual=False)
    x, y = batch(model)
    kept = model.forward_backward(x, y, **clip)
    bare = model.forward_backward(x, y, keep_grads=False, **clip)
    assert bare.grads is None
    for field_name in ("loss", "weight_grad_norms", "activation_grad_norms", "total_grad_norm", "grad_ratio",
                       "layer_stats", "clipped", "clipped_total_norm", "clipped_weight_grad_norms"):
        assert getattr(bare, field_name) == getattr(kept, field_name), field_name
    np.testing.assert_array_equal(bare.output, kept.output)


def test_batch_size_changes_and_parameter_edits_are_picked_up():
    model = make_model("relu", batch_norm=True, residual=True)
    for n, seed in ((12, 0), (5, 1), (12, 2)):
        x, y = batch(model, n=n, seed=seed)
        assert_matches_reference(model.forward_backward(x, y), reference_forward_backward(model, x, y), 1e-12)
    model.params["W2"] *= 1.5                                   # edited in place
    model.params["gamma3"] = np.full_like(model.params["gamma3"], 2.0)  # replaced
    x, y = batch(model, seed=5)
    assert_matches_reference(model.forward_backward(x, y), reference_forward_backward(model, x, y), 1e-12)


def test_a_copied_or_pickled_network_computes_the_same():
    model = make_model("tanh", batch_norm=False, residual=True)
    x, y = batch(model)
    expected = model.forward_backward(x, y)
    for twin in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        res = twin.forward_backward(x, y)
        assert res.weight_grad_norms == expected.weight_grad_norms
        assert res.loss == expected.loss


def test_threads_sharing_one_network_get_correct_results():
    model = make_model("tanh", batch_norm=True, residual=False, width=32)
    batches = [batch(model, n=16, seed=s) for s in range(4)]
    expected = [model.forward_backward(x, y).weight_grad_norms for x, y in batches]
    results, start = {}, threading.Barrier(4)

    def work(i):
        start.wait()
        results[i] = [model.forward_backward(*batches[i]).weight_grad_norms for _ in range(10)]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(4):
        assert all(norms == expected[i] for norms in results[i])


# ---------------------------------------------------------------------------------------
# The in-place activation kernels


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_in_place_kernels_give_the_separate_results(name):
    x = np.concatenate([np.linspace(-12, 12, 97), [0.0, -0.0, 1e-300, -1e-300, 40.0, -40.0, 800.0, -800.0]])
    x = x.reshape(5, 21)
    value, grad, scratch = np.empty_like(x), np.empty_like(x), np.empty_like(x)
    kept = x.copy()
    a, fprime = activation_and_grad_into(name, x, value, grad, scratch)
    np.testing.assert_array_equal(x, kept)
    f, df = ACTIVATIONS[name]
    if name == "tanh":  # fused formulas: equal to a few ulp
        np.testing.assert_allclose(a, f(x), rtol=5e-16, atol=0)
        np.testing.assert_allclose(fprime, df(x), rtol=1e-15, atol=0)
    else:
        np.testing.assert_array_equal(a, f(x))
        np.testing.assert_array_equal(fprime, df(x))
    if name in ("relu", "sigmoid", "tanh", "elu", "gelu_tanh"):
        assert a is value and fprime is grad


@pytest.mark.parametrize("name", ["relu", "sigmoid", "elu", "gelu_tanh"])
def test_in_place_kernels_are_bit_for_bit_the_separate_functions(name):
    # signs of zero included: the in-place kernels promise the very same doubles, not close ones
    rng = np.random.default_rng(7)
    special = [0.0, -0.0, 5e-324, -5e-324, 1e-310, -1e-310, 49.9, -49.9, 50.0, -50.0, 51.0, -51.0, 1e300, -1e300,
               np.inf, -np.inf, np.nan, -np.nan, 0.5, -0.5]
    x = np.concatenate([special, rng.standard_normal(3980) * 3, rng.standard_normal(1000) * 1e-3]).reshape(4, -1)
    value, grad, scratch = np.empty_like(x), np.empty_like(x), np.empty_like(x)
    f, df = ACTIVATIONS[name]
    with np.errstate(invalid="ignore"):  # both give NaN for GELU(-inf) = -inf * 0, and warn alike
        a, fprime = activation_and_grad_into(name, x, value, grad, scratch)
        expected_a, expected_df = f(x), df(x)
    for mine, theirs in ((a, expected_a), (fprime, expected_df)):
        number = ~np.isnan(theirs)   # NaN stays NaN; its payload bits are not compared
        np.testing.assert_array_equal(np.isnan(mine), ~number)
        np.testing.assert_array_equal(mine[number].view(np.uint64), theirs[number].view(np.uint64))


def ulp_distance(a, b):
    """How many doubles apart a and b are (0 if equal), for finite numbers."""
    return np.abs(np.abs(a - b) / np.spacing(np.maximum(np.abs(a), np.abs(b))))


def exact_tanh(x):
    """tanh x in 60-digit decimal arithmetic, correctly rounded to a double."""
    getcontext().prec = 60
    d = Decimal(x)
    if abs(d) < Decimal("1e-5"):  # the series; e^2x - 1 would keep too few digits
        return float(d - d ** 3 / 3 + 2 * d ** 5 / 15 - 17 * d ** 7 / 315)
    if abs(d) > 50:  # 1 - tanh < 2e-43: rounds to 1
        return math.copysign(1.0, x)
    e = (2 * d).exp()
    return float((e - 1) / (e + 1))


def test_fused_tanh_is_within_1_ulp_of_the_exact_value_everywhere():
    rng = np.random.default_rng(0)
    magnitudes = np.concatenate([
        [0.0, 5e-324, 1e-300, 1e-200, 1e-30, 1e-8, 1e-4, 0.1, 0.3, 0.5, 0.625, 1.0, 3.0, 10.0, 19.0, 20.0, 100.0,
         1000.0, 1e300, np.nextafter(0.625, 0.0), np.nextafter(0.625, 1.0)],
        np.linspace(0.0, 3.0, 3001),
        rng.uniform(0.0, 0.625, 4000),  # the rational function's whole range
        np.exp(rng.uniform(math.log(1e-300), math.log(50.0), 4000)),
    ])
    x = np.concatenate([magnitudes, -magnitudes])
    value, _ = tanh_and_grad(x)
    expected = np.array([exact_tanh(v) for v in x])
    assert ulp_distance(value, expected).max() <= 1
    # glibc's tanh is itself up to 2 ulp off here, so the two may differ by that much
    assert ulp_distance(value, np.array([math.tanh(v) for v in x])).max() <= 3
    np.testing.assert_array_equal(value[x == 1000.0], 1.0)
    np.testing.assert_array_equal(value[x == -1000.0], -1.0)
    tiny = np.abs(x) < 1e-8  # where tanh x rounds to x itself
    np.testing.assert_array_equal(value[tiny], x[tiny])
    assert math.copysign(1.0, tanh_and_grad(-0.0)[0]) == -1.0


def exact_sech_squared(x):
    """sech^2 x = 4 e^-2|x| / (1 + e^-2|x|)^2 in 50-digit decimal arithmetic."""
    getcontext().prec = 50
    z = (-2 * abs(Decimal(x))).exp()
    return float(4 * z / (1 + z) ** 2)


def test_fused_tanh_derivative_keeps_its_precision_in_the_tails():
    for x in (20.0, -20.0, 35.5, 100.0, 300.0):
        _, grad = tanh_and_grad(np.array([x]))
        assert grad[0] == pytest.approx(exact_sech_squared(x), rel=1e-14), x
        assert grad[0] == tanh_grad(x)  # the same formula as tanh_grad beyond the split
    z = math.exp(-40.0)
    assert tanh_and_grad(20.0)[1] == pytest.approx(4 * z / (1 + z) ** 2, rel=1e-14)
    for x in np.linspace(-3.0, 3.0, 601):
        assert tanh_and_grad(x)[1] == pytest.approx(exact_sech_squared(x), rel=1e-15)


def test_fused_tanh_handles_non_finite_inputs_like_numpy():
    value, grad = tanh_and_grad(np.array([np.inf, -np.inf, np.nan]))
    np.testing.assert_array_equal(value, [1.0, -1.0, np.nan])
    np.testing.assert_array_equal(grad, [0.0, 0.0, np.nan])


def test_fused_tanh_is_quiet_when_huge_inputs_sit_among_small_ones():
    x = np.array([0.1, -0.2, 0.3, 0.0, 0.5, 1e300, -1e300, np.inf, -np.inf, np.nan, 0.4, 0.01])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the rational function never sees the huge entries' overflow
        value, grad = tanh_and_grad(x)
    np.testing.assert_array_equal(value[5:10], [1.0, -1.0, 1.0, -1.0, np.nan])
    np.testing.assert_array_equal(grad[5:10], [0.0, 0.0, 0.0, 0.0, np.nan])
    np.testing.assert_allclose(value[[0, 1, 2, 3, 4, 10, 11]], np.tanh(x[[0, 1, 2, 3, 4, 10, 11]]), rtol=5e-16)


@pytest.mark.parametrize("scale", [0.1, 0.6, 3.0])  # mostly below the split, mixed, mostly above
def test_fused_tanh_gives_the_same_numbers_whichever_formula_runs_on_the_whole_array(scale):
    x = np.random.default_rng(1).normal(scale=scale, size=500)
    value, grad = tanh_and_grad(x)
    for i in range(0, 500, 37):  # one entry at a time: no mixing of formulas
        single_value, single_grad = tanh_and_grad(x[i:i + 1])
        assert single_value[0] == value[i] and single_grad[0] == grad[i]


# ---------------------------------------------------------------------------------------
# Clipping by norm after the pass


@pytest.mark.parametrize("max_norm", [1e-3, 0.5, 1e6])   # clips hard, clips, leaves alone
@pytest.mark.parametrize("keep_grads", [True, False])
def test_norm_clipped_gives_to_the_last_bit_what_the_pass_with_max_norm_gives(max_norm, keep_grads):
    model = make_model("tanh", batch_norm=False, residual=True)
    x, y = batch(model)
    expected = model.forward_backward(x, y, max_norm=max_norm, keep_grads=keep_grads)
    unclipped = model.forward_backward(x, y, keep_grads=keep_grads)
    got = norm_clipped(unclipped, max_norm)
    assert got.clipped
    assert_identical(got, expected)   # grads None both when not kept
    assert not unclipped.clipped   # the result it started from is left as it was


def test_norm_clipped_refuses_a_clipped_result_and_a_bad_threshold():
    model = make_model("relu", batch_norm=False, residual=False)
    x, y = batch(model)
    with pytest.raises(ValueError, match="clipped already"):
        norm_clipped(model.forward_backward(x, y, clip_value=0.1), 1.0)
    with pytest.raises(ValueError, match="max_norm"):
        norm_clipped(model.forward_backward(x, y), float("nan"))


@pytest.mark.parametrize("batch_norm", [False, True], ids=["plain", "bn"])
def test_nbytes_counts_the_parameters_and_the_arrays_kept_between_passes(batch_norm):
    depth, width, n, floats = 6, 16, 12, 8
    model = make_model("tanh", batch_norm=batch_norm, residual=False, depth=depth, width=width,
                       in_features=5, out_features=3)
    vectors = (2 if batch_norm else 1) * width * depth + 3       # b, or gamma and beta, per hidden layer; b_out
    params = (5 * width + (depth - 1) * width * width + 3 * width + vectors) * floats
    assert model.nbytes == params
    x, y = batch(model, n=n)
    model.forward_backward(x, y, trace=ForwardTrace())             # the trace holds the per-layer values
    # scratch: pre, act, scratch, two for dL/dh, dL/dz (floats), the mask (bytes), one column; the
    # gradients: one buffer the size of the largest matrix, one array per vector
    shared = 6 * width * n * floats + width * n + width * floats + (width * width + vectors) * floats
    assert model.nbytes == params + shared
    model.forward_backward(x, y)                                   # no trace: the network keeps them
    per_layer = (3 * width * n + width if batch_norm else 2 * width * n) * floats   # h, f' (zhat, 1/std)
    assert model.nbytes == params + shared + depth * per_layer
    assert pickle.loads(pickle.dumps(model)).nbytes == params
