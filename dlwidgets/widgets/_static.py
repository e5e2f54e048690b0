"""A static picture and a text description in every widget's output.

A live widget needs a kernel; GitHub, nbviewer and a PDF export show none. So each
widget's display bundle also carries a PNG of its current state and a sentence saying
what it shows, and JupyterLab still renders the live view.
"""

from __future__ import annotations

import base64
import io

__all__ = ["StaticFallback", "figure_png"]


def figure_png(fig) -> bytes:
    """PNG bytes of a matplotlib Figure, drawn with Agg (no pyplot, no global state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi, metadata={"Software": None})
    return buffer.getvalue()


class StaticFallback:
    """Mixin for anywidget classes: subclasses implement ``describe()`` and ``static_figure()``."""

    def describe(self) -> str:  # pragma: no cover - every widget overrides it
        raise NotImplementedError

    def static_figure(self):  # pragma: no cover - every widget overrides it
        raise NotImplementedError

    def static_png(self) -> bytes:
        """The widget's current state as a PNG image."""
        return figure_png(self.static_figure())

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        data = dict(data)
        data["text/plain"] = self.describe()
        data["image/png"] = base64.b64encode(self.static_png()).decode("ascii")
        return data, metadata
