"""Registered names mean one class: a notebook's copy of a layer, schedule or metric and the package's may share it, a
different class may not take it."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import pytest

from edsr_helpers import architecture
from edsr_helpers.serialization import register_serializable

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def registry():
    """Keras's registry of names, put back as it was after the test."""
    names = keras.saving.get_custom_objects()
    before = dict(names)
    yield names
    names.clear()
    names.update(before)


def _a_layer_named(name: str, module: str) -> type:
    """A fresh layer class called ``name``, as if defined in ``module``."""
    return type(name, (keras.layers.Layer,), {"__module__": module, "__qualname__": name})


def test_a_different_class_under_a_taken_name_is_an_error_that_says_what_to_do(registry):
    class Block(keras.layers.Layer):
        pass

    with pytest.raises(ValueError, match=r"'edsr_helpers>ResidualBlock' is already the name of") as caught:
        register_serializable(name="ResidualBlock")(Block)
    assert "edsr_helpers.architecture.ResidualBlock" in str(caught.value)
    assert "@register_serializable(package=..., name=...)" in str(caught.value)
    assert registry["edsr_helpers>ResidualBlock"] is architecture.ResidualBlock


@pytest.mark.parametrize("name", ["PSNR", "WarmupHalving"])
def test_the_metric_and_the_schedule_keep_their_names_from_a_different_class(registry, name):
    from edsr_helpers import metrics, objective

    registered = {"PSNR": metrics.PSNR, "WarmupHalving": objective.WarmupHalving}[name]
    assert keras.saving.get_registered_name(registered) == f"edsr_helpers>{name}"
    with pytest.raises(ValueError, match=f"'edsr_helpers>{name}' is already the name of"):
        register_serializable(name=name)(_a_layer_named("Impostor", "another_library.layers"))
    assert registry[f"edsr_helpers>{name}"] is registered


def test_a_class_of_the_same_name_from_another_library_is_a_different_class(registry):
    other = _a_layer_named("ResidualBlock", "another_library.layers")
    with pytest.raises(ValueError, match="another_library.layers.ResidualBlock is a different class"):
        register_serializable()(other)
    assert registry["edsr_helpers>ResidualBlock"] is architecture.ResidualBlock
    register_serializable(package="another_library")(other)  # under a name of its own it is welcome
    assert keras.saving.get_registered_object("another_library>ResidualBlock") is other


def test_the_same_class_defined_again_takes_its_name_back(registry):
    """A cell run twice, or a module reloaded: the newest definition is what loads."""
    first, second = (_a_layer_named("Tile", "edsr_helpers.toy") for _ in range(2))
    assert register_serializable()(first) is first
    assert register_serializable()(first) is first
    register_serializable()(second)
    assert keras.saving.get_registered_object("edsr_helpers>Tile") is second


def test_a_notebook_copy_loads_even_when_the_package_registers_after_it(registry):
    notebook_copy = _a_layer_named("ResidualBlock", "__main__")
    register_serializable()(notebook_copy)
    assert keras.saving.get_registered_object("edsr_helpers>ResidualBlock") is notebook_copy
    package_again = _a_layer_named("ResidualBlock", "edsr_helpers.architecture")
    register_serializable()(package_again)
    assert keras.saving.get_registered_object("edsr_helpers>ResidualBlock") is notebook_copy
    assert keras.saving.get_registered_name(package_again) == "edsr_helpers>ResidualBlock"


def _notebook_02_cells() -> str:
    """The code of notebook 02's ``#| export architecture`` cells, as the notebook runs them."""
    cells = re.split(r"^# %%.*$", (ROOT / "notebooks" / "02_model.py").read_text(), flags=re.M)
    exported = [cell.strip() for cell in cells if cell.strip().startswith("#| export architecture")]
    assert len(exported) >= 4
    return "\n\n".join(exported)


@pytest.mark.parametrize("package_first", [False, True], ids=["notebook first", "package first"])
def test_notebook_02_run_twice_beside_the_package_saves_and_loads_its_own_model(tmp_path, package_first):
    """In a fresh kernel: notebook 02's cells run twice, the package imported before or after them; nothing fails,
    and a saved model loads back (``safe_mode=True``) as the notebook's classes, the ones a student may edit."""
    (tmp_path / "cells.py").write_text(_notebook_02_cells())
    script = textwrap.dedent(
        f"""
        import keras
        if {package_first}:
            import edsr_helpers.architecture
        cells = open({str(tmp_path / "cells.py")!r}).read()
        exec(cells)
        exec(cells)  # the cells run again
        import edsr_helpers.architecture as package
        import edsr_helpers.model
        assert EDSR is not package.EDSR and EDSR.__module__ == "__main__"
        model = edsr(2, num_res_blocks=1, num_filters=8)
        model.save({str(tmp_path / "model.keras")!r})
        reloaded = keras.saving.load_model({str(tmp_path / "model.keras")!r}, safe_mode=True)
        blocks = [type(layer) for layer in reloaded.layers if "res_block" in layer.name]
        print(type(reloaded) is EDSR, blocks == [ResidualBlock])
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-2:] == ["True", "True"]
