"""The feature-map calculator shows what dlwidgets.core computes, and never raises at a learner."""

import base64

import numpy as np
import pytest

from dlwidgets.core import conv2d, conv2d_params, output_size
from dlwidgets.widgets import FeatureMapCalculator


def test_view_holds_the_values_core_computes():
    calc = FeatureMapCalculator(input_size=9, kernel_size=3, padding=1, stride=2, dilation=2, seed=4)
    v = calc.view
    x, w = np.array(v["input"], float), np.array(v["kernel"], float)
    want = conv2d(x[None, None], w[None, None], stride=2, padding=1, dilation=2)[0, 0]
    np.testing.assert_array_equal(np.array(v["output"]), want)
    assert v["out"] == output_size(9, 3, 1, 2, 2) == len(v["output"])
    assert v["positions"] == v["out"] ** 2
    assert v["receptive_field"] == 5 and v["jump"] == 2
    assert v["params"] == conv2d_params(3, 8, 3)


def test_formula_substitutes_the_numbers():
    calc = FeatureMapCalculator(input_size=32, kernel_size=5, padding=2, stride=2)
    assert calc.view["formula"].endswith("= ⌊(32 + 2·2 − 1·(5−1) − 1) / 2⌋ + 1 = ⌊31 / 2⌋ + 1 = 16")


@pytest.mark.parametrize("mode, out, pads", [("valid", 5, (0, 0)), ("same", 7, (1, 1)), ("full", 9, (2, 2))])
def test_padding_modes(mode, out, pads):
    calc = FeatureMapCalculator(input_size=7, kernel_size=3, padding=mode)
    assert calc.view["out"] == out and (calc.view["pad_before"], calc.view["pad_after"]) == pads


@pytest.mark.parametrize("settings, words", [
    (dict(kernel_size=9), "kernel spans 9 cells"),
    (dict(stride=-1), "stride must be between 1 and 6"),
    (dict(padding=-2), "padding must be between 0 and 8"),
    (dict(padding="half"), "padding must be a number or one of"),
    (dict(padding="same", stride=2), "needs stride 1"),
    (dict(input_size=2.5), "input size must be a whole number"),
    (dict(input_size=1000), "input size must be between 1 and 32"),
])
def test_impossible_settings_show_a_message_instead_of_raising(settings, words):
    calc = FeatureMapCalculator(input_size=7)
    calc.set(**settings)
    assert words in calc.error
    assert calc.view == {}
    assert "impossible settings" in calc.describe()
    calc.static_png()   # the static picture shows the message rather than failing


def test_recovers_after_an_impossible_setting():
    calc = FeatureMapCalculator(input_size=5)
    calc.kernel_size = 7
    assert calc.error
    calc.input_size = 9
    assert calc.error == "" and calc.view["out"] == 3


def test_padding_given_as_text_digits_is_accepted():
    calc = FeatureMapCalculator(input_size=7, padding="2")
    assert calc.error == "" and calc.view["out"] == 9


def test_display_bundle_carries_a_png_and_a_text_description():
    calc = FeatureMapCalculator(input_size=6, kernel_size=3, padding=1)
    data, _ = calc._repr_mimebundle_()
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    assert data["text/plain"] == calc.describe()
    assert "6x6 input" in data["text/plain"] and "6x6 output" in data["text/plain"]
    assert "application/vnd.jupyter.widget-view+json" in data


def test_step_forward_cycles_through_kernel_positions():
    calc = FeatureMapCalculator(input_size=4, kernel_size=3)          # 2x2 output: 4 positions
    assert calc.step == -1
    assert [calc.step_forward() for _ in range(5)] == [1, 2, 3, 4, 1]
    calc.kernel_size = 2                                               # a change shows the whole output again
    assert calc.step == -1


def test_set_rejects_unknown_names_for_authors():
    with pytest.raises(TypeError, match="unknown setting"):
        FeatureMapCalculator().set(kernal_size=3)


def test_settings_round_trip_into_the_exercise_format():
    calc = FeatureMapCalculator().set(input_size=32, kernel_size=5, padding=2, stride=2)
    assert calc.settings() == dict(input_size=32, kernel_size=5, padding=2, stride=2, dilation=1)
