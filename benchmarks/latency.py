"""Shared measuring tools for the widget benchmarks: kernel-side cost and key-press-to-pixels.

Browser latency is measured inside the page: the clock starts at the keydown (capture
phase) and stops at the animation frame after the widget redrew (an anywidget bumps its
``data-draws`` attribute; an ``interact`` baseline inserts a new <img>, which is decoded
first). Each press waits for its own result, so no two measurements overlap.
"""

from __future__ import annotations

import contextlib
import pathlib
import tempfile
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.browser.lab import JupyterLab, launch_chromium, open_notebook, run_all_cells, run_in_kernel  # noqa: E402

__all__ = ["summary", "computing", "changing", "time_calls", "write_notebook", "browser_session", "press_and_measure",
           "run_in_kernel", "presses_without_lookahead", "widget_and_baseline", "measure_baseline",
           "draws_per_second", "fps_playing_to_the_end", "fps_playing_for", "slider_and_playback", "ROOT"]


def summary(samples_ms) -> dict:
    """Median, 95th percentile and count of a list of milliseconds."""
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"median": statistics.median(ordered), "p95": p95, "n": len(ordered)}


def computing(widget):
    """The widget with its remembered views switched off, so that every change computes its view:
    what the kernel-side rows time (a remembered view costs next to nothing)."""
    widget._REMEMBERED_VIEWS = 0
    widget._remembered.clear()
    return widget


def changing(widget, name: str):
    """fn(value) that sets one of the widget's settings and serialises its view: what a change from
    the browser costs the kernel (the view's JSON state is what it sends back)."""
    def change(value):
        setattr(widget, name, value)
        widget.get_state("view")
    return change


def time_calls(fn, arguments, warmup: int = 5) -> list[float]:
    """Milliseconds per call of ``fn(arg)`` for each argument, after a few warm-up calls."""
    for arg in arguments[:warmup]:
        fn(arg)
    samples = []
    for arg in arguments:
        start = time.perf_counter()
        fn(arg)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def write_notebook(path, cells) -> None:
    """A notebook of code cells, for a benchmark to open in Lab."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell(src) for src in cells])
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nbformat.write(nb, path)


class browser_session:
    """JupyterLab serving ``root`` and a Chromium page, as a context manager.

    ``session.open_and_run("bench.ipynb")`` opens a notebook and runs all of it;
    ``session.page`` is the Playwright page.
    """

    def __init__(self, root):
        self.root = root

    def __enter__(self) -> "browser_session":
        from playwright.sync_api import sync_playwright

        self.lab = JupyterLab(self.root).__enter__()
        self._playwright_cm = sync_playwright()
        playwright = self._playwright_cm.__enter__()
        self._browser = launch_chromium(playwright)
        self._context = self._browser.new_context(viewport={"width": 1400, "height": 1000})
        self.page = self._context.new_page()
        return self

    def open_and_run(self, relative_path) -> None:
        open_notebook(self.page, self.lab, relative_path)
        run_all_cells(self.page)

    def __exit__(self, *exc) -> None:
        self._context.close()
        self._browser.close()
        self._playwright_cm.__exit__(*exc)
        self.lab.__exit__(*exc)


_INSTALL = """
(args) => {
  const [kind, target] = args;
  const root = document.querySelector(target);
  const state = window.__latency = { t0: null, samples: [] };
  document.addEventListener('keydown', () => { state.t0 = performance.now(); }, true);
  const done = () => requestAnimationFrame(() => {
    if (state.t0 !== null) { state.samples.push(performance.now() - state.t0); state.t0 = null; }
  });
  if (kind === 'draws') {
    new MutationObserver(done).observe(root, { attributes: true, attributeFilter: ['data-draws'] });
  } else {
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) {
        const imgs = n.tagName === 'IMG' ? [n] : (n.querySelectorAll ? [...n.querySelectorAll('img')] : []);
        for (const img of imgs) img.decode().then(done, done);
      }
    }).observe(root, { childList: true, subtree: true });
  }
}
"""


def press_and_measure(page, kind: str, target: str, control: str, presses: int = 30,
                      keys=("ArrowRight", "ArrowLeft"), pause_s: float = 0.15) -> list[float]:
    """Focus ``control``, press keys alternately, and return key-to-pixels times in ms.

    kind 'draws': ``target`` is an element whose data-draws attribute changes on each draw.
    kind 'img': ``target`` contains an output area where each redraw inserts a new <img>.
    """
    page.evaluate(_INSTALL, [kind, target])
    page.locator(control).first.focus()
    for i in range(presses):
        page.keyboard.press(keys[i % len(keys)])
        page.wait_for_function(f"() => window.__latency.samples.length >= {i + 1}", timeout=30_000)
        time.sleep(pause_s)
    return page.evaluate("window.__latency.samples")


def presses_without_lookahead(page, kind: str, target: str, control: str, widget_name: str, presses: int = 30,
                              keys=("ArrowRight", "ArrowLeft")):
    """Key-to-pixels with the widget's look-ahead and remembered views switched off, so every press
    waits for the kernel to compute the view.

    ``widget_name`` is the widget's variable in the notebook. Two warm-up presses empty the
    neighbouring views the browser already holds; both are switched back on at the end.
    """
    run_in_kernel(page, f"{widget_name}._LOOKAHEAD_VALUES = 0; {widget_name}._REMEMBERED_VIEWS = 0; "
                        f"{widget_name}._remembered.clear()")
    try:
        return press_and_measure(page, kind, target, control, presses + 2, keys)[2:]
    finally:
        run_in_kernel(page, f"del {widget_name}._LOOKAHEAD_VALUES; del {widget_name}._REMEMBERED_VIEWS")


@contextlib.contextmanager
def widget_and_baseline(widget_cell: str, baseline_cell: str, widget_selector: str):
    """A page in Lab showing a widget cell and an ``interact`` baseline cell, both drawn once."""
    with tempfile.TemporaryDirectory(prefix="dlwidgets-bench-") as root:
        write_notebook(pathlib.Path(root) / "bench.ipynb", [widget_cell, baseline_cell])
        with browser_session(root) as session:
            session.open_and_run("bench.ipynb")
            session.page.wait_for_selector(f"{widget_selector}[data-draws]")
            session.page.wait_for_selector(".widget-interact img")
            yield session.page


def measure_baseline(page, presses: int) -> list[float]:
    """Key-to-pixels of the ``interact`` baseline's slider (a new matplotlib image per change)."""
    return press_and_measure(page, "img", ".widget-interact", ".widget-interact .noUi-handle", presses)


def draws_per_second(page, root: str, during) -> float:
    """Frames the widget at selector ``root`` draws per second (its ``data-draws``) while ``during()`` runs."""
    count = f"() => [Number(document.querySelector({root!r}).dataset.draws), performance.now()]"
    start = page.evaluate(count)
    during()
    end = page.evaluate(count)
    return (end[0] - start[0]) / ((end[1] - start[1]) / 1000)


def fps_playing_to_the_end(page, root: str, speed_label: str, rewind: str, play: str, attribute: str, last: str,
                           speed: str = "60") -> float:
    """Frames per second while the recording plays at ``speed`` from where the ``rewind`` button leaves it to the
    frame whose ``data-<attribute>`` is ``last``."""
    widget = page.locator(root).first
    widget.scroll_into_view_if_needed()
    widget.locator(f"input[aria-label={speed_label!r}]").fill(speed)
    widget.get_by_role("button", name=rewind).click()
    done = (f"() => document.querySelector({root!r}).dataset.playing === 'false'"
            f" && document.querySelector({root!r}).dataset.{attribute} === {last!r}")
    return draws_per_second(page, root, lambda: (widget.get_by_role("button", name=play).click(),
                                                 page.wait_for_function(done, timeout=20_000)))


def fps_playing_for(page, root: str, start, stop, seconds: float) -> float:
    """Frames per second over ``seconds`` of play: ``start()`` sets it playing, ``stop()`` ends it."""
    page.locator(root).first.scroll_into_view_if_needed()
    start()
    page.wait_for_timeout(500)
    fps = draws_per_second(page, root, lambda: page.wait_for_timeout(int(seconds * 1000)))
    stop()
    return fps


def slider_and_playback(widget_cell: str, root: str, slider: str, widget_name: str, presses: int, playback,
                        keys=("ArrowRight", "ArrowLeft"), pause_s: float = 0.15):
    """In a notebook holding only ``widget_cell``: the ``slider``'s key presses to pixels with the look-ahead and
    with it off (summaries), then ``playback(page)``'s frame rate: (with, without, fps)."""
    with tempfile.TemporaryDirectory(prefix="dlwidgets-bench-") as folder:
        write_notebook(pathlib.Path(folder) / "bench.ipynb", [widget_cell])
        with browser_session(folder) as session:
            session.open_and_run("bench.ipynb")
            page = session.page
            page.wait_for_selector(f"{root}[data-draws]")
            widget = summary(press_and_measure(page, "draws", root, slider, presses, keys=keys, pause_s=pause_s))
            kernel = summary(presses_without_lookahead(page, "draws", root, slider, widget_name, presses, keys=keys))
            return widget, kernel, playback(page)
