"""Attention scores, masked softmax and multi-head attention against hand-worked numbers and loops."""

import math
import warnings

import numpy as np
import pytest

from dlwidgets.core.attention import (additive_params, additive_scores, attention, dot_scores,
                                      encoder_decoder_contexts, masked_softmax,
                                      multihead_attention, multihead_params, scaled_dot_scores)


def plain_softmax(row):
    """exp(s) / sum(exp(s)) for a row of modest numbers, in plain floats."""
    e = [math.exp(s) for s in row]
    return [v / sum(e) for v in e]


def qkv(seed, lq=3, lk=5, d=4, dv=2):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(lq, d)), rng.normal(size=(lk, d)), rng.normal(size=(lk, dv))


def test_dot_scores_hand_worked():
    q = [[1.0, 2.0]]
    k = [[3.0, 4.0], [1.0, 0.0]]
    np.testing.assert_array_equal(dot_scores(q, k), [[11.0, 1.0]])  # 1*3 + 2*4, 1*1 + 2*0


def test_scaled_scores_are_dot_scores_over_sqrt_d():
    q, k, _ = qkv(0, d=16)
    np.testing.assert_allclose(scaled_dot_scores(q, k), dot_scores(q, k) / 4.0, rtol=1e-15)
    _, _, scores = attention(q, k, k, kind="scaled")
    np.testing.assert_allclose(scores, q @ k.T / 4.0, rtol=1e-14)


def test_softmax_hand_worked():
    # exp(0) : exp(ln 3) = 1 : 3
    np.testing.assert_allclose(masked_softmax([0.0, math.log(3)]), [0.25, 0.75], rtol=1e-15)


def test_additive_scores_match_a_plain_python_loop():
    rng = np.random.default_rng(1)
    q, k = rng.normal(size=(3, 4)), rng.normal(size=(5, 6))  # query and key sizes may differ
    p = additive_params(4, 6, 7, seed=1)
    wq, wk, v = p["W_q"].tolist(), p["W_k"].tolist(), p["v"].tolist()
    want = [[sum(v[a] * math.tanh(sum(x * y for x, y in zip(wq[a], qi)) + sum(x * y for x, y in zip(wk[a], kj)))
                 for a in range(7)) for kj in k.tolist()] for qi in q.tolist()]
    np.testing.assert_allclose(additive_scores(q, k, p), want, rtol=1e-13, atol=1e-15)
    out, weights, scores = attention(q, k, rng.normal(size=(5, 2)), kind="additive", params=p)
    np.testing.assert_allclose(scores, want, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(weights, [plain_softmax(row) for row in want], rtol=1e-13)


@pytest.mark.parametrize("kind", ["dot", "scaled", "additive"])
def test_weights_rows_sum_to_one_and_the_output_is_their_mix_of_values(kind):
    q, k, v = qkv(2)
    params = additive_params(4, 4, 3) if kind == "additive" else None
    out, weights, scores = attention(q, k, v, kind=kind, params=params)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(weights, [plain_softmax(row) for row in scores.tolist()], rtol=1e-13)
    want = [[sum(weights[i, j] * v[j, c] for j in range(5)) for c in range(2)] for i in range(3)]
    np.testing.assert_allclose(out, want, rtol=1e-13)


def test_equal_scores_give_the_mean_of_the_values():
    v = np.array([[1.0, 10.0], [2.0, 20.0], [6.0, 0.0]])
    out, weights, _ = attention(np.zeros((1, 2)), np.ones((3, 2)), v, kind="dot")
    np.testing.assert_allclose(weights, [[1 / 3] * 3], rtol=1e-15)
    np.testing.assert_allclose(out, [[3.0, 10.0]], rtol=1e-15)


def test_masked_positions_get_weight_exactly_zero_and_the_rest_renormalise():
    q, k, v = qkv(3)
    mask = np.array([[True, False, True, True, False],
                     [False, False, False, False, True],
                     [True, True, True, True, True]])
    out, weights, scores = attention(q, k, v, kind="dot", mask=mask)
    assert np.all(weights[~mask] == 0.0)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(weights[0, [0, 2, 3]], plain_softmax(scores[0, [0, 2, 3]].tolist()), rtol=1e-13)
    np.testing.assert_array_equal(weights[1], [0, 0, 0, 0, 1])  # a single kept position takes all
    np.testing.assert_allclose(out[1], v[4], rtol=1e-15)


def test_causal_mask_first_query_reads_only_the_first_position():
    q, k, v = qkv(4, lq=4, lk=4)
    causal = np.tril(np.ones((4, 4), dtype=bool))
    _, weights, _ = attention(q, k, v, mask=causal)
    np.testing.assert_array_equal(np.triu(weights, 1), 0.0)
    np.testing.assert_array_equal(weights[0], [1.0, 0.0, 0.0, 0.0])


def test_a_fully_masked_row_raises_instead_of_giving_nan():
    q, k, v = qkv(5)
    mask = np.ones((3, 5), dtype=bool)
    mask[1] = False
    with pytest.raises(ValueError, match="fully masked"):
        attention(q, k, v, mask=mask)
    with pytest.raises(ValueError, match="fully masked"):
        masked_softmax([[0.0, 1.0], [-np.inf, -np.inf]])


def test_minus_infinity_scores_act_like_masked_positions():
    np.testing.assert_array_equal(masked_softmax([-np.inf, 0.0, -np.inf]), [0.0, 1.0, 0.0])
    np.testing.assert_allclose(masked_softmax([0.0, -np.inf, math.log(3)]), [0.25, 0.0, 0.75], rtol=1e-15)


def test_softmax_ignores_a_constant_added_to_a_row():
    s = np.random.default_rng(6).normal(size=(3, 5))
    np.testing.assert_allclose(masked_softmax(s + 1000.0), masked_softmax(s), rtol=1e-12)
    np.testing.assert_allclose(masked_softmax(s), [plain_softmax(r) for r in s.tolist()], rtol=1e-13)


def test_temperature_divides_the_scores():
    s = np.random.default_rng(7).normal(size=(2, 6))
    np.testing.assert_allclose(masked_softmax(s, temperature=0.3), masked_softmax(s / 0.3), rtol=1e-13)
    q, k, v = qkv(7)
    _, w_hot, _ = attention(q, k, v, kind="dot", temperature=2.0)
    np.testing.assert_allclose(w_hot, [plain_softmax(r) for r in (q @ k.T / 2.0).tolist()], rtol=1e-13)


@pytest.mark.parametrize("temperature", [1e-3, 1e-8, 1e-300])
def test_temperature_towards_zero_approaches_the_argmax_one_hot(temperature):
    q, k, v = qkv(8)
    _, weights, scores = attention(q, k, v, temperature=temperature)
    one_hot = np.eye(5)[np.argmax(scores, axis=-1)]
    np.testing.assert_allclose(weights, one_hot, atol=1e-12)


def test_tied_maxima_share_the_weight_as_temperature_goes_to_zero():
    np.testing.assert_array_equal(masked_softmax([1.0, 3.0, 3.0], temperature=1e-6), [0.0, 0.5, 0.5])


def test_large_temperature_approaches_uniform_weights():
    q, k, v = qkv(9)
    _, weights, _ = attention(q, k, v, temperature=1e6)
    np.testing.assert_allclose(weights, 0.2, atol=1e-5)
    _, weights, _ = attention(q, k, v, temperature=1.0)
    assert np.abs(weights - 0.2).max() > 0.05  # so the check above is not vacuous


def test_huge_scores_give_no_warnings_and_no_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(masked_softmax([1e308, -1e308, 0.0]), [1.0, 0.0, 0.0])
        np.testing.assert_array_equal(masked_softmax([1e308, 1e308, -1e308], temperature=1e-300), [0.5, 0.5, 0.0])
        q = np.array([[1e150, 0.0]])
        k = np.array([[1e150, 0.0], [-1e150, 0.0], [0.0, 1.0]])
        _, weights, _ = attention(q, k, np.eye(3), kind="dot")
        np.testing.assert_array_equal(weights, [[1.0, 0.0, 0.0]])


def test_leading_batch_dimensions_match_a_loop_over_the_batch():
    rng = np.random.default_rng(10)
    q, k, v = rng.normal(size=(2, 3, 4, 8)), rng.normal(size=(2, 3, 6, 8)), rng.normal(size=(2, 3, 6, 5))
    mask = rng.random(size=(4, 6)) < 0.7
    mask[:, 0] = True
    out, weights, _ = attention(q, k, v, mask=mask)
    assert out.shape == (2, 3, 4, 5) and weights.shape == (2, 3, 4, 6)
    for a in range(2):
        for b in range(3):
            o, w, _ = attention(q[a, b], k[a, b], v[a, b], mask=mask)
            np.testing.assert_allclose(out[a, b], o, rtol=1e-14)
            np.testing.assert_allclose(weights[a, b], w, rtol=1e-14)


def test_attention_reads_every_encoder_state_where_a_fixed_context_has_one():
    rng = np.random.default_rng(11)
    enc = rng.normal(size=(12, 4))  # 12 source positions, more than the 4 dimensions
    enc /= np.linalg.norm(enc, axis=1, keepdims=True)
    # decoder step j asks for source position j: unit vectors match themselves best
    ctx = encoder_decoder_contexts(enc, enc, kind="dot", temperature=1e-6)
    np.testing.assert_allclose(ctx.attended, enc, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(ctx.weights, np.eye(12), atol=1e-15)
    np.testing.assert_array_equal(ctx.fixed, np.tile(enc[-1], (12, 1)))
    assert np.linalg.matrix_rank(ctx.fixed) == 1
    assert np.linalg.matrix_rank(ctx.attended) == 4


def multihead_loop(q, k, v, p, heads):
    """Head by head: project, scaled dot-product softmax, concatenate, output projection."""
    e = q.shape[-1]
    hd = e // heads
    w, b = p["in_proj_weight"], p["in_proj_bias"]
    outs, all_w = [], []
    for h in range(heads):
        rows = [slice(part * e + h * hd, part * e + (h + 1) * hd) for part in range(3)]
        qh, kh, vh = (x @ w[r].T + b[r] for x, r in zip((q, k, v), rows))
        s = qh @ kh.T / math.sqrt(hd)
        wts = np.exp(s - s.max(axis=1, keepdims=True))
        wts /= wts.sum(axis=1, keepdims=True)
        outs.append(wts @ vh)
        all_w.append(wts)
    return np.concatenate(outs, axis=1) @ p["out_proj_weight"].T + p["out_proj_bias"], np.array(all_w)


@pytest.mark.parametrize("heads", [1, 2, 4])
def test_multihead_matches_a_head_by_head_loop(heads):
    rng = np.random.default_rng(12)
    p = multihead_params(8, seed=12)
    p["in_proj_bias"] = rng.normal(size=24)
    p["out_proj_bias"] = rng.normal(size=8)
    q, k, v = rng.normal(size=(3, 8)), rng.normal(size=(5, 8)), rng.normal(size=(5, 8))
    out, weights = multihead_attention(q, k, v, p, heads)
    want_out, want_w = multihead_loop(q, k, v, p, heads)
    assert out.shape == (3, 8) and weights.shape == (heads, 3, 5)
    np.testing.assert_allclose(out, want_out, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(weights, want_w, rtol=1e-12)


def test_multihead_params_follow_pytorch_shapes_and_init():
    p = multihead_params(8, seed=0)
    assert p["in_proj_weight"].shape == (24, 8) and p["out_proj_weight"].shape == (8, 8)
    assert np.abs(p["in_proj_weight"]).max() <= math.sqrt(6 / 32)  # Xavier: sqrt(6 / (fan_in + fan_out))
    np.testing.assert_array_equal(p["in_proj_bias"], 0.0)
    assert sum(a.size for a in p.values()) == 4 * 8 * 8 + 4 * 8  # nn.MultiheadAttention(8, h)


def test_multihead_mask_hides_positions_in_every_head():
    rng = np.random.default_rng(13)
    x = rng.normal(size=(4, 8))
    causal = np.tril(np.ones((4, 4), dtype=bool))
    _, weights = multihead_attention(x, x, x, multihead_params(8), 2, mask=causal)
    np.testing.assert_array_equal(np.triu(weights, 1), 0.0)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda q, k, v: attention(q, k, v, kind="cosine"), ValueError, "kind must be one of"),
        (lambda q, k, v: attention(q, k, v, kind="dot", params={}), ValueError, "only used by kind='additive'"),
        (lambda q, k, v: attention(q, k, v, kind="additive"), ValueError, "needs params"),
        (lambda q, k, v: attention(q, k, v, temperature=0.0), ValueError, "temperature must be a finite number > 0"),
        (lambda q, k, v: attention(q, k, v, temperature=True), TypeError, "temperature must be a number"),
        (lambda q, k, v: attention(q, k, v, mask=np.ones((3, 5))), TypeError, "mask must be boolean"),
        (lambda q, k, v: attention(q, k, v, mask=np.ones((3, 4), bool)), ValueError, "does not broadcast"),
        (lambda q, k, v: attention(q, k[:, :3], v), ValueError, "same size d"),
        (lambda q, k, v: attention(q, k, v[:4]), ValueError, "Lk = 5 keys"),
        (lambda q, k, v: masked_softmax([0.0, np.nan]), ValueError, "must be finite"),
        (lambda q, k, v: multihead_attention(q, q, q, multihead_params(4), 3), ValueError, "must be at least 1 and divide"),
    ],
)
def test_bad_inputs_raise_a_clear_message(call, error, words):
    q, k, v = qkv(14)
    with pytest.raises(error, match=words):
        call(q, k, v)
