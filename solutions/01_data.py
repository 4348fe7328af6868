"""Solutions to notebook 01's exercises (see README.md in this folder)."""

import numpy as np

import edsr_helpers as eh


def check_hr_shift():
    lr, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
    shifted_psnr = eh.data.alignment_psnr(lr, np.roll(hr, 1, axis=1), 4)
    return (shifted_psnr,)


def check_flip_pair():
    def flip_pair(lr, hr):
        return np.flip(lr, axis=1), np.flip(hr, axis=1)

    return (flip_pair,)


def check_crop_pair():
    def crop(lr, hr, top, left, size, scale):
        lr_patch = lr[top : top + size, left : left + size]
        hr_patch = hr[top * scale : (top + size) * scale, left * scale : (left + size) * scale]
        return lr_patch, hr_patch

    return (crop,)


def check_patch_count():
    lr, _ = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
    height, width = lr.shape[:2]
    count = (height - 24 + 1) * (width - 24 + 1) * 8
    return (count,)
