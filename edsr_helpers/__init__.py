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
- :mod:`edsr_helpers.runs` — where training runs are saved and found again (03, 04)
- :mod:`edsr_helpers.backend` — the one place that knows TensorFlow, JAX and torch apart

Use it as ``import edsr_helpers as eh`` and call ``eh.data.load_sample(...)`` so a reader always sees which
module a name comes from.
"""

import os

# Keep TensorFlow's C++ log lines (oneDNN and CPU-feature notices) out of the notebooks: Jupyter copies them
# into whichever cell happens to run, where they confuse readers and break nbval's output comparison.
# Python exceptions are unaffected. Only a default: an explicit TF_CPP_MIN_LOG_LEVEL wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


from edsr_helpers import backend  # noqa: E402

# TensorFlow only when it is the engine (its import is ~3 s and prints C++ notices on stderr); with
# KERAS_BACKEND=jax or torch the package works on a machine without TensorFlow.
if backend.configured_backend() == "tensorflow":
    backend.import_tensorflow_quietly()

from edsr_helpers import (  # noqa: E402
    colab,
    constants,
    data,
    exercises,
    images,
    inference,
    lessons,
    metrics,
    model,
    plotting,
    pretrained,
    profiles,
    runs,
    samples,
    training,
    widgets,
)
from edsr_helpers.notebook import setup, show_source  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "backend",
    "colab",
    "constants",
    "data",
    "exercises",
    "images",
    "inference",
    "lessons",
    "metrics",
    "model",
    "plotting",
    "pretrained",
    "profiles",
    "runs",
    "samples",
    "training",
    "widgets",
    "setup",
    "show_source",
    "__version__",
]
