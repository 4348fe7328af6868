"""Solutions to notebook 04's exercises (see README.md in this folder)."""

import numpy as np

import edsr_helpers as eh


def _crop():
    lr, _ = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
    return lr[eh.exercises.SEAM_CROP]


def check_seam_errors():
    model = eh.pretrained.load_pretrained(4)
    lr = _crop()
    whole = eh.inference.upscale(model, lr, tile=None).astype(int)
    errors = {}
    for overlap in (0, 4, 12, 36):
        tiled = eh.inference.upscale(model, lr, tile=32, overlap=overlap).astype(int)
        errors[overlap] = int(np.abs(whole - tiled).max())
    enough = min(overlap for overlap, error in errors.items() if error <= 1)
    return errors, enough


def check_effective_radius():
    gradient = eh.model.gradient_map(eh.pretrained.load_pretrained(4), _crop())
    radius = eh.model.effective_radius(gradient, 0.999)
    return (radius,)


def check_self_ensemble():
    def edsr_plus(model, lr):
        total = 0.0
        for flip in (False, True):
            for turns in range(4):
                view = np.rot90(lr, turns)
                view = view[:, ::-1] if flip else view
                sr = eh.inference.upscale(model, np.ascontiguousarray(view), tile=None).astype(np.float64)
                sr = sr[:, ::-1] if flip else sr
                total = total + np.rot90(sr, -turns)
        return np.clip(np.round(total / 8), 0, 255).astype(np.uint8)

    return (edsr_plus,)


def check_tile_count():
    tile = eh.inference.DEFAULT_TILE
    tiles = -(-3024 // tile) * -(-4032 // tile)
    return (tiles,)
