"""Lesson 14 in JupyterLab and Chromium: the GAN dynamics widget plays at 30+ frames per second and reacts to
every control by keyboard; both message-passing explorers step, choose nodes and change views by keyboard;
no errors are logged."""

import json

import pytest

from .lab import open_notebook, run_all_cells

pytestmark = pytest.mark.browser


def canvas_pixels(widget):
    """A fingerprint of what the widget's canvas shows now."""
    return widget.locator("canvas").evaluate("c => c.toDataURL()")


def wait_for(page, selector_index, condition):
    """Wait until ``condition`` (JS, with the widget's root as ``w``) holds for the n-th element of a selector."""
    selector, index = selector_index
    page.wait_for_function(f"() => {{ const w = document.querySelectorAll('{selector}')[{index}]; "
                           f"return !!w && ({condition}); }}")


def test_lesson14_gan_and_message_passing_by_keyboard(page, lab, screenshot_dir):
    open_notebook(page, lab, "course/14_gans_graph_networks.ipynb")
    run_all_cells(page)

    # ---------------- GAN dynamics: the exercise-5 solution left settings that cover both modes
    gan = page.locator(".dlw-gan").first
    gan.scroll_into_view_if_needed()
    at = (".dlw-gan", 0)
    wait_for(page, at, "w.dataset.covers === 'true' && w.dataset.lrG === '0.01' && w.dataset.dSteps === '1'")
    canvas = gan.locator("canvas")
    canvas.focus()
    page.keyboard.press("End")
    assert gan.get_attribute("data-frame") == "60" and gan.get_attribute("data-step") == "300"
    gan.screenshot(path=str(screenshot_dir / "lesson14_gan_covered.png"))
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    assert gan.get_attribute("data-frame") == "1"
    scrub = gan.locator("input[data-control='scrub']")
    scrub.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert gan.get_attribute("data-frame") == "3"

    # playback in the browser, measured there
    canvas.focus()
    page.keyboard.press("Home")
    page.keyboard.press(" ")
    page.wait_for_timeout(1500)
    fps = int(gan.get_attribute("data-fps"))
    assert gan.get_attribute("data-playing") == "true"
    assert fps >= 30, f"playback drew {fps} frames in the last second"
    page.keyboard.press(" ")
    assert gan.get_attribute("data-playing") == "false"

    # every control by keyboard: drop-downs step with the arrows, sliders too
    before = canvas_pixels(gan)
    gan.locator("select[data-setting='loss']").focus()
    page.keyboard.press("ArrowUp")                                    # non-saturating -> minimax
    wait_for(page, at, "w.dataset.loss === 'minimax'")
    assert canvas_pixels(gan) != before
    gan.locator("select[data-setting='lr_d']").focus()
    page.keyboard.press("ArrowRight")                                 # 0.003 -> 0.01
    wait_for(page, at, "w.dataset.lrD === '0.01'")
    gan.locator("select[data-setting='lr_g']").focus()
    page.keyboard.press("ArrowLeft")                                  # 0.01 -> 0.003
    wait_for(page, at, "w.dataset.lrG === '0.003'")
    gan.locator("input[data-setting='d_steps']").focus()
    page.keyboard.press("ArrowRight")
    wait_for(page, at, "w.dataset.dSteps === '2'")
    gan.locator("select[data-setting='target']").focus()
    page.keyboard.press("Home")
    wait_for(page, at, "w.dataset.target === 'gaussian'")
    gan.locator("input[data-setting='steps']").focus()
    page.keyboard.press("Home")                                       # 50 steps: 11 frames
    canvas.focus()
    page.keyboard.press("End")
    wait_for(page, at, "w.dataset.step === '50'")
    gan.locator("input[data-setting='seed']").focus()
    page.keyboard.press("ArrowRight")
    wait_for(page, at, "w.dataset.error === '' && w.querySelector('input[data-setting=seed]').value === '1'")
    gan.screenshot(path=str(screenshot_dir / "lesson14_gan_changed.png"))

    # ---------------- message passing on the karate club
    mp = page.locator(".dlw-mp").nth(0)
    mp.scroll_into_view_if_needed()
    at = (".dlw-mp", 0)
    mp.locator("canvas").focus()
    page.keyboard.press("ArrowLeft")                                  # member 1 -> member 34 (wraps)
    wait_for(page, at, "w.dataset.node === '34'")
    for _ in range(3):
        page.keyboard.press("ArrowDown")                              # gather, aggregate, update
    assert mp.get_attribute("data-phase") == "3"
    mp.screenshot(path=str(screenshot_dir / "lesson14_message_passing_update.png"))
    mp.locator("select[data-setting='show']").focus()
    page.keyboard.press("ArrowDown")                                  # spread over layers
    wait_for(page, at, "w.dataset.show === 'spread' && w.dataset.reached === '18'")
    mp.locator("input[data-setting='layers']").focus()
    page.keyboard.press("ArrowRight")
    wait_for(page, at, "w.dataset.reached === '24'")
    mp.locator("input[data-setting='weight']").focus()
    page.keyboard.press("ArrowLeft")
    mp.locator("input[data-setting='seed']").focus()
    page.keyboard.press("ArrowRight")
    mp.locator("select[data-setting='show']").focus()
    page.keyboard.press("End")                                        # predictions
    mp.locator("input[data-setting='epochs']").focus()
    page.keyboard.press("Home")
    wait_for(page, at, "w.dataset.show === 'predictions' && w.dataset.error === ''")
    mp.screenshot(path=str(screenshot_dir / "lesson14_message_passing_predictions.png"))

    # ---------------- TextGCN's graph
    text = page.locator(".dlw-mp").nth(1)
    text.scroll_into_view_if_needed()
    text.locator("canvas").focus()
    page.keyboard.press("ArrowRight")
    wait_for(page, (".dlw-mp", 1), "w.dataset.node === '2' && w.dataset.accuracy === '1'")
    text.locator("select[data-setting='graph']").focus()
    page.keyboard.press("ArrowUp")                                    # back to the karate club, node 2 exists
    wait_for(page, (".dlw-mp", 1), "w.dataset.error === '' && w.dataset.node === '2'")

    outputs = page.locator(".jp-Cell-outputArea").all_inner_texts()
    assert not any("Traceback" in t for t in outputs)
    assert sum("✔" in t for t in outputs) >= 7
    assert page.console_errors == [], page.console_errors


@pytest.mark.parametrize("selector", [".dlw-gan", ".dlw-mp"])
def test_widgets_keep_their_shape_at_three_widths_and_follow_the_dark_theme(page, lab, screenshot_dir, selector):
    from .test_lessons_12_13_browser import check_widths_and_dark_theme

    check_widths_and_dark_theme(page, lab, screenshot_dir, "course/14_gans_graph_networks.ipynb", selector)


def test_a_click_chooses_the_node_under_it_at_any_width_and_hovering_works_out_its_message(page, lab, screenshot_dir):
    from .test_widgets_in_real_use import resize

    page.set_viewport_size({"width": 1600, "height": 1000})
    open_notebook(page, lab, "course/14_gans_graph_networks.ipynb")
    run_all_cells(page)
    mp = page.locator(".dlw-mp").first
    at = (".dlw-mp", 0)
    for width, node in ((1600, 5), (900, 17)):
        resize(page, width)
        mp.scroll_into_view_if_needed()
        canvas = mp.locator("canvas")
        scale = float(canvas.get_attribute("data-scale") or 1)
        x, y = json.loads(canvas.get_attribute("data-nodes"))[node - 1]
        canvas.click(position={"x": x * scale, "y": y * scale})
        wait_for(page, at, f"w.dataset.node === '{node}'")
    # the pointer rests on the chosen node: the readout works out the message it sends itself by the self-loop
    canvas.hover(position={"x": x * scale, "y": y * scale})
    wait_for(page, at, "w.dataset.readoutCore !== undefined && Math.abs(Number(w.dataset.readoutMessage) - Number(w.dataset.readoutCore)) < 1e-3")
    mp.screenshot(path=str(screenshot_dir / "lesson14_message_readout.png"))
    text = mp.locator(".dlw-readout").inner_text()
    assert f"node {node} (itself, by the self-loop)" in text and "(core: " in text, text
    assert page.console_errors == [], page.console_errors
