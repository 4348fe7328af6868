from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from edsr_helpers import data, images, samples
from edsr_helpers.profiles import PROFILES


@pytest.fixture(scope="module")
def train_pairs():
    return list(data.load_sample(4, "train").as_numpy_iterator())


def test_load_sample_pairs_are_real_consistent_photos(train_pairs):
    assert len(train_pairs) == len(samples.TRAIN_PHOTOS)
    for lr, hr in train_pairs:
        assert lr.dtype == hr.dtype == np.uint8
        assert hr.shape == (lr.shape[0] * 4, lr.shape[1] * 4, 3)
        np.testing.assert_array_equal(lr, images.downscale(hr, 4))
        # a photo, not noise: neighbouring pixels are strongly correlated
        grey = hr.mean(axis=-1)
        assert np.corrcoef(grey[:, :-1].ravel(), grey[:, 1:].ravel())[0, 1] > 0.8


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_load_sample_validation_split_and_scales(scale):
    pairs = list(data.load_sample(scale, "validation").as_numpy_iterator())
    assert len(pairs) == len(samples.VALIDATION_PHOTOS) == 3
    for (lr, hr), name in zip(pairs, samples.VALIDATION_PHOTOS, strict=False):
        original = samples.load_photo(name)
        assert hr.shape[0] == original.shape[0] - original.shape[0] % scale
        assert hr.shape[:2] == (lr.shape[0] * scale, lr.shape[1] * scale)


def test_split_is_fixed_and_disjoint():
    assert not set(samples.TRAIN_PHOTOS) & set(samples.VALIDATION_PHOTOS)
    assert samples.photo_names("validation") == ("barbara", "monarch", "coffee")
    with pytest.raises(ValueError, match="split"):
        data.load_sample(4, "test")
    with pytest.raises(ValueError, match="scale"):
        data.load_sample(5)


def test_element_spec_is_the_shared_pair_spec():
    assert data.load_sample(4, "train").element_spec == data.PAIR_SPEC


def test_flip_is_horizontal_only_and_rotations_match_numpy(photo):
    lr, hr = data.make_pair(photo[:64, :96], 4)
    for turns in range(4):
        for flip in (False, True):
            lr_t, hr_t = (t.numpy() for t in data.transform_pair(tf.constant(lr), tf.constant(hr), turns, flip))
            expected = np.rot90(hr, turns)
            expected = expected[:, ::-1] if flip else expected  # width axis only: channels stay RGB
            np.testing.assert_array_equal(hr_t, expected)
            np.testing.assert_array_equal(lr_t, np.rot90(lr, turns)[:, ::-1] if flip else np.rot90(lr, turns))


def test_augmented_patches_stay_aligned_for_every_transform(train_pairs):
    """Bicubic-downscaling each augmented HR patch reproduces its LR patch (>= 35 dB), all 8 symmetries."""
    rng = np.random.default_rng(0)
    checked = set()
    for index, (lr, hr) in enumerate(train_pairs):
        for turns in range(4):
            for flip in (False, True):
                seed = tf.constant(rng.integers(0, 2**31, 2), tf.int64)
                lr_p, hr_p = data.random_crop_pair(tf.constant(lr), tf.constant(hr), seed, scale=4, lr_patch_size=24)
                lr_t, hr_t = data.transform_pair(lr_p, hr_p, turns, flip)
                value = data.alignment_psnr(lr_t.numpy(), hr_t.numpy(), scale=4)
                assert value >= 35.0, (samples.TRAIN_PHOTOS[index], turns, flip, value)
                checked.add((turns, flip))
    assert len(checked) == 8


def test_alignment_check_catches_a_one_pixel_shift(train_pairs):
    lr, hr = train_pairs[0]
    lr_p, hr_p = data.random_crop_pair(tf.constant(lr), tf.constant(hr), tf.constant([1, 2]), scale=4, lr_patch_size=24)
    assert data.alignment_psnr(np.roll(lr_p.numpy(), 1, axis=1), hr_p.numpy(), scale=4) < 30.0


def test_train_dataset_shapes_dtypes_and_alignment():
    ds = data.make_train_dataset(data.load_sample(4, "train"), scale=4, lr_patch_size=12, batch_size=6)
    assert ds.element_spec[0].shape == (6, 12, 12, 3)
    for lr, hr in ds.take(3):
        assert lr.dtype == hr.dtype == tf.uint8
        assert hr.shape == (6, 48, 48, 3)
        for lr_p, hr_p in zip(lr.numpy(), hr.numpy(), strict=False):
            assert data.alignment_psnr(lr_p, hr_p, scale=4) >= 35.0


def test_train_dataset_is_reproducible_and_seed_dependent():
    def first_batch(seed):
        ds = data.make_train_dataset(data.load_sample(4, "train"), scale=4, lr_patch_size=8, batch_size=4, seed=seed)
        return next(iter(ds))[1].numpy()

    np.testing.assert_array_equal(first_batch(1), first_batch(1))
    assert not np.array_equal(first_batch(1), first_batch(2))


def test_train_dataset_without_repeat_ends_after_all_patches():
    ds = data.make_train_dataset(
        data.load_sample(4, "validation"),
        scale=4,
        lr_patch_size=8,
        batch_size=1,
        patches_per_image=2,
        repeat=False,
    )
    assert sum(1 for _ in ds) == 2 * len(samples.VALIDATION_PHOTOS)


def test_mismatched_sizes_raise_a_clear_error(photo):
    lr, hr = data.make_pair(photo, 4)
    bad = tf.data.Dataset.from_tensors((lr, hr[:, :-3]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="do not match scale 4"):
        next(iter(data.make_train_dataset(bad, scale=4, lr_patch_size=8, batch_size=1)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="do not match scale 2"):
        next(
            iter(
                data.make_train_dataset(tf.data.Dataset.from_tensors((lr, hr)), scale=2, lr_patch_size=8, batch_size=1)
            )
        )


def test_images_smaller_than_the_patch_are_skipped_with_a_warning(photo, capfd):
    small = data.make_pair(photo[:40, :40], 4)  # LR 10x10
    large = data.make_pair(photo, 4)
    pairs = tf.data.Dataset.from_generator(lambda: iter([small, large]), output_signature=data.PAIR_SPEC)
    ds = data.make_train_dataset(pairs, scale=4, lr_patch_size=16, batch_size=1, patches_per_image=3, repeat=False)
    batches = list(ds)
    assert len(batches) == 3  # only the large image's patches
    assert "smaller than the 16px LR patch" in capfd.readouterr().err


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
    pairs = list(data.pairs_from_images(paths, scale=3).as_numpy_iterator())
    assert len(pairs) == 4
    for lr, hr in pairs:
        assert lr.shape == (170, 170, 3) and hr.shape == (510, 510, 3) and hr.dtype == np.uint8


def test_corrupt_own_photo_fails_before_training(tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8 not really")
    with pytest.raises(ValueError, match="bad.jpg"):
        data.pairs_from_images([bad])


def test_load_pairs_follows_the_profile(capsys):
    ds = data.load_pairs(PROFILES["ci"], "validation")
    assert "offline photo set" in capsys.readouterr().out
    assert ds.element_spec == data.PAIR_SPEC
    # 'cpu' falls back to the photos when DIV2K is not prepared in data_dir
    data.load_pairs(PROFILES["cpu"], "validation", data_dir="/nonexistent-tfds-dir")
    assert "offline photo set" in capsys.readouterr().out


def test_throughput_is_measured():
    ds = data.make_train_dataset(data.load_sample(4, "validation"), scale=4, lr_patch_size=8, batch_size=4)
    assert data.measure_throughput(ds, batches=5, warmup=1) > 0


def test_wallpaper_paths_lists_only_installed_photos(tmp_path, monkeypatch):
    monkeypatch.setattr(samples, "WALLPAPER_DIR", tmp_path)
    assert samples.wallpaper_paths() == []
    photo = tmp_path / "Kite" / "contents" / "images" / "2560x1600.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"x")
    assert samples.wallpaper_paths() == [photo]
