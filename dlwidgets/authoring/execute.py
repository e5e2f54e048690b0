"""Run lesson notebooks top to bottom and save them with outputs, reproducibly.

Authors run this after editing a lesson so nbval can compare the saved outputs, and so that
running it again changes nothing: no timing metadata, no saved widget state, a fixed hash seed,
widget outputs named after their place in the notebook (a kernel names them afresh every run)
and each run of printed text saved as one output (the kernel cuts it where it flushes, which
varies from run to run).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pathlib
import sys

__all__ = ["execute_notebook", "settle_outputs", "main"]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


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
    settle_outputs(nb, path.name)
    nbformat.write(nb, path)


def settle_outputs(nb, name: str) -> None:
    """Make an executed notebook's saved form depend on its outputs alone, not on the run: drop
    widget state and execution metadata, merge consecutive text of one stream, and keep of each
    widget output its PNG and description, not the live view (its model is gone with the kernel, and
    a reopened notebook would show "model not found" in its place). A widget output without a PNG
    keeps its view, with a model id made from ``name`` and the output's place."""
    from ..saved_widgets import drop_dead_views

    nb.metadata.pop("widgets", None)
    drop_dead_views(nb, describe=False)   # nbval compares outputs one for one: no extra description output
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        cell.outputs = _merged_streams(cell.outputs)
        for j, output in enumerate(cell.outputs):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if isinstance(view, dict) and "model_id" in view:
                view["model_id"] = hashlib.sha256(f"{name}:{i}:{j}".encode()).hexdigest()[:32]


def _merged_streams(outputs) -> list:
    """outputs with each run of consecutive stream outputs of one name (stdout, stderr) as one."""
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.get("output_type") == "stream" and previous is not None
                and previous.get("output_type") == "stream" and previous.get("name") == output.get("name")):
            previous["text"] = _text(previous["text"]) + _text(output["text"])
        else:
            merged.append(output)
    return merged


def _text(text) -> str:
    """A stream's text as one string (a saved notebook may hold it as a list of lines)."""
    return text if isinstance(text, str) else "".join(text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dlwidgets.authoring.execute",
                                     description="Execute lesson notebooks in place and save their outputs.")
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per cell")
    args = parser.parse_args(argv)
    missing = [name for name in args.notebooks if not pathlib.Path(name).is_file()]
    if missing:
        print(f"{parser.prog}: no such notebook: {', '.join(missing)}", file=sys.stderr)
        return 2
    for name in args.notebooks:
        execute_notebook(name, args.timeout)
        print(f"executed {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
