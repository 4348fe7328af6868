"""Shared fixtures. Tests run under the ``ci`` profile unless a test sets another."""

from __future__ import annotations

import os

os.environ.setdefault("EDSR_PROFILE", "ci")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from edsr_helpers import samples  # noqa: E402


@pytest.fixture(scope="session")
def photo() -> np.ndarray:
    """A real photo (scikit-image's astronaut), read-only."""
    return samples.load_photo("astronaut")


@pytest.fixture(scope="session")
def div2k_dirs(tmp_path_factory):
    """The real tfds ``div2k/bicubic_x4`` builder, prepared offline from a folder laid out like the zips.

    Returns (extracted folder, tfds data_dir, HR photos written per split). Skips where TensorFlow (which
    tfds's DIV2K needs) is not installed.
    """
    pytest.importorskip("tensorflow_datasets")
    pytest.importorskip("tensorflow")
    from edsr_helpers import data

    root = tmp_path_factory.mktemp("div2k")
    hr_photos = {
        "train": [samples.load_photo(name) for name in ("astronaut", "chelsea", "rocket")],
        "validation": [samples.load_photo(name) for name in ("coffee", "monarch")],
    }
    extracted = data.write_div2k_layout(root / "extracted", hr_photos, scale=4)
    data.prepare_div2k_from_extracted(extracted, scale=4, data_dir=root / "tfds")
    return extracted, root / "tfds", hr_photos
