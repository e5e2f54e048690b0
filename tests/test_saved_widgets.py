"""A saved notebook keeps each course widget's picture, not a live view whose model dies with the kernel."""

import copy
import logging
import types

from dlwidgets.lab_server import _load_jupyter_server_extension
from dlwidgets.saved_widgets import WIDGET_STATE, WIDGET_VIEW, drop_dead_views, pre_save_hook

PNG = "iVBORw0KGgo="


def notebook(*outputs, saved_state=None):
    nb = {"cells": [{"cell_type": "markdown", "source": "x"},
                    {"cell_type": "code", "source": "w", "outputs": list(outputs)}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    if saved_state is not None:
        nb["metadata"]["widgets"] = {WIDGET_STATE: {"state": saved_state, "version_major": 2, "version_minor": 0}}
    return nb


def widget_output(model_id, png=True):
    data = {"text/plain": "Feature-map calculator: ...", WIDGET_VIEW: {"model_id": model_id, "version_major": 2}}
    if png:
        data["image/png"] = PNG
    return {"output_type": "display_data", "data": data, "metadata": {}}


def test_a_course_widget_keeps_its_picture_and_description_but_not_its_dead_view():
    nb = notebook(widget_output("abc"))
    assert drop_dead_views(nb) == 1
    picture, description = nb["cells"][1]["outputs"]
    assert set(picture["data"]) == {"text/plain", "image/png"}
    # JupyterLab shows the PNG of an output alone, so the description follows as text of its own
    assert description["data"] == {"text/plain": "Feature-map calculator: ..."}
    assert drop_dead_views(nb) == 0 and len(nb["cells"][1]["outputs"]) == 2   # saving again adds nothing


def test_a_widget_whose_state_the_notebook_saves_stays_live():
    nb = notebook(widget_output("abc"), widget_output("def"), saved_state={"abc": {"state": {}}})
    assert drop_dead_views(nb) == 1
    outputs = nb["cells"][1]["outputs"]
    assert WIDGET_VIEW in outputs[0]["data"] and WIDGET_VIEW not in outputs[1]["data"] and len(outputs) == 3


def test_other_widgets_and_outputs_are_left_alone():
    nb = notebook(widget_output("abc", png=False), {"output_type": "stream", "name": "stdout", "text": "hi"},
                  {"output_type": "execute_result", "data": {"image/png": PNG}, "metadata": {}, "execution_count": 1})
    before = copy.deepcopy(nb)
    assert drop_dead_views(nb) == 0
    assert nb == before


def test_the_server_runs_it_on_every_notebook_saved_and_only_on_notebooks():
    hooks = []
    contents = types.SimpleNamespace(register_pre_save_hook=hooks.append)
    app = types.SimpleNamespace(web_app=types.SimpleNamespace(settings={}), kernel_websocket_connection_class=object,
                                log=logging.getLogger("test"), contents_manager=contents)
    _load_jupyter_server_extension(app)
    assert hooks == [pre_save_hook]
    model = {"type": "notebook", "content": notebook(widget_output("abc"))}
    pre_save_hook(model, path="lesson.ipynb", contents_manager=contents)
    assert WIDGET_VIEW not in model["content"]["cells"][1]["outputs"][0]["data"]
    text = {"type": "file", "content": "not a notebook"}
    pre_save_hook(text, path="notes.txt", contents_manager=contents)
    assert text["content"] == "not a notebook"
