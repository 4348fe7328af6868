"""Generated from notebooks/05_real_photos.py, the cells marked ``#| export degradations``.

Do not edit: change the notebook (its .py or .ipynb), then run `make sync`.
"""

# From notebooks/05_real_photos.py, under "A degradation pipeline, cell by cell"
import io

import numpy as np
from PIL import Image

from edsr_helpers.pairs import crop_pair, random_crop_pair, random_patch, random_transform_pair


def gaussian_kernel(sigma_x: float, sigma_y: float | None = None, angle: float = 0.0) -> np.ndarray:
    """A normalised Gaussian blur kernel, anisotropic when ``sigma_y`` differs, turned by ``angle`` radians."""
    sigma_y = sigma_x if sigma_y is None else sigma_y
    radius = min(10, int(np.ceil(3 * max(sigma_x, sigma_y))))  # ±3 sigma in both axes hold 99.5 %; at most 21 x 21
    y, x = np.mgrid[-radius : radius + 1, -radius : radius + 1].astype(np.float64)
    u = np.cos(angle) * x + np.sin(angle) * y  # coordinates along the kernel's own axes
    v = -np.sin(angle) * x + np.cos(angle) * y
    kernel = np.exp(-0.5 * ((u / sigma_x) ** 2 + (v / sigma_y) ** 2))
    return kernel / kernel.sum()  # blurring keeps the brightness


def blur(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Convolve every colour channel with ``kernel`` (edges mirrored); float64 out."""
    from scipy.signal import fftconvolve

    radius = kernel.shape[0] // 2
    padded = np.pad(np.asarray(image, np.float64), ((radius, radius), (radius, radius), (0, 0)), mode="reflect")
    return np.stack([fftconvolve(padded[..., c], kernel, mode="valid") for c in range(padded.shape[-1])], -1)


# From notebooks/05_real_photos.py, under "A degradation pipeline, cell by cell"
#: PIL's antialiased resize filters, by name.
RESIZE_METHODS = {"bicubic": Image.BICUBIC, "bilinear": Image.BILINEAR, "area": Image.BOX}


def resize(image: np.ndarray, size: tuple[int, int], method: str) -> np.ndarray:
    """Resize a float image to ``size`` (width, height) channel by channel, without rounding in between."""
    channels = [
        np.asarray(Image.fromarray(image[..., c].astype(np.float32), mode="F").resize(size, RESIZE_METHODS[method]))
        for c in range(image.shape[-1])
    ]
    return np.stack(channels, -1).astype(np.float64)


def gaussian_noise(image: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Add noise of standard deviation ``sigma`` grey levels, independently per pixel and colour."""
    return image + rng.normal(0.0, sigma, image.shape)


def poisson_noise(image: np.ndarray, photons_per_level: float, rng: np.random.Generator) -> np.ndarray:
    """Photon noise: count ``photons_per_level`` photons per grey level, so the variance grows with brightness."""
    photons = np.clip(image, 0, None) * photons_per_level
    return rng.poisson(photons) / photons_per_level


def jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    """Save as JPEG at ``quality`` (1-95) and read back, in memory."""
    buffer = io.BytesIO()
    Image.fromarray(np.clip(np.round(image), 0, 255).astype(np.uint8)).save(buffer, format="JPEG", quality=quality)
    return np.asarray(Image.open(buffer), dtype=np.float64)


# From notebooks/05_real_photos.py, under "A degradation pipeline, cell by cell"
def degradation_pass(x: np.ndarray, size: tuple[int, int], rng: np.random.Generator, strength: float) -> np.ndarray:
    """Blur, resize to ``size``, add noise, compress: each drawn at random, ``strength`` (0-1] scaling them."""
    sigma = rng.uniform(0.2, 3.0) * strength
    if rng.random() < 0.5:  # anisotropic half the time
        kernel = gaussian_kernel(sigma, rng.uniform(0.2, 3.0) * strength, rng.uniform(0, np.pi))
    else:
        kernel = gaussian_kernel(sigma)
    x = resize(blur(x, kernel), size, rng.choice(list(RESIZE_METHODS)))
    if rng.random() < 0.6:
        x = gaussian_noise(x, rng.uniform(1.0, 12.0) * strength, rng)
    else:
        x = poisson_noise(x, rng.uniform(0.5, 4.0) / strength, rng)
    return jpeg(x, int(rng.integers(round(30 + 40 * (1 - strength)), 96)))


def degrade(hr: np.ndarray, scale: int, seed: int) -> np.ndarray:
    """A realistic LR image of ``hr`` (``scale`` times smaller), reproducible from ``seed``: one or two passes."""
    rng = np.random.default_rng(seed)
    height, width = hr.shape[0] // scale, hr.shape[1] // scale
    x = np.asarray(hr, np.float64)
    if rng.random() < 0.5:  # second order: shrink halfway first, then the rest with a milder pass
        halfway = (round(width * scale**0.5), round(height * scale**0.5))
        x = degradation_pass(x, halfway, rng, strength=1.0)
        x = degradation_pass(x, (width, height), rng, strength=0.5)
    else:
        x = degradation_pass(x, (width, height), rng, strength=1.0)
    return np.clip(np.round(x), 0, 255).astype(np.uint8)


def degrade_for_evaluation(hr: np.ndarray, scale: int) -> np.ndarray:
    """The fixed "camera-like" degradation every evaluation uses: blur 1.2, bicubic, noise 5, JPEG 75."""
    height, width = hr.shape[0] // scale, hr.shape[1] // scale
    x = resize(blur(hr, gaussian_kernel(1.2)), (width, height), "bicubic")
    x = gaussian_noise(x, 5.0, np.random.default_rng(0))
    return np.clip(np.round(jpeg(x, 75)), 0, 255).astype(np.uint8)


# From notebooks/05_real_photos.py, under "A degradation pipeline, cell by cell"
def degrade_camera_like(hr: np.ndarray, scale: int, seed: int) -> np.ndarray:
    """One pass drawn around a camera's: mild blur, any downscaling, Gaussian noise of σ up to 10 or photon noise
    (σ up to 16 grey levels at white), JPEG 50-95."""
    rng = np.random.default_rng(seed)
    height, width = hr.shape[0] // scale, hr.shape[1] // scale
    sigma = rng.uniform(0.5, 2.0)
    if rng.random() < 1 / 3:  # a tilted or moving lens now and then
        kernel = gaussian_kernel(sigma, rng.uniform(0.5, 2.0), rng.uniform(0, np.pi))
    else:
        kernel = gaussian_kernel(sigma)
    x = resize(blur(hr, kernel), (width, height), rng.choice(list(RESIZE_METHODS)))
    if rng.random() < 0.75:
        x = gaussian_noise(x, rng.uniform(0.0, 10.0), rng)
    else:
        x = poisson_noise(x, rng.uniform(1.0, 4.0), rng)
    return np.clip(np.round(jpeg(x, int(rng.integers(50, 96)))), 0, 255).astype(np.uint8)


#: The random degradations a training pipeline can draw from, by name: ``degradation(hr, scale, seed) -> lr``.
DEGRADATIONS = {"realistic": degrade, "camera-like": degrade_camera_like}


# From notebooks/05_real_photos.py, under "Fine-tuning on degraded pairs"
def degraded_patch(lr, hr, seed, *, scale, lr_patch_size, degradation, clean_share=0.0, margin=4):
    """One training example whose LR is drawn afresh by ``degradation(hr, scale, seed)``; with probability
    ``clean_share`` the pair's clean LR is kept. ``margin`` LR pixels around the patch are degraded, then cut."""
    keep_seed, crop_seed, degrade_seed, transform_seed = np.random.SeedSequence(seed).spawn(4)
    if np.random.default_rng(keep_seed).random() < clean_share:
        return random_patch(lr, hr, seed, scale=scale, lr_patch_size=lr_patch_size)
    _, hr_region = random_crop_pair(lr, hr, crop_seed, scale=scale, lr_patch_size=lr_patch_size + 2 * margin)
    lr_region = degradation(hr_region, scale, int(degrade_seed.generate_state(1)[0]))
    lr_patch, hr_patch = crop_pair(lr_region, hr_region, margin, margin, scale=scale, lr_patch_size=lr_patch_size)
    return random_transform_pair(lr_patch, hr_patch, transform_seed)


# The public names the cells above define, in order.
__all__ = [
    "gaussian_kernel",
    "blur",
    "RESIZE_METHODS",
    "resize",
    "gaussian_noise",
    "poisson_noise",
    "jpeg",
    "degradation_pass",
    "degrade",
    "degrade_for_evaluation",
    "degrade_camera_like",
    "DEGRADATIONS",
    "degraded_patch",
]
