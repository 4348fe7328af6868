"""Where training runs live: notebook 03 writes a run folder per profile, notebook 04 finds the model there.

Kept apart from :mod:`edsr_helpers.training` and :mod:`edsr_helpers.inference` so both can use it without
importing each other.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import keras

from edsr_helpers.profiles import Profile

#: Where notebook 03 writes runs and notebook 04 looks for them (relative to the notebooks' folder);
#: override with EDSR_RUNS_DIR, e.g. a Google Drive folder on Colab.
RUNS_DIR_ENV_VAR = "EDSR_RUNS_DIR"
#: File name of the trained model inside a run folder.
MODEL_FILE = "edsr.keras"


def runs_dir() -> Path:
    """Folder holding one sub-folder per profile's run: ``runs/`` beside the notebooks unless ``EDSR_RUNS_DIR``
    says otherwise. Absolute, so a printed path means the same wherever its reader stands."""
    return Path(os.environ.get(RUNS_DIR_ENV_VAR, "runs")).resolve()


def run_dir(profile: Profile, *, fresh: bool | None = None) -> Path:
    """The run folder of ``profile``; ``fresh`` deletes what an earlier run left there (no resume). By default
    a profile that is not ``resumable`` starts afresh."""
    fresh = not profile.resumable if fresh is None else fresh
    folder = runs_dir() / profile.name
    if fresh and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_trained(model: keras.Model, folder: str | os.PathLike) -> Path:
    """Save the final model as ``<folder>/edsr.keras``, where notebook 04 finds it."""
    path = Path(folder) / MODEL_FILE
    model.save(path)
    return path


def shown(path: str | os.PathLike) -> str:
    """``path`` as a reader can use it from anywhere: relative to the git repository it lies in (so
    ``notebooks/runs/cpu/edsr.keras`` in a clone of the series), else absolute (``/content/runs/...`` on Colab)."""
    path = Path(path).resolve()
    for folder in path.parents:
        if (folder / ".git").exists():
            return str(path.relative_to(folder))
    return str(path)


def trained_model_path(profile: Profile) -> Path:
    """Where notebook 03 saves the model it trains under ``profile`` (it may not exist yet)."""
    return runs_dir() / profile.name / MODEL_FILE
