"""Exercise checks, one module per lesson, on a shared checking layer.

In a lesson: ``from dlwidgets.exercises import convolutions as ex, hint``.
"""

from .checking import CheckFailed, hint, reset_hints

__all__ = ["CheckFailed", "hint", "reset_hints"]
