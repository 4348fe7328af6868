"""Upscaling a 510x339 photo to 2040x1356: whole image at once vs tiled, side by side.

Each configuration runs in a fresh process (so peak RSS is its own), with the shipped pretrained
EDSR-baseline x4: peak resident memory of the whole process (TensorFlow included), the upscale's wall time
(after a warm-up call) and the largest difference from the untiled output in grey levels.
Goal: tiled <= 1.0 GiB peak RSS at <= 1.1x the untiled time.

Run: ``.venv/bin/python benchmarks/tiled_inference.py``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

CHILD = """
import json, resource, sys, time
import numpy as np
import edsr_helpers as eh
tile = json.loads(sys.argv[1]); overlap = int(sys.argv[2]); out = sys.argv[3]
model = eh.pretrained.load_pretrained(4)
lr = eh.images.resize_bicubic(eh.samples.load_photo("rocket"), (339, 510))
eh.inference.upscale(model, lr[:40, :40], tile=None)  # warm-up: first-call costs are not the upscale's
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
sr = eh.inference.upscale(model, lr, tile=tile, overlap=overlap)
seconds = time.perf_counter() - start
np.save(out, sr)
print(json.dumps({"seconds": seconds, "peak_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
                  "before_gib": before / 2**20, "shape": sr.shape}))
"""


def run(tile, overlap: int, out: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(tile), str(overlap), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    import edsr_helpers as eh

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiles", type=int, nargs="*", default=[eh.inference.DEFAULT_TILE, 128, 256])
    parser.add_argument("--overlap", type=int, default=eh.inference.DEFAULT_OVERLAP)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        reference = run(None, 0, Path(folder) / "whole.npy")
        whole = np.load(Path(folder) / "whole.npy")
        print(f"510x339 -> {reference['shape'][1]}x{reference['shape'][0]}, EDSR-baseline x4 (pretrained)")
        print(f"{'configuration':<34} {'peak RSS':>9} {'time':>8} {'vs untiled':>10} {'max diff':>9}")
        print(
            f"{'whole image at once':<34} {reference['peak_gib']:7.2f} G {reference['seconds']:7.2f}s {1:9.2f}x {0:>9}"
        )
        for tile in args.tiles:
            result = run(tile, args.overlap, Path(folder) / "tiled.npy")
            diff = int(np.abs(np.load(Path(folder) / "tiled.npy").astype(int) - whole.astype(int)).max())
            label = f"tiles of {tile} LR px, overlap {args.overlap}"
            print(
                f"{label:<34} {result['peak_gib']:7.2f} G {result['seconds']:7.2f}s "
                f"{result['seconds'] / reference['seconds']:9.2f}x {diff:>9}"
            )
        print(f"(memory before the upscale, TensorFlow and the model loaded: {reference['before_gib']:.2f} GiB)")


if __name__ == "__main__":
    main()
