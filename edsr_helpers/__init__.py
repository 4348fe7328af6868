"""Helpers for the EDSR notebook series; the EDSR core itself is written in the notebooks.

The core, for anyone upscaling photos or training from Python or the command line:

- :mod:`edsr_helpers.architecture` — EDSR's layers and model, generated from notebook 02
- :mod:`edsr_helpers.model` — presets, parameter/FLOP counts, receptive field
- :mod:`edsr_helpers.models` — the model folders (``models/edsr/``: name, presets, shipped weights), found by
  looking
- :mod:`edsr_helpers.recipes` — building a model by name, and the named training recipes
- :mod:`edsr_helpers.data` — the pairs a profile trains on; by job: :mod:`~edsr_helpers.photo_pairs`,
  :mod:`~edsr_helpers.div2k` (tensorflow-datasets), :mod:`~edsr_helpers.augmentation`, :mod:`~edsr_helpers.pipelines`
- :mod:`edsr_helpers.training` — precision, schedule, callbacks, evaluation
- :mod:`edsr_helpers.degradations` — blur, resizing, noise and JPEG as real photos have them, generated from
  notebook 05
- :mod:`edsr_helpers.inference` — running a model on photos, tiled, with the self-ensemble
- :mod:`edsr_helpers.metrics` — PSNR/SSIM on the SR conventions (:func:`~edsr_helpers.metrics.score`), a Keras
  PSNR metric
- :mod:`edsr_helpers.images`, :mod:`edsr_helpers.samples` — reading photos, the offline photos
- :mod:`edsr_helpers.pretrained`, :mod:`edsr_helpers.weight_files` — EDSR-baseline weights shipped with the
  package, and loading weights files safely
- :mod:`edsr_helpers.backend` — the one place that knows TensorFlow, JAX and torch apart

What shows those results in a notebook (the crop-and-compare widget, live training curves, tables) is
:mod:`edsr_helpers.presentation`: it depends on the core, the core never imports it, and its matplotlib,
ipywidgets and IPython come with the ``[notebooks]`` extra.

How big a run is: :mod:`~edsr_helpers.profiles` (the notebooks, the weights factory and the benchmarks size
their work by it); where runs are kept: :mod:`~edsr_helpers.runs`. What only the notebook series needs (lessons,
figures, exercises, Colab's setup) is :mod:`edsr_helpers.course`, which ``import edsr_helpers`` does not load.

Use it as ``import edsr_helpers as eh`` and call ``eh.data.load_sample(...)`` so a reader always sees which
module a name comes from. Submodules load when first used: ``import edsr_helpers`` itself loads neither Keras
nor matplotlib.
"""

import importlib
import os

# Keep TensorFlow's C++ log lines (oneDNN and CPU-feature notices) out of the notebooks: Jupyter copies them
# into whichever cell happens to run, where they confuse readers and break nbval's output comparison.
# Python exceptions are unaffected. Only a default: an explicit TF_CPP_MIN_LOG_LEVEL wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from edsr_helpers import backend  # noqa: E402

# TensorFlow's start-up notices ignore that variable: its first import, whoever makes it, runs with stderr muted.
# With KERAS_BACKEND=jax or torch the package works on a machine without TensorFlow.
if backend.configured_backend() == "tensorflow":
    backend.mute_tensorflow_import_notices()

__version__ = "0.1.0"

_SUBMODULES = (
    "architecture",
    "augmentation",
    "pairs",
    "photo_pairs",
    "pipelines",
    "objective",
    "tiling",
    "backend",
    "constants",
    "course",
    "data",
    "degradations",
    "div2k",
    "images",
    "inference",
    "metrics",
    "model",
    "models",
    "presentation",
    "pretrained",
    "profiles",
    "recipes",
    "runs",
    "samples",
    "training",
    "weight_files",
)
__all__ = [*_SUBMODULES, "__version__"]


def __getattr__(name: str):
    """Load a submodule (``eh.data``) on first use."""
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
