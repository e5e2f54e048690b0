"""dlwidgets: interactive widgets and autograded exercises for a deep-learning fundamentals course."""

__version__ = "0.1.0"
__all__ = ["__version__"]
