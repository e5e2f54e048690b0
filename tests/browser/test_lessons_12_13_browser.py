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


# ---------------------------------------------------------------- any width, both themes

WIDGET_SHAPES = """(selector) => [...document.querySelectorAll(selector)].map((root) => {
    const canvas = root.querySelector('canvas');
    const rect = canvas.getBoundingClientRect();
    return { root: root.clientWidth, cssW: rect.width, cssH: rect.height, bitmapW: canvas.width, bitmapH: canvas.height,
             scale: Number(canvas.dataset.scale || 1), dpr: window.devicePixelRatio,
             scrolls: root.scrollWidth > root.clientWidth,
             background: getComputedStyle(canvas).backgroundColor };
}).filter((s) => s.bitmapW > 20)"""

# How many of a canvas's opaque pixels are light (the dark theme's text, axes and frames).
LIGHT_PIXELS = """(c) => {
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let light = 0;
    for (let p = 0; p < data.length; p += 4) if (data[p + 3] > 200 && data[p] > 180 && data[p + 1] > 180 && data[p + 2] > 180) light++;
    return light;
}"""


def assert_even_and_readable(shapes, width):
    assert shapes, "no widget drew a picture"
    for s in shapes:
        # no squash: the same shape on screen as the drawing (to the bitmap's rounding to whole pixels)
        assert abs((s["cssW"] / s["cssH"]) / (s["bitmapW"] / s["bitmapH"]) - 1) < 0.01, (width, s)
        assert abs(s["bitmapW"] - s["cssW"] * s["dpr"]) <= 2, (width, s)                      # crisp
        assert s["scale"] >= 0.75 - 1e-9, (width, s)                                          # readable
        assert s["cssW"] <= s["root"] + 1 or (s["scrolls"] and abs(s["scale"] - 0.75) < 1e-3), (width, s)


def check_widths_and_dark_theme(page, lab, screenshot_dir, lesson, selector):
    """Every widget matching selector keeps its drawing's shape at three widths, and follows the dark theme."""
    from .test_widgets_in_real_use import WIDTHS, resize, set_theme

    page.set_viewport_size({"width": WIDTHS[0], "height": 1000})
    open_notebook(page, lab, lesson)
    run_all_cells(page)
    page.wait_for_function(f"() => [...document.querySelectorAll('{selector}')].every(r => r.dataset.kernel === 'live')")
    name = selector.replace(".dlw-", "")
    widgets = page.locator(selector).all()
    for width in WIDTHS:
        resize(page, width)
        assert_even_and_readable(page.evaluate(WIDGET_SHAPES, selector), width)
        for i, widget in enumerate(widgets):
            widget.scroll_into_view_if_needed()
            widget.screenshot(path=str(screenshot_dir / f"width_{name}_{i}_{width}.png"))
    set_theme(page, "JupyterLab Dark")
    try:
        shapes = page.evaluate(WIDGET_SHAPES, selector)
        assert_even_and_readable(shapes, WIDTHS[-1])
        for i, (widget, s) in enumerate(zip(widgets, shapes)):
            widget.scroll_into_view_if_needed()
            widget.screenshot(path=str(screenshot_dir / f"dark_{name}_{i}.png"))
            # the canvas sits on the theme's dark background, and its text is drawn in the theme's light colour
            assert s["background"] not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), (i, s)
            assert widget.locator("canvas").evaluate(LIGHT_PIXELS) > 50, f"no light text on widget {i}"
    finally:
        set_theme(page, "JupyterLab Light")   # the theme is a setting the server keeps for the next tests
    assert page.console_errors == [], page.console_errors


@pytest.mark.parametrize("lesson, selector", [
    ("course/12_losses_numerics.ipynb", ".dlw-loss"), ("course/12_losses_numerics.ipynb", ".dlw-ovf"),
    ("course/13_training_in_practice.ipynb", ".dlw-imb"), ("course/13_training_in_practice.ipynb", ".dlw-search"),
    ("course/13_training_in_practice.ipynb", ".dlw-huff")])
def test_widgets_keep_their_shape_at_three_widths_and_follow_the_dark_theme(page, lab, screenshot_dir, lesson, selector):
    check_widths_and_dark_theme(page, lab, screenshot_dir, lesson, selector)


def test_the_gradient_readout_works_out_both_gradients_on_hover_and_by_keyboard(page, lab):
    open_notebook(page, lab, "course/12_losses_numerics.ipynb")
    run_all_cells(page)
    grad = page.locator(".dlw-loss").first
    grad.scroll_into_view_if_needed()
    wait_for(page, ".dlw-loss", 0, "d.panel === 'gradient'")
    canvas = grad.locator("canvas")
    scale = float(canvas.get_attribute("data-scale") or 1)
    # the plot spans z = -10..10 over x = 60..540 units: its middle is z = 0, where σ = 1/2 and (y = 1)
    # MSE's gradient is 2(1/2 - 1)(1/4) = -1/4 and cross-entropy's 1/2 - 1 = -1/2
    canvas.hover(position={"x": 300 * scale, "y": 150 * scale})
    wait_for(page, ".dlw-loss", 0, "d.readoutZ !== undefined && Math.abs(Number(d.readoutZ)) < 1e-9")
    assert abs(float(data(page, ".dlw-loss", 0, "readoutMse")) + 0.25) < 1e-12
    assert abs(float(data(page, ".dlw-loss", 0, "readoutCe")) + 0.5) < 1e-12
    text = grad.locator(".dlw-readout").inner_text()
    assert "2(0.5000 − 1)·0.2500 = -0.2500   (core: -0.2500)" in text, text
    assert "0.5000 − 1 = -0.5000   (core: -0.5000)" in text, text
    canvas.focus()
    page.keyboard.press("ArrowRight")                         # one grid step along z
    wait_for(page, ".dlw-loss", 0, "Math.abs(Number(d.readoutZ) - 0.1) < 1e-9")
    page.mouse.move(0, 0)
    assert page.console_errors == [], page.console_errors
