"""The maths behind every widget and exercise: numpy only, one concept per module.

Conventions follow PyTorch: NCHW tensors, weight (C_out, C_in/groups, kH, kW) for convolutions,
weight_ih / weight_hh with gates stacked (LSTM: i, f, g, o; GRU: r, z, n) for recurrent cells.
"""

from .activations import (ACTIVATIONS, DEFAULT_SATURATION_THRESHOLD, activation_and_grad, dead_fraction, elu,
                          elu_grad, gelu, gelu_grad, grad_peak, identity, identity_grad, leaky_relu, leaky_relu_grad,
                          log_softmax, log_softmax_jacobian, maxout, maxout_grad, relu, relu_grad, saturated_fraction,
                          sigmoid, sigmoid_grad, softmax, softmax_jacobian, softmax_vjp, tanh, tanh_and_grad,
                          tanh_grad)
from .attention import (SCORE_KINDS, Contexts, additive_params, additive_scores, attention, dot_scores,
                        encoder_decoder_contexts, masked_softmax, multihead_attention, multihead_params,
                        scaled_dot_scores)
from .classifier import (ClassifierRun, bce_with_logits, classifier_logits, classifier_loss_and_grads, init_classifier,
                         moons_data, train_classifier)
from .conv import PADDING_MODES, conv2d, effective_kernel_size, mode_output_size, output_size, resolve_padding
from .experiments import (BOTTLENECK_HIDDEN, BOTTLENECK_INPUT, BOTTLENECK_TEMPERATURE, attention_experiment,
                          bottleneck_experiment, gradient_ratio, gru_experiment, lstm_experiment, pulse_inputs,
                          rnn_experiment, rnn_radius_sweep, score_scaling_comparison,
                          mlp_batch, mlp_experiment, mlp_network, scaled_initialiser)
from .gan import (ADAM_BETAS, GAN_LOSSES, GAN_TARGETS, TARGET_MODES, GANRun, binned_target, covers_all_modes,
                  discriminator_loss_grads, gan_mlp_backward, gan_mlp_forward, gan_mlp_params, gan_value_at_optimum,
                  generator_loss_grads, js_divergence, mode_masses, optimal_discriminator, sample_target, target_pdf,
                  train_gan)
from .graph import (GCNRun, Graph, MessagePassing, adjacency_matrix, gcn_forward, gcn_layer, gcn_loss_and_grads,
                    hop_distances, karate_club, message_passing, normalised_adjacency, parse_graph, spring_layout,
                    train_gcn)
from .gumbel import (categorical_probs, expected_reward_gradient, gumbel_argmax, gumbel_noise, gumbel_softmax,
                     gumbel_softmax_jacobian, reinforce_gradient, straight_through)
from .gru import (GRU_GATES, GRUGradients, GRUSequence, GRUStep, gru_bptt, gru_gate_slice, gru_param_count,
                  gru_params, gru_sequence, gru_step, gru_step_backward)
from .init import (INITIALISERS, compute_fans, constant, glorot_limit, glorot_normal, glorot_uniform, he_normal,
                   he_uniform, lecun_normal, lecun_uniform, orthogonal, small_normal, zeros)
from .lstm import (LSTM_GATES, LSTMGradients, LSTMSequence, LSTMStep, lstm_bptt, lstm_gate_slice,
                   lstm_param_count, lstm_params, lstm_sequence, lstm_step, lstm_step_backward)
from .masks import MASK_KINDS, attention_mask, causal_mask, padding_mask
from .memory import retained_fraction, retention
from .moments import excess_kurtosis, sum_kurtosis
from .mlp import (BN_EPS, EXPLODING_ABOVE, LOSSES, MLP, VANISHING_BELOW, ForwardBackwardResult, LayerStats, PassStopped,
                  classify_gradient_ratio, clip_grad_norm, clip_grad_value, cross_entropy_loss, global_grad_norm,
                  mse_loss, norm_clipped)
from .mlp_trace import ForwardTrace
from .minibatch import (LineData, least_squares_gradient, full_gradient, gradient_noise_covariance, gradient_noise_variance,
                        least_squares_objective, line_data, minibatch_gradient, minibatch_gradients,
                        per_example_gradients, scaled_learning_rate, sgd_minibatch_run)
from .objectives import (OBJECTIVES, Objective, beale, condition_number, conditioned_quadratic, gd_rate,
                         hessian_eigenvalues, local_minimum_of_two_minima, max_stable_step, monkey_saddle, objective,
                         optimal_gd_rate, optimal_step, quadratic, rosenbrock, saddle, steps_to_shrink, two_minima)
from .optimizer_runs import DIVERGED_ABOVE, LR_GRID, RACERS, Racer, Run, race, run_optimizer, tune_learning_rate
from .optimizers import (DEFAULTS, OPTIMIZERS, adagrad_step, adam_step, adamw_step, lookahead_step, radam_rectification,
                         radam_rho, radam_step, rmsprop_step, sgd_step)
from .dropout import (dropconnect_linear, dropout, dropout_mask, masked_predictions, naive_recurrent_dropout_forward,
                      variational_rnn_forward, zoneout_rnn_forward)
from .dropout_ensemble import (ENSEMBLE_SCHEMES, EnsembleRun, dropout_ensemble, ensemble_network, mask_shape,
                               thinned_prediction)
from .norm_experiment import POPULATION_MEAN, POPULATION_STD, norm_batch, running_stats_experiment
from .normalisation import (NORM_EPS, NORM_KINDS, BatchNormResult, batch_norm_backward, batch_norm_eval,
                            batch_norm_train, batch_statistics_spread, group_norm, group_statistics, instance_norm,
                            layer_norm, norm_groups, normalise, running_stats_path, update_running_stats, weight_norm)
from .overfitting import (PENALTIES, VALIDATION_POINTS, TrainingRun, init_regressor, regression_data,
                          regressor_forward, regressor_loss_and_grads, target_function, train_regressor)
from .params import INCEPTION_3A, conv2d_params, inception_params, linear_params
from .penalties import (decoupled_weight_decay, l1_grad, l1_penalty, l2_grad, l2_penalty, sgd_weight_decay_step,
                        soft_threshold)
from .pooling import avg_pool2d, max_pool2d, pool_output_size
from .receptive_field import Layer, LayerField, receptive_field, tcn_layers, tcn_receptive_field
from .textgcn import STOP_WORDS, TINY_CORPUS, TextGraph, build_text_graph, pmi, tf_idf, tokenise
from .rnn import (RNNGradients, rnn_bptt, rnn_forward, rnn_param_count, rnn_params, rnn_step, rnn_step_backward,
                  scale_to_spectral_radius, spectral_radius)

__all__ = [
    "mlp_batch", "mlp_experiment", "mlp_network", "scaled_initialiser",
    # activations and their derivatives
    "ACTIVATIONS", "DEFAULT_SATURATION_THRESHOLD", "activation_and_grad", "dead_fraction", "elu", "elu_grad", "gelu",
    "gelu_grad", "grad_peak", "identity", "identity_grad", "leaky_relu", "leaky_relu_grad", "log_softmax",
    "log_softmax_jacobian", "maxout", "maxout_grad", "relu", "relu_grad", "saturated_fraction", "sigmoid",
    "sigmoid_grad", "softmax", "softmax_jacobian", "softmax_vjp", "tanh", "tanh_and_grad", "tanh_grad",
    # initialisation
    "INITIALISERS", "compute_fans", "constant", "glorot_limit", "glorot_normal", "glorot_uniform", "he_normal",
    "he_uniform", "lecun_normal", "lecun_uniform", "orthogonal", "small_normal", "zeros",
    "excess_kurtosis", "sum_kurtosis",
    # a fully connected network with gradient statistics
    "BN_EPS", "EXPLODING_ABOVE", "LOSSES", "MLP", "VANISHING_BELOW", "ForwardBackwardResult", "LayerStats", "PassStopped",
    "classify_gradient_ratio", "clip_grad_norm", "clip_grad_value", "cross_entropy_loss", "global_grad_norm",
    "mse_loss", "norm_clipped", "ForwardTrace",
    # convolution arithmetic
    "PADDING_MODES", "conv2d", "effective_kernel_size", "mode_output_size", "output_size", "resolve_padding",
    "INCEPTION_3A", "conv2d_params", "inception_params", "linear_params",
    "avg_pool2d", "max_pool2d", "pool_output_size",
    "Layer", "LayerField", "receptive_field", "tcn_layers", "tcn_receptive_field",
    # recurrent networks
    "RNNGradients", "rnn_bptt", "rnn_forward", "rnn_param_count", "rnn_params", "rnn_step", "rnn_step_backward",
    "scale_to_spectral_radius", "spectral_radius",
    "LSTM_GATES", "LSTMGradients", "LSTMSequence", "LSTMStep", "lstm_bptt", "lstm_gate_slice", "lstm_param_count",
    "lstm_params", "lstm_sequence", "lstm_step", "lstm_step_backward",
    "GRU_GATES", "GRUGradients", "GRUSequence", "GRUStep", "gru_bptt", "gru_gate_slice", "gru_param_count",
    "gru_params", "gru_sequence", "gru_step", "gru_step_backward",
    # attention
    "SCORE_KINDS", "Contexts", "additive_params", "additive_scores", "attention", "dot_scores",
    "encoder_decoder_contexts", "masked_softmax", "multihead_attention", "multihead_params", "scaled_dot_scores",
    "MASK_KINDS", "attention_mask", "causal_mask", "padding_mask",
    # memory through gates
    "retained_fraction", "retention",
    # the seeded runs of the recurrent and attention lessons
    "rnn_experiment", "gradient_ratio", "rnn_radius_sweep", "pulse_inputs", "lstm_experiment", "gru_experiment",
    "attention_experiment", "score_scaling_comparison", "BOTTLENECK_TEMPERATURE", "BOTTLENECK_HIDDEN",
    "BOTTLENECK_INPUT", "bottleneck_experiment",
    # GANs in one dimension, Gumbel-softmax, graph convolution and TextGCN
    "ADAM_BETAS", "GAN_LOSSES", "GAN_TARGETS", "TARGET_MODES", "GANRun", "binned_target", "covers_all_modes",
    "discriminator_loss_grads", "gan_mlp_backward", "gan_mlp_forward", "gan_mlp_params", "gan_value_at_optimum",
    "generator_loss_grads", "js_divergence", "mode_masses", "optimal_discriminator", "sample_target", "target_pdf",
    "train_gan",
    "categorical_probs", "expected_reward_gradient", "gumbel_argmax", "gumbel_noise", "gumbel_softmax",
    "gumbel_softmax_jacobian", "reinforce_gradient", "straight_through",
    "GCNRun", "Graph", "MessagePassing", "adjacency_matrix", "gcn_forward", "gcn_layer", "gcn_loss_and_grads",
    "hop_distances", "karate_club", "message_passing", "normalised_adjacency", "parse_graph", "spring_layout",
    "train_gcn",
    "STOP_WORDS", "TINY_CORPUS", "TextGraph", "build_text_graph", "pmi", "tf_idf", "tokenise",
]
from .information import DIVERGENCE_BINS, binned_distribution, cross_entropy_of, entropy, kl_divergence
from .losses import (REDUCTIONS, binary_cross_entropy_with_logits, cross_entropy, nll_loss, saturated_and_wrong,
                     sigmoid_cross_entropy_grad, sigmoid_mse, sigmoid_mse_grad, softplus)
from .numerics import (FLOAT_FORMATS, FormatLimits, LogSumExpSteps, first_overflow, format_limits, logsumexp_steps,
                       naive_log_softmax, naive_logsumexp, naive_softmax, stable_log_softmax, stable_logsumexp,
                       stable_softmax)

__all__ += [
    # losses and information (lesson 12)
    "DIVERGENCE_BINS", "binned_distribution", "cross_entropy_of", "entropy", "kl_divergence",
    "REDUCTIONS", "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "sigmoid_cross_entropy_grad",
    "sigmoid_mse", "sigmoid_mse_grad", "softplus", "saturated_and_wrong",
    # numerics (lesson 12)
    "FLOAT_FORMATS", "FormatLimits", "LogSumExpSteps", "first_overflow", "format_limits", "logsumexp_steps",
    "naive_log_softmax", "naive_logsumexp", "naive_softmax", "stable_log_softmax", "stable_logsumexp", "stable_softmax",
]
from .imbalance import (RESAMPLING_METHODS, ImbalanceResult, LogisticModel, balanced_class_weights,
                        fit_logistic_regression, imbalance_experiment, make_imbalanced_data, nearest_neighbours,
                        precision_recall_curve, precision_recall_f1, random_oversample, random_undersample, smote,
                        smote_point)

__all__ += [
    # class imbalance (lesson 13)
    "RESAMPLING_METHODS", "ImbalanceResult", "LogisticModel", "balanced_class_weights", "fit_logistic_regression",
    "imbalance_experiment", "make_imbalanced_data", "nearest_neighbours", "precision_recall_curve",
    "precision_recall_f1", "random_oversample", "random_undersample", "smote", "smote_point",
]
from .distillation import distillation_loss, soften
from .hierarchical_softmax import HuffmanTree, all_word_probabilities, expected_path_length, huffman_tree, word_probability
from .search import (SEARCH_OPTIMUM, best_point, distinct_values, expected_share, grid_points, grid_vs_random, per_decade,
                     random_points, sample_range, search_objective)

__all__ += [
    # distillation, hierarchical softmax, hyper-parameter search (lesson 13)
    "distillation_loss", "soften",
    "HuffmanTree", "all_word_probabilities", "expected_path_length", "huffman_tree", "word_probability",
    "SEARCH_OPTIMUM", "best_point", "distinct_values", "expected_share", "grid_points", "grid_vs_random", "per_decade", "random_points",
    "sample_range", "search_objective",
]
from .embeddings import (ANALOGIES, CATEGORIES, EMBEDDING_WORDS, RELATEDNESS, WordVectors, analogy, analogy_accuracy,
                         cluster_purity, cooccurrence, cosine_similarity, kmeans, make_corpus, ppmi, spearman,
                         svd_vectors, word_vectors)

__all__ += [
    # word vectors and their evaluation (lesson 13)
    "ANALOGIES", "CATEGORIES", "EMBEDDING_WORDS", "RELATEDNESS", "WordVectors", "analogy", "analogy_accuracy",
    "cluster_purity", "cooccurrence", "cosine_similarity", "kmeans", "make_corpus", "ppmi", "spearman", "svd_vectors",
    "word_vectors",
    # loss landscapes, minibatch noise and the optimizers
    "OBJECTIVES", "Objective", "beale", "condition_number", "conditioned_quadratic", "gd_rate", "hessian_eigenvalues",
    "local_minimum_of_two_minima", "max_stable_step", "monkey_saddle", "objective", "optimal_gd_rate", "optimal_step",
    "quadratic", "rosenbrock", "saddle", "steps_to_shrink", "two_minima",
    "LineData", "least_squares_gradient", "full_gradient", "gradient_noise_covariance", "gradient_noise_variance", "least_squares_objective",
    "line_data", "minibatch_gradient", "minibatch_gradients", "per_example_gradients", "scaled_learning_rate",
    "sgd_minibatch_run",
    "DEFAULTS", "OPTIMIZERS", "adagrad_step", "adam_step", "adamw_step", "lookahead_step", "radam_rectification",
    "radam_rho", "radam_step", "rmsprop_step", "sgd_step",
    "DIVERGED_ABOVE", "LR_GRID", "RACERS", "Racer", "Run", "race", "run_optimizer", "tune_learning_rate",
    # normalisation
    "NORM_EPS", "NORM_KINDS", "BatchNormResult", "batch_norm_backward", "batch_norm_eval", "batch_norm_train",
    "batch_statistics_spread", "group_norm", "group_statistics", "instance_norm", "layer_norm", "norm_groups",
    "normalise", "running_stats_path", "update_running_stats", "weight_norm",
    "POPULATION_MEAN", "POPULATION_STD", "norm_batch", "running_stats_experiment",
    # regularisation: penalties and weight decay, dropout and its relatives, an overfitting experiment
    "decoupled_weight_decay", "l1_grad", "l1_penalty", "l2_grad", "l2_penalty", "sgd_weight_decay_step",
    "soft_threshold", "dropconnect_linear", "dropout", "dropout_mask", "masked_predictions",
    "naive_recurrent_dropout_forward", "variational_rnn_forward", "zoneout_rnn_forward",
    "PENALTIES", "VALIDATION_POINTS", "TrainingRun", "init_regressor", "regression_data", "regressor_forward",
    "regressor_loss_and_grads", "target_function", "train_regressor",
    "ENSEMBLE_SCHEMES", "EnsembleRun", "dropout_ensemble", "ensemble_network", "mask_shape", "thinned_prediction",
    "ClassifierRun", "bce_with_logits", "classifier_logits", "classifier_loss_and_grads", "init_classifier",
    "moons_data", "train_classifier",
]
