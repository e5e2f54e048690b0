"""Interactive views over dlwidgets.core, drawn in the browser (anywidget), readable without a kernel."""

from .activation_explorer import ActivationExplorer
from .attention_map import AttentionMap
from .batch_noise import BatchNoise
from .dropout_ensemble import DropoutEnsemble
from .feature_map import FeatureMapCalculator
from .gan_dynamics import GANDynamics
from .gate_animator import GateAnimator
from .gradient_flow import GradientFlowMeter
from .huffman_tree import HuffmanTreeView
from .imbalance_explorer import ImbalanceExplorer
from .init_explorer import InitExplorer
from .landscape_explorer import LandscapeExplorer
from .loss_explorer import LossExplorer
from .message_passing import MessagePassingExplorer
from .norm_axes import NormAxes
from .optimizer_race import OptimizerRace
from .overfitting_explorer import OverfittingExplorer
from .overflow_explorer import OverflowExplorer
from .rnn_unroller import RNNUnroller
from .search_explorer import SearchExplorer
from .zero_centred import ZeroCentredUpdates

__all__ = [
    "ActivationExplorer",
    "AttentionMap",
    "BatchNoise",
    "DropoutEnsemble",
    "FeatureMapCalculator",
    "GANDynamics",
    "GateAnimator",
    "GradientFlowMeter",
    "HuffmanTreeView",
    "ImbalanceExplorer",
    "InitExplorer",
    "LandscapeExplorer",
    "LossExplorer",
    "MessagePassingExplorer",
    "NormAxes",
    "OptimizerRace",
    "OverfittingExplorer",
    "OverflowExplorer",
    "RNNUnroller",
    "SearchExplorer",
    "ZeroCentredUpdates",
]
