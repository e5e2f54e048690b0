"""Loaded into every kernel of the course's environment (IPython's kernel config in ``etc/ipython``).

A learner who opens a lesson and runs an exercise's check first, before the lesson's set-up cell,
would otherwise meet a bare ``NameError: name 'ex' is not defined``. This extension, loaded before any
cell runs, turns a NameError in a check cell into a sentence saying which cell to run first; any
other NameError keeps its usual traceback. It imports nothing heavy until such an error happens.
"""

from __future__ import annotations

__all__ = ["load_ipython_extension"]


def load_ipython_extension(shell) -> None:
    """IPython's hook: handle NameErrors as the exercise checks do (checking._name_not_defined)."""
    shell.set_custom_exc((NameError,), _name_not_defined)


def _name_not_defined(shell, etype, value, tb, tb_offset=None):
    from .exercises.checking import _name_not_defined as explain

    return explain(shell, etype, value, tb, tb_offset)
