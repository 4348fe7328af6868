"""The pip route (requirements.txt, CI) and the conda route (environment.yml) install the same thing, and
the package's own requirements admit Colab's stack as it is."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

pytestmark = pytest.mark.engine_free

ROOT = Path(__file__).resolve().parent.parent

#: Colab's runtime as of 2026 (see README, "Colab"): these must satisfy the package's own requirements.
COLAB_STACK = {
    "keras": "3.13.2",
    "ipywidgets": "7.7.1",
    "ipython": "7.34.0",
    "numpy": "2.1.0",
    "tensorflow": "2.20.0",
    "tensorflow-datasets": "4.9.9",
    "matplotlib": "3.10.0",
    "pillow": "11.3.0",
    "scikit-image": "0.25.2",
}


def _name(requirement: Requirement) -> str:
    return re.sub(r"[-_.]+", "-", requirement.name).lower()


def _pins(lines) -> dict[tuple[str, str], str]:
    """{(name, marker): version} of ``name==version; marker`` lines."""
    pins = {}
    for line in lines:
        line = line.split(" #")[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        requirement = Requirement(line)
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", f"not pinned: {line}"
        pins[(_name(requirement), str(requirement.marker or ""))] = specifier.version
    return pins


def requirements_pins():
    return _pins((ROOT / "requirements.txt").read_text().splitlines())


def conda_pins():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    (pip_section,) = [entry["pip"] for entry in environment["dependencies"] if isinstance(entry, dict)]
    assert "python=3.11" in environment["dependencies"]
    return _pins(pip_section)


def project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_conda_and_pip_pin_the_same_packages():
    assert conda_pins() == requirements_pins()


def test_conda_resolves_what_the_pins_pull_in_by_the_same_constraints():
    """Without them, the packages the pins pull in would resolve to whatever is newest on the day."""
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    (pip_section,) = [entry["pip"] for entry in environment["dependencies"] if isinstance(entry, dict)]
    assert "-c constraints.txt" in pip_section
    assert (ROOT / "constraints.txt").exists()  # beside environment.yml: conda runs pip from that folder


def test_constraints_agree_with_requirements():
    frozen = {
        _name(Requirement(line)): line.split("==")[1].strip()
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line
    }
    for (name, marker), version in requirements_pins().items():
        if 'darwin"' in marker and "!=" not in marker:
            continue  # macOS-only line: not in the Linux freeze
        assert frozen.get(name) == version, name


def test_package_requirements_admit_the_tested_pins():
    pins = {name: version for (name, _), version in requirements_pins().items()}
    for line in project()["dependencies"] + project()["optional-dependencies"]["notebooks"]:
        requirement = Requirement(line)
        assert _name(requirement) in pins, f"{requirement.name} is required but not pinned in requirements.txt"
        assert Version(pins[_name(requirement)]) in requirement.specifier, line


@pytest.mark.parametrize("python", ["3.11", "3.12", "3.13"])
def test_package_requirements_admit_colab(python):
    from packaging.specifiers import SpecifierSet

    assert Version(python) in SpecifierSet(project()["requires-python"])
    requirements = [Requirement(line) for line in project()["dependencies"]]
    for extra in ("tensorflow", "notebooks"):  # the setup cells install edsr-helpers[notebooks]
        requirements += [Requirement(line) for line in project()["optional-dependencies"][extra]]
    for requirement in requirements:
        if _name(requirement) in COLAB_STACK:
            assert Version(COLAB_STACK[_name(requirement)]) in requirement.specifier, requirement


def test_readme_commands_are_the_makefile_and_ci_ones():
    readme = (ROOT / "README.md").read_text()
    first_block = re.search(r"^```(?:bash|sh)\n(.*?)\n```", readme, flags=re.S | re.M).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()]
    assert commands == ["make run", "make test"], commands
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run: setup", makefile, re.M) and re.search(r"^test: setup", makefile, re.M)
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^(stage )?make test$", ci, re.M)  # CI runs README's command (timed by its stage helper)
    assert re.search(r"^(stage )?make test-backends$", ci, re.M)


def test_the_conda_files_install_line_is_the_documented_one():
    header = (ROOT / "environment.yml").read_text().splitlines()[0].removeprefix("# ")
    assert f"`{header}`" in (ROOT / "docs" / "development.md").read_text()


def test_the_wheel_carries_the_licence_it_declares():
    declared = project()
    assert declared["license"] == "Apache-2.0" and declared["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text and "END OF TERMS AND CONDITIONS" in text


def test_the_engine_extras_admit_the_tested_engines():
    tested = _pins((ROOT / "requirements-backends.txt").read_text().splitlines())
    tested |= requirements_pins()
    versions = {name: version for (name, _), version in tested.items()}
    extras = project()["optional-dependencies"]
    for extra in ("tensorflow", "jax", "torch"):
        for line in extras[extra]:
            requirement = Requirement(line)
            name = "tensorflow-cpu" if _name(requirement) == "tensorflow" else _name(requirement)
            assert Version(versions[name]) in requirement.specifier, line


def test_the_repository_carries_no_weights_that_do_not_ship():
    """A Colab install clones the repository: every weights or model file in it is shipped, a test's fixture, or
    a run in progress (weights_factory/in-progress, deleted when its weights install)."""
    import shutil
    import subprocess

    if not shutil.which("git") or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(
        ["git", "ls-files", "*.h5", "*.keras", "*.npz", "*.npy", "*.ckpt", "*.pt"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    from edsr_helpers import pretrained

    names = [*pretrained.WEIGHT_FILES.values()]
    names += [pretrained.weight_file_name(scale, "realistic") for scale in pretrained.REALISTIC_SCALES]
    folder = "/".join(pretrained.SHIPPED_FOLDER.package.split("."))
    shipped = {f"{folder}/weights/{name}" for name in names}
    # a weights run that must outlive the checkout trains in weights_factory/in-progress (weights_factory/README.md):
    # its backups and the x2 it starts from, never in the wheel, deleted when its weights install
    in_progress = "weights_factory/in-progress/"
    stray = [path for path in tracked if path not in shipped and not path.startswith(("tests/data/", in_progress))]
    assert not stray, f"weights that do not ship are tracked (a run in progress belongs in {in_progress}): {stray}"
    for path in tracked:
        if path.startswith(in_progress) and "/backup/" in path:  # a backup is there only to resume its run
            assert (ROOT / path.split("/backup/")[0] / "progress.json").is_file(), path
