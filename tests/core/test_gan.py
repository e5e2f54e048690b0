"""The 1-D GAN against finite differences, hand-worked optima and the runs the lesson relies on."""

import math

import numpy as np
import pytest

from dlwidgets.core.gan import (GAN_LOSSES, TARGET_MODES, binned_target, covers_all_modes, discriminator_loss_grads,
                                gan_mlp_forward, gan_mlp_params, gan_value_at_optimum, generator_loss_grads,
                                js_divergence, mode_masses, optimal_discriminator, target_pdf, train_gan)

from .oracles import numeric_grad


def nets(d_in, seed=0):
    rng = np.random.default_rng(seed)
    d, g = gan_mlp_params(d_in, 4, rng), gan_mlp_params(d_in, 4, rng)
    d["b2"] = np.array(0.3)
    return rng, d, g


@pytest.mark.parametrize("loss", GAN_LOSSES)
@pytest.mark.parametrize("conditional", [False, True])
def test_discriminator_gradients_match_finite_differences(loss, conditional):
    rng, d, _ = nets(3 if conditional else 1)
    real, fake, mix = rng.normal(size=5), rng.normal(size=5), rng.random(5)
    onehot = np.eye(2)[rng.integers(2, size=5)] if conditional else None
    _, grads = discriminator_loss_grads(loss, d, real, fake, onehot, gp_weight=2.0, mix=mix)
    for name, array in d.items():
        numeric = numeric_grad(lambda: discriminator_loss_grads(loss, d, real, fake, onehot, gp_weight=2.0, mix=mix)[0],
                               array)
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-6, atol=1e-8, err_msg=name)


@pytest.mark.parametrize("loss", GAN_LOSSES)
@pytest.mark.parametrize("conditional", [False, True])
def test_generator_gradients_match_finite_differences(loss, conditional):
    rng, d, g = nets(3 if conditional else 1, seed=1)
    z = rng.normal(size=6)
    onehot = np.eye(2)[rng.integers(2, size=6)] if conditional else None
    _, grads, _ = generator_loss_grads(loss, g, d, z, onehot)
    for name, array in g.items():
        numeric = numeric_grad(lambda: generator_loss_grads(loss, g, d, z, onehot)[0], array)
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-6, atol=1e-8, err_msg=name)


def test_the_gradient_penalty_is_zero_for_a_critic_of_slope_one():
    # f(x) = w2 tanh(W1 x + b1) with tiny W1 is linear near 0: slope w2 * W1 = 1, so the penalty vanishes
    d = {"W1": np.array([[1e-4]]), "b1": np.zeros(1), "w2": np.array([1e4]), "b2": np.zeros(())}
    real, fake = np.array([0.1, -0.2]), np.array([0.05, 0.3])
    plain, _ = discriminator_loss_grads("wgan_clip", d, real, fake)
    with_gp, _ = discriminator_loss_grads("wgan_gp", d, real, fake, gp_weight=10.0, mix=np.array([0.5, 0.5]))
    assert with_gp == pytest.approx(plain, abs=1e-6)


def test_losses_are_the_textbook_formulas_on_hand_worked_numbers():
    # a discriminator whose logit is exactly x: D(x) = sigmoid(x)
    d = {"W1": np.array([[1e-4]]), "b1": np.zeros(1), "w2": np.array([1e4]), "b2": np.zeros(())}
    sig = lambda a: 1 / (1 + math.exp(-a))
    real, fake = np.array([math.log(3.0)]), np.array([0.0])          # D(real) = 0.75, D(fake) = 0.5
    value, _ = discriminator_loss_grads("minimax", d, real, fake)
    assert value == pytest.approx(-math.log(0.75) - math.log(0.5), rel=1e-6)
    g = {"W1": np.array([[1e-4]]), "b1": np.zeros(1), "w2": np.array([1e4 * 0.0]), "b2": np.array(0.0)}
    assert generator_loss_grads("minimax", g, d, np.array([0.0]))[0] == pytest.approx(math.log(1 - sig(0)), rel=1e-6)
    assert generator_loss_grads("non_saturating", g, d, np.array([0.0]))[0] == pytest.approx(-math.log(sig(0)))


def test_losses_stay_finite_when_the_discriminator_is_certain():
    d = {"W1": np.array([[1.0]]), "b1": np.zeros(1), "w2": np.array([1000.0]), "b2": np.zeros(())}
    real, fake = np.array([5.0]), np.array([-5.0])                   # logits of about +-1000
    value, grads = discriminator_loss_grads("non_saturating", d, real, fake)
    assert math.isfinite(value) and all(np.isfinite(v).all() for v in grads.values())
    g = {"W1": np.array([[0.0]]), "b1": np.zeros(1), "w2": np.array([0.0]), "b2": np.array(-5.0)}
    for loss in ("minimax", "non_saturating"):
        value, grads, _ = generator_loss_grads(loss, g, d, np.array([0.0]))
        assert math.isfinite(value) and all(np.isfinite(v).all() for v in grads.values())
    # the minimax loss saturates: almost no gradient when D rejects the fake; the non-saturating one does not
    assert abs(generator_loss_grads("minimax", g, d, np.array([0.0]))[1]["b2"]) < 1e-100
    # the non-saturating gradient is the slope of D's logit there
    assert abs(generator_loss_grads("non_saturating", g, d, np.array([0.0]))[1]["b2"]) > 0.1


def test_optimal_discriminator_on_a_collapsed_generator():
    # data: the equal mixture at -2 and 2; G: exactly the right-hand mode. At x = 2, D* = 0.5 / (0.5 + 1) = 1/3
    means, std, _ = TARGET_MODES["mixture"]
    p_g = lambda x: math.exp(-0.5 * ((x - means[1]) / std) ** 2) / (std * math.sqrt(2 * math.pi))
    assert optimal_discriminator(target_pdf("mixture", 2.0), p_g(2.0)) == pytest.approx(1 / 3, rel=1e-9)
    assert optimal_discriminator(target_pdf("mixture", -2.0), p_g(-2.0)) == pytest.approx(1.0, abs=1e-12)
    assert optimal_discriminator(0.2, 0.2) == 0.5


def test_js_divergence_and_the_value_at_the_optimum():
    p, q = np.array([0.5, 0.5, 0.0]), np.array([0.0, 1.0, 0.0])
    # m = (0.25, 0.75): JS = 0.5 (0.5 ln 2 + 0.5 ln(2/3)) + 0.5 ln(4/3)
    expected = 0.25 * math.log(2) + 0.25 * math.log(2 / 3) + 0.5 * math.log(4 / 3)
    assert js_divergence(p, q) == pytest.approx(expected, rel=1e-12)
    assert js_divergence(p, p) == 0.0
    assert js_divergence([1, 0], [0, 1]) == pytest.approx(math.log(2))
    for a, b in ((p, q), (np.array([0.2, 0.3, 0.5]), np.array([0.4, 0.4, 0.2]))):
        assert gan_value_at_optimum(a, b) == pytest.approx(-math.log(4) + 2 * js_divergence(a, b), rel=1e-12)


def test_binned_target_and_mode_masses():
    edges = np.linspace(-6, 6, 121)
    for target in TARGET_MODES:
        probs = binned_target(target, edges)
        assert probs.sum() == pytest.approx(1.0, abs=1e-9)
        centres = (edges[1:] + edges[:-1]) / 2
        np.testing.assert_allclose(probs, target_pdf(target, centres) * 0.1, atol=2e-3)
    masses = mode_masses("mixture", np.array([-2.1, -1.9, 2.0, 0.0]))
    np.testing.assert_allclose(masses, [0.5, 0.25])
    assert covers_all_modes(masses) and not covers_all_modes([0.6, 0.1])


def test_training_is_reproducible_and_records_every_frame():
    a = train_gan("non_saturating", "gaussian", steps=20, record_every=5, seed=3)
    b = train_gan("non_saturating", "gaussian", steps=20, record_every=5, seed=3)
    np.testing.assert_array_equal(a.d_curve, b.d_curve)
    assert list(a.steps) == [0, 5, 10, 15, 20] and a.d_loss.shape == (20,) and a.fake_hist.shape[0] == 5
    assert np.all((a.d_curve >= 0) & (a.d_curve <= 1))
    np.testing.assert_allclose(a.fake_hist.sum(axis=1), 1.0)


def test_weight_clipping_keeps_the_critic_in_its_box():
    run = train_gan("wgan_clip", "mixture", steps=30, clip=0.05)
    assert max(np.abs(v).max() for v in run.discriminator.values()) <= 0.05


def test_the_lessons_runs_collapse_and_cover_as_the_lesson_says():
    # lesson defaults: a fast discriminator and a slow generator collapse onto one mode ...
    collapsed = train_gan("non_saturating", "mixture", lr_g=0.003, lr_d=0.01, d_steps=3, seed=0)
    assert sorted(np.round(collapsed.masses[-1], 2)) == [0.0, 1.0]
    # ... a faster generator against a slower discriminator covers both, on every seed the challenge replays
    for seed in range(3):
        assert covers_all_modes(train_gan("non_saturating", "mixture", lr_g=0.01, lr_d=0.003, seed=seed).masses[-1])


def test_the_conditional_generator_follows_its_label():
    run = train_gan("non_saturating", "mixture", conditional=True, lr_g=0.01, lr_d=0.003, seed=0)
    g = run.generator
    for label, mode in enumerate(TARGET_MODES["mixture"][0]):
        z = np.random.default_rng(1).standard_normal(500)
        x, _ = gan_mlp_forward(g, np.column_stack([z, np.tile(np.eye(2)[label], (500, 1))]))
        assert abs(np.median(x) - mode) < 0.5


@pytest.mark.parametrize("kwargs, words", [
    ({"loss": "hinge"}, "loss must be one of"), ({"target": "ring"}, "target must be one of"),
    ({"d_steps": 0}, "d_steps must be"), ({"lr_g": -1.0}, "lr_g must be"), ({"steps": 2.5}, "steps must be"),
])
def test_impossible_settings_are_named(kwargs, words):
    with pytest.raises(ValueError, match=words):
        train_gan(**kwargs)
