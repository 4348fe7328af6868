"""Colab's shared Drive folder, tested without Colab: the mount is the only part replaced."""

from __future__ import annotations

import os
import subprocess
import sys
import types

import nbformat
import pytest

from edsr_helpers import runs
from edsr_helpers.constants import COLAB_DRIVE_FOLDER
from edsr_helpers.course import colab
from tests.test_notebooks import NOTEBOOKS

pytestmark = pytest.mark.engine_free


@pytest.fixture
def clean_env(monkeypatch):
    """Neither variable set, and both restored afterwards even though the code under test sets them (a bare
    delenv of an absent variable records nothing to undo, and the Drive folder would leak into later tests)."""
    for name in (runs.RUNS_DIR_ENV_VAR, colab.TFDS_DATA_DIR_ENV_VAR):
        monkeypatch.setenv(name, "placeholder")
        monkeypatch.delenv(name)


def test_drive_folder_holds_runs_and_datasets(tmp_path, clean_env, capsys):
    mounted = []
    root = colab.use_drive_folder(mount=mounted.append, mount_point=str(tmp_path))
    assert mounted == [str(tmp_path)] and root == tmp_path / COLAB_DRIVE_FOLDER
    assert runs.runs_dir() == root / "runs" and (root / "runs").is_dir()
    assert os.environ[colab.TFDS_DATA_DIR_ENV_VAR] == str(root / "tensorflow_datasets")
    assert "shared by all four notebooks" in capsys.readouterr().out


def test_declined_mount_keeps_working_on_the_vm(tmp_path, clean_env, capsys):
    def decline(_mount_point):
        raise ValueError("mount failed")

    assert colab.use_drive_folder(mount=decline, mount_point=str(tmp_path)) is None
    assert runs.RUNS_DIR_ENV_VAR not in os.environ and colab.TFDS_DATA_DIR_ENV_VAR not in os.environ
    out = capsys.readouterr().out
    assert "not mounted (ValueError: mount failed)" in out and "stay on this VM" in out


def test_setup_cell_on_colab_installs_then_course_setup_mounts_drive(tmp_path, clean_env, monkeypatch):
    """The setup cell as stored, run as on Colab: pip succeeds (replaced); then ``course.setup()`` mounts Drive
    (replaced), and ``drive=False`` leaves the runs on the VM."""
    notebook = nbformat.read(NOTEBOOKS[-1], as_version=4)
    setup = next(cell.source for cell in notebook.cells if cell.cell_type == "code")
    installs, mounts = [], []
    fake_colab = types.ModuleType("google.colab")
    fake_colab.drive = types.SimpleNamespace(mount=mounts.append)
    monkeypatch.setitem(sys.modules, "google.colab", fake_colab)
    monkeypatch.setattr(colab, "DRIVE_MOUNT_POINT", str(tmp_path))
    monkeypatch.setattr(
        subprocess, "run", lambda command, **_: installs.append(command) or subprocess.CompletedProcess(command, 0)
    )
    exec(compile(setup, "setup cell", "exec"), {})
    assert "install" in installs[0] and mounts == []
    from edsr_helpers import course

    course.setup(drive=False)
    assert mounts == []
    course.setup()
    assert mounts == [str(tmp_path)]
    assert runs.runs_dir() == tmp_path / COLAB_DRIVE_FOLDER / "runs"


def test_not_on_colab_here():
    assert not colab.on_colab()
