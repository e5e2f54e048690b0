"""What the grader refuses and what it repairs before a notebook runs."""

import json

import pytest

from dlwidgets.grading.lesson import load_lesson
from dlwidgets.grading.sanitize import Rejected, read_submission, rebuild

from .conftest import COURSE, LESSON, _index, _meta, answered


@pytest.fixture(scope="module")
def lesson():
    return load_lesson(COURSE / f"{LESSON}.ipynb")


def _ids(nb):
    return [_meta(c).get("grade_id") for c in nb["cells"] if _meta(c).get("grade_id")]


@pytest.mark.parametrize("content, reason", [
    (b"", "empty file"),
    (b"   \n", "empty file"),
    (b'{"cells": [', "not valid JSON"),
    (b'{"nbformat": 4}', "no list of cells"),
    (b"%PDF-1.7 binary \xff\xfe", "PDF"),
    (b"hello \xe9t\xe9", "x.ipynb is a file named .ipynb whose content is not a notebook"),
    (b"\xff\xfe{\x00\x00\xd8", "not valid UTF-16"),
])
def test_ungradable_files_are_rejected_with_a_reason(tmp_path, lesson, content, reason):
    path = tmp_path / "x.ipynb"
    path.write_bytes(content)
    with pytest.raises(Rejected, match=reason):
        read_submission(path, {}, lesson)


def test_another_lessons_notebook_is_named(tmp_path, lesson):
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps(answered("00_getting_started")))
    with pytest.raises(Rejected, match="00_getting_started"):
        read_submission(path, {"00_getting_started": {"linear_params", "linear_params_tests"}}, lesson)


def test_deleted_edited_and_moved_test_cells_are_restored_in_place(lesson):
    nb = answered()
    del nb["cells"][_index(nb, "conv2d_single_tests")]
    nb["cells"][_index(nb, "conv_output_size_tests")]["source"] = "pass"
    moved = nb["cells"].pop(_index(nb, "one_by_one_tests"))
    nb["cells"].insert(0, moved)
    prepared = rebuild(nb, lesson)
    assert _ids(prepared.notebook) == _ids(lesson.release)
    cell = prepared.notebook["cells"][_index(prepared.notebook, "conv_output_size_tests")]
    assert cell["source"] == lesson.visible_test_source("conv_output_size_tests")
    assert any("restored deleted test cell conv2d_single_tests" in n for n in prepared.notes)
    assert any("restored edited test cell conv_output_size_tests" in n for n in prepared.notes)
    assert any("moved" in n for n in prepared.notes)


def test_cells_a_learner_added_stay_after_the_cell_they_followed(lesson):
    nb = answered()
    at = _index(nb, "conv2d_single")
    nb["cells"].insert(at + 1, {"cell_type": "code", "metadata": {}, "source": "helper = 1", "outputs": [],
                                "execution_count": None})
    prepared = rebuild(nb, lesson)
    at = _index(prepared.notebook, "conv2d_single")
    assert prepared.notebook["cells"][at + 1]["source"] == "helper = 1"
    assert prepared.notes == []


def test_a_duplicated_test_cell_is_dropped_and_saved_outputs_are_cleared(lesson):
    nb = answered()
    cell = dict(nb["cells"][_index(nb, "one_by_one_tests")])
    nb["cells"].append(cell)
    nb["cells"][_index(nb, "one_by_one")]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x" * 10**6}]
    prepared = rebuild(nb, lesson)
    assert _ids(prepared.notebook).count("one_by_one_tests") == 1
    assert all(not c.get("outputs") for c in prepared.notebook["cells"])
    assert any("duplicate copy of test cell one_by_one_tests" in n for n in prepared.notes)


@pytest.mark.parametrize("codec, words", [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16 without a byte-order mark"),
                                          ("utf-32", "UTF-32"), ("latin-1", "not UTF-8")])
def test_a_notebook_saved_in_another_encoding_is_read_and_the_encoding_named(tmp_path, lesson, codec, words):
    nb = answered()
    nb["cells"][0]["source"] = "José García, ça va"
    path = tmp_path / "x.ipynb"
    text = json.dumps(nb).replace(json.dumps("José García, ça va"), '"José García, ça va"')  # the rest as ASCII
    path.write_bytes(text.encode(codec))
    read, notes = read_submission(path, {}, lesson)
    assert read["cells"][0]["source"] == "José García, ça va"
    assert len(notes) == 1 and words in notes[0] and "x.ipynb" in notes[0]


def test_a_utf8_notebook_needs_no_note(tmp_path, lesson):
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps(answered(), ensure_ascii=False), encoding="utf-8")
    assert read_submission(path, {}, lesson)[1] == []
