"""A check run before the lesson's set-up cell says which cells to run first, in a real kernel of this environment."""

import pathlib
import re
import sys

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

ROOT = pathlib.Path(__file__).resolve().parents[1]
INSTALLED = pathlib.Path(sys.prefix) / "etc" / "ipython" / "ipython_kernel_config.json"


def run(*sources):
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    return nb


def error_text(cell):
    (error,) = [o for o in cell.outputs if o.output_type == "error"]
    return re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error.traceback))


def test_the_environment_loads_the_extension_into_every_kernel():
    assert INSTALLED.read_text() == (ROOT / "jupyter-config" / "ipython" / "ipython_kernel_config.json").read_text(), \
        "./dev (or pip install) puts the kernel config in the environment"


@pytest.mark.skipif(not INSTALLED.exists(), reason="the kernel config is not installed in this environment")
def test_a_check_before_the_set_up_cell_says_to_run_the_cells_above_and_other_name_errors_keep_their_traceback():
    nb = run("ex.check_conv_output_size(conv_output_size)", "undefined_name + 1")
    words = error_text(nb.cells[0])
    assert "the lesson's set-up cell has not run" in words and "Run All Above" in words
    assert "Traceback" not in words
    other = error_text(nb.cells[1])
    assert "NameError" in other and "undefined_name" in other and "set-up" not in other
