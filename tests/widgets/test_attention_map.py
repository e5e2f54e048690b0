"""The attention map shows what dlwidgets.core computes, and never raises at a learner."""

import base64

import numpy as np
import pytest

from dlwidgets.core import attention, encoder_decoder_contexts, rnn_bptt, rnn_forward, rnn_params
from dlwidgets.widgets import AttentionMap


def qkv(length, d_k, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(length, d_k)), rng.normal(size=(length, d_k)), rng.normal(size=(length, 4))


@pytest.mark.parametrize("kind", ["dot", "scaled"])
def test_scores_and_weights_are_core_values(kind):
    w = AttentionMap(kind=kind, d_k=64, temperature=0.5, seed=2)
    q, k, v = qkv(8, 64, 2)
    _, weights, scores = attention(q, k, v, kind=kind, temperature=0.5)
    np.testing.assert_array_equal(np.array(w.view["scores"]), scores)
    np.testing.assert_array_equal(w.weights(), weights)


def test_causal_mask_gives_exactly_zero_weight_to_later_tokens():
    w = AttentionMap(mask="causal")
    q, k, v = qkv(8, 16)
    want = attention(q, k, v, mask=np.tril(np.ones((8, 8), bool)))[1]
    np.testing.assert_array_equal(w.weights(), want)
    assert np.triu(w.weights(), 1).sum() == 0.0
    np.testing.assert_array_equal(np.array(w.view["masked"]), np.triu(np.ones((8, 8), bool), 1))


def test_padding_mask_hides_the_last_keys_from_every_query():
    w = AttentionMap(mask="padding", padding=2)
    assert np.all(w.weights()[:, -2:] == 0.0)
    np.testing.assert_allclose(w.weights().sum(axis=1), 1.0)


def test_scaling_keeps_the_score_spread_near_one():
    c = AttentionMap(d_k=256).view["compare"]
    assert c["dot"]["score_std"] > 10 and 0.7 < c["scaled"]["score_std"] < 1.3
    assert c["dot"]["mean_max_weight"] > c["scaled"]["mean_max_weight"]


def test_bottleneck_panel_is_core_values():
    w = AttentionMap(panel="bottleneck", source_length=10, seed=1)
    xs = np.random.default_rng(1).normal(size=(10, 4))
    p = rnn_params(4, 16, seed=1)
    enc = rnn_forward(xs, p)
    enc = enc / np.linalg.norm(enc, axis=1, keepdims=True)
    ctx = encoder_decoder_contexts(enc, enc, kind="scaled", temperature=0.02)
    np.testing.assert_array_equal(np.array(w.view["weights"]), ctx.weights)
    np.testing.assert_array_equal(np.array(w.view["fixed"]), ctx.fixed[0])
    np.testing.assert_array_equal(np.array(w.view["influence"]), np.linalg.norm(rnn_bptt(xs, p).xs, axis=1))
    assert w.view["influence_first"] < 1e-2


@pytest.mark.parametrize("settings, words", [
    (dict(kind="cosine"), "kind must be one of"),
    (dict(mask="future"), "mask must be one of"),
    (dict(mask="padding", padding=8), "every key is hidden"),
    (dict(temperature=0), "temperature must be between"),
    (dict(d_k=2.5), "d_k must be a whole number"),
    (dict(tokens=[]), "between 1 and 16 tokens"),
])
def test_impossible_settings_show_a_message_instead_of_raising(settings, words):
    w = AttentionMap().set(**settings)
    assert words in w.error and w.view == {}
    assert "impossible settings" in w.describe()
    w.static_png()


def test_display_bundle_carries_a_png_and_a_text_description():
    for panel in ("attention", "bottleneck"):
        data, _ = AttentionMap(panel=panel)._repr_mimebundle_()
        assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
        assert data["text/plain"].startswith({"attention": "Attention map", "bottleneck": "Bottleneck demo"}[panel])
