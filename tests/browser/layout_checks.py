"""The width and theme checks every widget meets in its lesson's browser test: at each of three widths its
picture keeps the shape of its drawing (never squashed one way), is scaled by at least 0.75 and fits the
column without scrolling sideways; on the dark theme its canvas sits on the theme's background and its text
is drawn in a light colour."""

from .test_widgets_in_real_use import WIDTHS, resize, set_theme

__all__ = ["WIDTHS", "check_widths_and_dark_theme"]

SHAPE = """(canvas) => {
    const rect = canvas.getBoundingClientRect(), root = canvas.closest('.dlw-widget');
    return { cssW: rect.width, cssH: rect.height, bitmapW: canvas.width, bitmapH: canvas.height,
             scale: Number(canvas.dataset.scale || 1), root: root.clientWidth, scrolls: root.scrollWidth > root.clientWidth };
}"""

# pixels in the theme's light text colour in a band of the drawing (top, height and width in drawing units; a
# width of 0 is the whole canvas); small text is antialiased, so a pixel counts from half cover
LIGHT_PIXELS = """(c, [top, height, width]) => {
    const k = Number(c.dataset.scale || 1) * c.width / parseFloat(c.style.width);
    const w = width ? Math.min(c.width, Math.round(width * k)) : c.width;
    const data = c.getContext('2d').getImageData(0, Math.round(top * k), w, Math.round(height * k)).data;
    let light = 0;
    for (let p = 0; p < data.length; p += 4) if (data[p + 3] > 120 && data[p] > 180 && data[p + 1] > 180 && data[p + 2] > 180) light++;
    return light;
}"""


def _same_shape(s) -> bool:
    return abs(s["cssW"] / s["cssH"] - s["bitmapW"] / s["bitmapH"]) < 0.02


def check_widths_and_dark_theme(page, widget, name, screenshot_dir, text_band) -> None:
    """The checks above on ``widget`` (a locator; its first canvas is measured), screenshots named after ``name``;
    ``text_band`` = (top, height, width) of a band holding only text in the widest layout's drawing units."""
    canvas = widget.locator("canvas").first
    for width in WIDTHS:
        resize(page, width)
        s = canvas.evaluate(SHAPE)
        assert s["bitmapW"] > 20, (width, s)
        assert _same_shape(s), (width, s)
        assert s["scale"] >= 0.75 - 1e-9, (width, s)
        assert s["cssW"] <= s["root"] + 1 and not s["scrolls"], (width, s)   # stacked panels: nothing cut off
        widget.scroll_into_view_if_needed()
        widget.screenshot(path=str(screenshot_dir / f"theme_{name}_{width}.png"))

    set_theme(page, "JupyterLab Dark")
    try:
        widget.scroll_into_view_if_needed()
        widget.screenshot(path=str(screenshot_dir / f"theme_{name}_dark.png"))
        background = canvas.evaluate("c => getComputedStyle(c).backgroundColor")
        assert background not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), background
        assert canvas.evaluate(LIGHT_PIXELS, list(text_band)) > 0, "no light text on the dark theme"
        assert _same_shape(canvas.evaluate(SHAPE))
    finally:
        set_theme(page, "JupyterLab Light")   # the theme is a setting the server keeps for the next tests
