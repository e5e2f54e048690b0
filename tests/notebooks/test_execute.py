"""The authors' execute command: a lesson run twice is saved byte for byte the same."""

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from dlwidgets.authoring.execute import WIDGET_VIEW, execute_notebook, main, settle_outputs


def widget_output(model_id):
    return new_output("display_data", data={WIDGET_VIEW: {"model_id": model_id, "version_major": 2,
                                                          "version_minor": 0}, "text/plain": "w"})


def executed(first_id, second_id):
    """A notebook as a run leaves it: split streams, widget outputs with the run's model ids, metadata."""
    cell = new_code_cell("print(1); print(2)")
    cell.outputs = [new_output("stream", name="stdout", text="a\n"), new_output("stream", name="stdout", text=["b\n", "c\n"]),
                    new_output("stream", name="stderr", text="warn\n"), new_output("stream", name="stdout", text="d\n"),
                    widget_output(first_id), widget_output(second_id)]
    cell.metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00"}
    return new_notebook(cells=[new_markdown_cell("# title"), cell], metadata={"widgets": {"state": {}}})


def test_settle_outputs_merges_streams_and_names_widgets_by_place():
    nb = executed("random-one", "random-two")
    settle_outputs(nb, "lesson.ipynb")
    outputs = nb.cells[1].outputs
    assert [(o.output_type, o.get("name"), o.get("text")) for o in outputs[:3]] == [
        ("stream", "stdout", "a\nb\nc\n"), ("stream", "stderr", "warn\n"), ("stream", "stdout", "d\n")]
    ids = [o.data[WIDGET_VIEW]["model_id"] for o in outputs[3:]]
    assert len(set(ids)) == 2 and all(len(i) == 32 for i in ids)
    assert "widgets" not in nb.metadata and "execution" not in nb.cells[1].metadata

    again = executed("random-three", "random-four")
    settle_outputs(again, "lesson.ipynb")
    assert [o.data[WIDGET_VIEW]["model_id"] for o in again.cells[1].outputs[3:]] == ids  # the place, not the run
    other = executed("random-one", "random-two")
    settle_outputs(other, "other_lesson.ipynb")
    assert not set(o.data[WIDGET_VIEW]["model_id"] for o in other.cells[1].outputs[3:]) & set(ids)


def test_a_course_widget_is_saved_as_its_picture_and_description_not_as_a_view_that_dies_with_the_kernel():
    cell = new_code_cell("calc")
    cell.outputs = [new_output("display_data", data={WIDGET_VIEW: {"model_id": "m", "version_major": 2,
                                                                   "version_minor": 0},
                                                     "image/png": "iVBORw0KGgo=", "text/plain": "A calculator"})]
    nb = new_notebook(cells=[cell])
    settle_outputs(nb, "lesson.ipynb")
    (output,) = nb.cells[0].outputs   # one output still, as nbval compares them one for one
    assert set(output.data) == {"image/png", "text/plain"} and output.data["text/plain"] == "A calculator"


def test_a_notebook_executed_twice_is_saved_the_same(tmp_path):
    # printed text that reaches the kernel in several messages, and a widget with a fresh model each run
    source = ("import sys, time\nimport ipywidgets\n"
              "for i in range(3):\n    print('line', i)\n    sys.stdout.flush()\n    time.sleep(0.05)\n"
              "ipywidgets.IntSlider(3)")
    path = tmp_path / "lesson.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(source)]), path)
    saved = []
    for _ in range(2):
        execute_notebook(path)
        saved.append(path.read_bytes())
    assert saved[0] == saved[1]
    outputs = nbformat.reads(saved[0].decode(), as_version=4).cells[0].outputs
    assert outputs[0].text == "line 0\nline 1\nline 2\n"
    assert WIDGET_VIEW in outputs[1].data


def test_a_notebook_that_is_not_there_is_named_and_nothing_runs(tmp_path, capsys):
    path = tmp_path / "lesson.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("1 + 1")]), path)
    before = path.read_bytes()
    assert main([str(path), str(tmp_path / "typo.ipynb")]) == 2
    message = capsys.readouterr().err
    assert "no such notebook" in message and "typo.ipynb" in message
    assert path.read_bytes() == before   # the one that exists was not run either


def test_every_lesson_is_saved_with_its_widgets_as_pictures_so_it_reopens_without_model_not_found(lessons):
    for path in lessons:
        nb = nbformat.read(path, as_version=4)
        dead = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
                for output in cell.outputs if WIDGET_VIEW in output.get("data", {}) and "image/png" in output.data]
        assert not dead, f"{path.name}: cells {dead} saved a live widget view; run dlwidgets.authoring.execute on it"
