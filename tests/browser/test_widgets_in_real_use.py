"""The widgets through a learner's first day in JupyterLab and Chromium: a kernel restart, a saved and
reopened notebook, a narrow column, the dark theme."""

import pytest

from .lab import open_notebook, run_all_cells, run_in_kernel

pytestmark = pytest.mark.browser

LESSON = "course/08_convolutions.ipynb"


def restart_kernel(page):
    """Restart the open notebook's kernel (no dialog) and wait until it is idle again."""
    page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.restart()")
    page.wait_for_function("""() => {
        const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
        return kernel && kernel.status === 'idle';
    }""", timeout=60_000)


def save_notebook(page):
    page.evaluate("() => window.jupyterapp.shell.currentWidget.context.save()")
    page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty")


def test_a_restarted_kernel_is_said_inside_the_widget_and_a_rerun_brings_it_back(page, lab, screenshot_dir):
    open_notebook(page, lab, LESSON)
    run_all_cells(page)
    widget = page.locator(".dlw-fm").first
    page.wait_for_function("() => document.querySelector('.dlw-fm').dataset.kernel === 'live'")
    assert widget.locator(".dlw-kernel-gone").is_hidden()

    restart_kernel(page)
    page.wait_for_function("() => document.querySelector('.dlw-fm').dataset.kernel === 'gone'", timeout=15_000)
    notice = widget.locator(".dlw-kernel-gone")
    assert notice.is_visible()
    assert "Run this cell again" in notice.inner_text()
    assert widget.locator("input[data-setting='stride']").is_disabled()   # controls no longer pretend to work
    widget.scroll_into_view_if_needed()
    widget.screenshot(path=str(screenshot_dir / "restart_notice.png"))

    run_all_cells(page)
    page.wait_for_function("() => document.querySelector('.dlw-fm').dataset.kernel === 'live'")
    assert page.locator(".dlw-fm").first.locator("input[data-setting='stride']").is_enabled()

    # a kernel shut down is noticed at once too, before the learner touches anything
    page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.shutdown()")
    page.wait_for_function("() => document.querySelector('.dlw-fm').dataset.kernel === 'gone'", timeout=15_000)
    assert page.console_errors == [], page.console_errors


def test_a_saved_and_reopened_notebook_shows_each_widgets_picture_without_an_error(page, lab, screenshot_dir):
    open_notebook(page, lab, LESSON)
    run_all_cells(page)
    page.wait_for_function("() => document.querySelector('.dlw-fm') && document.querySelector('.dlw-fm').dataset.draws")
    save_notebook(page)
    lab.delete_kernels()

    open_notebook(page, lab, LESSON)
    page.wait_for_timeout(3000)   # the widget manager gives up on a missing model after 2 s
    outputs = page.locator(".jp-Cell-outputArea")
    texts = outputs.all_inner_texts()
    assert not any("Error displaying widget" in text or "Loading widget" in text for text in texts), texts
    pictures = page.locator(".jp-Cell-outputArea .jp-RenderedImage img")
    assert pictures.count() >= 1
    assert any("Feature-map calculator: a " in text for text in texts), texts   # its description, under it
    pictures.first.scroll_into_view_if_needed()
    pictures.first.screenshot(path=str(screenshot_dir / "reopened_picture.png"))


# ---------------------------------------------------------------- any width, both themes

WIDTHS = (1600, 1150, 900)   # with Lab's file browser open: output columns of about 1250, 800 and 550 px

CANVAS_SHAPES = """() => [...document.querySelectorAll('.dlw-widget')].map((root) => {
    const canvas = root.querySelector('canvas');
    const rect = canvas.getBoundingClientRect();
    return { cls: root.className, root: root.clientWidth, cssW: rect.width, cssH: rect.height,
             bitmapW: canvas.width, bitmapH: canvas.height, scale: Number(canvas.dataset.scale || 1),
             dpr: window.devicePixelRatio, scrolls: root.scrollWidth > root.clientWidth };
})"""


def widget_shapes(page):
    return [s for s in page.evaluate(CANVAS_SHAPES) if s["bitmapW"] > 20]   # a 10x10 canvas means no picture


def resize(page, width):
    page.set_viewport_size({"width": width, "height": 1000})
    page.wait_for_timeout(600)    # the ResizeObserver redraws on the next animation frame


def assert_laid_out_for_the_width(shapes, width):
    assert shapes, "no widget drew a picture"
    for s in shapes:
        # never squashed one way: the picture's shape on screen is its bitmap's shape
        assert abs(s["cssW"] / s["cssH"] - s["bitmapW"] / s["bitmapH"]) < 0.02, (width, s)
        # crisp: one bitmap pixel per device pixel
        assert abs(s["bitmapW"] - s["cssW"] * s["dpr"]) <= 2, (width, s)
        # readable: scaled down by at most a quarter; anything wider scrolls instead of shrinking further
        assert s["scale"] >= 0.75 - 1e-9, (width, s)
        assert s["cssW"] <= s["root"] + 1 or (s["scrolls"] and abs(s["scale"] - 0.75) < 1e-3), (width, s)


@pytest.mark.parametrize("lesson", ["course/01_activations.ipynb", "course/02_backprop_gradient_flow.ipynb",
                                    "course/03_initialisation.ipynb", "course/08_convolutions.ipynb",
                                    "course/09_recurrent_networks.ipynb", "course/10_lstm_gru.ipynb",
                                    "course/11_attention.ipynb"])
def test_widgets_lay_themselves_out_at_three_widths_and_in_both_themes(page, lab, screenshot_dir, lesson):
    page.set_viewport_size({"width": WIDTHS[0], "height": 1000})
    open_notebook(page, lab, lesson)
    run_all_cells(page)
    page.wait_for_function("() => [...document.querySelectorAll('.dlw-widget')].every(r => r.dataset.kernel === 'live')")
    name = lesson.split("/")[1][:2]
    for width in WIDTHS:
        resize(page, width)
        assert_laid_out_for_the_width(widget_shapes(page), width)
        for i, widget in enumerate(page.locator(".dlw-widget").all()):
            widget.scroll_into_view_if_needed()
            widget.screenshot(path=str(screenshot_dir / f"width_{name}_{i}_{width}.png"))

    set_theme(page, "JupyterLab Dark")
    try:
        check_dark_theme(page, screenshot_dir, name)
    finally:
        set_theme(page, "JupyterLab Light")   # the theme is a setting the server keeps for the next tests
    assert page.console_errors == [], page.console_errors


def set_theme(page, theme):
    light = "false" if "Dark" in theme else "true"
    page.evaluate("(theme) => window.jupyterapp.commands.execute('apputils:change-theme', { theme })", theme)
    page.wait_for_function("(light) => document.body.dataset.jpThemeLight === light", arg=light, timeout=30_000)
    page.wait_for_timeout(1200)


def check_dark_theme(page, screenshot_dir, name):
    assert_laid_out_for_the_width(widget_shapes(page), WIDTHS[-1])
    for i, widget in enumerate(page.locator(".dlw-widget").all()):
        widget.scroll_into_view_if_needed()
        widget.screenshot(path=str(screenshot_dir / f"dark_{name}_{i}.png"))
        # the canvas sits on the theme's background, and its title (the top 22 units: text only) is in the
        # theme's light text colour
        background = widget.locator("canvas").evaluate("c => getComputedStyle(c).backgroundColor")
        assert background not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), background
        light_text = widget.locator("canvas").evaluate("""(c) => {
            const rows = Math.round(22 * Number(c.dataset.scale || 1) * c.width / parseFloat(c.style.width));
            const data = c.getContext('2d').getImageData(0, 0, c.width, Math.min(c.height, rows)).data;
            let light = 0;
            for (let p = 0; p < data.length; p += 4) if (data[p + 3] > 200 && data[p] > 180 && data[p + 1] > 180 && data[p + 2] > 180) light++;
            return light;
        }""")
        assert light_text > 0, f"no light text at the top of widget {i}"


# ---------------------------------------------------------------- the drawing bugs, one test each

def pixels_outside(widget, box, skip):
    """How many pixels of the two path colours lie outside ``box`` (logical units) but not in ``skip``."""
    return widget.locator("canvas").evaluate("""(c, [box, skip]) => {
        const k = c.width / parseFloat(c.style.width) * Number(c.dataset.scale || 1);   // bitmap px per logical unit
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const inside = (x, y, [l, t, w, h]) => x >= l && x <= l + w && y >= t && y <= t + h;
        let count = 0;
        for (let y = 0; y < c.height; y++) for (let x = 0; x < c.width; x++) {
            const lx = x / k, ly = y / k;
            if (inside(lx, ly, box) || skip.some((s) => inside(lx, ly, s))) continue;
            const p = 4 * (y * c.width + x), [r, g, b, a] = [data[p], data[p + 1], data[p + 2], data[p + 3]];
            if (a < 200) continue;
            const vermillion = Math.abs(r - 213) < 30 && Math.abs(g - 94) < 30 && b < 40;
            const blue = r < 30 && Math.abs(g - 114) < 30 && Math.abs(b - 178) < 30;
            if (vermillion || blue) count++;
        }
        return count;
    }""", [box, skip])


def test_zero_centred_paths_stay_inside_their_plot_at_a_large_learning_rate(page, lab):
    open_notebook(page, lab, "course/01_activations.ipynb")
    run_all_cells(page)
    widget = page.locator(".dlw-zc").first
    widget.scroll_into_view_if_needed()
    run_in_kernel(page, "updates.set(learning_rate=1.5, steps=60)")
    page.wait_for_function("() => document.querySelector('.dlw-zc').dataset.error === ''")
    page.wait_for_timeout(500)
    box, legend_swatches = [58, 22, 344, 344], [[425, 28, 40, 75]]
    assert pixels_outside(widget, box, legend_swatches) == 0


def test_eight_gate_units_leave_the_formulas_free_and_each_cell_line_has_its_legend(page, lab):
    open_notebook(page, lab, "course/10_lstm_gru.ipynb")
    run_all_cells(page)
    run_in_kernel(page, "gates.set(hidden_size=8)")
    page.wait_for_function("() => document.querySelector('.dlw-gates').dataset.cellLegend === '8'")
    canvas = page.locator(".dlw-gates canvas").first
    assert float(canvas.get_attribute("data-belt-bottom")) < float(canvas.get_attribute("data-formula-top"))
    # hovering the forget gate's first bar shows its value as σ of its pre-activation
    canvas.scroll_into_view_if_needed()
    point = canvas.evaluate("""(c) => { const r = c.getBoundingClientRect(), k = Number(c.dataset.scale || 1);
        return { x: r.left + (190 - 35 + 5 + 2) * k, y: r.top + (170 + 40) * k }; }""")
    page.mouse.move(point["x"], point["y"])
    widget = page.locator(".dlw-gates").first
    assert widget.get_attribute("data-readout-gate") == "lstm.f.0"
    assert "f = σ(" in widget.locator(".dlw-readout").inner_text()


def test_zero_gradients_are_marked_as_zero_not_drawn_along_the_floor_and_a_layer_reads_out(page, lab):
    open_notebook(page, lab, "course/02_backprop_gradient_flow.ipynb")
    run_all_cells(page)
    run_in_kernel(page, "meter.set(init='zeros', depth=6, activation='tanh', weight_scale=1.0, batch_norm=False, "
                        "residual=False, max_norm=0.0)")
    page.wait_for_function("() => document.querySelector('.dlw-gf').dataset.depth === '6'")
    widget = page.locator(".dlw-gf").first
    assert widget.get_attribute("data-zero-norms") == "12"     # six layers, weights and outputs: every norm is 0
    canvas = widget.locator("canvas")
    canvas.scroll_into_view_if_needed()
    canvas.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert widget.get_attribute("data-readout-layer") == "2"
    assert "‖dL/dW_2‖ = 0 (exactly)" in widget.locator(".dlw-readout").inner_text()


def test_attention_statistics_follow_the_score_function_and_clicks_pick_the_row_at_any_width(page, lab):
    open_notebook(page, lab, "course/11_attention.ipynb")
    run_all_cells(page)
    run_in_kernel(page, "attn.set(kind='additive', panel='attention')")
    page.wait_for_function("() => [...document.querySelectorAll('.dlw-attn .dlw-facts')].some(f => f.textContent.includes('additive'))")
    widget = page.locator(".dlw-attn", has=page.locator(".dlw-facts", has_text="additive")).first
    widget.evaluate("(root) => { root.id = 'attn-under-test'; }")
    facts = widget.locator(".dlw-facts").inner_text()
    assert "q·k" not in facts, facts
    for width in WIDTHS:
        resize(page, width)
        widget.scroll_into_view_if_needed()
        canvas = widget.locator("canvas")
        for row in (1, 4):
            point = canvas.evaluate("""(c, row) => {
                const r = c.getBoundingClientRect(), k = Number(c.dataset.scale || 1);
                return { x: r.left + (Number(c.dataset.weightsLeft) + 4) * k,
                         y: r.top + (Number(c.dataset.rowTop) + (row + 0.5) * Number(c.dataset.rowHeight)) * k };
            }""", row)
            page.mouse.click(point["x"], point["y"])
            page.wait_for_function("(row) => document.getElementById('attn-under-test').dataset.selected === String(row)",
                                   arg=row, timeout=5000)
            # the hovered cell's weight, worked out as the softmax of its row, equals core's
            assert widget.get_attribute("data-readout-cell") == f"{row},0"
            readout = widget.locator(".dlw-readout").inner_text()
            shown, core = readout.rsplit("= ", 1)[1].split("   (core: ")
            assert abs(float(shown) - float(core.rstrip(")"))) < 1e-4, readout


def test_the_feature_map_shows_window_products_and_sum_on_hover_and_from_the_keyboard(page, lab, screenshot_dir):
    open_notebook(page, lab, LESSON)
    run_all_cells(page)
    run_in_kernel(page, "calc.set(input_size=7, kernel_size=3, padding=1, stride=2, dilation=1)")
    page.wait_for_function("() => document.querySelector('.dlw-fm').dataset.outputSize === '4'")
    widget = page.locator(".dlw-fm").first
    widget.scroll_into_view_if_needed()
    canvas = widget.locator("canvas")
    canvas.focus()
    for key, cell in (("ArrowRight", "0,0"), ("ArrowRight", "0,1"), ("ArrowDown", "1,1")):
        page.keyboard.press(key)
        assert widget.get_attribute("data-readout-cell") == cell
        assert float(widget.get_attribute("data-readout-sum")) == float(widget.get_attribute("data-readout-value"))
    text = widget.locator(".dlw-readout").inner_text()
    assert text.startswith("output[1, 1] = sum of window × kernel") and text.count("·") == 9, text
    widget.screenshot(path=str(screenshot_dir / "feature_map_readout.png"))
    # every output cell's sum of products equals core's value, hovered with the pointer
    for r in range(4):
        for c in range(4):
            point = canvas.evaluate("""(cv, [r, c]) => {
                const rect = cv.getBoundingClientRect(), k = Number(cv.dataset.scale || 1), cell = Number(cv.dataset.cell);
                return { x: rect.left + (Number(cv.dataset.outputLeft) + (c + 0.5) * cell) * k,
                         y: rect.top + (Number(cv.dataset.gridTop) + (r + 0.5) * cell) * k };
            }""", [r, c])
            page.mouse.move(point["x"], point["y"])
            assert widget.get_attribute("data-readout-cell") == f"{r},{c}"
            assert float(widget.get_attribute("data-readout-sum")) == float(widget.get_attribute("data-readout-value"))
    assert page.console_errors == [], page.console_errors


def test_channel_boxes_send_what_was_typed_on_enter_and_a_bad_count_leaves_the_picture(page, lab):
    open_notebook(page, lab, LESSON)
    run_all_cells(page)
    widget = page.locator(".dlw-fm").first
    widget.scroll_into_view_if_needed()
    size = widget.get_attribute("data-output-size")
    box = widget.locator("input[data-setting='in_channels']")
    box.fill("abc")
    box.press("Enter")
    page.wait_for_function("() => document.querySelector('.dlw-fm').dataset.paramsError.includes(\"got 'abc'\")")
    assert widget.get_attribute("data-output-size") == size and widget.get_attribute("data-error") == ""
    assert "must be a whole number, got 'abc'" in widget.locator(".dlw-params-error").inner_text()
    box.fill("16")
    box.press("Enter")
    page.wait_for_function("() => document.querySelector('.dlw-fm').dataset.paramsError === ''")
    run_in_kernel(page, "assert calc.in_channels == 16, calc.in_channels")
    assert page.console_errors == [], page.console_errors


def test_the_bottlenecks_left_grid_has_its_axes_labelled(page, lab):
    open_notebook(page, lab, "course/11_attention.ipynb")
    run_all_cells(page)
    run_in_kernel(page, "bottleneck.set(panel='bottleneck')")
    page.wait_for_function("() => [...document.querySelectorAll('.dlw-attn')].some(r => r.dataset.panel === 'bottleneck')")
    canvas = page.locator(".dlw-attn[data-panel='bottleneck'] canvas").first
    canvas.scroll_into_view_if_needed()
    # the decoder-step axis label runs down beside the grid, in the middle of its height (text pixels there)
    ink = canvas.evaluate("""(c) => {
        const k = c.width / parseFloat(c.style.width) * Number(c.dataset.scale || 1);
        const x0 = Math.round((Number(c.dataset.gridRight) + 6) * k), x1 = Math.round((Number(c.dataset.gridRight) + 18) * k);
        const top = Number(c.dataset.gridTop), h = Number(c.dataset.gridHeight);
        const y0 = Math.round((top + 0.3 * h) * k), y1 = Math.round((top + 0.7 * h) * k);
        const data = c.getContext('2d').getImageData(x0, y0, x1 - x0, y1 - y0).data;
        let ink = 0;
        for (let p = 0; p < data.length; p += 4) if (data[p + 3] > 60) ink++;
        return ink;
    }""")
    assert ink > 20, ink


def test_a_notebook_saved_in_lab_and_reopened_in_notebook_7_shows_its_widgets_pictures_without_an_error(page, lab):
    """Notebook 7 runs on the same server and widget manager: once Lab has saved (and so trusted) the notebook,
    a live view saved in it would show "Error displaying widget" there too; the saved pictures show instead."""
    open_notebook(page, lab, LESSON)
    run_all_cells(page)
    page.wait_for_function("() => document.querySelector('.dlw-fm') && document.querySelector('.dlw-fm').dataset.draws")
    save_notebook(page)
    lab.delete_kernels()

    page.goto(f"{lab.url}/notebooks/{LESSON}")
    page.wait_for_selector(".jp-Notebook .jp-Cell-outputArea .jp-RenderedImage img", timeout=60_000)
    page.wait_for_timeout(3000)   # the widget manager gives up on a missing model after 2 s
    texts = page.locator(".jp-Cell-outputArea").all_inner_texts()
    assert not any("Error displaying widget" in text or "Loading widget" in text for text in texts), texts
    assert any("Feature-map calculator: a " in text for text in texts), texts   # its description, under it
    lab.delete_kernels()
