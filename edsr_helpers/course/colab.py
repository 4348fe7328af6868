"""Colab: one Google Drive folder that all four notebooks share.

Colab gives every notebook its own virtual machine, so a model trained in notebook 03 and a DIV2K download
are gone when notebook 04 starts. The setup cell of every notebook calls :func:`use_drive_folder`, which
mounts Google Drive and points the series' run folder (``EDSR_RUNS_DIR``) and tensorflow-datasets' data
folder (``TFDS_DATA_DIR``) into one Drive folder. Outside Colab nothing here runs: locally, runs stay in
``notebooks/runs/`` and tfds keeps its default ``~/tensorflow_datasets``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from edsr_helpers.constants import COLAB_DRIVE_FOLDER, TFDS_DATA_DIR_ENV_VAR
from edsr_helpers.runs import RUNS_DIR_ENV_VAR

#: Where Colab mounts Google Drive.
DRIVE_MOUNT_POINT = "/content/drive"


def on_colab() -> bool:
    """Whether this kernel runs on Google Colab."""
    return "google.colab" in sys.modules


def _colab_mount(mount_point: str) -> None:
    from google.colab import drive

    drive.mount(mount_point)


def use_drive_folder(
    folder: str = COLAB_DRIVE_FOLDER,
    *,
    mount: Callable[[str], None] | None = None,
    mount_point: str | None = None,
) -> Path | None:
    """Mount Google Drive and keep runs and tfds data in ``<Drive>/<folder>`` for every notebook.

    Colab asks for permission to mount Drive in each notebook (each one runs on its own VM); the folder is
    the same, so notebook 04 finds the model notebook 03 saved, and DIV2K is downloaded once.

    Args:
        folder: path inside the mount point (``MyDrive/edsr-course`` unless a course chooses another).
        mount: what mounts Drive (``google.colab.drive.mount``; tests pass their own).
        mount_point: where Drive appears (``/content/drive``).

    Returns:
        The Drive folder, or ``None`` when Drive could not be mounted (the reader declined, or no Drive): then
        runs and downloads stay on this VM until the runtime ends, and a sentence says so.
    """
    mount_point = mount_point or DRIVE_MOUNT_POINT
    try:
        (mount or _colab_mount)(mount_point)
    except Exception as error:  # noqa: BLE001 - Colab raises several kinds when the reader says no
        print(
            f"Google Drive is not mounted ({type(error).__name__}: {error}). This notebook still runs, but its "
            "runs and downloads stay on this VM and are lost when it stops; re-run this cell to try again."
        )
        return None
    root = Path(mount_point) / folder
    runs, tfds_data = root / "runs", root / "tensorflow_datasets"
    runs.mkdir(parents=True, exist_ok=True)
    tfds_data.mkdir(parents=True, exist_ok=True)
    os.environ[RUNS_DIR_ENV_VAR] = str(runs)
    os.environ[TFDS_DATA_DIR_ENV_VAR] = str(tfds_data)
    print(f"Runs and datasets are kept in Google Drive: {root} (shared by all four notebooks).")
    return root
