"""The widgets through a learner's first day in JupyterLab and Chromium: a kernel restart, a saved and
reopened notebook, a narrow column, the dark theme."""

import pytest

from .lab import open_notebook, run_all_cells

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
    pictures.first.scroll_into_view_if_needed()
    pictures.first.screenshot(path=str(screenshot_dir / "reopened_picture.png"))
