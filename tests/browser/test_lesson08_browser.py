"""Lesson 08 in JupyterLab and Chromium: the calculator draws, reacts to its controls, and logs no errors."""

import pytest

from .lab import open_notebook, run_all_cells, run_in_kernel

pytestmark = pytest.mark.browser


def canvas_pixels(widget):
    """A fingerprint of what the widget's canvas shows now."""
    return widget.locator("canvas").evaluate("c => c.toDataURL()")


def test_lesson08_runs_and_the_feature_map_calculator_reacts(page, lab, screenshot_dir):
    open_notebook(page, lab, "course/08_convolutions.ipynb")
    run_all_cells(page)

    widget = page.locator(".dlw-fm").first
    widget.scroll_into_view_if_needed()
    # The exercise-5 solution cell set the calculator to 32 -> 16 (kernel 5, padding 2, stride 2).
    page.wait_for_function("() => document.querySelector('.dlw-fm').dataset.outputSize === '16'")
    assert int(widget.get_attribute("data-draws")) >= 1
    widget.screenshot(path=str(screenshot_dir / "lesson08_calculator.png"))
    before = canvas_pixels(widget)

    # Keyboard: stride 2 -> 1 changes the output from 16 to 32 and the picture with it.
    stride = widget.locator("input[data-setting='stride']")
    stride.focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => document.querySelector('.dlw-fm').dataset.outputSize === '32'")
    assert canvas_pixels(widget) != before
    assert "⌊(32 + 2·2 − 1·(5−1) − 1) / 1⌋ + 1 = ⌊31 / 1⌋ + 1 = 32" in widget.locator(".dlw-formula").inner_text()

    # Look-ahead: once the slider has focus, Python sends core's views one step either side, so
    # the next key press redraws synchronously, before any kernel message can be handled; the
    # kernel's own answer for the same settings then arrives and agrees.
    kernel = widget.locator("input[data-setting='kernel_size']")
    kernel.focus()
    page.wait_for_timeout(1500)   # the two neighbouring views take about a millisecond to compute
    drawn_at_once = kernel.evaluate("""(input) => {
        const root = input.closest('.dlw-fm'), draws = Number(root.dataset.draws);
        input.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }));
        return [Number(root.dataset.draws) - draws, root.dataset.outputSize,
                root.querySelector('.dlw-formula').textContent, Number(root.dataset.draws)];
    }""")
    assert drawn_at_once[:2] == [1, "33"], drawn_at_once   # kernel 4: 32 + 2·2 − 3 − 1 + 1
    page.wait_for_function("(n) => Number(document.querySelector('.dlw-fm').dataset.draws) > n",
                           arg=drawn_at_once[3])   # the kernel's answer redraws
    assert widget.get_attribute("data-output-size") == "33"
    assert widget.locator(".dlw-formula").text_content() == drawn_at_once[2]
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.dlw-fm').dataset.outputSize === '32'")

    # Four presses faster than any answer: late answers and previews never leave a stale picture.
    kernel.evaluate("""(input) => { for (let i = 0; i < 4; i++)
        input.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true })); }""")
    page.wait_for_function("() => document.querySelector('.dlw-fm').dataset.outputSize === '36'")   # kernel 1
    page.wait_for_timeout(1000)
    assert widget.get_attribute("data-output-size") == "36"
    assert widget.locator(".dlw-formula").text_content().endswith("= 36")
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.dlw-fm').dataset.outputSize === '32'")

    # Python can still change a setting the browser changed last (no echo is expected back).
    run_in_kernel(page, "calc.kernel_size = 3")
    page.wait_for_function("() => document.querySelector('.dlw-fm').dataset.outputSize === '34'")
    assert kernel.input_value() == "3"
    run_in_kernel(page, "calc.kernel_size = 5")
    page.wait_for_function("() => document.querySelector('.dlw-fm').dataset.outputSize === '32'")

    # An impossible setting shows a message in the widget, not a traceback.
    stride.focus()
    page.keyboard.press("ArrowRight")
    widget.locator("select[data-setting='padding']").select_option("same")
    page.wait_for_function("() => document.querySelector('.dlw-fm').dataset.error.includes('stride 1')")
    assert widget.locator(".dlw-error").is_visible()
    assert "needs stride 1" in widget.locator(".dlw-error").inner_text()
    widget.screenshot(path=str(screenshot_dir / "lesson08_calculator_error.png"))

    # Back to a valid setting from the keyboard (Home: padding 0, then the next option, 1), then
    # step and play the kernel in the browser.
    padding = widget.locator("select[data-setting='padding']")
    padding.focus()
    page.keyboard.press("Home")
    page.keyboard.press("ArrowDown")
    page.wait_for_function("() => document.querySelector('.dlw-fm').dataset.error === ''")
    assert padding.input_value() == "1"
    run_in_kernel(page, "assert calc.padding == 1, calc.padding")      # Python has it too
    widget.get_by_role("button", name="Move the kernel one position").click()
    assert widget.get_attribute("data-step") == "1"
    widget.get_by_role("button", name="Play or pause the kernel").click()
    page.wait_for_function("() => Number(document.querySelector('.dlw-fm').dataset.step) >= 3")
    widget.screenshot(path=str(screenshot_dir / "lesson08_calculator_playing.png"))
    widget.get_by_role("button", name="Play or pause the kernel").click()

    outputs = page.locator(".jp-Cell-outputArea").all_inner_texts()
    assert not any("Traceback" in text for text in outputs)
    assert sum("✔" in text for text in outputs) >= 7
    assert page.console_errors == [], page.console_errors
