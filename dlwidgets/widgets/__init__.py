"""Interactive views over dlwidgets.core, drawn in the browser (anywidget), readable without a kernel."""

from .activation_explorer import ActivationExplorer
from .attention_map import AttentionMap
from .dropout_ensemble import DropoutEnsemble
from .feature_map import FeatureMapCalculator
from .gate_animator import GateAnimator
from .gradient_flow import GradientFlowMeter
from .init_explorer import InitExplorer
from .norm_axes import NormAxes
from .overfitting_explorer import OverfittingExplorer
from .rnn_unroller import RNNUnroller
from .zero_centred import ZeroCentredUpdates

__all__ = ["ActivationExplorer", "AttentionMap", "FeatureMapCalculator", "GateAnimator", "GradientFlowMeter",
           "InitExplorer", "RNNUnroller", "ZeroCentredUpdates",
           "NormAxes", "OverfittingExplorer", "DropoutEnsemble"]
