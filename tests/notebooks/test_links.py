"""Links between lessons lead somewhere: the notebook exists and, where a section is named, so is its heading."""

import re
import urllib.parse

import pytest

from .conftest import COURSE, load

LINK = re.compile(r"\]\((\d\d_\w+\.ipynb)(?:#((?:[^()\s]|\([^()\s]*\))+))?\)")   # an anchor may hold (B05)


def markdown_of(path):
    return ["".join(c["source"]) for c in load(path)["cells"] if c["cell_type"] == "markdown"]


def heading_ids(path):
    """The ids JupyterLab gives a notebook's headings: the rendered text with spaces turned into hyphens."""
    ids = set()
    for text in markdown_of(path):
        for line in text.splitlines():
            match = re.match(r"#{1,6}\s+(.*)", line)
            if match:
                rendered = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", match.group(1))   # a link shows its text
                rendered = re.sub(r"[*_`]", "", rendered).strip()
                ids.add(rendered.replace(" ", "-"))
    return ids


def links_in(path):
    texts = markdown_of(path) if path.suffix == ".ipynb" else [path.read_text(encoding="utf-8")]
    return [m.groups() for text in texts for m in LINK.finditer(text)]


SOURCES = sorted(COURSE.glob("[0-9][0-9]_*.ipynb")) + [COURSE / "README.md"]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_every_link_to_a_lesson_finds_the_lesson_and_its_section(path):
    problems = []
    for target, anchor in links_in(path):
        if not (COURSE / target).exists():
            problems.append(f"{target} does not exist")
        elif anchor and urllib.parse.unquote(anchor) not in heading_ids(COURSE / target):
            problems.append(f"{target} has no heading '{urllib.parse.unquote(anchor)}'")
    assert not problems, f"{path.name}: " + "; ".join(problems)
