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


def test_lesson13_imbalance_and_search_explorers(page, lab, screenshot_dir):
    open_notebook(page, lab, "course/13_training_in_practice.ipynb")
    run_all_cells(page)

    # Imbalance explorer: the exercise-7 solution left SMOTE on, with recall above 0.85.
    imb = page.locator(".dlw-imb").first
    imb.scroll_into_view_if_needed()
    wait_for(page, ".dlw-imb", 0, "d.method === 'smote' && Number(d.recall) >= 0.85 && Number(d.synthetic) > 0")
    imb.screenshot(path=str(screenshot_dir / "lesson13_imbalance_smote.png"))
    before = canvas_pixels(imb)
    imb.locator("input[data-setting='k']").focus()
    page.keyboard.press("Home")                              # SMOTE with k = 1
    wait_for(page, ".dlw-imb", 0, "d.method === 'smote'")
    method = imb.locator("select[data-setting='method']")
    method.focus()
    page.keyboard.press("Home")                              # no resampling: recall collapses
    wait_for(page, ".dlw-imb", 0, "d.method === 'none' && Number(d.recall) < 0.3 && d.synthetic === '0'")
    assert canvas_pixels(imb) != before
    imb.locator("input[data-setting='weighted']").focus()
    page.keyboard.press("Space")                             # class weights bring it back
    wait_for(page, ".dlw-imb", 0, "d.method === 'none' && Number(d.recall) > 0.85")
    minority = imb.locator("input[data-setting='minority']")
    minority.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")                    # 0.05 -> 0.10
    wait_for(page, ".dlw-imb", 0, "Math.abs(Number(d.minority) - 0.1) < 1e-9")

    # Hierarchical-softmax tree: choosing a word by keyboard lights up its path; seeds move the sigmoids.
    tree = page.locator(".dlw-huff").first
    tree.scroll_into_view_if_needed()
    wait_for(page, ".dlw-huff", 0, "d.word === 'gnu' && d.depth === '5'")
    tree.screenshot(path=str(screenshot_dir / "lesson13_huffman_tree.png"))
    tree.locator("select[data-setting='word']").focus()
    page.keyboard.press("Home")                              # 'the', the most frequent word
    wait_for(page, ".dlw-huff", 0, "d.word === 'the' && d.depth === '2'")
    probability = data(page, ".dlw-huff", 0, "probability")
    tree.locator("input[data-setting='seed']").focus()
    page.keyboard.press("ArrowRight")
    wait_for(page, ".dlw-huff", 0, f"d.word === 'the' && d.probability !== '{probability}'")

    # Search explorer: the grid tries 3 values of the parameter that matters, random points 9; more points, more values.
    search, sampling = page.locator(".dlw-search").nth(0), page.locator(".dlw-search").nth(1)
    search.scroll_into_view_if_needed()
    wait_for(page, ".dlw-search", 0, "d.gridDistinct === '3' && d.randomDistinct === '9'")
    search.screenshot(path=str(screenshot_dir / "lesson13_search.png"))
    search.locator("select[data-setting='points']").focus()
    page.keyboard.press("ArrowDown")                         # 16 points
    wait_for(page, ".dlw-search", 0, "d.gridDistinct === '4' && d.randomDistinct === '16'")
    seed = search.locator("input[data-setting='seed']")
    seed.focus()
    page.keyboard.press("ArrowRight")
    wait_for(page, ".dlw-search", 0, "d.seed === '1'")

    # Sampling panel: more samples by keyboard; log-scale draws spread over every decade.
    sampling.scroll_into_view_if_needed()
    sampling.locator("input[data-setting='samples']").focus()
    page.keyboard.press("End")                               # 200 samples
    wait_for(page, ".dlw-search", 1, "d.logDecades.split(',').every((c) => Number(c) > 30)")
    sampling.screenshot(path=str(screenshot_dir / "lesson13_sampling.png"))
    assert_clean(page, 7)
