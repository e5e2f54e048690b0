"""Interactive views over dlwidgets.core, drawn in the browser (anywidget), readable without a kernel."""

from .activation_explorer import ActivationExplorer
from .attention_map import AttentionMap
from .feature_map import FeatureMapCalculator
from .gan_dynamics import GANDynamics
from .gate_animator import GateAnimator
from .gradient_flow import GradientFlowMeter
from .huffman_tree import HuffmanTreeView
from .imbalance_explorer import ImbalanceExplorer
from .init_explorer import InitExplorer
from .loss_explorer import LossExplorer
from .message_passing import MessagePassingExplorer
from .overflow_explorer import OverflowExplorer
from .rnn_unroller import RNNUnroller
from .search_explorer import SearchExplorer
from .zero_centred import ZeroCentredUpdates

__all__ = [
    "ActivationExplorer",
    "AttentionMap",
    "FeatureMapCalculator",
    "GANDynamics",
    "GateAnimator",
    "GradientFlowMeter",
    "HuffmanTreeView",
    "ImbalanceExplorer",
    "InitExplorer",
    "LossExplorer",
    "MessagePassingExplorer",
    "OverflowExplorer",
    "RNNUnroller",
    "SearchExplorer",
    "ZeroCentredUpdates",
]
