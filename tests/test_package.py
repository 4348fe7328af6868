"""The package's layers: ``import edsr_helpers`` and the command line load only what they use, and the core
imports neither the presentation nor the course."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.engine_free

COURSE_MODULES = ("course", "course.plotting", "course.lessons", "course.exercises", "course.colab", "course.notebook")
PRESENTATION_MODULES = ("presentation", "presentation.widgets", "presentation.plots", "presentation.tables")


def _modules_after(code: str) -> set[str]:
    """The modules a fresh Python holds after running ``code`` (in a subprocess, so nothing is shared)."""
    script = f"{code}\nimport sys\nprint(' '.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(result.stdout.split())


def test_import_loads_neither_keras_nor_matplotlib_nor_the_course():
    loaded = _modules_after("import edsr_helpers")
    assert "matplotlib" not in loaded and "keras" not in loaded
    assert not {f"edsr_helpers.{name}" for name in (*COURSE_MODULES, *PRESENTATION_MODULES)} & loaded


def test_command_line_help_loads_neither_matplotlib_nor_the_course():
    loaded = _modules_after(
        "import sys\nsys.argv = ['edsr-upscale', '--help']\nfrom edsr_helpers.__main__ import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    assert "matplotlib" not in loaded
    assert not {f"edsr_helpers.{name}" for name in (*COURSE_MODULES, *PRESENTATION_MODULES)} & loaded


def test_training_and_inference_load_neither_the_presentation_nor_the_course():
    loaded = _modules_after("import edsr_helpers.inference, edsr_helpers.training")
    assert "ipywidgets" not in loaded
    assert not {f"edsr_helpers.{name}" for name in (*COURSE_MODULES, *PRESENTATION_MODULES)} & loaded


def test_the_core_runs_without_matplotlib_ipython_or_ipywidgets():
    """Keras imports matplotlib and IPython itself when they are installed, so what is loaded cannot tell; with
    them made unimportable the core must still import and upscale."""
    loaded = _modules_after(
        "import sys\n"
        "for blocked in ('matplotlib', 'IPython', 'ipywidgets'):\n"
        "    sys.modules[blocked] = None\n"
        "import numpy as np\n"
        "from edsr_helpers import __main__, data, inference, metrics, model, pretrained, training\n"
        "sr = inference.upscale(model.edsr(2, num_res_blocks=1, num_filters=4), np.zeros((8, 8, 3), np.uint8))\n"
        "assert sr.shape == (16, 16, 3)"
    )
    assert "edsr_helpers.training" in loaded and "edsr_helpers.__main__" in loaded


def _imported_modules(path) -> set[str]:
    """Every module a source file imports, at any depth (function-level imports included)."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_the_core_imports_nothing_of_the_presentation_or_the_course():
    """Layers point one way: the course and the presentation use the core, the core uses neither."""
    from pathlib import Path

    package = Path(__import__("edsr_helpers").__file__).parent
    shown = ("edsr_helpers.course", "edsr_helpers.presentation", "matplotlib", "ipywidgets", "IPython")
    offenders = {
        path.name: sorted(name for name in _imported_modules(path) if name.startswith(shown))
        for path in package.glob("*.py")
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_course_and_the_presentation_use_only_public_names():
    """A private name (``_forward``) may change without notice; the series builds on the public ones only."""
    import ast
    from pathlib import Path

    package = Path(__import__("edsr_helpers").__file__).parent
    private = []
    for path in [*(package / "course").rglob("*.py"), *(package / "presentation").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("edsr_helpers"):
                private += [f"{path.name}: {alias.name}" for alias in node.names if alias.name.startswith("_")]
    assert private == []


def test_submodules_load_on_first_use():
    import edsr_helpers as eh

    assert eh.model.edsr is eh.architecture.edsr  # the notebook's model, re-exported
    assert "data" in dir(eh) and "course" in dir(eh)
    assert callable(eh.course.setup) and eh.course.exercises.CHECKERS
    with pytest.raises(AttributeError, match="no attribute 'modle'"):
        eh.modle  # noqa: B018


@pytest.mark.skipif(
    __import__("edsr_helpers").backend.configured_backend() != "tensorflow", reason="TensorFlow's own notices"
)
def test_tensorflow_imported_through_keras_prints_no_start_up_notices():
    """Jupyter would copy them into a student's cell; the package mutes TensorFlow's first import."""
    result = subprocess.run(
        [sys.executable, "-c", "import edsr_helpers, keras; keras.ops.ones(1)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "oneDNN" not in result.stderr and "absl" not in result.stderr, result.stderr


def test_the_package_patches_nothing_with_unittest_mock():
    """Test doubles belong in tests: the package itself never imports unittest.mock."""
    from pathlib import Path

    package = Path(__import__("edsr_helpers").__file__).parent
    offenders = [path.name for path in package.rglob("*.py") if "unittest" in path.read_text()]
    assert offenders == []


def test_data_is_split_by_job_and_reachable_as_before():
    from edsr_helpers import augmentation, data, div2k, photo_pairs, pipelines

    assert data.load_div2k is div2k.load_div2k and data.RecipePatchBatches is pipelines.RecipePatchBatches
    assert data.make_pair is photo_pairs.make_pair and data.alignment_psnr is augmentation.alignment_psnr


def test_every_subpackage_is_listed_for_the_wheel():
    """A folder missing from pyproject's ``packages`` would be absent from the install Colab gets."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    listed = set(tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(root).parts) for init in (root / "edsr_helpers").rglob("__init__.py")}
    assert found == listed
