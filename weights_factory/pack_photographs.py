"""Copy the optional training photographs into one folder that can travel to a machine without apt.

The v2 pretrained weights train on Debian's plasma and lomiri wallpaper photographs (see
``edsr_helpers.samples``). A lent GPU machine has no network, so they travel as files: this copies the original
JPEGs (the packages' own files, ~30 MB, nothing re-encoded) into ``build/photographs/usr/share/...``, the layout
``EDSR_PHOTO_ROOT=build/photographs`` points the package at. Needs the packages installed here:
``apt-get install plasma-workspace-wallpapers lomiri-wallpapers-16.04 lomiri-wallpapers-20.04``.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from edsr_helpers import samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("build/photographs"))
    args = parser.parse_args()
    found = samples.wallpaper_paths() + samples.lomiri_paths()
    wanted = len(samples.WALLPAPERS) + len(samples.LOMIRI_PHOTOGRAPHS)
    if len(found) < wanted:
        raise SystemExit(
            f"found {len(found)} of {wanted} photographs: apt-get install plasma-workspace-wallpapers "
            "lomiri-wallpapers-16.04 lomiri-wallpapers-20.04"
        )
    total = 0
    for path in found:
        target = args.out / path.relative_to(samples.PHOTO_ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        total += target.stat().st_size
    print(f"{len(found)} photographs, {total / 1e6:.1f} MB, in {args.out}: EDSR_PHOTO_ROOT={args.out}")


if __name__ == "__main__":
    main()
