"""Lessons 12 and 13 in JupyterLab and Chromium: every widget draws, moves by keyboard, and logs no errors."""

import pytest

from .lab import open_notebook, run_all_cells

pytestmark = pytest.mark.browser


def canvas_pixels(widget):
    """A fingerprint of what the widget's canvas shows now."""
    return widget.locator("canvas").first.evaluate("c => c.toDataURL()")


def assert_clean(page, checks):
    outputs = page.locator(".jp-Cell-outputArea").all_inner_texts()
    assert not any("Traceback" in text for text in outputs)
    assert sum("✔" in text for text in outputs) >= checks
    assert page.console_errors == [], page.console_errors


def data(page, selector, index, name):
    """One data attribute of the index-th widget matching selector, read in the page."""
    return page.evaluate(f"() => document.querySelectorAll('{selector}')[{index}].dataset.{name}")


def wait_for(page, selector, index, condition):
    """Wait until the index-th widget's dataset `d` satisfies the JavaScript condition."""
    page.wait_for_function(f"() => {{ const d = document.querySelectorAll('{selector}')[{index}].dataset; return {condition}; }}")


def test_lesson12_loss_and_overflow_explorers(page, lab, screenshot_dir):
    open_notebook(page, lab, "course/12_losses_numerics.ipynb")
    run_all_cells(page)
    grad, kl, temp = (page.locator(".dlw-loss").nth(i) for i in range(3))

    # Gradient panel: the logit slider by keyboard, from the saturated-but-wrong band to the right side.
    grad.scroll_into_view_if_needed()
    wait_for(page, ".dlw-loss", 0, "d.panel === 'gradient' && d.inRegion === 'true'")
    grad.screenshot(path=str(screenshot_dir / "lesson12_gradient.png"))
    before = canvas_pixels(grad)
    logit = grad.locator("input[data-setting='logit']")
    logit.focus()
    for _ in range(16):
        page.keyboard.press("ArrowRight")                    # -6 -> 2 in steps of 0.5
    wait_for(page, ".dlw-loss", 0, "d.logit === '2' && d.inRegion === 'false'")
    assert canvas_pixels(grad) != before
    grad.locator("select[data-setting='target']").focus()
    page.keyboard.press("ArrowDown")                         # y = 0: now z = 2 is wrong, but not saturated
    wait_for(page, ".dlw-loss", 0, "Number(d.ce) > 0.8")

    # Divergence panel: the exercise-7 solution left KL(q || p) more than 8 times KL(p || q).
    kl.scroll_into_view_if_needed()
    wait_for(page, ".dlw-loss", 1, "Number(d.klQp) > 8 * Number(d.klPq)")
    kl.screenshot(path=str(screenshot_dir / "lesson12_divergence.png"))
    width = kl.locator("input[data-setting='q_width']")
    width.focus()
    page.keyboard.press("Home")                              # q as narrow as it goes
    wait_for(page, ".dlw-loss", 1, "Number(d.klQp) < 8 * Number(d.klPq)")

    # Temperature panel: the log-scale slider by keyboard.
    temp.scroll_into_view_if_needed()
    entropy = float(data(page, ".dlw-loss", 2, "entropy"))
    temp.locator("input[data-setting='temperature']").focus()
    page.keyboard.press("End")                               # T = 20
    wait_for(page, ".dlw-loss", 2, f"Number(d.entropy) > {entropy} + 0.4")
    temp.screenshot(path=str(screenshot_dir / "lesson12_temperature.png"))

    # Overflow explorer: the shift slider and the format by keyboard.
    ovf = page.locator(".dlw-ovf").first
    ovf.scroll_into_view_if_needed()
    wait_for(page, ".dlw-ovf", 0, "d.naiveFails === 'false' && d.dtype === 'float32'")
    shift = ovf.locator("input[data-setting='shift']")
    shift.focus()
    for _ in range(7):
        page.keyboard.press("ArrowRight")                    # 0 -> 86: exp(89) overflows in float32
    wait_for(page, ".dlw-ovf", 0, "d.shift === '86' && d.naiveFails === 'true' && d.firstOverflow === '0'")
    assert ovf.locator("td.dlw-bad").count() >= 4
    ovf.screenshot(path=str(screenshot_dir / "lesson12_overflow.png"))
    ovf.locator("select[data-setting='dtype']").focus()
    page.keyboard.press("ArrowDown")                         # float64: the same logits are fine
    wait_for(page, ".dlw-ovf", 0, "d.dtype === 'float64' && d.naiveFails === 'false'")
    assert_clean(page, 7)
