"""What every notebook's first code cell calls (:func:`setup`), and :func:`show_source` for readers."""

from __future__ import annotations

import inspect

from edsr_helpers.constants import DEFAULT_SEED
from edsr_helpers.profiles import Profile, active_profile, describe_profile


def setup(seed: int = DEFAULT_SEED, *, drive: bool = True) -> Profile:
    """Fix the random seeds, set plotting defaults, print the active profile and return it.

    On Colab, with ``drive``, runs and datasets go to one Google Drive folder that every notebook shares (each
    Colab notebook runs on a VM of its own; :func:`edsr_helpers.course.colab.use_drive_folder`).
    """
    import warnings

    from edsr_helpers.course import colab

    if drive and colab.on_colab():
        colab.use_drive_folder()

    import keras
    import matplotlib.pyplot as plt

    # Keras warns on every fit() that its default shuffle=True does not apply to a tf.data pipeline; ours
    # shuffles itself, so the warning only distracts readers.
    warnings.filterwarnings("ignore", message=r".*`shuffle=True` was passed.*")

    keras.utils.set_random_seed(seed)
    plt.rcParams.update({"figure.dpi": 80, "axes.titlesize": 10, "image.interpolation": "nearest"})
    profile = active_profile()
    print(describe_profile(profile))
    return profile


def show_source(obj: object) -> None:
    """Display the source of a helper as highlighted code, so a notebook can show what a call does."""
    from IPython.display import Code, display

    display(Code(inspect.getsource(obj), language="python"))
