"""Stage 1 of the series (notebook 01): low/high-resolution pairs and the training pipeline, in one place.

A *pair* is ``(lr, hr)``: two uint8 ``(H, W, 3)`` RGB images, ``hr`` exactly ``scale`` times larger than
``lr``. The work is split by job, and every name is also reachable here as ``eh.data.<name>``:

- :mod:`edsr_helpers.photo_pairs` — pairs from real photos (the offline set, or your own);
- :mod:`edsr_helpers.div2k` — DIV2K through tensorflow-datasets (what Colab users train on; needs TensorFlow);
- :mod:`edsr_helpers.augmentation` — aligned random patches and the alignment check;
- :mod:`edsr_helpers.pipelines` — the in-memory and the streaming training pipelines, and validation.

What is here: :func:`load_pairs`, the pairs a profile's recipe trains on, DIV2K or the offline photos.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from edsr_helpers.augmentation import (  # noqa: F401
    TRANSFORM_NAMES,
    alignment_psnr,
    patches_from_image,
    usable_pair,
)
from edsr_helpers.div2k import (  # noqa: F401
    DIV2K_SERIES_SPLITS,
    DatasetUnavailableError,
    div2k_is_prepared,
    div2k_name,
    download_div2k,
    load_div2k,
    prepare_div2k_from_extracted,
    tfds_data_dir,
    write_div2k_layout,
)
from edsr_helpers.pairs import (  # noqa: F401 written in notebook 01: crop, 8 symmetries
    crop_pair,
    random_crop_pair,
    random_patch,
    random_transform_pair,
    transform_pair,
)
from edsr_helpers.photo_pairs import (  # noqa: F401
    SPLITS,
    Pair,
    check_pair,
    check_split,
    first_pairs,
    load_sample,
    make_pair,
    pairs_from_images,
)
from edsr_helpers.pipelines import (  # noqa: F401
    SAMPLINGS,
    RecipePatchBatches,
    ValidationImages,
    as_validation_dataset,
    make_train_dataset,
    make_train_dataset_for,
    measure_throughput,
)
from edsr_helpers.profiles import Profile

if TYPE_CHECKING:
    import tensorflow as tf


def uses_div2k(profile: Profile, data_dir: str | os.PathLike | None = None) -> bool:
    """Whether ``profile`` reads DIV2K (rather than the offline photos) on this machine.

    ``div2k-if-prepared`` profiles look on disk only when TensorFlow is installed (tfds's DIV2K needs it).
    """
    from edsr_helpers.backend import tensorflow_available

    return profile.recipe.dataset == "div2k" or (
        profile.recipe.dataset == "div2k-if-prepared"
        and tensorflow_available()
        and div2k_is_prepared(profile.scale, data_dir)
    )


def load_pairs(
    profile: Profile, split: str = "train", *, data_dir: str | os.PathLike | None = None, verbose: bool = True
) -> list[Pair] | tf.data.Dataset:
    """The pairs a profile's recipe trains on (its ``dataset``): DIV2K for ``div2k`` (downloads once), DIV2K if
    already on disk for ``div2k-if-prepared`` (never downloads), the offline photos for ``sample``, and those
    with Debian's photographs for ``photographs`` and ``wallpapers``. On DIV2K, whose test HR images are not
    public, ``"validation"`` is the first half of its 100 validation photos and ``"test"`` the second half
    (:data:`edsr_helpers.div2k.DIV2K_SERIES_SPLITS`); otherwise they are the offline validation and test photos.
    Either way the photos that choose a checkpoint are not the ones that report it.

    Raises:
        edsr_helpers.samples.PhotographsMissingError: the recipe's photographs are not installed here (training
            on the offline photos alone would not be the recipe).
    """
    from edsr_helpers import samples

    check_split(split)
    dataset = profile.recipe.dataset
    use_div2k = uses_div2k(profile, data_dir)
    extra = {"photographs": samples.photographs, "wallpapers": samples.halved_wallpapers}.get(dataset)
    if split != "train" or use_div2k:
        extra = None
    if verbose:
        source = (
            f"{div2k_name(profile.scale)}, split {DIV2K_SERIES_SPLITS[split]!r}" if use_div2k else "the offline photos"
        )
        print(f"{split} pairs: {source}{f' and the {dataset}' if extra else ''}, x{profile.scale}")
    if use_div2k:
        return load_div2k(profile.scale, DIV2K_SERIES_SPLITS[split], data_dir=data_dir, shuffle_files=split == "train")
    if extra is None:
        return load_sample(profile.scale, split)
    return load_sample(profile.scale, split) + pairs_from_images(extra(), profile.scale)
