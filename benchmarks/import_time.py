"""What ``import edsr_helpers`` and ``edsr-upscale --help`` cost, against loading every submodule up front.

Each command runs in a fresh Python ``--repeats`` times, the variants interleaved, and the median is printed
with the ratio. "every submodule up front" is what an ``__init__`` that imports them all would cost (Keras,
TensorFlow and matplotlib included); the package loads a submodule on first use instead.

Run: ``.venv/bin/python benchmarks/import_time.py``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import edsr_helpers

EAGER = "import edsr_helpers as eh\n" + "".join(f"eh.{name}\n" for name in edsr_helpers._SUBMODULES)
VARIANTS = {
    "import edsr_helpers": "import edsr_helpers",
    "edsr-upscale --help": "import sys; sys.argv = ['edsr-upscale', '--help']\n"
    "from edsr_helpers.__main__ import main\ntry:\n    main()\nexcept SystemExit:\n    pass",
    "every submodule up front": EAGER,
}


def seconds(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for _ in range(args.repeats):
        for name, code in VARIANTS.items():
            times[name].append(seconds(code))
    eager = statistics.median(times["every submodule up front"])
    for name, values in sorted(times.items(), key=lambda item: -statistics.median(item[1])):
        median = statistics.median(values)
        ratio = "the baseline" if median == eager else f"{eager / median:.1f}x faster than that"
        print(f"{name:<26} {median:6.2f} s (median of {args.repeats})   {ratio}")


if __name__ == "__main__":
    main()
