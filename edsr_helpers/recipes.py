"""What is trained and how: the model registry and the named recipes.

A *recipe* fixes everything that decides what a training run learns: the model, the photos, the patch and batch,
the loss and the learning-rate schedule. A *profile* (:mod:`edsr_helpers.profiles`) only says how big the run is
on this machine (epochs, steps, how many validation photos) and which recipe it follows. The paper's recipe,
notebook 03's and the shipped weights' are written here once; everything else names them.

Models are built by name through :func:`build_model`: every preset of every model folder
(:mod:`edsr_helpers.models`) as ``"<key>-<preset>"`` (``"edsr-baseline"``), so a new architecture is a new folder
away from training through the same ``fit`` path as EDSR; :func:`register_model` adds a builder without a folder.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from edsr_helpers.constants import PAPER_LR_PATCH_SIZE

if TYPE_CHECKING:  # keras loads only when a model is built
    import keras

#: How a registered model is built: ``builder(scale=..., **options) -> keras.Model``.
ModelBuilder = Callable[..., "keras.Model"]

#: Models registered by name with :func:`register_model`, beside the model folders' presets.
MODELS: dict[str, ModelBuilder] = {}

#: The losses a recipe may name: L1 is EDSR's (notebook 03 writes it and says why), L2 the obvious alternative.
LOSSES = ("l1", "l2")

#: Where a recipe's training photos come from (:func:`edsr_helpers.data.load_pairs` reads them):
#: ``sample`` the pip-shipped offline photos; ``photographs`` those and Debian's plasma and lomiri photographs
#: (:func:`edsr_helpers.samples.photographs`); ``wallpapers`` the offline photos and plasma's photographs halved
#: (:func:`edsr_helpers.samples.halved_wallpapers`, the first shipped weights' data); ``div2k`` DIV2K through
#: tensorflow-datasets (downloads on first use); ``div2k-if-prepared`` DIV2K when it is already on disk, else the
#: offline photos (never downloads). Validation and test photos are the offline ones for all but DIV2K, whose
#: validation photos are cut in two: the first half validates, the second tests (its test originals are not public).
DATASETS = ("sample", "photographs", "wallpapers", "div2k", "div2k-if-prepared")

#: What a recipe's LR inputs are made by: ``bicubic`` the pairs' own (DIV2K's antialiased bicubic), or a random
#: degradation drawn afresh for every training patch (:data:`edsr_helpers.degradations.DEGRADATIONS`, notebook 05).
LR_DEGRADATIONS = ("bicubic", "realistic", "camera-like")


def register_model(name: str) -> Callable[[ModelBuilder], ModelBuilder]:
    """Register ``builder(scale=..., **options)`` under ``name`` (a decorator); recipes and tools then build it
    by name.

    Raises:
        ValueError: if ``name`` is taken (two builders under one name would make recipes ambiguous).
    """

    def decorator(builder: ModelBuilder) -> ModelBuilder:
        from edsr_helpers import models

        if (name in MODELS and MODELS[name] is not builder) or name in models.presets():
            raise ValueError(f"a model named {name!r} is already registered; choose another name.")
        MODELS[name] = builder
        return builder

    return decorator


def model_names() -> list[str]:
    """Every name :func:`build_model` builds: the model folders' presets, then the registered builders."""
    from edsr_helpers import models

    return [*models.presets(), *(name for name in MODELS if name not in models.presets())]


def build_model(name: str, scale: int, **options) -> keras.Model:
    """A new, untrained model of the kind ``name`` (a model folder's ``"<key>-<preset>"`` or a registered name)
    for ``scale``.

    Raises:
        ValueError: if no model has that name (the message lists those that exist).
    """
    from edsr_helpers import models

    if name in MODELS:
        return MODELS[name](scale=scale, **options)
    if name in models.presets():
        folder, preset = models.presets()[name]
        return folder.build(preset, scale, **options)
    raise ValueError(
        f"no model is named {name!r}; known: {', '.join(sorted(model_names()))} "
        "(add a model folder under edsr_helpers/models/, or a builder with @edsr_helpers.recipes.register_model)."
    )


@dataclasses.dataclass(frozen=True)
class Recipe:
    """Everything that decides what a run learns; how long it runs is the profile's.

    Attributes:
        name, description: how tools and people refer to it.
        model: a name :func:`build_model` builds (:func:`model_names`).
        dataset: one of :data:`DATASETS`.
        lr_patch_size: side of the low-resolution training patch (the HR patch is ``scale`` times larger).
        batch_size: patches per training step.
        loss: one of :data:`LOSSES`.
        learning_rate: Adam's peak rate (the paper's: 1e-4).
        lr_schedule: ``"halving"`` (the paper's: halve every ``lr_halving_steps``) or ``"cosine"`` (decay to 0
            over the whole run; what short runs on few photos trained best with).
        lr_halving_steps: the rate halves every this many steps.
        warmup_steps: linear warm-up from 0 to ``learning_rate``.
        sampling: how training photos are chosen (:data:`edsr_helpers.data.SAMPLINGS`).
        steps: the training steps the recipe was made for, by scale (empty: the profile decides); a run of
            another length, or of a scale it names no steps for, replaces them (``dataclasses.replace``).
        degradation: ``bicubic``, or a family of :data:`LR_DEGRADATIONS` from which every training patch draws
            its own LR input (a fresh draw per sample: the model never sees the same degraded patch twice).
        clean_share: with a random ``degradation``, the share of patches that keep their clean bicubic LR, so
            the model does not forget clean inputs.
        ema_momentum: when set, the weights that are validated and saved are an exponential moving average of
            the trained ones (Keras's ``use_ema``), which evens out the last steps' noise.
        init_from_scale: start from the shipped weights of this scale, every layer they share with the model
            (:func:`edsr_helpers.model.copy_matching_weights`), as the paper starts x3 and x4 from its trained x2;
            the run's own scale fine-tunes the shipped model.
    """

    name: str
    description: str
    model: str = "edsr-baseline"
    dataset: str = "div2k"
    lr_patch_size: int = PAPER_LR_PATCH_SIZE
    batch_size: int = 16
    loss: str = "l1"
    learning_rate: float = 1e-4
    lr_schedule: str = "halving"
    lr_halving_steps: int = 200_000
    warmup_steps: int = 0
    sampling: str = "uniform"
    steps: Mapping[int, int] = dataclasses.field(default_factory=dict)
    degradation: str = "bicubic"
    clean_share: float = 0.0
    ema_momentum: float | None = None
    init_from_scale: int | None = None

    def __post_init__(self) -> None:
        checks = (
            ("lr_schedule", self.lr_schedule, ("halving", "cosine")),
            ("loss", self.loss, LOSSES),
            ("dataset", self.dataset, DATASETS),
            ("degradation", self.degradation, LR_DEGRADATIONS),
        )
        for field, value, allowed in checks:
            if value not in allowed:
                raise ValueError(f"{field} must be one of {', '.join(map(repr, allowed))}, not {value!r}.")
        if not 0.0 <= self.clean_share < 1.0:
            raise ValueError(f"clean_share is a share of the patches, in [0, 1), not {self.clean_share}.")
        if self.clean_share and self.degradation == "bicubic":
            raise ValueError("clean_share needs a random degradation: with bicubic every patch is clean already.")
        if self.ema_momentum is not None and not 0.0 < self.ema_momentum < 1.0:
            raise ValueError(f"ema_momentum must lie in (0, 1), like 0.999, not {self.ema_momentum}.")

    @property
    def keras_loss(self) -> str:
        """The loss as ``model.compile`` takes it (L1 as notebook 03 writes it)."""
        from edsr_helpers.objective import LOSS

        return LOSS if self.loss == "l1" else "mean_squared_error"

    def build_model(self, scale: int, **options) -> keras.Model:
        """A new model of this recipe's kind (:func:`build_model`)."""
        return build_model(self.model, scale, **options)


RECIPES: dict[str, Recipe] = {
    recipe.name: recipe
    for recipe in (
        Recipe(
            "paper",
            "Lim et al. 2017: DIV2K, 48 px LR patches, batch 16, L1, Adam 1e-4 halved every 200k steps, 300k steps",
            steps={2: 300_000, 3: 300_000, 4: 300_000},
        ),
        Recipe(
            "lab-cpu",
            "notebook 03 on a CPU: started from the shipped x2 (the paper's head start), 24 px patches and a 5x "
            "larger, warmed-up rate pass bicubic within minutes",
            # measured on a 2-core CPU (benchmarks/time_to_parity.py, benchmarks/lab_outcome.py): the paper's
            # 48 px / 1e-4 take far longer, and from scratch 100 steps are still far below bicubic
            dataset="div2k-if-prepared",
            lr_patch_size=24,
            learning_rate=5e-4,
            warmup_steps=200,
            lr_halving_steps=1000,
            init_from_scale=2,
        ),
        Recipe(
            "lab-gpu",
            "notebook 03 on a GPU: the paper's 48 px patches at a constant 2e-4",
            # measured on an H200 (Keras on JAX, bf16, 12 offline photos): +1.37 dB over bicubic on the validation
            # photos after 7,000 steps, over-fitting after that (those photos chose the length: a flattering number)
            dataset="div2k-if-prepared",
            learning_rate=2e-4,
        ),
        Recipe(
            "smoke",
            "a few steps that only prove the path runs: tiny patches, a large warmed-up rate",
            dataset="sample",
            lr_patch_size=24,
            batch_size=8,
            learning_rate=5e-4,
            warmup_steps=5,
        ),
        Recipe(
            "realistic-finetune",
            "notebook 05: the shipped x4 fine-tuned on patches degraded afresh (a quarter kept clean), 24 px, 5e-5",
            # a fine-tune starts from trained weights: half the paper's rate, no warm-up, no decay in a short run.
            # Measured on the validation photos, 400 steps: 2e-5 or 5e-5 with the clean pairs mixed in kept clean
            # inputs within 0.5 dB of the shipped model; degraded pairs alone cost 1.3 dB there
            dataset="sample",
            lr_patch_size=24,
            learning_rate=5e-5,
            lr_halving_steps=1_000_000,
            degradation="realistic",
            clean_share=0.25,
        ),
        Recipe(
            "weights-v2",
            "the shipped EDSR-baseline weights: offline and Debian photographs, 48 px, batch 16, cosine from 2e-4",
            dataset="photographs",
            learning_rate=2e-4,
            lr_schedule="cosine",
            sampling="area",
            steps={2: 15_000, 3: 15_000, 4: 20_000},
        ),
        Recipe(
            "weights-realistic",
            "the realistic x4 (it ships once it meets its bars): the bicubic-trained x4 fine-tuned on the photographs, "
            "each 48 px patch's LR drawn afresh from the camera-like family (30 % kept clean), cosine from 1e-4, "
            "weights averaged (EMA)",
            # a fine-tune starts from trained weights: a warm-up so Adam's first steps do not shake them, a cosine
            # that ends at 0 and an average of the weights over the last ~1,000 steps. 3,000 steps: in the 3,000-step
            # run the average's degraded validation score rose 0.01 dB over the last 750 steps (26.40 to 26.41 dB)
            # while its clean score kept falling (28.08 to 28.02 dB), so more steps would buy nothing the bars ask
            # for. That run's scores and the bar it misses: docs/benchmarks.md
            dataset="photographs",
            lr_patch_size=48,
            learning_rate=1e-4,
            lr_schedule="cosine",
            warmup_steps=100,
            sampling="area",
            steps={4: 3_000},
            degradation="camera-like",
            clean_share=0.3,
            ema_momentum=0.999,
            init_from_scale=4,
        ),
    )
}


def get_recipe(name: str) -> Recipe:
    """The named recipe.

    Raises:
        ValueError: if there is none of that name (the message lists them).
    """
    if name not in RECIPES:
        raise ValueError(f"no recipe named {name!r}; choose one of {', '.join(RECIPES)}.")
    return RECIPES[name]
