"""dlwidgets.core is the model: numpy only, importable where no widget library is installed."""

import ast
import pathlib
import subprocess
import sys

CORE = pathlib.Path(__file__).resolve().parents[1] / "dlwidgets" / "core"
ALLOWED = {"numpy", "math", "dataclasses", "typing", "__future__", "functools", "itertools", "collections", "numbers",
           "threading"}

BLOCKER = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {'ipywidgets', 'matplotlib', 'anywidget', 'traitlets', 'IPython'}:
            raise ImportError('blocked for this test: ' + name)
sys.meta_path.insert(0, Block())
import dlwidgets.core as core
print(core.output_size(32, 3, 1), sorted(m for m in sys.modules if m.startswith('dlwidgets')))
"""


def test_core_imports_with_ipywidgets_and_matplotlib_unavailable():
    result = subprocess.run([sys.executable, "-c", BLOCKER], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("32 ")
    assert "dlwidgets.widgets" not in result.stdout and "dlwidgets.exercises" not in result.stdout


def test_core_modules_import_only_numpy_and_the_standard_library():
    for path in CORE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [] if node.level else [node.module.split(".")[0]]
            else:
                continue
            bad = [n for n in names if n not in ALLOWED]
            assert not bad, f"{path.name} imports {bad}"
