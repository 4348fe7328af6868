"""Pairs and the augmentation (numpy, any engine); the tf.data streaming pipeline where TensorFlow is installed."""

from __future__ import annotations

import numpy as np
import pytest

from edsr_helpers import data, samples
from edsr_helpers.pairs import downscale
from edsr_helpers.profiles import PROFILES


def _tf():
    return pytest.importorskip("tensorflow", reason="the streaming (DIV2K) pipeline needs TensorFlow")


def _streamed(pairs):
    """``pairs`` as a tf.data dataset, the way tfds delivers DIV2K."""
    tf = _tf()
    spec = (tf.TensorSpec((None, None, 3), tf.uint8), tf.TensorSpec((None, None, 3), tf.uint8))
    return tf.data.Dataset.from_generator(lambda: iter(pairs), output_signature=spec)


@pytest.fixture(scope="module")
def train_pairs():
    return data.load_sample(4, "train")


def test_load_sample_pairs_are_real_consistent_photos(train_pairs):
    assert len(train_pairs) == len(samples.TRAIN_PHOTOS)
    for lr, hr in train_pairs:
        assert lr.dtype == hr.dtype == np.uint8
        assert hr.shape == (lr.shape[0] * 4, lr.shape[1] * 4, 3)
        np.testing.assert_array_equal(lr, downscale(hr, 4))
        # a photo, not noise: neighbouring pixels are strongly correlated
        grey = hr.mean(axis=-1)
        assert np.corrcoef(grey[:, :-1].ravel(), grey[:, 1:].ravel())[0, 1] > 0.8


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_load_sample_validation_split_and_scales(scale):
    pairs = data.load_sample(scale, "validation")
    assert len(pairs) == len(samples.VALIDATION_PHOTOS) == 3
    for (lr, hr), name in zip(pairs, samples.VALIDATION_PHOTOS, strict=False):
        original = samples.load_photo(name)
        assert hr.shape[0] == original.shape[0] - original.shape[0] % scale
        assert hr.shape[:2] == (lr.shape[0] * scale, lr.shape[1] * scale)


def test_split_is_fixed_and_disjoint():
    assert not set(samples.TRAIN_PHOTOS) & set(samples.VALIDATION_PHOTOS)
    assert samples.photo_names("validation") == ("barbara", "monarch", "coffee")
    with pytest.raises(ValueError, match="split"):
        data.load_sample(4, "holdout")
    with pytest.raises(ValueError, match="scale"):
        data.load_sample(5)


def test_first_pairs_reads_lists_and_tf_datasets_alike(train_pairs):
    first = data.first_pairs(train_pairs, 2)
    assert len(first) == 2 and first[1][1] is not None
    np.testing.assert_array_equal(first[1][1], train_pairs[1][1])
    assert len(data.first_pairs(train_pairs)) == len(train_pairs)
    from_tf = data.first_pairs(_streamed(train_pairs[:3]), 2)
    assert len(from_tf) == 2
    np.testing.assert_array_equal(from_tf[1][0], train_pairs[1][0])


def test_flip_mirrors_the_width_only_and_rotations_turn_anticlockwise():
    lr = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)  # every pixel a distinct RGB triple
    hr = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3)
    lr_f, hr_f = data.transform_pair(lr, hr, 0, True)
    assert lr_f.shape == lr.shape and hr_f.shape == hr.shape
    np.testing.assert_array_equal(lr_f[0, 0], lr[0, -1])  # same row, mirrored column, colours unchanged
    np.testing.assert_array_equal(lr_f[1, 2], lr[1, 0])
    lr_r, hr_r = data.transform_pair(lr, hr, 1, False)
    assert lr_r.shape == (3, 2, 3) and hr_r.shape == (6, 4, 3)
    np.testing.assert_array_equal(lr_r[0, 0], lr[0, -1])  # anticlockwise: top-right corner moves to top-left
    np.testing.assert_array_equal(lr_r[-1, 0], lr[0, 0])
    back = lr
    for _ in range(4):  # four quarter turns are the identity; two flips too
        back, _ = data.transform_pair(back, hr, 1, False)
    np.testing.assert_array_equal(back, lr)
    again, _ = data.transform_pair(*data.transform_pair(lr, hr, 0, True), 0, True)
    np.testing.assert_array_equal(again, lr)


def test_augmented_patches_stay_aligned_for_every_transform(train_pairs):
    """Bicubic-downscaling each augmented HR patch reproduces its LR patch (>= 35 dB), all 8 symmetries."""
    rng = np.random.default_rng(0)
    checked = set()
    for index, (lr, hr) in enumerate(train_pairs):
        for turns in range(4):
            for flip in (False, True):
                lr_p, hr_p = data.random_crop_pair(lr, hr, int(rng.integers(2**31)), scale=4, lr_patch_size=24)
                lr_t, hr_t = data.transform_pair(lr_p, hr_p, turns, flip)
                value = data.alignment_psnr(lr_t, hr_t, scale=4)
                assert value >= 35.0, (samples.TRAIN_PHOTOS[index], turns, flip, value)
                checked.add((turns, flip))
    assert len(checked) == 8


def test_random_patch_depends_on_the_seed_only(train_pairs):
    lr, hr = train_pairs[0]
    first = data.random_patch(lr, hr, 7, scale=4, lr_patch_size=16)
    np.testing.assert_array_equal(first[1], data.random_patch(lr, hr, 7, scale=4, lr_patch_size=16)[1])
    assert not np.array_equal(first[1], data.random_patch(lr, hr, 8, scale=4, lr_patch_size=16)[1])
    assert first[0].shape == (16, 16, 3) and first[1].shape == (64, 64, 3)


def test_alignment_check_catches_a_one_pixel_shift(train_pairs):
    lr, hr = train_pairs[0]
    lr_p, hr_p = data.random_crop_pair(lr, hr, 12, scale=4, lr_patch_size=24)
    assert data.alignment_psnr(lr_p, hr_p, scale=4) >= 35.0
    assert data.alignment_psnr(np.roll(lr_p, 1, axis=1), hr_p, scale=4) < 30.0


def test_patch_batches_shapes_dtypes_and_alignment(train_pairs):
    ds = data.make_train_dataset(train_pairs, scale=4, lr_patch_size=12, batch_size=6)
    assert isinstance(ds, data.RecipePatchBatches) and ds.num_batches is None
    for index in range(3):
        lr, hr = ds[index]
        assert lr.dtype == hr.dtype == np.uint8
        assert lr.shape == (6, 12, 12, 3) and hr.shape == (6, 48, 48, 3)
        for lr_p, hr_p in zip(lr, hr, strict=True):
            assert data.alignment_psnr(lr_p, hr_p, scale=4) >= 35.0


def test_patch_batches_are_reproducible_and_seed_dependent(train_pairs):
    def batch(seed, index=0):
        return data.make_train_dataset(train_pairs, scale=4, lr_patch_size=8, batch_size=4, seed=seed)[index][1]

    np.testing.assert_array_equal(batch(1), batch(1))
    assert not np.array_equal(batch(1), batch(2))
    assert not np.array_equal(batch(1, 0), batch(1, 1))
    dataset = data.make_train_dataset(train_pairs, scale=4, lr_patch_size=8, batch_size=4, seed=1)
    np.testing.assert_array_equal(next(iter(dataset))[0], dataset[0][0])  # iterating starts at batch 0


def test_patch_batches_and_the_streaming_pipeline_cut_the_same_patches(train_pairs):
    """One augmentation, two pipelines: for the same image and seed both produce identical pairs."""
    tf = _tf()
    lr, hr = train_pairs[2]
    streamed = data.make_train_dataset(
        tf.data.Dataset.from_tensors((lr, hr)),
        scale=4,
        lr_patch_size=10,
        batch_size=5,
        patches_per_image=5,
        patch_shuffle_buffer=1,
        seed=3,
        repeat=False,
    )
    lr_s, hr_s = (np.asarray(t) for t in next(iter(streamed)))
    image_seed = int(next(iter(tf.data.Dataset.random(seed=3))))
    lr_n, hr_n = data.patches_from_image(lr, hr, image_seed, scale=4, lr_patch_size=10, count=5)
    np.testing.assert_array_equal(lr_s, lr_n)
    np.testing.assert_array_equal(hr_s, hr_n)
    # ... and PatchBatches cuts each of its patches with the same function, from the seeds it draws
    batches = data.RecipePatchBatches([(lr, hr)], scale=4, lr_patch_size=10, batch_size=3, seed=5)
    rng = np.random.default_rng((5, 0))
    rng.integers(0, 1, size=3)
    seeds = rng.integers(0, 2**63, size=3)
    expected = [data.random_patch(lr, hr, int(seed), scale=4, lr_patch_size=10) for seed in seeds]
    np.testing.assert_array_equal(batches[0][1], np.stack([pair[1] for pair in expected]))


def test_streaming_pipeline_shapes_and_end_without_repeat(train_pairs):
    tf = _tf()
    settings = dict(scale=4, lr_patch_size=8, batch_size=1, patches_per_image=2, repeat=False)
    ds = data.make_train_dataset(_streamed(train_pairs[:3]), **settings)
    assert ds.element_spec[0].shape == (1, 8, 8, 3)
    batches = list(ds)
    assert len(batches) == 2 * 3
    for lr, hr in batches:
        assert lr.dtype == hr.dtype == tf.uint8 and hr.shape == (1, 32, 32, 3)
        assert data.alignment_psnr(lr.numpy()[0], hr.numpy()[0], scale=4) >= 35.0


def test_mismatched_sizes_raise_a_clear_error(photo):
    lr, hr = data.make_pair(photo, 4)
    with pytest.raises(ValueError, match="do not match scale 4"):
        data.make_train_dataset([(lr, hr[:, :-3])], scale=4, lr_patch_size=8, batch_size=1)
    with pytest.raises(ValueError, match="do not match scale 2"):
        data.make_train_dataset([(lr, hr)], scale=2, lr_patch_size=8, batch_size=1)
    tf = _tf()
    bad = tf.data.Dataset.from_tensors((lr, hr[:, :-3]))
    with pytest.raises(tf.errors.OpError, match="do not match scale 4"):
        next(iter(data.make_train_dataset(bad, scale=4, lr_patch_size=8, batch_size=1)))


def test_images_smaller_than_the_patch_are_skipped_with_a_warning(photo):
    small = data.make_pair(photo[:40, :40], 4)  # LR 10x10
    large = data.make_pair(photo, 4)
    with pytest.warns(UserWarning, match="smaller than the 16px LR patch"):
        batches = data.make_train_dataset([small, large], scale=4, lr_patch_size=16, batch_size=4)
    assert len(batches.pairs) == 1
    with pytest.raises(ValueError, match="smaller patches"), pytest.warns(UserWarning):
        data.make_train_dataset([small], scale=4, lr_patch_size=16, batch_size=1)
    settings = dict(scale=4, lr_patch_size=16, batch_size=1, patches_per_image=3, repeat=False)
    ds = data.make_train_dataset(_streamed([small, large]), **settings)
    with pytest.warns(UserWarning, match="smaller than the 16px LR patch"):
        assert len(list(ds)) == 3  # only the large image's patches


def test_validation_images_are_whole_and_copied_per_device(train_pairs):
    val = data.as_validation_dataset(train_pairs[:2])
    assert len(val) == 2
    lr, hr = val[1]
    assert lr.shape == (1, *train_pairs[1][0].shape) and hr.shape == (1, *train_pairs[1][1].shape)
    lr2, _ = data.ValidationImages(train_pairs[:2], copies=2)[0]
    assert lr2.shape[0] == 2
    np.testing.assert_array_equal(lr2[0], lr2[1])


def test_own_photos_in_any_mode_become_pairs(tmp_path, photo):
    from PIL import Image

    paths = []
    for mode in ("L", "RGBA", "P"):
        path = tmp_path / f"photo_{mode}.png"
        Image.fromarray(photo).convert(mode).save(path)
        paths.append(path)
    sixteen = tmp_path / "photo_16.png"
    Image.fromarray(photo[..., 0].astype(np.uint16) * 257).save(sixteen)
    paths.append(sixteen)
    pairs = data.pairs_from_images(paths, scale=3)
    assert len(pairs) == 4
    for lr, hr in pairs:
        assert lr.shape == (170, 170, 3) and hr.shape == (510, 510, 3) and hr.dtype == np.uint8


def test_corrupt_own_photo_fails_before_training(tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8 not really")
    with pytest.raises(ValueError, match="bad.jpg"):
        data.pairs_from_images([bad])


def test_load_pairs_follows_the_profile(capsys):
    pairs = data.load_pairs(PROFILES["ci"], "validation")
    assert "the offline photos" in capsys.readouterr().out
    assert len(pairs) == 3 and pairs[0][0].dtype == np.uint8
    # 'cpu' falls back to the photos when DIV2K is not prepared in data_dir
    data.load_pairs(PROFILES["cpu"], "validation", data_dir="/nonexistent-tfds-dir")
    assert "the offline photos" in capsys.readouterr().out


def test_the_streaming_pipeline_refuses_a_sampling_or_degradation_it_cannot_follow():
    stream = (pair for pair in data.load_sample(4, "validation"))  # not a list: what DIV2K's stream takes
    settings = dict(scale=4, lr_patch_size=8, batch_size=2)
    with pytest.raises(ValueError, match="draws its images uniformly"):
        data.make_train_dataset(stream, sampling="area", **settings)
    with pytest.raises(ValueError, match="random degradations apply to pairs held in memory"):
        data.make_train_dataset(stream, degradation="camera-like", clean_share=0.3, **settings)


def test_throughput_is_measured():
    ds = data.make_train_dataset(data.load_sample(4, "validation"), scale=4, lr_patch_size=8, batch_size=4)
    assert data.measure_throughput(ds, batches=5, warmup=1) > 0
    ds = data.make_train_dataset(_streamed(data.load_sample(4, "validation")), scale=4, lr_patch_size=8, batch_size=4)
    assert data.measure_throughput(ds, batches=5, warmup=1) > 0


def test_wallpaper_paths_lists_only_installed_photos(tmp_path, monkeypatch):
    monkeypatch.setattr(samples, "WALLPAPER_DIR", tmp_path)
    assert samples.wallpaper_paths() == []
    photo = tmp_path / "Kite" / "contents" / "images" / "2560x1600.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"x")
    assert samples.wallpaper_paths() == [photo]


def test_area_sampling_picks_images_in_proportion_to_their_size(photo):
    big, small = data.make_pair(photo, 4), data.make_pair(photo[:200, :200], 4)  # 128x128 vs 50x50 LR
    area = data.RecipePatchBatches([big, small], scale=4, lr_patch_size=8, batch_size=400, sampling="area")
    uniform = data.RecipePatchBatches([big, small], scale=4, lr_patch_size=8, batch_size=400)
    share_big = big[0].shape[0] * big[0].shape[1] / (big[0].size / 3 + small[0].size / 3)
    np.testing.assert_allclose(area.weights, [share_big, 1 - share_big])
    assert uniform.weights is None
    # the same batch index gives the same patches: sampling is part of the pure function of (seed, index)
    np.testing.assert_array_equal(area[3][0], area[3][0])
    with pytest.raises(ValueError, match="sampling"):
        data.RecipePatchBatches([big], scale=4, lr_patch_size=8, batch_size=4, sampling="by-name")


def test_lomiri_photographs_are_found_under_the_photo_root(tmp_path, monkeypatch):
    monkeypatch.setattr(samples, "LOMIRI_DIR", tmp_path)
    assert samples.lomiri_paths() == []
    name = samples.LOMIRI_PHOTOGRAPHS[0][0]
    (tmp_path / name).write_bytes(b"x")
    assert samples.lomiri_paths() == [tmp_path / name]
    assert len({name for name, _, _ in samples.LOMIRI_PHOTOGRAPHS}) == 14  # the photographs, checked by eye
    assert all(licence.startswith("CC") for _, _, licence in samples.LOMIRI_PHOTOGRAPHS)


def test_extra_photographs_are_shrunk_to_the_long_side(photo):
    wide = np.concatenate([photo] * 4, axis=1)  # 512 x 2048
    shrunk = samples.shrink_to_long_side(wide, 1800)
    assert shrunk.shape[1] == 1800 and shrunk.shape[0] == round(512 * 1800 / 2048)
    assert samples.shrink_to_long_side(photo, 1800) is photo  # never enlarged


def test_patch_batches_start_goes_on_with_the_stream_instead_of_replaying_it(photo):
    pairs = data.pairs_from_images([photo], 4)
    whole = data.RecipePatchBatches(pairs, scale=4, lr_patch_size=8, batch_size=2, seed=3)
    resumed = data.make_train_dataset(pairs, scale=4, lr_patch_size=8, batch_size=2, seed=3, start=5)
    np.testing.assert_array_equal(resumed[0][1], whole[5][1])
    assert not np.array_equal(resumed[0][1], whole[0][1])
    with pytest.raises(ValueError, match="start must be"):
        data.RecipePatchBatches(pairs, scale=4, lr_patch_size=8, batch_size=2, start=-1)


def test_test_photos_are_a_third_split_that_no_model_trained_or_chose_on():
    test = data.load_sample(4, "test")
    assert len(test) == len(samples.TEST_PHOTOS) >= 6
    assert not set(samples.TEST_PHOTOS) & (set(samples.TRAIN_PHOTOS) | set(samples.VALIDATION_PHOTOS))
    assert not set(samples.GREY_PHOTOS) & (
        set(samples.TRAIN_PHOTOS) | set(samples.VALIDATION_PHOTOS) | set(samples.TEST_PHOTOS)
    )
    for name in samples.TEST_PHOTOS:  # colour photos: a grey one would only score brightness
        photo = samples.load_photo(name).astype(int)
        assert np.abs(photo[..., 0] - photo[..., 1]).mean() > 5, name
    for lr, hr in test:
        assert hr.shape == (lr.shape[0] * 4, lr.shape[1] * 4, 3)
    assert data.load_pairs(PROFILES["ci"], "test", verbose=False)[0][1].shape == test[0][1].shape
    with pytest.raises(ValueError, match="'train', 'validation' or 'test'"):
        samples.photo_names("holdout")
