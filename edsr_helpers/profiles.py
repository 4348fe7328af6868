"""How big the work is: the ``ci``, ``cpu``, ``gpu`` and ``paper`` profiles, each following a named recipe.

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

from edsr_helpers.constants import DEFAULT_SCALE
from edsr_helpers.recipes import RECIPES, Recipe, get_recipe

#: Environment variable that overrides the automatic choice.
PROFILE_ENV_VAR = "EDSR_PROFILE"

#: Longest training of the lab-sized profiles (``cpu``, ``gpu``) in notebook 03: the lesson plan's training slot.
LAB_TRAINING_MINUTES = 20.0

#: Fewest training steps whose model shows learning in notebook 04; a shorter run (the test profile's) shows the
#: shipped weights instead.
STEPS_TO_SHOW_LEARNING = 100


@dataclasses.dataclass(frozen=True)
class Profile:
    """How big the work is, read by every notebook; what is learned is the recipe's (:mod:`edsr_helpers.recipes`).

    Attributes:
        name: ``ci``, ``cpu``, ``gpu`` or ``paper``.
        description: one line for humans.
        recipe: what the run learns and how (model, photos, patch, batch, loss, schedule).
        scale: upscaling factor.
        patches_per_image: random patches cut from each decoded image before the next one is decoded;
            decoding a 2K PNG costs far more than cropping it, so several crops share one decode.
        epochs, steps_per_epoch: length of the training run in notebook 03.
        val_images: validation images scored after each epoch (``None``: all of them).
        training_minutes: notebook 03's training ends after the epoch that would otherwise run past this many
            minutes (:class:`edsr_helpers.training.TimeBudget`; ``None``: no limit). The same steps took 7 minutes
            on one 2-core CPU and 60 on another, and a lab's slot for training is fixed (the instructor guide's
            lesson plan gives it 20 minutes).
        resumable: whether notebook 03 goes on from what an interrupted run left (``False``: a seconds-long
            run starts afresh every time, so its numbers never depend on what ran before).

    What is learned is read from ``profile.recipe`` (``profile.recipe.learning_rate``), never through the profile.
    """

    name: str
    description: str
    recipe: Recipe = RECIPES["paper"]
    scale: int = DEFAULT_SCALE
    patches_per_image: int = 8
    epochs: int = 10
    steps_per_epoch: int = 100
    val_images: int | None = None
    training_minutes: float | None = None
    resumable: bool = True

    @property
    def total_steps(self) -> int:
        """Training steps of the whole run."""
        return self.epochs * self.steps_per_epoch

    @property
    def learns_enough_to_show(self) -> bool:
        """Whether a run this long learns enough to show (:data:`STEPS_TO_SHOW_LEARNING` steps or more); a
        seconds-long test run does not, so notebook 04 shows the shipped weights in its place."""
        return self.total_steps >= STEPS_TO_SHOW_LEARNING

    @property
    def hr_patch_size(self) -> int:
        """Side of the high-resolution training patch."""
        return self.recipe.lr_patch_size * self.scale

    def for_recipe(
        self, recipe: str | Recipe, *, share: float = 1.0, scale: int | None = None, name: str | None = None
    ) -> Profile:
        """Another recipe's run, sized by this profile: ``share`` of its epochs (at least one) of the same
        steps per epoch, and that share of its ``training_minutes``.

        A notebook that trains a second model (notebook 05's fine-tune) then grows and shrinks with the profile
        as notebook 03 does, seconds under ``ci`` and a lab slot under ``cpu``, without a profile written by
        hand. ``recipe`` is a name in :data:`edsr_helpers.recipes.RECIPES` or a recipe; ``name`` names the run
        and so its folder (default: ``<profile>-<recipe>``, e.g. ``cpu-realistic-finetune``).

        Raises:
            ValueError: ``share`` is not in (0, 1], or no recipe has that name.
        """
        if not 0.0 < share <= 1.0:
            raise ValueError(f"share is a part of this profile's run, in (0, 1], not {share}.")
        recipe = get_recipe(recipe) if isinstance(recipe, str) else recipe
        minutes = None if self.training_minutes is None else self.training_minutes * share
        return dataclasses.replace(
            self,
            name=name or f"{self.name}-{recipe.name}",
            description=f"{recipe.description}; sized by the '{self.name}' profile",
            recipe=recipe,
            scale=self.scale if scale is None else scale,
            epochs=max(1, round(self.epochs * share)),
            training_minutes=minutes,
        )


PROFILES: dict[str, Profile] = {
    "ci": Profile(
        name="ci",
        description="test-suite size: seconds per notebook, the offline photos",
        recipe=RECIPES["smoke"],
        epochs=2,
        steps_per_epoch=5,
        resumable=False,
    ),
    "cpu": Profile(
        name="cpu",
        description="laptop size: minutes per notebook, DIV2K if already downloaded, else the offline photos",
        recipe=RECIPES["lab-cpu"],
        epochs=12,
        steps_per_epoch=100,
        training_minutes=LAB_TRAINING_MINUTES,
    ),
    "gpu": Profile(
        name="gpu",
        description="class size: ~15 minutes on a Colab T4, offline photos (DIV2K if already prepared), 48 px",
        recipe=RECIPES["lab-gpu"],
        # 7,000 steps: where the recipe, measured on an H200, had its best validation PSNR; on a T4 that is
        # ~13 minutes by the ratio in docs/benchmarks.md
        epochs=14,
        steps_per_epoch=500,
        patches_per_image=16,
        val_images=10,  # of DIV2K's 100 validation photos when DIV2K is used; the 3 offline ones otherwise
        training_minutes=LAB_TRAINING_MINUTES,  # the T4's ~12 minutes are derived, not measured
    ),
    "paper": Profile(
        name="paper",
        description="the paper's recipe: DIV2K through tensorflow-datasets (4.3 GB download), 300k steps",
        recipe=RECIPES["paper"],
        # 2K PNGs decode at ~30 images/s on Colab's 2 CPU cores: 16 crops per decode keep a GPU fed
        # (benchmarks/data_pipeline.py: 8 -> ~256, 16 -> ~444 patches/s on 2 cores)
        patches_per_image=16,
        epochs=300,
        steps_per_epoch=1000,
        val_images=10,  # of DIV2K's 100 2K validation photos, to keep each epoch's validation short
    ),
}


def active_profile() -> Profile:
    """Return the profile this process runs under.

    ``EDSR_PROFILE`` wins when set; otherwise ``gpu`` (class-sized) when the Keras engine sees a GPU, else
    ``cpu``. ``paper`` is only ever chosen by name.

    Raises:
        ValueError: if ``EDSR_PROFILE`` names no profile.
    """
    from edsr_helpers import backend

    requested = os.environ.get(PROFILE_ENV_VAR, "").strip().lower()
    if requested:
        if requested not in PROFILES:
            raise ValueError(
                f"{PROFILE_ENV_VAR}={requested!r} is not a profile; choose one of {', '.join(PROFILES)} "
                f"(or unset {PROFILE_ENV_VAR} to choose automatically)."
            )
        return PROFILES[requested]
    return PROFILES["gpu"] if backend.has_gpu() else PROFILES["cpu"]


def describe_profile(profile: Profile) -> str:
    """A short text saying which profile runs, why, and how to change it (printed by every notebook)."""
    how = (
        f"set by {PROFILE_ENV_VAR}"
        if os.environ.get(PROFILE_ENV_VAR, "").strip()
        else "chosen automatically (GPU found)"
        if profile.name == "gpu"
        else "chosen automatically (no GPU)"
    )
    others = ", ".join(name for name in PROFILES if name not in (profile.name, "ci"))  # ci: the tests' own
    return (
        f"Profile '{profile.name}' ({how}): {profile.description}.\n"
        f"To change it, run `%env {PROFILE_ENV_VAR}=<{others}>` in a cell and re-run this one "
        f"(or start Jupyter with {PROFILE_ENV_VAR} set)."
    )
