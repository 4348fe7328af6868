"""Crop-and-compare widget latency: time from a crop change to updated panels, with the pretrained model.

The widget super-resolves each photo once (not timed here: that is the one-off cost of choosing a photo) and
then only slices, scores and encodes crops. Measures ``--moves`` slider moves on each validation photo with
the default 32 px crop (the comparison row in its default split view redrawn too), and with EDSR+ on. Goal:
<= 200 ms per update on the 2-core CPU. Then the scale menu of ``shipped_compare``: a scale's first showing
(weights loaded, first photo super-resolved) and a switch back to a scale already shown; last, a photo uploaded at
x4 and a switch to x2, where it is made and super-resolved anew.

Run: ``.venv/bin/python benchmarks/widget_latency.py``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import edsr_helpers as eh


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=30)
    args = parser.parse_args()
    model = eh.pretrained.load_pretrained(4)
    start = time.perf_counter()
    widget = eh.presentation.widgets.crop_compare(model)
    print(f"first photo super-resolved and shown in {time.perf_counter() - start:.1f} s (one-off)")
    for plus in (False, True):
        widget.plus.value = plus
        timings = []
        for name in list(widget.photos):
            widget.chooser.value = name
            rng = np.random.default_rng(0)
            for _ in range(args.moves):
                x = int(rng.integers(0, widget.x.max + 1))
                start = time.perf_counter()
                widget.x.value = x if x != widget.x.value else (x + 1) % (widget.x.max + 1)
                timings.append(time.perf_counter() - start)
        timings_ms = np.array(timings) * 1000
        print(
            f"EDSR+ {'on ' if plus else 'off'}: crop change -> panels updated: median {np.median(timings_ms):.0f} ms, "
            f"95th percentile {np.percentile(timings_ms, 95):.0f} ms, max {timings_ms.max():.0f} ms "
            f"({len(timings)} moves)"
        )
    scales = eh.presentation.widgets.shipped_compare(scale=4)
    for scale in [s for s in sorted(eh.pretrained.WEIGHT_FILES) if s != 4] + [4]:
        shown_before = scale in scales.widgets
        start = time.perf_counter()
        scales.chooser.value = scale
        when = "again" if shown_before else "first time"
        print(f"scale menu -> x{scale} shown in {time.perf_counter() - start:.2f} s ({when})")
    photo = eh.samples.load_photo("chelsea")
    start = time.perf_counter()
    scales.current.add_photo("upload.png", eh.presentation.widgets.png_bytes(photo))
    print(f"an upload at x4 ({photo.shape[1]}x{photo.shape[0]} px) shown in {time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    scales.chooser.value = 2
    print(f"scale menu -> x2 with it (made and super-resolved at x2) in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
