from __future__ import annotations

import math

import keras
import numpy as np
import pytest

from edsr_helpers import model as edsr_model
from edsr_helpers.constants import DIV2K_RGB_MEAN


def _np(tensor) -> np.ndarray:
    """Any engine's tensor as numpy (torch tensors that carry gradients included)."""
    return keras.ops.convert_to_numpy(tensor)


@pytest.fixture(scope="module")
def tiny():
    """A small EDSR (2 blocks, 8 filters) for fast shape and serialization checks."""
    return edsr_model.edsr(scale=4, num_res_blocks=2, num_filters=8, res_scale=0.5)


def _lr(height, width, batch=1, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (batch, height, width, 3)).astype("float32")


@pytest.mark.parametrize("scale", [2, 3, 4])
@pytest.mark.parametrize(("height", "width"), [(7, 13), (16, 16), (1, 1)])
def test_output_shape_for_every_scale_and_odd_sizes(scale, height, width):
    model = edsr_model.edsr(scale, num_res_blocks=1, num_filters=8)
    sr = model(_lr(height, width, batch=2))
    assert tuple(sr.shape) == (2, height * scale, width * scale, 3)
    assert keras.backend.standardize_dtype(sr.dtype) == "float32"


def test_unsupported_scale_is_refused():
    with pytest.raises(ValueError, match="2, 3, 4"):
        edsr_model.edsr(scale=8)
    with pytest.raises(ValueError, match="preset"):
        edsr_model.edsr_preset("huge")


EXPECTED_PARAMETERS = {
    ("baseline", 2): 1_369_859,
    ("baseline", 3): 1_554_499,
    ("baseline", 4): 1_517_571,  # = the keras-io model's count; paper 1.52M
    ("full", 2): 40_729_603,
    ("full", 3): 43_680_003,
    ("full", 4): 43_089_923,
}


@pytest.mark.parametrize(("preset", "scale"), sorted(EXPECTED_PARAMETERS))
def test_exact_parameter_counts(preset, scale):
    expected = EXPECTED_PARAMETERS[(preset, scale)]
    config = edsr_model.PRESETS[preset]
    assert edsr_model.count_parameters(scale, config.num_res_blocks, config.num_filters) == expected
    if preset == "baseline" or scale == 4:  # building every full model is slow; x4 proves the formula
        assert edsr_model.edsr_preset(preset, scale).count_params() == expected


def test_published_counts_round_to_ours():
    for (preset, scale), published in edsr_model.PUBLISHED_PARAMETERS_M.items():
        decimals = 1 if published >= 10 else 2
        assert round(EXPECTED_PARAMETERS[(preset, scale)] / 1e6, decimals) == published, (preset, scale)


def test_pixel_shuffle_hand_computed():
    # one pixel with 4 channels [0, 1, 2, 3] becomes a 2x2 block read row by row
    x = np.arange(4, dtype="float32").reshape(1, 1, 1, 4)
    np.testing.assert_array_equal(_np(edsr_model.PixelShuffle(2)(x))[0, :, :, 0], [[0, 1], [2, 3]])
    # 2x2 pixels x 8 channels -> 4x4 x 2: channel (i*2 + j)*2 + c goes to block position (i, j), channel c
    x = np.arange(32, dtype="float32").reshape(1, 2, 2, 8)
    out = _np(edsr_model.PixelShuffle(2)(x))
    expected = np.zeros((4, 4, 2))
    for h in range(2):
        for w in range(2):
            for i in range(2):
                for j in range(2):
                    for c in range(2):
                        expected[2 * h + i, 2 * w + j, c] = x[0, h, w, (i * 2 + j) * 2 + c]
    np.testing.assert_array_equal(out[0], expected)


@pytest.mark.parametrize("block_size", [2, 3])
def test_pixel_shuffle_fallback_matches_tensorflow(block_size):
    tf = pytest.importorskip("tensorflow")
    x = _lr(5, 7, batch=2)[..., :1].repeat(block_size * block_size * 4, axis=-1) + np.arange(
        block_size * block_size * 4, dtype="float32"
    )
    reference = tf.nn.depth_to_space(x, block_size).numpy()
    np.testing.assert_array_equal(_np(edsr_model.pixel_shuffle(x, block_size)), reference)
    np.testing.assert_array_equal(_np(edsr_model.pixel_shuffle_by_reshape(x, block_size)), reference)


def test_pixel_shuffle_fallback_works_inside_a_model(monkeypatch):
    """Colab's Keras (3.10-3.13) has no ops.depth_to_space: the model must build and agree without it."""
    model = edsr_model.edsr(3, num_res_blocks=1, num_filters=4)
    expected = _np(model(_lr(5, 6)))
    monkeypatch.delattr(keras.ops, "depth_to_space", raising=False)
    rebuilt = edsr_model.edsr(3, num_res_blocks=1, num_filters=4)
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_allclose(_np(rebuilt(_lr(5, 6))), expected, rtol=1e-5, atol=1e-3)


def test_mean_shift_round_trip_and_residual_scaling():
    x = _lr(4, 4)
    there = edsr_model.MeanShift(-1.0)(x)
    np.testing.assert_allclose(_np(edsr_model.MeanShift(1.0)(there)), x, atol=1e-4)
    np.testing.assert_allclose(
        _np(there).mean(axis=(0, 1, 2)),
        x.mean(axis=(0, 1, 2)) - np.array(DIV2K_RGB_MEAN),
        atol=1e-3,
    )
    block = edsr_model.ResidualBlock(3, res_scale=0.1)
    full = edsr_model.ResidualBlock(3, res_scale=1.0)
    features = _lr(5, 5) / 255.0
    block(features)
    full(features)
    full.set_weights(block.get_weights())
    residual_small = _np(block(features)) - features
    residual_full = _np(full(features)) - features
    np.testing.assert_allclose(residual_small, 0.1 * residual_full, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "layer",
    [
        edsr_model.MeanShift(1.0, (1.0, 2.0, 3.0)),
        edsr_model.PixelShuffle(3),
        edsr_model.ResidualBlock(16, 0.1),
    ],
)
def test_layer_config_round_trip(layer):
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config
    assert keras.saving.get_registered_object(f"edsr_helpers>{type(layer).__name__}") is type(layer)


def test_keras_file_round_trip_with_safe_mode(tiny, tmp_path):
    path = tmp_path / "edsr.keras"
    tiny.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    x = _lr(9, 11)
    np.testing.assert_array_equal(_np(loaded(x)), _np(tiny(x)))
    assert loaded.count_params() == tiny.count_params()
    assert [type(layer).__name__ for layer in loaded.layers] == [type(layer).__name__ for layer in tiny.layers]


def test_a_keras_file_saved_by_version_0_1_0_loads_and_computes_the_same(tmp_path):
    """Its classes lived in edsr_helpers.model then; the registered names still find them (safe_mode=True)."""
    from pathlib import Path

    data = Path(__file__).parent / "data"
    loaded = keras.saving.load_model(data / "edsr_x3_tiny_saved_by_0.1.0.keras", safe_mode=True)
    expected = np.load(data / "edsr_x3_tiny_saved_by_0.1.0_io.npz")
    assert isinstance(loaded, edsr_model.EDSR) and (loaded.scale, loaded.res_scale) == (3, 0.1)
    np.testing.assert_allclose(_np(loaded(expected["lr"])), expected["sr"], rtol=1e-4, atol=1e-3)


def test_saved_config_holds_the_facts_the_model_is_built_from(tmp_path):
    """Scale, depth, width and res_scale travel with the file: nobody infers the scale from layer shapes."""
    model = edsr_model.edsr(scale=3, num_res_blocks=2, num_filters=8, res_scale=0.5, name="mine")
    config = model.get_config()
    assert {key: config[key] for key in ("scale", "num_res_blocks", "num_filters", "res_scale")} == {
        "scale": 3,
        "num_res_blocks": 2,
        "num_filters": 8,
        "res_scale": 0.5,
    }
    assert "layers" not in config  # rebuilt from the facts, not from a list of layers
    model.save(tmp_path / "mine.keras")
    loaded = keras.saving.load_model(tmp_path / "mine.keras", safe_mode=True)
    assert isinstance(loaded, edsr_model.EDSR) and loaded.name == "mine"
    assert (loaded.scale, loaded.num_res_blocks, loaded.num_filters, loaded.res_scale) == (3, 2, 8, 0.5)
    assert edsr_model.model_scale(loaded) == 3


def test_model_scale_of_older_plain_functional_files_and_of_other_models():
    """Files saved before the model kept its facts are plain functional models: their pixel shuffles say it."""
    inputs = keras.Input((None, None, 3))
    x = keras.layers.Conv2D(3 * 4, 3, padding="same")(inputs)
    x = edsr_model.PixelShuffle(2)(x)
    x = keras.layers.Conv2D(3 * 9, 3, padding="same")(x)
    older = keras.Model(inputs, edsr_model.PixelShuffle(3)(x))
    assert edsr_model.model_scale(older) == 6
    upsampling = keras.Sequential([keras.Input((None, None, 3)), keras.layers.UpSampling2D(4)])
    assert edsr_model.model_scale(upsampling) == 4  # no scale kept, no pixel shuffle: measured
    with pytest.raises(ValueError, match="not an upscaling model"):
        edsr_model.model_scale(keras.Sequential([keras.Input((None, None, 3)), keras.layers.Conv2D(3, 3)]))


def test_weights_file_round_trip(tiny, tmp_path):
    path = tmp_path / "edsr.weights.h5"
    tiny.save_weights(path)
    fresh = edsr_model.edsr(scale=4, num_res_blocks=2, num_filters=8, res_scale=0.5)
    x = _lr(6, 6)
    assert not np.allclose(_np(fresh(x)), _np(tiny(x)))
    fresh.load_weights(path)
    np.testing.assert_array_equal(_np(fresh(x)), _np(tiny(x)))


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_mixed_precision_keeps_a_float32_output(policy):
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        model = edsr_model.edsr(4, num_res_blocks=2, num_filters=8)
    finally:
        keras.config.set_dtype_policy(previous)
    compute = policy.removeprefix("mixed_")
    assert model.get_layer("head").compute_dtype == compute
    assert model.get_layer("res_block_1").conv1.compute_dtype == compute
    assert model.get_layer("head").variable_dtype == "float32"
    sr = model(_lr(8, 8))
    assert keras.backend.standardize_dtype(sr.dtype) == "float32" and tuple(sr.shape) == (1, 32, 32, 3)
    assert np.isfinite(_np(sr)).all()


def test_receptive_field_formula_matches_the_gradient():
    for scale, blocks in [(4, 2), (3, 1), (2, 3)]:
        model = edsr_model.edsr(scale, num_res_blocks=blocks, num_filters=4)
        measured = edsr_model.measure_receptive_field(model, lr_size=32)
        assert abs(measured - edsr_model.receptive_field(scale, blocks)) <= 1, (scale, blocks, measured)


def test_flops_counts_a_tiny_model_by_hand():
    # x2, 0 blocks, 1 filter: head 3->1 at LR, body_end 1->1 at LR, up 1->4 at LR, tail 1->3 at 2x
    # MACs per LR pixel: 9*(3 + 1 + 4) + 4 * 9*3 = 180 -> per HR pixel /4 = 45 -> 90 FLOPs
    assert edsr_model.flops_per_output_pixel(2, 0, 1) == 90


def test_effective_radius_of_known_maps():
    delta = np.zeros((21, 21))
    delta[10, 10] = 1.0
    assert edsr_model.effective_radius(delta, 0.99) == 0
    square = np.zeros((21, 21))
    square[7:14, 7:14] = 1.0  # radius 3 around the centre holds everything, radius 2 holds 25/49
    assert edsr_model.effective_radius(square, 0.999) == 3
    assert edsr_model.effective_radius(square, 0.5) == 2


def test_gradient_map_is_local_and_inside_the_receptive_field(photo):
    net = edsr_model.edsr(2, num_res_blocks=1, num_filters=8)
    gradient = edsr_model.gradient_map(net, photo[:40, :40])
    assert gradient.shape == (40, 40) and gradient[20, 20] > 0
    rows, columns = np.nonzero(gradient)
    width = max(rows.max() - rows.min(), columns.max() - columns.min()) + 1
    assert width <= math.ceil(edsr_model.receptive_field(2, 1)) + 1
    assert edsr_model.effective_radius(gradient, 0.99) <= width // 2


def test_copy_matching_weights_starts_x4_and_x3_from_x2_as_the_paper_does():
    keras.utils.set_random_seed(1)
    x2, x3, x4 = (edsr_model.edsr(scale, num_res_blocks=2, num_filters=8) for scale in (2, 3, 4))
    shared = ["head", "res_block_1", "res_block_2", "body_end", "tail"]
    # x4 is two x2 steps: its first one has x2's shape, so it is copied too; x3's upsampler is new
    assert edsr_model.copy_matching_weights(x2, x4) == ["head", "res_block_1", "res_block_2", "body_end"] + [
        "upsample_conv_1",
        "tail",
    ]
    assert edsr_model.copy_matching_weights(x2, x3) == shared
    for name in shared:
        for got, want in zip(x3.get_layer(name).get_weights(), x2.get_layer(name).get_weights(), strict=True):
            np.testing.assert_array_equal(got, want)
    # same shape, other name: x4's second step is not x2's and keeps its own initial weights
    assert not np.allclose(
        x4.get_layer("upsample_conv_2").get_weights()[0], x2.get_layer("upsample_conv_1").get_weights()[0]
    )


def test_copy_matching_weights_refuses_models_that_share_nothing():
    with pytest.raises(ValueError, match="nothing to copy"):
        edsr_model.copy_matching_weights(
            edsr_model.edsr(2, num_res_blocks=1, num_filters=8), edsr_model.edsr(2, num_res_blocks=1, num_filters=16)
        )
