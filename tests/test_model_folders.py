"""Models are folders: the registry finds them, and a model's own name and scale follow it from its builder through
training, saving, evaluation and the widget."""

from __future__ import annotations

import sys
import textwrap
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import keras
import numpy as np
import pytest

from edsr_helpers import architecture, inference, models, pretrained, profiles, recipes, samples, training
from edsr_helpers.model import model_scale
from edsr_helpers.models import edsr as edsr_folder

ROOT = Path(__file__).resolve().parent.parent

#: A model folder as someone adding a model writes one: two convolutions and a pixel shuffle, nothing of EDSR's.
TOY_FOLDER = '''
"""A toy super-resolution model: two convolutions and a pixel shuffle."""

from edsr_helpers.models import ModelFolder


def _tiny(scale: int, filters: int = 8):
    import keras

    from edsr_helpers.architecture import PixelShuffle

    inputs = keras.Input((None, None, 3), name="lr")
    x = keras.layers.Rescaling(1 / 255, name="to_unit")(inputs)
    x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu", name="features")(x)
    x = keras.layers.Conv2D(3 * scale * scale, 3, padding="same", name="expand")(x)
    x = PixelShuffle(scale, name="shuffle")(x)
    outputs = keras.layers.Rescaling(255.0, name="to_pixels", dtype="float32")(x)
    return keras.Model(inputs, outputs, name=f"toy_tiny_x{scale}")


MODEL = ModelFolder(name="Toy", key="toy", presets={"tiny": _tiny}, package=__name__, scales=(2, 3))
'''


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """The toy model folder, written outside the package and added to the registry for one test."""
    folder = tmp_path / "extra_models" / "toy"
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text(textwrap.dedent(TOY_FOLDER))
    monkeypatch.setattr(models, "__path__", list(models.__path__))  # add_folder extends a copy, restored after
    yield models.add_folder(folder)
    sys.modules.pop(f"{models.__name__}.toy", None)


def test_the_edsr_folder_is_found_with_its_name_presets_and_weights():
    edsr = models.get("edsr")
    assert (edsr.name, edsr.key, edsr.shipped_preset) == ("EDSR", "edsr", "baseline")
    assert {"edsr-baseline", "edsr-full"} <= set(recipes.model_names())
    assert pretrained.SHIPPED_FOLDER is edsr and pretrained.SHIPPED_PRESET == "baseline"
    assert pretrained.weights_folder() == ROOT / "edsr_helpers" / "models" / "edsr" / "weights"
    assert pretrained.weights_path(4).name == "edsr_baseline_x4.weights.h5"
    assert models.model_name(recipes.build_model("edsr-baseline", 2)) == "EDSR"
    assert edsr_folder.EDSR is architecture.EDSR  # the folder re-exports the architecture notebook 02 generates


def test_every_model_folders_weights_ship_in_the_wheel():
    """A file of a folder's ``weights/`` that pyproject's package-data does not match would be missing on Colab."""
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    for folder in models.folders().values():
        weights = Path(str(folder.weights))
        patterns = package_data.get(folder.package, [])
        files = [path.relative_to(weights.parent).as_posix() for path in weights.iterdir() if path.is_file()]
        assert files, f"{folder.package} ships no weights/"
        assert [name for name in files if not any(fnmatch(name, pattern) for pattern in patterns)] == []


def test_a_folder_without_a_model_or_with_a_taken_key_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(models, "__path__", list(models.__path__))
    (tmp_path / "nothing").mkdir()
    with pytest.raises(ValueError, match="no __init__.py"):
        models.add_folder(tmp_path / "nothing")
    (tmp_path / "nothing" / "__init__.py").write_text("")
    try:
        with pytest.raises(ValueError, match="defines no MODEL"):
            models.add_folder(tmp_path / "nothing")
    finally:
        sys.modules.pop(f"{models.__name__}.nothing", None)


def test_a_toy_model_folder_is_found_built_trained_saved_and_shown_under_its_own_name(toy, tmp_path):
    assert models.folders()["toy"] is toy and "toy-tiny" in recipes.model_names()
    assert toy.weight_file_name(2) == "toy_tiny_x2.weights.h5"
    with pytest.raises(ValueError, match="upscales by 2, 3"):
        recipes.build_model("toy-tiny", 4)

    # trained through the path EDSR takes: prepare builds the recipe's model, fit_recipe fits and checkpoints it
    recipe = recipes.Recipe("toy-run", "a toy", model="toy-tiny", dataset="sample", lr_patch_size=8, batch_size=2)
    profile = profiles.Profile("toy-run", "test", recipe, scale=2, epochs=1, steps_per_epoch=2, val_images=1)
    run = training.prepare(profile, run_dir=tmp_path / "run", precision="float32", jit_compile=False, seed=1)
    assert run.model.name == "toy_tiny_x2" and models.of(run.model) is toy
    before = [np.array(weight) for weight in run.model.get_weights()]
    history = training.fit_recipe(run, tmp_path / "run", verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert any(not np.array_equal(old, new) for old, new in zip(before, run.model.get_weights(), strict=True))

    # saved and loaded safe-mode clean, still the toy at x2
    path = tmp_path / "toy.keras"
    run.model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert model_scale(loaded) == 2 and models.model_name(loaded) == "Toy"
    lr = samples.load_photo("astronaut")[:24, :32]
    np.testing.assert_array_equal(inference.upscale(loaded, lr), inference.upscale(run.model, lr))

    # evaluated under its own name and key
    hr = samples.load_photo("astronaut")[:64, :64]
    assert [row["method"] for row in inference.evaluate_photo(loaded, hr)] == ["bicubic", "Toy", "Toy+"]
    rows = training.evaluate(loaded, [(lr, samples.load_photo("astronaut")[:48, :64])], 2)
    assert "toy_psnr_y" in rows[0] and "edsr_psnr_y" not in rows[0]


def test_the_widget_labels_a_toy_model_by_its_own_name(toy):
    pytest.importorskip("ipywidgets")
    from edsr_helpers.presentation import widgets

    hr = samples.load_photo("astronaut")[:64, :64]
    lr = hr[::2, ::2]
    widget = widgets.crop_compare(toy.build("tiny", 2), photos=[widgets.Photo("crop", lr, hr)], tile=None)
    headings = [cell.children[0].value for cell in widget.cells.values()]
    assert headings == ["<b>LR (input)</b>", "<b>bicubic</b>", "<b>Toy</b>", "<b>Toy+</b>", "<b>HR (original)</b>"]
    assert widget.plus.description.startswith("Toy+ ")
    assert [label for label, _ in widget.left.options] == ["bicubic", "Toy"]


def test_the_edsr_widget_keeps_its_labels():
    pytest.importorskip("ipywidgets")
    from edsr_helpers.model import edsr
    from edsr_helpers.presentation import widgets

    hr = samples.load_photo("astronaut")[:64, :64]
    widget = widgets.crop_compare(edsr(2, num_res_blocks=1, num_filters=4), photos=[("crop", hr[::2, ::2], hr)])
    headings = [cell.children[0].value for cell in widget.cells.values()]
    assert headings == ["<b>LR (input)</b>", "<b>bicubic</b>", "<b>EDSR</b>", "<b>EDSR+</b>", "<b>HR (original)</b>"]
    assert widget.plus.description == "EDSR+ (8x slower, first time)"
