"""The package's two faces: ``import edsr_helpers`` and the command line load only what they use."""

from __future__ import annotations

import subprocess
import sys

import pytest

COURSE_MODULES = ("plotting", "lessons", "exercises", "colab", "notebook", "profiles")


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
    assert callable(eh.setup) and "data" in dir(eh)
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
