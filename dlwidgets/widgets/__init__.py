"""Interactive views over dlwidgets.core, drawn in the browser (anywidget), readable without a kernel."""

from .attention_map import AttentionMap
from .feature_map import FeatureMapCalculator
from .gate_animator import GateAnimator
from .rnn_unroller import RNNUnroller

__all__ = ["AttentionMap", "FeatureMapCalculator", "GateAnimator", "RNNUnroller"]
