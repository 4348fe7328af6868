"""How big the work is: the ``ci``, ``cpu``, ``gpu`` and ``paper`` profiles.

Every notebook runs under one profile. The same notebook then takes seconds in the test suite, minutes on a
laptop and a class-sized run on a Colab GPU, without editing a cell. The profile is chosen automatically
(a GPU means ``gpu``, otherwise ``cpu``) and can be overridden with one environment variable,
``EDSR_PROFILE``, set before the notebook starts (``%env EDSR_PROFILE=ci`` in its first cell also works).
``paper`` (the paper's DIV2K recipe, run for the official code's 300k steps) is never chosen automatically:
it takes a day and a 4.3 GB download, so it runs only when asked for by name.
"""

from __future__ import annotations

import dataclasses
import os

from edsr_helpers.constants import DEFAULT_SCALE, PAPER_LR_PATCH_SIZE

#: Environment variable that overrides the automatic choice.
PROFILE_ENV_VAR = "EDSR_PROFILE"

#: Longest training of the lab-sized profiles (``cpu``, ``gpu``) in notebook 03: the lesson plan's training slot.
LAB_TRAINING_MINUTES = 20.0


@dataclasses.dataclass(frozen=True)
class Profile:
    """Sizes of the work, read by every notebook.

    Attributes:
        name: ``ci``, ``cpu``, ``gpu`` or ``paper``.
        description: one line for humans.
        dataset: ``"sample"`` (real photos shipped by pip packages), ``"div2k"`` (tfds, downloads on first
            use) or ``"div2k-if-prepared"`` (DIV2K if it is already on disk, else the sample photos; never
            downloads).
        scale: upscaling factor.
        lr_patch_size: side of the low-resolution training patch (the HR patch is ``scale`` times larger).
        batch_size: patches per training step.
        patches_per_image: random patches cut from each decoded image before the next one is decoded;
            decoding a 2K PNG costs far more than cropping it, so several crops share one decode.
        learning_rate: Adam's peak rate (paper: 1e-4).
        lr_schedule: ``"halving"`` (the paper's: halve every ``lr_halving_steps``) or ``"cosine"`` (decay to 0 over
            the whole run, ``epochs * steps_per_epoch``; what short runs on few photos trained best with).
        lr_halving_steps: the rate halves every this many steps (paper: 200,000).
        warmup_steps: linear warm-up from 0 to ``learning_rate``.
        epochs, steps_per_epoch: length of the training run in notebook 03.
        val_images: validation images scored after each epoch (``None``: all of them).
        training_minutes: notebook 03's training ends after the epoch that would otherwise run past this many
            minutes (:class:`edsr_helpers.training.TimeBudget`; ``None``: no limit). The same steps took 7 minutes
            on one 2-core CPU and 60 on another, and a lab's slot for training is fixed (the instructor guide's
            lesson plan gives it 20 minutes).
    """

    name: str
    description: str
    dataset: str
    scale: int = DEFAULT_SCALE
    lr_patch_size: int = PAPER_LR_PATCH_SIZE
    batch_size: int = 16
    patches_per_image: int = 8
    learning_rate: float = 1e-4
    lr_schedule: str = "halving"
    lr_halving_steps: int = 200_000
    warmup_steps: int = 0
    epochs: int = 10
    steps_per_epoch: int = 100
    val_images: int | None = None
    training_minutes: float | None = None

    def __post_init__(self) -> None:
        if self.lr_schedule not in ("halving", "cosine"):
            raise ValueError(f"lr_schedule must be 'halving' or 'cosine', not {self.lr_schedule!r}.")

    @property
    def total_steps(self) -> int:
        """Training steps of the whole run."""
        return self.epochs * self.steps_per_epoch

    @property
    def hr_patch_size(self) -> int:
        """Side of the high-resolution training patch."""
        return self.lr_patch_size * self.scale


PROFILES: dict[str, Profile] = {
    "ci": Profile(
        name="ci",
        description="test-suite size: seconds per notebook, offline sample photos",
        dataset="sample",
        lr_patch_size=24,
        batch_size=8,
        learning_rate=5e-4,
        warmup_steps=5,
        epochs=2,
        steps_per_epoch=5,
    ),
    "cpu": Profile(
        name="cpu",
        description="laptop size: minutes per notebook, DIV2K if already downloaded, else sample photos",
        dataset="div2k-if-prepared",
        # measured on the 2-core CPU (benchmarks/time_to_parity.py): 24px LR patches and a 5x larger,
        # warmed-up learning rate pass bicubic in minutes, where the paper's 48px / 1e-4 take far longer
        lr_patch_size=24,
        learning_rate=5e-4,
        warmup_steps=200,
        lr_halving_steps=1000,
        epochs=12,
        steps_per_epoch=100,
        training_minutes=LAB_TRAINING_MINUTES,
    ),
    "gpu": Profile(
        name="gpu",
        description="class size: ~15 minutes on a Colab T4, offline photos (DIV2K if already prepared), 48 px",
        dataset="div2k-if-prepared",
        # The recipe measured on an H200 (Keras on JAX, bf16, 12 offline photos): constant 2e-4, 48 px LR
        # patches, batch 16 beat bicubic by +1.37 dB after 7,000 steps (48 s) and over-fitted after that, so the
        # run stops there. On a T4 that is ~13 minutes by the ratio stated in README ("Profiles").
        learning_rate=2e-4,
        epochs=14,
        steps_per_epoch=500,
        patches_per_image=16,
        val_images=10,  # of DIV2K's 100 validation photos when DIV2K is used; the 3 offline ones otherwise
        training_minutes=LAB_TRAINING_MINUTES,  # the T4's ~12 minutes are derived, not measured
    ),
    "paper": Profile(
        name="paper",
        description="the paper's recipe: DIV2K through tensorflow-datasets (4.3 GB download), 300k steps",
        dataset="div2k",
        # 2K PNGs decode at ~30 images/s on Colab's 2 CPU cores: 16 crops per decode keep a GPU fed
        # (benchmarks/data_pipeline.py: 8 -> ~256, 16 -> ~444 patches/s on 2 cores)
        patches_per_image=16,
        epochs=300,
        steps_per_epoch=1000,
        val_images=10,  # of DIV2K's 100 2K validation photos, to keep each epoch's validation short
    ),
}


def _has_gpu() -> bool:
    from edsr_helpers.backend import has_gpu

    return has_gpu()


def active_profile() -> Profile:
    """Return the profile this process runs under.

    ``EDSR_PROFILE`` wins when set; otherwise ``gpu`` (class-sized) when the Keras engine sees a GPU, else
    ``cpu``. ``paper`` is only ever chosen by name.

    Raises:
        ValueError: if ``EDSR_PROFILE`` names no profile.
    """
    requested = os.environ.get(PROFILE_ENV_VAR, "").strip().lower()
    if requested:
        if requested not in PROFILES:
            raise ValueError(
                f"{PROFILE_ENV_VAR}={requested!r} is not a profile; choose one of {', '.join(PROFILES)} "
                f"(or unset {PROFILE_ENV_VAR} to choose automatically)."
            )
        return PROFILES[requested]
    return PROFILES["gpu"] if _has_gpu() else PROFILES["cpu"]


def describe_profile(profile: Profile) -> str:
    """A short text saying which profile runs, why, and how to change it (printed by every notebook)."""
    how = (
        f"set by {PROFILE_ENV_VAR}"
        if os.environ.get(PROFILE_ENV_VAR, "").strip()
        else "chosen automatically (GPU found)"
        if profile.name == "gpu"
        else "chosen automatically (no GPU)"
    )
    others = ", ".join(name for name in PROFILES if name != profile.name)
    return (
        f"Profile '{profile.name}' ({how}): {profile.description}.\n"
        f"To change it, run `%env {PROFILE_ENV_VAR}=<{others}>` in a cell and re-run this one "
        f"(or start Jupyter with {PROFILE_ENV_VAR} set)."
    )
