"""Helpers for the EDSR notebook series: one module per stage a student meets.

- :mod:`edsr_helpers.data` — DIV2K and offline photo pairs, aligned augmentation, the training pipeline (01)
- :mod:`edsr_helpers.model` — EDSR's layers and model, parameter/FLOP counts (02)
- :mod:`edsr_helpers.training` — precision, schedule, callbacks, evaluation, distribution (03)
- :mod:`edsr_helpers.inference` — running a model on photos (02, 04)
- :mod:`edsr_helpers.widgets` — the crop-and-compare widget (04)
- :mod:`edsr_helpers.pretrained` — EDSR-baseline weights shipped with the package (04)
- :mod:`edsr_helpers.images` — reading photos, conversion to uint8 RGB, bicubic resizing
- :mod:`edsr_helpers.metrics` — PSNR/SSIM on the SR conventions, a Keras PSNR metric
- :mod:`edsr_helpers.lessons` — small experiments the notebooks run to make a point
- :mod:`edsr_helpers.plotting` — figures
- :mod:`edsr_helpers.profiles` — how big the work is (``ci``, ``cpu``, ``gpu``)

Use it as ``import edsr_helpers as eh`` and call ``eh.data.load_sample(...)`` so a reader always sees which
module a name comes from.
"""

import os

# Keep TensorFlow's C++ log lines (oneDNN and CPU-feature notices) out of the notebooks: Jupyter copies them
# into whichever cell happens to run, where they confuse readers and break nbval's output comparison.
# Python exceptions are unaffected. Only a default: an explicit TF_CPP_MIN_LOG_LEVEL wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _import_tensorflow_quietly() -> None:
    """Import TensorFlow with the process's stderr muted: its start-up notices ignore TF_CPP_MIN_LOG_LEVEL."""
    import sys

    if "tensorflow" in sys.modules:
        return
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


_import_tensorflow_quietly()

from edsr_helpers import (  # noqa: E402
    constants,
    data,
    images,
    inference,
    lessons,
    metrics,
    model,
    plotting,
    pretrained,
    profiles,
    samples,
    training,
    widgets,
)
from edsr_helpers.notebook import setup, show_source  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "constants",
    "data",
    "images",
    "inference",
    "lessons",
    "metrics",
    "model",
    "plotting",
    "pretrained",
    "profiles",
    "samples",
    "training",
    "widgets",
    "setup",
    "show_source",
    "__version__",
]
