"""Receptive fields, TCN stacks and parameter counts against hand-worked numbers."""

import pytest

from dlwidgets.core import (INCEPTION_3A, Layer, conv2d_params, inception_params, receptive_field,
                            tcn_receptive_field)


def test_two_3x3_convs_see_5x5_and_three_see_7x7():
    fields = receptive_field([Layer(3), Layer(3), Layer(3)])
    assert [f.size for f in fields] == [3, 5, 7]
    assert [f.jump for f in fields] == [1, 1, 1]


def test_stride_multiplies_the_jump_and_widens_later_layers():
    # conv 3 s1, pool 2 s2, conv 3 s1: 3, then 3 + 1*1 = 4, then 4 + 2*2 = 8
    fields = receptive_field([Layer(3, 1, 1, 1), Layer(2, 2, name="pool"), Layer(3, 1, 1, 1)])
    assert [(f.size, f.jump) for f in fields] == [(3, 1), (4, 2), (8, 2)]


def test_first_output_centre_moves_with_padding():
    # 3x3 conv with padding 1: first output centred on input cell 0 (centre 0.5 in cell units).
    assert receptive_field([Layer(3, padding=1)])[0].start == 0.5
    assert receptive_field([Layer(3, padding=0)])[0].start == 1.5


def test_alexnet_conv1_pool1():
    fields = receptive_field([Layer(11, 4), Layer(3, 2, name="pool1")])
    assert (fields[-1].size, fields[-1].jump) == (11 + 2 * 4, 8)


@pytest.mark.parametrize("k, blocks, per_block, expected", [
    (2, 4, 1, 16),           # WaveNet-style: 1 + (1+2+4+8)
    (3, 4, 2, 61),           # Bai et al. TCN: 1 + 2*2*(1+2+4+8)
    (3, 1, 2, 5),
])
def test_tcn_receptive_field_is_one_plus_convs_times_k_minus_1_times_sum_of_dilations(k, blocks, per_block, expected):
    assert tcn_receptive_field(k, blocks, per_block) == expected


def test_conv_params_with_bias_groups_and_1x1():
    assert conv2d_params(3, 64, 3) == 64 * 3 * 9 + 64          # 1792, VGG's first layer
    assert conv2d_params(3, 64, 3, bias=False) == 1728
    assert conv2d_params(64, 64, 3, groups=64) == 64 * 9 + 64   # depthwise
    assert conv2d_params(256, 64, 1) == 256 * 64 + 64           # 1x1 bottleneck
    assert conv2d_params(3, 96, 11) == 34944                    # AlexNet conv1


def test_inception_3a_matches_googlenet_table():
    counts = inception_params(**INCEPTION_3A, bias=False)
    # The paper lists 159K parameters for inception (3a): 163,328 / 1024 = 159.5, truncated.
    assert counts["total"] == 163_328
    assert counts["total"] // 1024 == 159
    assert inception_params(**INCEPTION_3A)["total"] == 163_328 + 64 + 96 + 128 + 16 + 32 + 32


def test_bad_groups_are_rejected():
    with pytest.raises(ValueError, match="must divide"):
        conv2d_params(3, 64, 3, groups=2)
