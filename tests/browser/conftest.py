"""Fixtures for real-browser tests: a JupyterLab serving a copy of the course, and Chromium pages."""

import os
import pathlib
import shutil

import pytest

from .lab import JupyterLab, chromium_path, launch_chromium, watch_console

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCREENSHOTS = pathlib.Path(__file__).resolve().parent / "screenshots"


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """JupyterLab serving a copy of course/, so autosave can never touch the committed lessons."""
    if chromium_path() is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing; CI must install it (./dev test does so as root)")
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    root = tmp_path_factory.mktemp("lab-root")
    shutil.copytree(ROOT / "course", root / "course")
    with JupyterLab(root) as server:
        yield server


@pytest.fixture(scope="session")
def browser(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, lab):
    """A fresh page; ``page.console_errors`` collects console errors and uncaught exceptions."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    new_page = context.new_page()
    new_page.console_errors = watch_console(new_page)
    yield new_page
    context.close()
    lab.delete_kernels()


@pytest.fixture
def screenshot_dir():
    """Screenshots land here (ignored by git) so a person can look at what the test saw."""
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
