"""Comparing two results of MLP.forward_backward."""

import numpy as np


def assert_identical(got, expected):
    """Every number of two ForwardBackwardResults equal, bit for bit."""
    assert got.loss == expected.loss
    np.testing.assert_array_equal(got.output, expected.output)
    assert got.layer_stats == expected.layer_stats
    assert got.weight_grad_norms == expected.weight_grad_norms
    assert got.activation_grad_norms == expected.activation_grad_norms
    assert (got.total_grad_norm, got.grad_ratio) == (expected.total_grad_norm, expected.grad_ratio)
    assert (got.clipped_total_norm, got.clipped_weight_grad_norms) == \
        (expected.clipped_total_norm, expected.clipped_weight_grad_norms)
    if expected.grads is None:
        assert got.grads is None
    else:
        for name, g in expected.grads.items():
            np.testing.assert_array_equal(got.grads[name], g, err_msg=name)
