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
    """Folder holding one sub-folder per profile's run (``runs/`` unless ``EDSR_RUNS_DIR`` says otherwise)."""
    return Path(os.environ.get(RUNS_DIR_ENV_VAR, "runs"))


def run_dir(profile: Profile, *, fresh: bool = False) -> Path:
    """The run folder of ``profile``; ``fresh`` deletes what an earlier run left there (no resume)."""
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


def trained_models(*, skip_profiles: tuple[str, ...] = ("ci",)) -> list[Path]:
    """Models that notebook 03 saved (``runs/*/edsr.keras``), newest first, leaving out ``skip_profiles``."""
    found = [path for path in runs_dir().glob(f"*/{MODEL_FILE}") if path.parent.name not in skip_profiles]
    return sorted(found, key=lambda path: path.stat().st_mtime, reverse=True)
