"""How many training patches per second the input pipeline delivers, against what training consumes.

Training EDSR-baseline x4 in bfloat16 takes ~0.115 s per batch of 16 on the fastest 2-core CPU measured (Intel
Xeon with AMX; 0.32 s on this project's AMD EPYC), i.e. it
consumes ~140 patches/s; the pipeline must deliver more, or the model waits for data. Measured here, side by
side in one run:

- the offline photo set (``load_sample``), as the ``ci`` and ``cpu`` profiles use it;
- DIV2K-sized photos (2040x1356 HR) read through tensorflow-datasets' real ``div2k`` builder, prepared
  offline from a folder laid out like the DIV2K zips: the full decode cost of a real DIV2K epoch. The photos
  are Debian's plasma-workspace-wallpapers (``apt-get install plasma-workspace-wallpapers``); without them
  the largest offline photos stand in, and the script says so.

Run: ``.venv/bin/python benchmarks/data_pipeline.py`` (or ``make bench``).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import tensorflow_datasets as tfds

import edsr_helpers as eh
from edsr_helpers import data, samples

#: Patches per second that bfloat16 training consumes at most on a 2-core CPU (batch 16 / 0.115 s per step).
TRAINING_PATCHES_PER_S = 16 / 0.115
DIV2K_HR_SIZE = (1356, 2040)


def div2k_sized_photos() -> tuple[list[np.ndarray], str]:
    paths = samples.wallpaper_paths()
    if paths:
        height, width = DIV2K_HR_SIZE
        photos = [eh.images.load_image(path)[:height, :width] for path in paths]
        return photos, f"{len(photos)} Debian wallpaper photos cropped to DIV2K's 2040x1356"
    photos = [samples.load_photo(name) for name in ("retina", "hubble_deep_field", "rocket", "astronaut")]
    return photos, "4 offline photos (smaller than DIV2K: install plasma-workspace-wallpapers for 2K photos)"


def report(label: str, dataset, batches: int) -> float:
    rate = data.measure_throughput(dataset, batches=batches)
    print(f"{label:<58} {rate:8.0f} patches/s  {rate / TRAINING_PATCHES_PER_S:5.1f}x training's need")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=60)
    args = parser.parse_args()
    print(f"training consumes ~{TRAINING_PATCHES_PER_S:.0f} patches/s (bf16, batch 16, 0.115 s/step, 2 AMX cores)\n")
    for name in ("ci", "cpu"):
        profile = eh.profiles.PROFILES[name]
        pipeline = data.make_train_dataset_for(profile, data.load_sample(profile.scale, "train"))
        report(
            f"offline photos, '{name}' profile "
            f"({profile.recipe.lr_patch_size}px LR, batch {profile.recipe.batch_size})",
            pipeline,
            args.batches,
        )

    photos, source = div2k_sized_photos()
    print(f"\nDIV2K through the tfds builder: {source}")
    with tempfile.TemporaryDirectory() as folder:
        split = {"train": photos[:-1], "validation": photos[-1:]}  # the builder needs both splits
        extracted = data.write_div2k_layout(Path(folder) / "extracted", split, scale=4)
        data.prepare_div2k_from_extracted(extracted, 4, data_dir=Path(folder) / "tfds")
        # tfds caches datasets this small in memory; real DIV2K (3.5 GB) is not, so neither is this one
        no_cache = tfds.ReadConfig(try_autocache=False)
        pairs = data.load_div2k(4, "train", data_dir=Path(folder) / "tfds", shuffle_files=True, read_config=no_cache)
        for patches_per_image in (8, 16):
            profile = eh.profiles.PROFILES["paper"]
            pipeline = data.make_train_dataset_for(profile, pairs, patches_per_image=patches_per_image)
            report(
                f"DIV2K-sized, 48px LR, batch 16, {patches_per_image} patches per decoded image",
                pipeline,
                args.batches,
            )


if __name__ == "__main__":
    main()
