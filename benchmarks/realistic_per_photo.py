"""Per photo: the shipped bicubic-trained x4 against realistic x4 weights, on degraded validation and test photos.

``weights_factory/install.py`` judges realistic weights by their mean over the validation photos; this prints what
each photo contributes (Y-PSNR and GMSD, border of 4 shaved, with bicubic's GMSD beside), on the validation photos
and on the test photos, each LR made by ``degrade_for_evaluation`` (the fixed camera-like degradation): where a
mean that misses a bar comes from, photo by photo.

Run: ``.venv/bin/python benchmarks/realistic_per_photo.py WEIGHTS`` (a ``.weights.h5`` of the ``weights-realistic``
recipe's model, such as ``build/weights-v2/edsr_baseline_x4_realistic.weights.h5``; about a minute on 2 cores).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import keras

from edsr_helpers import data, degradations, pretrained, recipes, samples, training

SCALE = 4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weights", type=Path, help="the realistic x4 weights file to compare")
    args = parser.parse_args()
    if not args.weights.is_file():
        raise SystemExit(f"{args.weights} does not exist: give the .weights.h5 that make pretrained-realistic wrote.")
    keras.config.set_dtype_policy("float32")  # as install.py scores
    realistic = recipes.get_recipe("weights-realistic").build_model(SCALE)
    realistic.load_weights(args.weights)
    models = {"shipped x4": pretrained.load_pretrained(SCALE), "realistic x4": realistic}
    print("| photos | weights | " + " | ".join(["photo: Y-PSNR, GMSD (bicubic's GMSD)"] * 4) + " |")
    print("| --- | --- | --- | --- | --- | --- |")
    for split in ("validation", "test"):
        degraded = [(degradations.degrade_for_evaluation(hr, SCALE), hr) for _, hr in data.load_sample(SCALE, split)]
        for name, model in models.items():
            rows = training.evaluate(model, degraded, SCALE, names=samples.photo_names(split))
            cells = [
                f"{row['image']}: {row['edsr_psnr_y']:.2f} dB, {row['edsr_gmsd']:.4f} ({row['bicubic_gmsd']:.4f})"
                for row in rows
            ]
            print(f"| {split}, degraded | {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
