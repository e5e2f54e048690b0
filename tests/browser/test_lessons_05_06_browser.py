"""Lessons 05 and 06 in JupyterLab and Chromium: the landscape explorer, the batch-size noise widget and the
optimizer race draw, react to every control by keyboard, play in the browser, and log no errors."""

import pytest

from .lab import open_notebook, run_all_cells

pytestmark = pytest.mark.browser


def canvas_pixels(widget):
    """A fingerprint of what the widget's canvas shows now."""
    return widget.locator("canvas").evaluate("c => c.toDataURL()")


def dataset(page, selector, key):
    return page.evaluate(f"() => document.querySelector({selector!r}).dataset[{key!r}]")


def wait_for(page, selector, condition):
    """Wait until ``condition`` (JavaScript, on ``d``, the widget's dataset) holds."""
    page.wait_for_function(f"() => {{ const d = document.querySelector({selector!r}).dataset; return {condition}; }}")


def press(page, control, *keys):
    control.focus()
    for key in keys:
        page.keyboard.press(key)


def assert_clean(page, checks):
    outputs = page.locator(".jp-Cell-outputArea").all_inner_texts()
    assert not any("Traceback" in text for text in outputs)
    assert sum("✔" in text for text in outputs) >= checks
    assert page.console_errors == [], page.console_errors


EXPLORER = ".dlw-landscape:not(.dlw-batch-noise):not(.dlw-race)"
NOISE = ".dlw-batch-noise"
RACE = ".dlw-race"


def test_lesson05_explorer_and_batch_noise_by_keyboard(page, lab, screenshot_dir):
    open_notebook(page, lab, "course/05_loss_landscapes_sgd.ipynb")
    run_all_cells(page)
    explorer = page.locator(EXPLORER).first
    explorer.scroll_into_view_if_needed()
    # The exercise-5 solution left kappa = 20 and lr = 1.9: converging, below 2 / lambda_max = 2.
    wait_for(page, EXPLORER, "d.lr === '1.9' && d.diverged === 'false' && d.maxStable === '2'")
    explorer.screenshot(path=str(screenshot_dir / "lesson05_explorer.png"))
    before = canvas_pixels(explorer)

    press(page, explorer.locator("input[data-setting='lr']"), "ArrowRight", "ArrowRight")   # 2.0, then 2.24
    wait_for(page, EXPLORER, "d.lr === '2.24' && d.diverged === 'true'")
    assert canvas_pixels(explorer) != before
    press(page, explorer.locator("input[data-setting='lr']"), "ArrowLeft", "ArrowLeft", "ArrowLeft")
    wait_for(page, EXPLORER, "d.diverged === 'false'")

    # Distill's buttons, by keyboard: the largest stable step, then the optimal one (kappa = 20: 2 and 1.905)
    press(page, explorer.get_by_role("button", name="Set the learning rate to the largest stable step 2/λmax"), "Enter")
    wait_for(page, EXPLORER, "d.lr === '2'")
    press(page, explorer.get_by_role("button", name="Set the learning rate to the optimal step 2/(λmin+λmax)"), "Enter")
    wait_for(page, EXPLORER, "d.lr === '1.9' && d.diverged === 'false'")
    press(page, explorer.locator("input[data-setting='condition']"), "ArrowRight")
    wait_for(page, EXPLORER, "d.draws > 0 && d.diverged === 'false'")
    press(page, explorer.locator("input[data-setting='noise']"), "ArrowRight")
    press(page, explorer.locator("input[data-setting='steps']"), "ArrowLeft")
    wait_for(page, EXPLORER, "true")
    start = dataset(page, EXPLORER, "start")
    press(page, explorer.locator("canvas"), "ArrowUp", "ArrowRight")                         # move the start
    wait_for(page, EXPLORER, f"d.start !== {start!r}")
    press(page, explorer.locator("select[data-setting='objective']"), "ArrowDown", "ArrowDown")  # the saddle
    wait_for(page, EXPLORER, "d.objective === 'saddle'")
    explorer.screenshot(path=str(screenshot_dir / "lesson05_explorer_saddle.png"))

    # Play the path in the browser, from the keyboard (space on the picture).
    press(page, explorer.locator("canvas"), "Space")
    page.wait_for_function(f"() => document.querySelector({EXPLORER!r}).dataset.playing === 'true'"
                           f" || Number(document.querySelector({EXPLORER!r}).dataset.step) > 0")
    press(page, explorer.locator("canvas"), "Space")

    noise = page.locator(NOISE).first
    noise.scroll_into_view_if_needed()
    wait_for(page, NOISE, "d.batchSize === '8'")
    variance = float(dataset(page, NOISE, "exactVariance"))
    press(page, noise.locator("select[data-setting='batch_size']"), "ArrowDown", "ArrowDown")   # 16, then 32
    wait_for(page, NOISE, "d.batchSize === '32'")
    assert float(dataset(page, NOISE, "exactVariance")) < variance / 4      # 1/B, and the (n - B)/(n - 1) factor
    press(page, noise.locator("select[data-setting='scaling']"), "ArrowDown")
    press(page, noise.locator("input[data-setting='lr']"), "ArrowRight")
    press(page, noise.locator("input[data-setting='epochs']"), "ArrowRight")
    theta = dataset(page, NOISE, "theta")
    press(page, noise.locator("canvas"), "ArrowLeft")
    wait_for(page, NOISE, f"d.theta !== {theta!r} && d.error === ''")
    noise.screenshot(path=str(screenshot_dir / "lesson05_batch_noise.png"))
    assert_clean(page, 6)


def test_lesson06_race_plays_at_30_fps_and_reacts_to_every_control(page, lab, screenshot_dir):
    open_notebook(page, lab, "course/06_optimizers.ipynb")
    run_all_cells(page)
    race = page.locator(RACE).first
    race.scroll_into_view_if_needed()
    # The exercise-7 solution left Rosenbrock, 300 steps, Adam in focus at lr 1.
    wait_for(page, RACE, "d.objective === 'rosenbrock' && d.steps === '300' && d.lrs.includes('Adam=1;')")
    race.screenshot(path=str(screenshot_dir / "lesson06_race.png"))

    # Scrub by keyboard, step, then play: all eight optimizers move together in the browser.
    press(page, race.locator("input[aria-label='Step shown']"), "Home")
    wait_for(page, RACE, "d.step === '0'")
    race.get_by_role("button", name="One step forward").click()
    assert dataset(page, RACE, "step") == "1"
    race.get_by_role("button", name="Play or pause the race").click()
    page.wait_for_timeout(2500)
    fps = int(dataset(page, RACE, "fps"))
    race.screenshot(path=str(screenshot_dir / "lesson06_race_playing.png"))
    assert dataset(page, RACE, "playing") == "true"
    assert fps >= 30, f"playback drew {fps} frames in the last second"
    race.get_by_role("button", name="Play or pause the race").click()
    assert dataset(page, RACE, "playing") == "false"

    before = dataset(page, RACE, "lrs")
    press(page, race.locator("input[data-setting='focus_lr']"), "ArrowLeft")                  # Adam at 0.891
    wait_for(page, RACE, "d.lrs.includes('Adam=0.891;')")
    press(page, race.locator("select[data-setting='focus']"), "ArrowUp")                     # RMSprop in focus
    press(page, race.locator("input[data-setting='steps']"), "ArrowLeft")                    # 290 steps
    wait_for(page, RACE, "d.steps === '290'")
    press(page, race.locator("input[data-setting='noise']"), "ArrowRight")
    press(page, race.locator("select[data-setting='learning_rates']"), "ArrowDown")          # torch defaults
    wait_for(page, RACE, "d.lrs.includes('SGD=0.001;')")
    assert dataset(page, RACE, "lrs") != before
    press(page, race.locator("select[data-setting='objective']"), "ArrowDown", "ArrowDown")   # Beale, the quadratic
    wait_for(page, RACE, "d.objective === 'quadratic'")
    press(page, race.locator("input[data-setting='condition']"), "ArrowRight")
    start = dataset(page, RACE, "start")
    press(page, race.locator("canvas"), "ArrowDown")
    wait_for(page, RACE, f"d.start !== {start!r} && d.error === ''")
    race.screenshot(path=str(screenshot_dir / "lesson06_race_quadratic.png"))
    assert_clean(page, 7)


# ---------------------------------------------------------------- any width, both themes

from .layout_checks import WIDTHS, check_widths_and_dark_theme  # noqa: E402


@pytest.mark.parametrize("lesson, selector, below_surface", [("course/05_loss_landscapes_sgd.ipynb", EXPLORER, 345),
                                                             ("course/05_loss_landscapes_sgd.ipynb", NOISE, 287),
                                                             ("course/06_optimizers.ipynb", RACE, 345)])
def test_widget_keeps_its_shape_in_a_narrow_column_and_follows_the_dark_theme(page, lab, screenshot_dir, lesson, selector,
                                                                              below_surface):
    page.set_viewport_size({"width": WIDTHS[0], "height": 1000})
    open_notebook(page, lab, lesson)
    run_all_cells(page)
    wait_for(page, selector, "d.kernel === 'live' && Number(d.draws) > 0 && !d.error")
    name = selector.split(":")[0].strip(".") + ("_explorer" if selector == EXPLORER else "")
    # the axis numbers and legend in the 24 units under the surface box (none of the pale surface is there)
    check_widths_and_dark_theme(page, page.locator(selector).first, name, screenshot_dir, (below_surface, 24, 360))
    assert page.console_errors == [], page.console_errors
