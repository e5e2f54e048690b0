"""Shared fixtures for notebook tests: the lesson list and their student versions."""

import json
import pathlib

import pytest

from dlwidgets.authoring.student import build_student_versions, lesson_paths

COURSE = pathlib.Path(__file__).resolve().parents[2] / "course"


def load(path):
    return json.loads(pathlib.Path(path).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def lessons():
    paths = lesson_paths(COURSE)
    assert paths, "no lessons found in course/"
    return paths


@pytest.fixture(scope="session")
def student_dir(tmp_path_factory, lessons):
    out = tmp_path_factory.mktemp("student")
    build_student_versions(COURSE, out)
    return out
