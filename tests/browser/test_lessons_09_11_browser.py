"""Lessons 09-11 in JupyterLab and Chromium: the RNN unroller, the gate animator and the attention map
draw, react to their controls, animate in the browser, and log no errors."""

import pytest

from .lab import open_notebook, run_all_cells

pytestmark = pytest.mark.browser


def canvas_pixels(widget):
    """A fingerprint of what the widget's canvas shows now."""
    return widget.locator("canvas").evaluate("c => c.toDataURL()")


def assert_clean(page, checks):
    outputs = page.locator(".jp-Cell-outputArea").all_inner_texts()
    assert not any("Traceback" in text for text in outputs)
    assert sum("✔" in text for text in outputs) >= checks
    assert page.console_errors == [], page.console_errors


def test_lesson09_unroller_reacts_to_the_spectral_radius(page, lab, screenshot_dir):
    open_notebook(page, lab, "course/09_recurrent_networks.ipynb")
    run_all_cells(page)
    widget = page.locator(".dlw-rnn").first
    widget.scroll_into_view_if_needed()
    # The exercise-4 solution set the radius to 1.0: the gradient is kept within 10x.
    page.wait_for_function("() => document.querySelector('.dlw-rnn').dataset.verdict === 'kept'")
    widget.screenshot(path=str(screenshot_dir / "lesson09_unroller.png"))
    before = canvas_pixels(widget)

    radius = widget.locator("input[data-setting='spectral_radius']")
    radius.focus()
    for _ in range(6):
        page.keyboard.press("ArrowLeft")                     # 1.0 -> 0.7
    # the last press's view (intermediate radii, 0.8 say, already vanish)
    page.wait_for_function("() => Math.abs(Number(document.querySelector('.dlw-rnn').dataset.spectralRadius) - 0.7)"
                           " < 1e-9")
    assert widget.get_attribute("data-verdict") == "vanishing"
    assert canvas_pixels(widget) != before

    # Step through the forward pass, then play it in the browser.
    widget.get_by_role("button", name="Advance the animation by one step").click()
    assert widget.get_attribute("data-step") == "1"
    widget.get_by_role("button", name="Play or pause the forward and backward pass").click()
    page.wait_for_function("() => Number(document.querySelector('.dlw-rnn').dataset.step) >= 4")
    widget.screenshot(path=str(screenshot_dir / "lesson09_unroller_playing.png"))
    widget.get_by_role("button", name="Play or pause the forward and backward pass").click()
    assert_clean(page, 5)


def test_lesson10_gate_animator_plays_at_30_fps_and_the_bias_changes_memory(page, lab, screenshot_dir):
    open_notebook(page, lab, "course/10_lstm_gru.ipynb")
    run_all_cells(page)
    widget = page.locator(".dlw-gates").first
    widget.scroll_into_view_if_needed()
    # The exercise-6 solution left the forget bias at 4: three quarters of step 1 survive 20 steps.
    page.wait_for_function("() => document.querySelector('.dlw-gates').dataset.forgetBias === '4'")
    assert float(widget.get_attribute("data-retained")) > 0.5
    widget.screenshot(path=str(screenshot_dir / "lesson10_gates.png"))

    bias = widget.locator("input[data-setting='forget_bias']")
    bias.focus()
    for _ in range(16):
        page.keyboard.press("ArrowLeft")                     # 4 -> 0 in steps of 0.25
    page.wait_for_function("() => document.querySelector('.dlw-gates').dataset.forgetBias === '0'")
    assert float(widget.get_attribute("data-retained")) < 0.01

    # Keyboard stepping on the picture, then playback measured in the browser.
    canvas = widget.locator("canvas")
    canvas.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert widget.get_attribute("data-step") == "3"
    speed = widget.locator("input[aria-label='Speed (time steps per second)']")
    speed.fill("2")
    widget.get_by_role("button", name="Play or pause the sequence").click()
    page.wait_for_timeout(2500)
    fps = int(widget.get_attribute("data-fps"))
    widget.screenshot(path=str(screenshot_dir / "lesson10_gates_playing.png"))
    assert widget.get_attribute("data-playing") == "true"
    assert fps >= 30, f"playback drew {fps} frames in the last second"
    widget.get_by_role("button", name="Play or pause the sequence").click()
    assert widget.get_attribute("data-playing") == "false"
    assert_clean(page, 6)


def test_lesson11_attention_map_masks_and_scales(page, lab, screenshot_dir):
    open_notebook(page, lab, "course/11_attention.ipynb")
    run_all_cells(page)
    bottleneck, attn = page.locator(".dlw-attn").nth(0), page.locator(".dlw-attn").nth(1)
    bottleneck.scroll_into_view_if_needed()
    bottleneck.screenshot(path=str(screenshot_dir / "lesson11_bottleneck.png"))
    source = bottleneck.locator("input[data-setting='source_length']")
    source.focus()
    page.keyboard.press("End")                               # 40 tokens
    page.wait_for_function(
        "() => Number(document.querySelectorAll('.dlw-attn')[0].dataset.influenceFirst) < 1e-6")

    attn.scroll_into_view_if_needed()
    # The exercise-5 solution left a causal mask at temperature 0.1.
    page.wait_for_function("() => document.querySelectorAll('.dlw-attn')[1].dataset.maskedWeight === '0'")
    attn.screenshot(path=str(screenshot_dir / "lesson11_attention_causal.png"))
    before = canvas_pixels(attn)
    attn.locator("select[data-setting='mask']").select_option("none")
    attn.locator("select[data-setting='kind']").select_option("dot")
    attn.locator("select[data-setting='d_k']").select_option("256")
    page.wait_for_function(
        "() => document.querySelectorAll('.dlw-attn')[1].querySelector('.dlw-facts').textContent.includes('√256')")
    assert canvas_pixels(attn) != before

    # Choosing a query row with the keyboard stays in the browser and is synced to Python.
    attn.locator("canvas").focus()
    page.keyboard.press("ArrowDown")
    assert attn.get_attribute("data-selected") == "3"
    attn.screenshot(path=str(screenshot_dir / "lesson11_attention_dot256.png"))

    # The padding slider stops one short of hiding every key; padded keys get exactly zero weight.
    attn.locator("select[data-setting='mask']").select_option("padding")
    pad = attn.locator("input[data-setting='padding']")
    pad.focus()
    page.keyboard.press("End")
    page.wait_for_function("() => document.querySelectorAll('.dlw-attn')[1].querySelector('output').parentElement"
                           " && document.querySelectorAll('.dlw-attn')[1].dataset.error === ''"
                           " && document.querySelectorAll('.dlw-attn')[1].dataset.maskedWeight === '0'")
    assert_clean(page, 5)
