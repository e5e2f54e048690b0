"""Interactive views over dlwidgets.core, drawn in the browser (anywidget), readable without a kernel."""

from .feature_map import FeatureMapCalculator

__all__ = ["FeatureMapCalculator"]
