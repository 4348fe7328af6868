"""`make unit` and `make test-backends` select tests by marker: check what each selection holds."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.engine_free, pytest.mark.slow]  # each runs pytest again: ~10 s


def _makefile_variable(name: str) -> str:
    return re.search(rf"^{name} := (.+)$", (ROOT / "Makefile").read_text(), flags=re.M).group(1)


def _selected(expression: str | None) -> set[str]:
    """The test files pytest collects under ``-m expression`` (all of them for None)."""
    selection = ["-m", expression] if expression else []
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", *selection, "tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return {line.split("::")[0] for line in result.stdout.splitlines() if "::" in line}


@pytest.fixture(scope="module")
def everything() -> set[str]:
    return _selected(None)


def test_make_unit_runs_no_notebook_no_browser_and_nothing_slow(everything):
    unit = _selected(_makefile_variable("UNIT_MARKERS"))
    assert "tests/test_browser.py" not in unit and "tests/test_model.py" in unit
    assert unit < everything


def test_make_test_backends_runs_the_engine_tests_only(everything):
    backends = _selected(_makefile_variable("BACKEND_MARKERS"))
    assert {"tests/test_model.py", "tests/test_training.py", "tests/test_inference.py"} <= backends
    left_out = {"tests/test_div2k.py", "tests/test_browser.py"}
    left_out |= {"tests/test_weights_factory.py", "tests/test_weights_install.py"}
    assert not backends & (left_out | {"tests/test_environment.py", "tests/test_product_text.py"})
    assert backends < everything
