"""The package's two faces: ``import edsr_helpers`` and the command line load only what they use."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.engine_free

COURSE_MODULES = ("course", "course.plotting", "course.lessons", "course.exercises", "course.colab", "course.notebook")


def _modules_after(code: str) -> set[str]:
    """The modules a fresh Python holds after running ``code`` (in a subprocess, so nothing is shared)."""
    script = f"{code}\nimport sys\nprint(' '.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(result.stdout.split())


def test_import_loads_neither_keras_nor_matplotlib_nor_the_course():
    loaded = _modules_after("import edsr_helpers")
    assert "matplotlib" not in loaded and "keras" not in loaded
    assert not {f"edsr_helpers.{name}" for name in COURSE_MODULES} & loaded


def test_command_line_help_loads_neither_matplotlib_nor_the_course():
    loaded = _modules_after(
        "import sys\nsys.argv = ['edsr-upscale', '--help']\nfrom edsr_helpers.__main__ import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    assert "matplotlib" not in loaded
    assert not {f"edsr_helpers.{name}" for name in COURSE_MODULES} & loaded


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

    assert data.load_div2k is div2k.load_div2k and data.PatchBatches is pipelines.PatchBatches
    assert data.make_pair is photo_pairs.make_pair and data.alignment_psnr is augmentation.alignment_psnr


def test_every_subpackage_is_listed_for_the_wheel():
    """A folder missing from pyproject's ``packages`` would be absent from the install Colab gets."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    listed = set(tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(root).parts) for init in (root / "edsr_helpers").rglob("__init__.py")}
    assert found == listed
