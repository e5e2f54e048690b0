"""Run lesson notebooks top to bottom and save them with outputs, reproducibly.

Authors run this after editing a lesson so nbval can compare the saved outputs:
no timing metadata, no saved widget state (model ids change every run), a fixed hash seed.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys

__all__ = ["execute_notebook", "main"]


def execute_notebook(path, timeout: int = 120) -> None:
    """Execute ``path`` in place in a fresh kernel started in the notebook's folder."""
    import nbformat
    from nbclient import NotebookClient

    path = pathlib.Path(path)
    nb = nbformat.read(path, as_version=4)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dlwidgets.authoring.execute",
                                     description="Execute lesson notebooks in place and save their outputs.")
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per cell")
    args = parser.parse_args(argv)
    for name in args.notebooks:
        execute_notebook(name, args.timeout)
        print(f"executed {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
