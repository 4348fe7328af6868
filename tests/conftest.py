"""Shared fixtures. Tests run under the ``ci`` profile unless a test sets another."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

os.environ.setdefault("EDSR_PROFILE", "ci")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from edsr_helpers import samples  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config):
    """Keep the order below when xdist hands out files (its own reorder would sort them by test count only)."""
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(config, items):
    """Longest work first: files with slow tests, then the files with the most tests (notebooks among them).

    Why: ``make test`` hands whole files to two processes (``--dist loadscope``); a long file handed out last
    runs alone while the other process has nothing left to do. Within a file the order stays.
    """
    slow, count = {}, {}
    for item in items:
        slow[item.path] = slow.get(item.path, 0) + (item.get_closest_marker("slow") is not None)
        count[item.path] = count.get(item.path, 0) + 1
    items.sort(key=lambda item: (-slow[item.path], -count[item.path], str(item.path)))


def _load_script(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def factory_train():
    """weights_factory/train.py, the weights factory's training command (a script, imported by path)."""
    return _load_script(ROOT / "weights_factory" / "train.py")


@pytest.fixture(scope="session")
def factory_install():
    """weights_factory/install.py, the weights factory's install tool (a script, imported by path)."""
    return _load_script(ROOT / "weights_factory" / "install.py")


@pytest.fixture(scope="session")
def toy_x2_args() -> list[str]:
    """The smallest training the weights factory runs end to end: x2, one step on 8-pixel patches."""
    return ["--scale", "2", "--epochs", "1", "--steps-per-epoch", "1", "--patch", "8", "--batch", "2"]


@pytest.fixture(scope="session")
def toy_x2(factory_train, toy_x2_args, tmp_path_factory) -> Path:
    """The folder a toy x2 run wrote its weights, summary and log into: trained once, only read by the tests."""
    folder = tmp_path_factory.mktemp("toy-x2")
    factory_train.main([*toy_x2_args, "--out-dir", str(folder / "out"), "--run-dir", str(folder / "run")])
    return folder / "out"


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
