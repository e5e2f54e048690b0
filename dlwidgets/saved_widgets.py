"""What a saved notebook keeps of a course widget: its picture and description, readable when reopened.

A widget's output holds the live view (``application/vnd.jupyter.widget-view+json``, which names a
model in the kernel) beside a PNG and a text description (see ``dlwidgets.widgets._static``).
JupyterLab and Notebook 7 always prefer the live view; once the notebook is reopened its model is
gone (unless the notebook saved the widgets' state), and they show "Error displaying widget: model
not found" in place of the picture. So on saving, the server drops the live view from every output
that also carries a PNG and whose model's state the notebook does not save, and puts the widget's
description under its picture as text: a reopened notebook shows the last picture and description,
and running the cell again brings the live widget back.
"""

from __future__ import annotations

__all__ = ["WIDGET_VIEW", "WIDGET_STATE", "DESCRIPTION", "saved_model_ids", "drop_dead_views", "pre_save_hook"]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def saved_model_ids(nb: dict) -> set[str]:
    """The ids of the widget models whose state the notebook's metadata saves."""
    widgets = (nb.get("metadata") or {}).get("widgets") or {}
    state = (widgets.get(WIDGET_STATE) or {}).get("state") or {}
    return set(state) if isinstance(state, dict) else set()


DESCRIPTION = "dlwidgets-description"   # marks the text output that follows a widget's picture


def _description(text) -> dict:
    """An output showing a widget's description as text, under its picture (which shows the PNG alone)."""
    return {"output_type": "display_data", "data": {"text/plain": text}, "metadata": {DESCRIPTION: True}}


def drop_dead_views(nb: dict, describe: bool = True) -> int:
    """Remove the live view from each output that has a PNG beside it and no saved model state, and put
    the output's description (its text/plain) under the picture unless ``describe`` is false; returns how
    many views were removed. ``nb`` is a notebook as a dict (nbformat 4), changed in place."""
    kept = saved_model_ids(nb)
    dropped = 0
    for cell in nb.get("cells") or []:
        if cell.get("cell_type") != "code":
            continue
        outputs = []
        for output in cell.get("outputs") or []:
            outputs.append(output)
            data = output.get("data")
            if not isinstance(data, dict) or "image/png" not in data:
                continue
            view = data.get(WIDGET_VIEW)
            if isinstance(view, dict) and view.get("model_id") not in kept:
                del data[WIDGET_VIEW]
                dropped += 1
                if describe and data.get("text/plain"):
                    outputs.append(_description(data["text/plain"]))
        cell["outputs"] = outputs
    return dropped


def pre_save_hook(model: dict, **_kwargs) -> None:
    """A Jupyter server contents pre-save hook: drop_dead_views on every notebook saved."""
    if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
        drop_dead_views(model["content"])
