"""Solutions to notebook 03's exercises (see README.md in this folder)."""

import math

import keras
import numpy as np

import edsr_helpers as eh


def check_psnr_y():
    def psnr_y(hr, sr, shave):
        weights = np.array([65.481, 128.553, 24.966]) / 255.0
        y_hr = hr.astype(np.float64) @ weights + 16.0
        y_sr = sr.astype(np.float64) @ weights + 16.0
        if shave:
            y_hr, y_sr = y_hr[shave:-shave, shave:-shave], y_sr[shave:-shave, shave:-shave]
        return 10 * np.log10(255.0**2 / np.mean((y_hr - y_sr) ** 2))

    return (psnr_y,)


def check_mse_to_psnr():
    psnr_db = 10 * math.log10(255**2 / 10)
    return (psnr_db,)


def check_schedule():
    def learning_rate(step):
        rate = 5e-4 * 0.5 ** (step // 1000)
        return rate * min(1.0, (step + 1) / 200)

    return (learning_rate,)


def check_loss_experiment(steps: int = 10):
    profile = eh.profiles.PROFILES["ci"]
    pairs = eh.data.load_pairs(profile, "train", verbose=False)
    runs, scores = {}, {}
    for loss in ("mean_absolute_error", "mean_squared_error"):
        model = eh.model.edsr_preset("baseline", scale=4)
        model.compile(optimizer=eh.training.make_optimizer(profile), loss=loss)
        train = eh.data.make_train_dataset_for(profile, pairs)
        model.fit(train, epochs=1, steps_per_epoch=steps, shuffle=False, verbose=0)
        runs[loss] = model
        val = eh.data.load_pairs(profile, "validation", verbose=False)
        rows = eh.training.evaluate(model, val, 4)
        scores[loss] = rows[-1]["edsr_psnr_y"]
    better = max(scores, key=scores.get)
    return runs, better


def check_warmup_experiment(steps: int = 10, peak_factor: float = 1.0, profile_name: str = "ci"):
    """Both runs; ``peak_factor=4`` is the exercise's second question, ``profile_name="cpu"`` the notebook's data."""
    profile = eh.profiles.PROFILES[profile_name]
    pairs = eh.data.load_pairs(profile, "train", verbose=False)
    val = eh.data.load_pairs(profile, "validation", verbose=False)
    peak = profile.learning_rate * peak_factor
    runs, scores = {}, {}
    for name, warmup in (("warm-up", 200), ("none", 0)):
        schedule = eh.training.WarmupHalving(peak, halving_steps=1000, warmup_steps=warmup)
        model = eh.model.edsr_preset("baseline", scale=4)
        model.compile(optimizer=keras.optimizers.Adam(schedule), loss="mean_absolute_error")
        train = eh.data.make_train_dataset_for(profile, pairs)
        model.fit(train, epochs=1, steps_per_epoch=steps, shuffle=False, verbose=0)
        runs[name] = model
        scores[name] = eh.training.evaluate(model, val, 4)[-1]["edsr_psnr_y"]
    better = max(scores, key=scores.get)
    return runs, better
