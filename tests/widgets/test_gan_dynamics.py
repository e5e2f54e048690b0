"""The GAN dynamics widget shows what dlwidgets.core's train_gan computes, frame by frame."""

import base64

import numpy as np
import pytest

from dlwidgets.core import optimal_discriminator, target_pdf, train_gan
from dlwidgets.widgets import GANDynamics


def test_frames_are_core_values():
    w = GANDynamics(loss="wgan_gp", target="gaussian", lr_g=0.01, lr_d=0.01, d_steps=2, steps=100, seed=4)
    run = train_gan("wgan_gp", "gaussian", lr_g=0.01, lr_d=0.01, d_steps=2, steps=100, seed=4, record_every=5)
    v = w.view
    assert v["steps"] == run.steps.tolist() and len(v["steps"]) == 21
    np.testing.assert_allclose(v["d_curve"], run.d_curve, atol=5e-5)
    np.testing.assert_allclose(v["g_map"], run.g_map, atol=5e-5)
    np.testing.assert_allclose(v["fake_density"], run.fake_hist / (run.edges[1] - run.edges[0]), atol=5e-5)
    np.testing.assert_allclose(v["g_loss"], run.g_loss, atol=5e-5)
    np.testing.assert_allclose(v["js"], run.js, atol=5e-5)
    np.testing.assert_allclose(v["real_pdf"], target_pdf("gaussian", run.x_grid), atol=5e-5)
    assert v["wgan"] and w.mode_masses() == pytest.approx(run.masses[-1].tolist(), abs=1e-3)


def test_the_dashed_curve_is_the_optimal_discriminator_for_each_frames_samples():
    w = GANDynamics(steps=50)
    run = train_gan("non_saturating", "mixture", lr_g=0.003, lr_d=0.01, d_steps=3, steps=50, record_every=5)
    for f in (0, 5, 10):
        shown = run.real_hist + run.fake_hist[f] >= 1e-3
        got = np.array([np.nan if d is None else d for d in w.view["d_star"][f]])
        np.testing.assert_allclose(got[shown], optimal_discriminator(run.real_hist, run.fake_hist[f])[shown], atol=5e-4)
        assert np.isnan(got[~shown]).all()
    # where the generator has no samples, D* is 1 wherever there is data
    empty = (run.fake_hist[0] == 0) & (run.real_hist >= 1e-3)
    assert empty.any() and all(w.view["d_star"][0][i] == 1.0 for i in np.flatnonzero(empty))


def test_the_default_collapses_and_other_rates_cover_both_modes():
    w = GANDynamics()
    assert sorted(w.mode_masses()) == [0.0, 1.0] and not w.view["covers"]
    w.set(lr_g=0.01, lr_d=0.003, d_steps=1)
    assert min(w.mode_masses()) > 0.25 and w.view["covers"]
    assert "both modes covered" in w.describe()


def test_stepping_scrubbing_and_playing_from_code():
    w = GANDynamics(steps=50)
    assert w.frame == 0 and w.frames() == 11
    assert [w.step_forward() for _ in range(3)] == [1, 2, 3]
    assert w.step_back() == 2
    assert w.scrub(-1) == 10 and w.step_forward() == 0 and w.step_back() == 10
    assert "step 50 of 50" in w.describe()
    w.play()
    assert w.playing and w.frame == 0          # from the start when at the end
    w.pause()
    assert not w.playing
    w.steps = 100
    assert w.frame == 0 and w.frames() == 21
    w.scrub(20)
    w.steps = 50
    assert w.frame == 10                       # kept within the new run
    with pytest.raises(ValueError, match="frame must be between"):
        w.scrub(11)


@pytest.mark.parametrize("settings, words", [
    (dict(loss="hinge"), "loss must be one of"),
    (dict(target="ring"), "target must be one of"),
    (dict(lr_g=0.02), "generator's learning rate lr_g must be one of 0.001, 0.003, 0.01, 0.03"),
    (dict(lr_d="fast"), "discriminator's learning rate lr_d must be a number"),
    (dict(d_steps=0), "k (D steps per G step) must be between 1 and 5"),
    (dict(steps=20), "steps must be between 50 and 600"),
    (dict(seed=-1), "seed must be between 0 and 99"),
])
def test_impossible_settings_show_a_message_instead_of_raising(settings, words):
    w = GANDynamics(steps=50).set(**settings)
    assert words in w.error and w.view == {}
    assert "impossible settings" in w.describe()
    w.static_png()


def test_settings_round_trip_and_a_whole_number_rate_is_its_float():
    w = GANDynamics(steps=50)
    assert w.settings() == {"loss": "non_saturating", "target": "mixture", "lr_g": 0.003, "lr_d": 0.01, "d_steps": 3,
                            "steps": 50, "seed": 0}
    assert GANDynamics(**w.settings()).view["js"] == w.view["js"]


def test_display_bundle_carries_a_png_and_a_text_description():
    data, _ = GANDynamics(steps=50, loss="minimax")._repr_mimebundle_()
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    assert "minimax loss on the mixture target" in data["text/plain"]


def test_a_rate_refused_is_named_as_a_float_whether_it_came_as_a_whole_number_or_not():
    w = GANDynamics(steps=50)
    w.lr_g = 10**9
    message = w.error
    w.lr_g = 1e9
    assert w.error == message and "got 1000000000.0" in message


@pytest.mark.parametrize("nonsense", ["nonsense", None, [1], -2.5])
def test_any_setting_set_to_nonsense_shows_a_message_and_raises_nothing(nonsense):
    w = GANDynamics(steps=50)
    for name, value in w.settings().items():
        w.set(**{name: nonsense})
        assert w.error and w.view == {}, name
        w.set(**{name: value})
        assert w.error == "", name
