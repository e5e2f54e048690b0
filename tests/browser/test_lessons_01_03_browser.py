"""Lessons 01-03 in JupyterLab and Chromium: every widget draws, reacts to mouse and keyboard, logs no errors."""

import pytest

from .lab import open_notebook, run_all_cells, run_in_kernel

pytestmark = pytest.mark.browser


def canvas_pixels(widget):
    """A fingerprint of what the widget's canvas shows now."""
    return widget.locator("canvas").evaluate("c => c.toDataURL()")


def data(page, selector, name):
    return page.evaluate(f"() => document.querySelector('{selector}').dataset.{name}")


def wait_data(page, selector, name, condition, timeout=None):
    page.wait_for_function(f"() => {{ const v = document.querySelector('{selector}').dataset.{name}; return {condition}; }}",
                           timeout=timeout)


# Run in the kernel: wait until the look-ahead (which may run in a subshell thread) has computed
# the meter's view with batch norm on, then make every view take 5 s more.
SLOW_AFTER_LOOK_AHEAD = """
import time
key = meter._key({**meter._settings_now(), "batch_norm": True})
for _ in range(200):
    if key in meter._remembered:
        break
    time.sleep(0.05)
assert key in meter._remembered, "no look-ahead for batch norm on"
answer = meter._view_for
meter._view_for = lambda settings: time.sleep(5) or answer(settings)
"""


# Run in the kernel: record the values of every look-ahead request the meter answers from now on.
RECORD_LOOK_AHEAD = """
asked = []
_answer = meter._answer_look_ahead
meter._answer_look_ahead = lambda name, values, now: asked.append(values) or _answer(name, values, now)
"""

# Run in the kernel: wait for the request made on letting go of the key; no other came meanwhile.
ASKED_ON_LETTING_GO = """
import time
for _ in range(200):
    if len(asked) >= 2:
        break
    time.sleep(0.05)
time.sleep(0.3)
assert [[round(v, 2) for v in values] for values in asked] == [[1.0, 1.2], [1.5, 1.7]], asked
del meter._answer_look_ahead
"""


def check_outputs(page, ticks):
    outputs = page.locator(".jp-Cell-outputArea").all_inner_texts()
    assert not any("Traceback" in text for text in outputs)
    assert sum(text.count("✔") for text in outputs) >= ticks
    assert page.console_errors == [], page.console_errors


def test_lesson01_activation_explorer_and_zero_centred_updates(page, lab, screenshot_dir):
    open_notebook(page, lab, "course/01_activations.ipynb")
    run_all_cells(page)

    explorer = page.locator(".dlw-ae").first
    explorer.scroll_into_view_if_needed()
    wait_data(page, ".dlw-ae", "activation", "v === 'sigmoid'")
    explorer.screenshot(path=str(screenshot_dir / "lesson01_activation_explorer.png"))

    explorer.locator("select[data-setting='activation']").select_option("relu")
    wait_data(page, ".dlw-ae", "activation", "v === 'relu'")
    dead = float(data(page, ".dlw-ae", "dead"))
    before = canvas_pixels(explorer)
    mean = explorer.locator("input[data-setting='input_mean']")
    mean.focus()
    for _ in range(10):                                   # keyboard: the mean goes from 0 to -1.0
        page.keyboard.press("ArrowLeft")
    wait_data(page, ".dlw-ae", "dead", f"Number(v) > {dead + 0.1}")
    assert canvas_pixels(explorer) != before
    assert explorer.locator("label:has(input[data-setting='input_mean']) output").inner_text() == "-1.0"
    explorer.screenshot(path=str(screenshot_dir / "lesson01_activation_explorer_relu.png"))

    updates = page.locator(".dlw-zc").first
    updates.scroll_into_view_if_needed()
    assert data(page, ".dlw-zc", "sameSignPositive") == "1"
    updates.screenshot(path=str(screenshot_dir / "lesson01_zero_centred.png"))
    updates.get_by_role("button", name="Play the two paths step by step").click()
    wait_data(page, ".dlw-zc", "shown", "Number(v) >= 5 && Number(v) < 60")
    updates.screenshot(path=str(screenshot_dir / "lesson01_zero_centred_playing.png"))
    wait_data(page, ".dlw-zc", "playing", "v === 'false'")
    batch = updates.locator("input[data-setting='batch_size']")
    batch.focus()
    page.keyboard.press("ArrowRight")                     # 1 -> 2 examples per step: mixed-sign updates appear
    wait_data(page, ".dlw-zc", "sameSignPositive", "Number(v) < 1")

    check_outputs(page, ticks=7)


def test_lesson02_gradient_flow_meter(page, lab, screenshot_dir):
    open_notebook(page, lab, "course/02_backprop_gradient_flow.ipynb")
    run_all_cells(page)

    meter = page.locator(".dlw-gf").first
    meter.scroll_into_view_if_needed()
    # The challenge's solution cell turned batch norm on: 30 sigmoid layers, healthy.
    wait_data(page, ".dlw-gf", "flow", "v === 'healthy'")
    assert data(page, ".dlw-gf", "depth") == "30"
    assert meter.locator("input[data-setting='batch_norm']").is_checked()
    meter.screenshot(path=str(screenshot_dir / "lesson02_meter_batchnorm.png"))

    meter.locator("input[data-setting='batch_norm']").uncheck()
    wait_data(page, ".dlw-gf", "flow", "v === 'vanishing'")
    assert "VANISHING" in meter.locator("[data-badge='weights']").inner_text()
    meter.screenshot(path=str(screenshot_dir / "lesson02_meter_vanishing.png"))

    depth = meter.locator("input[data-setting='depth']")
    depth.focus()
    page.keyboard.press("ArrowLeft")
    wait_data(page, ".dlw-gf", "depth", "v === '29'")
    page.keyboard.press("ArrowRight")
    wait_data(page, ".dlw-gf", "depth", "v === '30'")

    activation = meter.locator("select[data-setting='activation']")
    activation.focus()
    page.keyboard.press("ArrowDown")                      # sigmoid -> tanh by keyboard, and the focus stays
    wait_data(page, ".dlw-gf", "activation", "v === 'tanh'")
    page.keyboard.press("ArrowDown")
    wait_data(page, ".dlw-gf", "activation", "v === 'relu'")
    assert page.evaluate("document.activeElement.dataset.setting") == "activation"
    meter.locator("select[data-setting='init']").select_option("he_normal")
    wait_data(page, ".dlw-gf", "flow", "v === 'healthy'")
    scale = meter.locator("input[data-setting='weight_scale']")
    scale.focus()
    for _ in range(5):                                    # 1.0 -> 1.5: the back-propagated signal explodes
        page.keyboard.press("ArrowRight")
    wait_data(page, ".dlw-gf", "signalFlow", "v === 'exploding'")
    meter.locator("input[data-setting='clip']").check()
    page.wait_for_function("() => document.querySelector('.dlw-gf .dlw-facts').innerText.includes('after clipping: 1')")
    meter.screenshot(path=str(screenshot_dir / "lesson02_meter_clipped.png"))

    # The pointer over a switch has Python compute its other state, so the click is drawn at once,
    # before the kernel answers: here it takes 5 s to answer anything.
    batch_norm = meter.locator("input[data-setting='batch_norm']")
    batch_norm.hover()
    run_in_kernel(page, SLOW_AFTER_LOOK_AHEAD)
    batch_norm.check()
    wait_data(page, ".dlw-gf", "batchNorm", "v === 'true'", timeout=2500)
    run_in_kernel(page, "del meter._view_for")

    # A held key asks for neighbours on its first press and when let go, not for each value passed:
    # those requests would only hold up the next change.
    run_in_kernel(page, "meter.weight_scale = 1.0")
    wait_data(page, ".dlw-gf", "weightScale", "v === '1'")
    scale.focus()
    page.wait_for_timeout(500)                            # the focus's own look-ahead, answered
    run_in_kernel(page, RECORD_LOOK_AHEAD)
    for _ in range(6):                                    # after the first, each is the keyboard's auto-repeat
        page.keyboard.down("ArrowRight")
        page.wait_for_timeout(60)
    page.keyboard.up("ArrowRight")
    wait_data(page, ".dlw-gf", "weightScale", "v === '1.6'")
    run_in_kernel(page, ASKED_ON_LETTING_GO)

    check_outputs(page, ticks=8)


def test_lesson03_initialisation_explorer(page, lab, screenshot_dir):
    open_notebook(page, lab, "course/03_initialisation.ipynb")
    run_all_cells(page)

    explorer = page.locator(".dlw-ie").first
    explorer.scroll_into_view_if_needed()
    # The challenge's solution cell left it at 20 ReLU layers with He normal init.
    wait_data(page, ".dlw-ie", "lastStd", "Number(v) > 0.2 && Number(v) < 5")
    explorer.screenshot(path=str(screenshot_dir / "lesson03_init_he_relu.png"))

    explorer.locator("select[data-setting='init']").select_option("small_normal")
    wait_data(page, ".dlw-ie", "lastStd", "Number(v) < 1e-6")
    explorer.locator("select[data-setting='activation']").select_option("tanh")
    explorer.locator("select[data-setting='init']").select_option("constant")
    wait_data(page, ".dlw-ie", "identicalLayers", "v === '20'")
    steps = explorer.locator("input[data-setting='train_steps']")
    steps.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    wait_data(page, ".dlw-ie", "trainSteps", "v === '2'")
    assert data(page, ".dlw-ie", "identicalLayers") == "20"
    explorer.screenshot(path=str(screenshot_dir / "lesson03_init_constant.png"))

    check_outputs(page, ticks=6)
