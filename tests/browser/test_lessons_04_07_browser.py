"""Lessons 04 and 07 in JupyterLab and Chromium: every widget draws, moves by keyboard, and logs no errors."""

import pytest

from .lab import open_notebook, run_all_cells, run_in_kernel

pytestmark = pytest.mark.browser

NORM = ".dlw-norm"


def data(widget, name):
    return widget.get_attribute(f"data-{name}")


def wait_for(page, selector, condition):
    """Wait until ``condition`` (JS, with the root element as ``w``) holds for the first ``selector``."""
    page.wait_for_function(f"() => {{ const w = document.querySelector('{selector}'); return !!w && ({condition}); }}")


def press_and_redraw(page, widget, control, key):
    """Press ``key`` on ``control`` and wait until the widget has drawn again."""
    draws = int(data(widget, "draws"))
    control.focus()
    page.keyboard.press(key)
    page.wait_for_function("([sel, n]) => Number(document.querySelector(sel).dataset.draws) > n", arg=[NORM, draws])


def test_lesson04_runs_and_the_normalisation_widget_moves_by_keyboard(page, lab, screenshot_dir):
    open_notebook(page, lab, "course/04_normalisation.ipynb")
    run_all_cells(page)

    widget = page.locator(NORM).first
    widget.scroll_into_view_if_needed()
    # Exercise 7's solution left the widget on batch norm, batch size 1, shape (N, C, 2, 2): instance norm's 6 groups.
    wait_for(page, NORM, "w.dataset.kind === 'batch' && w.dataset.groups === '6'")
    assert "instance norm" in widget.locator(".dlw-warning").inner_text()
    widget.screenshot(path=str(screenshot_dir / "lesson04_norm_axes.png"))

    setting = lambda name: widget.locator(f"[data-setting='{name}']")
    # Batch size 1 -> 2: still 6 groups for batch norm, and the warning goes.
    press_and_redraw(page, widget, setting("batch_size"), "ArrowRight")
    wait_for(page, NORM, "w.dataset.groups === '6' && w.querySelector('.dlw-warning').hidden")
    # The scheme by keyboard: layer (2 samples -> 2 groups), instance (12), group with 2 groups (4).
    for expected in ("2", "12", "4"):
        press_and_redraw(page, widget, setting("kind"), "ArrowDown")
        wait_for(page, NORM, f"w.dataset.groups === '{expected}'")
    assert setting("kind").input_value() == "group"
    # Groups 2 -> 3 (6 groups), -> 4: refused inside the widget, no traceback.
    press_and_redraw(page, widget, setting("num_groups"), "ArrowRight")
    wait_for(page, NORM, "w.dataset.groups === '6'")
    press_and_redraw(page, widget, setting("num_groups"), "ArrowRight")
    wait_for(page, NORM, "w.dataset.error.includes('divide the 6 channels')")
    assert widget.locator(".dlw-error").is_visible()
    widget.screenshot(path=str(screenshot_dir / "lesson04_norm_axes_error.png"))
    press_and_redraw(page, widget, setting("num_groups"), "ArrowLeft")
    wait_for(page, NORM, "w.dataset.error === '' && w.dataset.groups === '6'")

    # Every other control moves by keyboard and redraws with new numbers.
    for name, key in (("sample", "ArrowRight"), ("channel", "ArrowRight"), ("gamma", "ArrowRight"),
                      ("beta", "ArrowRight"), ("shape", "ArrowUp")):
        before = (data(widget, "mean"), data(widget, "output"))
        press_and_redraw(page, widget, setting(name), key)
        wait_for(page, NORM, f"w.dataset.mean !== '{before[0]}' || w.dataset.output !== '{before[1]}'")
    assert setting("shape").input_value() == "N,C"
    run_in_kernel(page, "assert norm.shape == 'N,C' and norm.kind == 'group', (norm.shape, norm.kind)")

    # Back to batch norm; eval mode uses the running statistics; momentum changes them.
    setting("kind").focus()
    page.keyboard.press("Home")
    wait_for(page, NORM, "w.dataset.kind === 'batch'")
    train_output = data(widget, "output")
    press_and_redraw(page, widget, setting("mode"), "ArrowDown")
    wait_for(page, NORM, f"w.dataset.output !== '{train_output}'")
    run_in_kernel(page, "assert norm.mode == 'eval'")
    eval_output = data(widget, "output")
    press_and_redraw(page, widget, setting("momentum"), "ArrowLeft")
    wait_for(page, NORM, f"w.dataset.output !== '{eval_output}'")

    # Play the running statistics, pause, step, and scrub by keyboard.
    widget.get_by_role("button", name="One more training batch").click()
    assert data(widget, "step") == "1"
    widget.get_by_role("button", name="Play or pause the running statistics").click()
    wait_for(page, NORM, "Number(w.dataset.step) >= 10")
    widget.get_by_role("button", name="Play or pause the running statistics").click()
    widget.screenshot(path=str(screenshot_dir / "lesson04_norm_axes_playing.png"))
    scrub = setting("step")
    scrub.focus()
    page.keyboard.press("Home")
    wait_for(page, NORM, "w.dataset.step === '0'")
    page.keyboard.press("ArrowRight")
    wait_for(page, NORM, "w.dataset.step === '1'")

    # Batch size 1 on (N, C): a message about what happens, not an error.
    run_in_kernel(page, "norm.set(batch_size=1, shape='N,C')")
    wait_for(page, NORM, "!w.querySelector('.dlw-warning').hidden && w.dataset.error === ''")
    assert "every output is β" in widget.locator(".dlw-warning").inner_text()

    outputs = page.locator(".jp-Cell-outputArea").all_inner_texts()
    assert not any("Traceback" in text for text in outputs)
    assert sum("✔" in text for text in outputs) >= 7
    assert page.console_errors == [], page.console_errors


OVER = ".dlw-over"


def press_over(page, widget, control, key):
    """Press ``key`` on a control of the overfitting explorer and wait until a new training run is drawn."""
    before = data(widget, "final-val")
    control.focus()
    page.keyboard.press(key)
    wait_for(page, OVER, f"w.dataset.finalVal !== '{before}' && w.dataset.finalVal !== ''")


def test_lesson07_runs_and_the_overfitting_explorer_moves_by_keyboard(page, lab, screenshot_dir):
    open_notebook(page, lab, "course/07_regularisation_dropout.ipynb")
    run_all_cells(page)

    widget = page.locator(OVER).first
    widget.scroll_into_view_if_needed()
    # Exercise 8's solution left the explorer on L2 with λ = 0.003: a final validation loss below 0.13.
    wait_for(page, OVER, "w.dataset.finalVal !== '' && Number(w.dataset.finalVal) < 0.13")
    widget.screenshot(path=str(screenshot_dir / "lesson07_explorer.png"))
    setting = lambda name: widget.locator(f"[data-setting='{name}']")

    # L1 at the strongest λ by keyboard: many output weights end exactly at 0.
    press_over(page, widget, setting("penalty"), "ArrowUp")          # l2 -> l1
    assert setting("penalty").input_value() == "l1"
    press_over(page, widget, setting("strength"), "End")             # 0.003 -> 0.1
    assert setting("strength").input_value() == "0.1"
    wait_for(page, OVER, "Number(w.dataset.zeros) > 30")
    run_in_kernel(page, "assert explorer.penalty == 'l1' and explorer.strength == 0.1, explorer.settings()")
    widget.screenshot(path=str(screenshot_dir / "lesson07_explorer_l1.png"))

    # Every slider retrains by keyboard.
    for name, key in (("hidden", "ArrowLeft"), ("n_train", "ArrowRight"), ("noise", "ArrowRight"), ("dropout", "ArrowRight")):
        press_over(page, widget, setting(name), key)
    run_in_kernel(page, "assert explorer.hidden == 63 and explorer.n_train == 16 and explorer.dropout == 0.05, "
                        "explorer.settings()")

    # Play, pause, step and scrub through the epochs in the browser.
    widget.get_by_role("button", name="Twenty more epochs").click()
    wait_for(page, OVER, "w.dataset.epoch === '20'")
    widget.get_by_role("button", name="Play or pause training").click()
    wait_for(page, OVER, "Number(w.dataset.epoch) >= 200")
    widget.get_by_role("button", name="Play or pause training").click()
    scrub = setting("step")
    scrub.focus()
    page.keyboard.press("Home")
    wait_for(page, OVER, "w.dataset.epoch === '0'")
    page.keyboard.press("End")
    wait_for(page, OVER, "w.dataset.epoch === '2000'")

    # An impossible strength set from code shows a message in the widget, not a traceback.
    run_in_kernel(page, "explorer.strength = 0.002")
    wait_for(page, OVER, "w.dataset.error.includes('strength must be one of')")
    assert widget.locator(".dlw-error").is_visible()
    run_in_kernel(page, "explorer.strength = 0.01")
    wait_for(page, OVER, "w.dataset.error === '' && w.dataset.finalVal !== ''")

    check_dropout_ensemble(page, screenshot_dir)

    outputs = page.locator(".jp-Cell-outputArea").all_inner_texts()
    assert not any("Traceback" in text for text in outputs)
    assert sum("✔" in text for text in outputs) >= 8
    assert page.console_errors == [], page.console_errors


ENS = ".dlw-ens"


def check_dropout_ensemble(page, screenshot_dir):
    """The dropout-ensemble widget of lesson 07: every control by keyboard, stepping and playing the masks."""
    widget = page.locator(ENS).first
    widget.scroll_into_view_if_needed()
    wait_for(page, ENS, "w.dataset.full !== undefined && w.dataset.average !== ''")
    setting = lambda name: widget.locator(f"[data-setting='{name}']")
    for name, key in (("p", "ArrowRight"), ("masks", "ArrowLeft"), ("x1", "ArrowRight"), ("x2", "ArrowLeft"),
                      ("scheme", "ArrowDown")):
        draws = int(data(widget, "draws"))
        before = (data(widget, "average"), data(widget, "full"))
        setting(name).focus()
        page.keyboard.press(key)
        page.wait_for_function("([sel, n]) => Number(document.querySelector(sel).dataset.draws) > n", arg=[ENS, draws])
        try:
            wait_for(page, ENS, f"w.dataset.average !== '{before[0]}' || w.dataset.full !== '{before[1]}'")
        except Exception:
            raise AssertionError(f"{name}: {before} -> {data(widget, 'average')}, {data(widget, 'full')}, "
                                 f"error {data(widget, 'error')!r}") from None
    run_in_kernel(page, "assert ensemble.scheme == 'dropconnect' and ensemble.masks == 199 and ensemble.p == 0.55, "
                        "ensemble.settings()")
    widget.get_by_role("button", name="Next mask").click()
    wait_for(page, ENS, "w.dataset.step === '1'")
    widget.get_by_role("button", name="Play or pause the masks").click()
    wait_for(page, ENS, "Number(w.dataset.step) >= 5")
    widget.get_by_role("button", name="Play or pause the masks").click()
    widget.screenshot(path=str(screenshot_dir / "lesson07_dropout_ensemble.png"))


# ---------------------------------------------------------------- any width, both themes

from .layout_checks import WIDTHS, check_widths_and_dark_theme  # noqa: E402


# title_top: where a title is in the narrow column's layout (the normalisation widget's plots go under its tensor)
@pytest.mark.parametrize("lesson, selector, title_top", [("course/04_normalisation.ipynb", NORM, 305),
                                                         ("course/07_regularisation_dropout.ipynb", ".dlw-over", 0),
                                                         ("course/07_regularisation_dropout.ipynb", ".dlw-ens", 0)])
def test_widget_keeps_its_shape_in_a_narrow_column_and_follows_the_dark_theme(page, lab, screenshot_dir, lesson, selector,
                                                                              title_top):
    page.set_viewport_size({"width": WIDTHS[0], "height": 1000})
    open_notebook(page, lab, lesson)
    run_all_cells(page)
    wait_for(page, selector, "w.dataset.kernel === 'live' && Number(w.dataset.draws) > 0 && !w.dataset.error")
    # a plot's title is in the 22 units under title_top: text only
    check_widths_and_dark_theme(page, page.locator(selector).first, selector.strip("."), screenshot_dir,
                                (title_top, 22, 0))
    assert page.console_errors == [], page.console_errors
