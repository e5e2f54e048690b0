"""Interactive views over dlwidgets.core, drawn in the browser (anywidget), readable without a kernel."""

from .activation_explorer import ActivationExplorer
from .attention_map import AttentionMap
from .feature_map import FeatureMapCalculator
from .gan_dynamics import GANDynamics
from .gate_animator import GateAnimator
from .gradient_flow import GradientFlowMeter
from .init_explorer import InitExplorer
from .message_passing import MessagePassingExplorer
from .rnn_unroller import RNNUnroller
from .zero_centred import ZeroCentredUpdates

__all__ = ["ActivationExplorer", "AttentionMap", "FeatureMapCalculator", "GANDynamics", "GateAnimator",
           "GradientFlowMeter", "InitExplorer", "MessagePassingExplorer", "RNNUnroller", "ZeroCentredUpdates"]
