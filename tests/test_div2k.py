"""DIV2K through tensorflow-datasets' real ``div2k`` builder, prepared offline (no network touched)."""

from __future__ import annotations

import socket
import time

import numpy as np
import pytest

from edsr_helpers import data, div2k, images
from edsr_helpers.pairs import downscale

pytestmark = pytest.mark.tensorflow

pytest.importorskip("tensorflow_datasets", reason="DIV2K comes through tensorflow-datasets")


def _sorted_by_width(pairs):
    return sorted(pairs, key=lambda pair: (pair[1].shape[1], pair[1].shape[0]))


@pytest.mark.parametrize("split", ["train", "validation"])
def test_load_div2k_reads_the_prepared_builder(div2k_dirs, split):
    _, data_dir, hr_photos = div2k_dirs
    assert data.div2k_is_prepared(4, data_dir)
    ds = data.load_div2k(4, split, data_dir=data_dir)
    assert [(spec.shape.as_list(), spec.dtype.name) for spec in ds.element_spec] == [([None, None, 3], "uint8")] * 2
    pairs = _sorted_by_width(data.first_pairs(ds))
    expected = _sorted_by_width(
        (downscale(images.crop_to_multiple(hr, 4), 4), images.crop_to_multiple(hr, 4)) for hr in hr_photos[split]
    )
    assert len(pairs) == len(expected)
    for (lr, hr), (lr_expected, hr_expected) in zip(pairs, expected, strict=False):
        np.testing.assert_array_equal(hr, hr_expected)
        np.testing.assert_array_equal(lr, lr_expected)


def test_a_div2k_profile_validates_on_one_half_of_div2k_validation_and_tests_on_the_other(div2k_dirs):
    """DIV2K's test HR images are not public: the photos that choose a checkpoint are not the ones that report."""
    from edsr_helpers.profiles import PROFILES

    _, data_dir, hr_photos = div2k_dirs
    halves = {
        split: data.first_pairs(data.load_pairs(PROFILES["paper"], split, data_dir=data_dir, verbose=False))
        for split in ("validation", "test")
    }
    assert all(halves.values())
    widths = {split: {hr.shape[1] for _, hr in pairs} for split, pairs in halves.items()}
    assert not widths["validation"] & widths["test"]
    assert widths["validation"] | widths["test"] == {
        images.crop_to_multiple(hr, 4).shape[1] for hr in hr_photos["validation"]
    }


def test_div2k_feeds_the_training_pipeline(div2k_dirs):
    _, data_dir, _ = div2k_dirs
    pairs = data.load_div2k(4, "train", data_dir=data_dir, shuffle_files=True)
    lr, hr = next(iter(data.make_train_dataset(pairs, scale=4, lr_patch_size=16, batch_size=4)))
    assert lr.shape == (4, 16, 16, 3) and hr.shape == (4, 64, 64, 3)
    assert all(data.alignment_psnr(a, b, 4) >= 35 for a, b in zip(lr.numpy(), hr.numpy(), strict=False))


def test_offline_without_data_fails_fast_with_advice(tmp_path, monkeypatch):
    monkeypatch.setattr(div2k, "DIV2K_HOST", "div2k.invalid")  # RFC 6761: never resolves
    start = time.monotonic()
    with pytest.raises(data.DatasetUnavailableError, match="load_sample") as caught:
        data.load_div2k(4, "train", data_dir=tmp_path)
    assert time.monotonic() - start <= 15
    assert "prepare_div2k_from_extracted" in str(caught.value)


def test_a_hanging_network_is_cut_off_within_the_timeout(tmp_path, monkeypatch):
    def hang(*args, **kwargs):  # a connection attempt that neither succeeds nor fails for a long while
        time.sleep(4)
        raise TimeoutError("simulated")

    monkeypatch.setattr(socket, "create_connection", hang)
    monkeypatch.setattr(div2k, "DIV2K_CONNECT_TIMEOUT_S", 1.0)
    start = time.monotonic()
    with pytest.raises(data.DatasetUnavailableError):
        data.load_div2k(4, "validation", data_dir=tmp_path)
    assert time.monotonic() - start < 5


def test_no_download_allowed(tmp_path):
    with pytest.raises(data.DatasetUnavailableError, match="download=False"):
        data.load_div2k(4, "train", data_dir=tmp_path, download=False)


def test_wrong_layout_is_explained(tmp_path):
    (tmp_path / "DIV2K_train_HR").mkdir()
    with pytest.raises(FileNotFoundError, match="DIV2K_valid_HR"):
        data.prepare_div2k_from_extracted(tmp_path, 4, data_dir=tmp_path / "tfds")


def test_bad_scale_and_split():
    with pytest.raises(ValueError, match="scale"):
        data.div2k_name(8)
    with pytest.raises(ValueError, match="split"):
        data.load_div2k(4, "test")


def test_download_says_the_size_first_and_fails_fast_offline(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(div2k, "DIV2K_HOST", "div2k.invalid")  # RFC 6761: never resolves
    with pytest.raises(data.DatasetUnavailableError, match="cannot be reached"):
        data.download_div2k(4, data_dir=tmp_path)
    assert "4.3 GB of zips from div2k.invalid" in capsys.readouterr().out


def test_download_does_nothing_when_prepared(div2k_dirs, capsys):
    _, data_dir, _ = div2k_dirs
    data.download_div2k(4, data_dir=data_dir)
    assert "already prepared; nothing to download" in capsys.readouterr().out


def test_tfds_data_dir_variable_is_where_prepared_div2k_is_found(div2k_dirs, monkeypatch, tmp_path):
    """Colab's Drive folder works through TFDS_DATA_DIR (set by edsr_helpers.colab), read at every call."""
    _, data_dir, _ = div2k_dirs
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path))
    assert not data.div2k_is_prepared(4)
    monkeypatch.setenv("TFDS_DATA_DIR", str(data_dir))
    assert data.div2k_is_prepared(4)


def test_div2k_has_no_test_split_and_says_where_the_test_photos_are():
    with pytest.raises(ValueError, match="load_sample"):
        data.load_div2k(4, "test")
