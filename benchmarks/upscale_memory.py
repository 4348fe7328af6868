"""Peak memory of ``upscale_file`` on an 8000x6000 photo at x2 and x4: bounded by the tiles, not the photo.

Each scale runs in a fresh process (so its peak RSS, Linux's VmHWM, is its own, the engine included) and writes
its PNG band by band. The network is replaced by a cheap stand-in so the run takes minutes, not the hour
EDSR-baseline would: an EDSR of the series' own layers with 1 residual block of 4 filters (random weights), so
the tiling, the engine's compiled forward pass, the uint8 bands and the PNG encoding are the real ones; only the
convolutions are smaller. ``--real`` adds a row with the shipped EDSR-baseline weights on a 2000x1500 photo at x2.
Goal: peak RSS at most 1.5 GiB.

Run: ``.venv/bin/python benchmarks/upscale_memory.py`` (``--sides 4000 3000`` for a quicker run).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import json, sys, time
import numpy as np
import edsr_helpers as eh

def peak_gib():  # this process's own peak (ru_maxrss would include the parent's, inherited across exec)
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 2**20

photo, scale, real = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "real"
if real:
    model = eh.pretrained.load_pretrained(scale)
else:
    import keras
    keras.utils.set_random_seed(0)
    model = eh.model.edsr(scale, num_res_blocks=1, num_filters=4)
eh.inference.upscale(model, np.zeros((40, 40, 3), np.uint8))  # warm-up: compiling is not the upscale's
before = peak_gib()
start = time.perf_counter()
written = eh.inference.upscale_file(photo, scale=scale, model=model, overwrite=True, progress=False)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "peak_gib": peak_gib(), "before_gib": before,
                  "png_mb": written.stat().st_size / 1e6}))
"""


def run(photo: Path, scale: int, real: bool) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(photo), str(scale), "real" if real else "stand-in"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def make_photo(path: Path, width: int, height: int) -> Path:
    """A photo of ``width`` x ``height``: scikit-image's astronaut enlarged, saved as a high-quality JPEG."""
    from PIL import Image

    import edsr_helpers as eh

    Image.fromarray(eh.images.resize_bicubic(eh.samples.load_photo("astronaut"), (height, width))).save(
        path, quality=95
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sides", type=int, nargs=2, default=[8000, 6000], metavar=("WIDTH", "HEIGHT"))
    parser.add_argument("--scales", type=int, nargs="*", default=[2, 4])
    parser.add_argument("--real", action="store_true", help="also the shipped x2 weights on a 2000x1500 photo")
    args = parser.parse_args()
    width, height = args.sides
    print(f"{'photo, model':<52} {'peak RSS':>9} {'before':>8} {'time':>8} {'PNG':>9}")
    with tempfile.TemporaryDirectory() as folder:
        rows = [(make_photo(Path(folder) / "big.jpg", width, height), scale, False) for scale in args.scales[:1]]
        rows += [(rows[0][0], scale, False) for scale in args.scales[1:]]
        if args.real:
            rows.append((make_photo(Path(folder) / "real.jpg", 2000, 1500), 2, True))
        for photo, scale, real in rows:
            result = run(photo, scale, real)
            sides = "2000x1500" if real else f"{width}x{height}"
            label = f"{sides} x{scale}, " + ("EDSR-baseline (shipped)" if real else "stand-in (1 block, 4 filters)")
            print(
                f"{label:<52} {result['peak_gib']:7.2f} G {result['before_gib']:6.2f} G {result['seconds']:7.0f}s "
                f"{result['png_mb']:6.0f} MB"
            )
    print("(before: the process's peak with the engine and the model loaded, before the upscale)")


if __name__ == "__main__":
    main()
