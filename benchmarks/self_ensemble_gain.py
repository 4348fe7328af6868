"""EDSR+ (the self-ensemble) against one pass: Y-PSNR (shave = scale) per validation photo and the mean.

Scores the shipped weights of one scale on the 3 offline validation photos: bicubic, EDSR, EDSR+ and EDSR+'s gain
over EDSR, as notebook 04's table does for the model notebook 03 trained.

Run: ``.venv/bin/python benchmarks/self_ensemble_gain.py [--scale 4]`` (about a minute on the 2-core CPU at x4).
"""

from __future__ import annotations

import argparse

import numpy as np

import edsr_helpers as eh


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=4, choices=(2, 3, 4))
    scale = parser.parse_args().scale
    model = eh.pretrained.load_pretrained(scale)
    pairs, rows = eh.data.load_sample(scale, "validation"), []
    for name, (lr, hr) in zip(eh.samples.photo_names("validation"), pairs, strict=True):
        outputs = (
            eh.images.upscale_bicubic(lr, scale),
            eh.inference.upscale(model, lr),
            eh.inference.upscale(model, lr, self_ensemble=True),
        )
        rows.append([name, *(eh.metrics.score(hr, image, shave=scale).psnr for image in outputs)])
    rows.append(["mean", *np.mean([row[1:] for row in rows], axis=0)])
    print(f"x{scale} Y-PSNR (dB): photo, bicubic, EDSR, EDSR+")
    for name, *row in rows:
        print(f"{name:<10} {'  '.join(f'{value:.2f}' for value in row)}  EDSR+ gain {row[2] - row[1]:+.2f} dB")


if __name__ == "__main__":
    main()
