"""Small experiments the notebooks run to make a point (kept here so the notebooks stay prose and calls)."""

from __future__ import annotations

import time

import numpy as np


def batch_norm_demo(
    photo: np.ndarray, dim_factor: float = 0.5, *, patch_size: int = 48, batch_size: int = 8, seed: int = 0
) -> dict[str, np.ndarray | tuple[np.ndarray, np.ndarray]]:
    """What batch normalization does to brightness, with real batches of patches of one photo.

    ``2 * batch_size - 1`` patches are cut along the photo's diagonal, the central one first. A batch of the
    first ``batch_size`` goes through one random 3x3 convolution (8 filters, no bias), with and without BN in
    training mode (batch statistics); then the same batch with every patch dimmed by ``dim_factor``. Without
    BN the dim features are exactly ``dim_factor`` times the bright ones; with BN they are the same, so the
    network cannot tell how bright its inputs were. Finally the first patch is normalized among *other*
    companions: its BN output changes although the patch did not.

    Returns:
        ``patch`` (the first patch), ``conv`` and ``conv+bn`` as ``(bright, dim)`` feature maps of the first
        patch's first filter, and ``conv+bn, other batch`` (the same map with other companions).
    """
    import keras

    height, width = photo.shape[:2]
    count = 2 * batch_size - 1
    tops = np.linspace(0, height - patch_size, count).astype(int)
    lefts = np.linspace(0, width - patch_size, count).astype(int)
    patches = np.stack([photo[y : y + patch_size, x : x + patch_size] for y, x in zip(tops, lefts, strict=True)])
    middle = count // 2  # the photo's centre first: that is the patch shown and followed
    patches = patches[[middle, *range(middle), *range(middle + 1, count)]]
    patches = patches.astype("float32")
    conv = keras.layers.Conv2D(
        8, 3, padding="same", use_bias=False, kernel_initializer=keras.initializers.HeNormal(seed)
    )
    norm = keras.layers.BatchNormalization()

    def first_map(batch: np.ndarray, normalize: bool) -> np.ndarray:
        features = conv(batch)
        if normalize:
            features = norm(features, training=True)
        return keras.ops.convert_to_numpy(features)[0, :, :, 0]

    bright, others = patches[:batch_size], np.concatenate([patches[:1], patches[batch_size:]])
    return {
        "patch": patches[0].astype(np.uint8),
        "conv": (first_map(bright, False), first_map(bright * dim_factor, False)),
        "conv+bn": (first_map(bright, True), first_map(bright * dim_factor, True)),
        "conv+bn, other batch": first_map(others, True),
    }


def keras_io_psnr(hr: np.ndarray, sr: np.ndarray, *, swapped: bool = False) -> float:
    """The PSNR the keras-io EDSR example logs for a prediction ``sr`` of ``hr``, called as Keras calls it.

    Its metric takes ``(super_resolution, high_resolution)`` and returns
    ``tf.image.psnr(high_resolution, super_resolution, max_val=255)`` of the batch's first image. Keras calls a
    metric as ``(y_true, y_pred)``, so the uint8 target lands in ``super_resolution`` and the float prediction
    in ``high_resolution``: ``tf.image.psnr`` keeps the float prediction on 0-255 (and ``max_val`` at 255) but
    converts the uint8 target to [0, 1]. Reproduced here through a compiled model whose output is ``sr``, so the
    argument order is Keras's own. TensorFlow only, as the example is.

    ``swapped=True`` writes the metric the other way round (``tf.image.psnr(super_resolution, high_resolution)``):
    then the uint8 target comes first and ``tf.image.psnr`` scales ``max_val`` by *its* dtype, to 1, while the
    prediction stays on 0-255, so the order alone does not fix the mixed scales.
    """
    import keras
    import tensorflow as tf

    def keras_io_metric(super_resolution, high_resolution):  # the example's signature, in its order
        first, second = (super_resolution, high_resolution) if swapped else (high_resolution, super_resolution)
        return tf.image.psnr(first, second, max_val=255)[0]

    passthrough = keras.Sequential([keras.Input((None, None, 3)), keras.layers.Identity()])
    passthrough.compile(loss="mean_absolute_error", metrics=[keras_io_metric])
    target = tf.constant(np.asarray(hr, np.uint8)[None])  # the example's datasets yield uint8 images
    scores = passthrough.evaluate(np.asarray(sr, np.float32)[None], target, verbose=0, return_dict=True)
    return float(scores["keras_io_metric"])


def l1_vs_l2_figure():
    """Loss and gradient of L1 and L2 against the error of one pixel (for notebook 03)."""
    import matplotlib.pyplot as plt

    error = np.linspace(-20, 20, 401)
    figure, (loss_axis, gradient_axis) = plt.subplots(1, 2, figsize=(9, 3))
    loss_axis.plot(error, np.abs(error), label="L1: |e|")
    loss_axis.plot(error, error**2 / 20, label="L2: e² (scaled /20)")
    gradient_axis.plot(error, np.sign(error), label="L1 gradient: ±1")
    gradient_axis.plot(error, error / 10, label="L2 gradient: 2e (scaled /20)")
    for axis, title in ((loss_axis, "loss"), (gradient_axis, "gradient")):
        axis.set(xlabel="error of one pixel (0-255 scale)", title=title)
        axis.grid(alpha=0.3)
        axis.legend()
    figure.tight_layout()
    return figure


def residual_growth(
    res_scales=(1.0, 0.1), *, depth: int = 32, num_filters: int = 256, size: int = 16, seed: int = 0
) -> dict[float, list[float]]:
    """The spread (standard deviation) of the features after each block of a freshly initialised stack of
    ``depth`` residual blocks ``num_filters`` wide, for each residual scaling: the full EDSR's shape at step 0.

    Every stack starts from the same weights and the same unit-variance input, so only the scaling differs.
    Each block adds its correction to what it received; the spread shows how those additions pile up.
    """
    import keras

    from edsr_helpers.architecture import ResidualBlock

    features = np.random.default_rng(seed).normal(size=(1, size, size, num_filters)).astype("float32")
    keras.utils.set_random_seed(seed)
    blocks = [ResidualBlock(num_filters) for _ in range(depth)]
    x = features
    for block in blocks:  # build every block once, with the weights all stacks share
        x = block(x)
    growth = {}
    for res_scale in res_scales:
        x, spreads = features, []
        for block in blocks:
            residual = block.conv2(keras.ops.relu(block.conv1(x)))
            x = x + res_scale * keras.ops.convert_to_numpy(residual)
            spreads.append(float(np.std(x)))
        growth[float(res_scale)] = spreads
    return growth


#: How big notebook 02's residual-scaling training runs are under each profile: the depth, the two widths compared,
#: the steps, the LR patch side and the batch. ``cpu`` takes a minute or two on a 2-core laptop; ``ci`` only proves
#: that the cells run.
SCALING_RUN_SIZES: dict[str, dict[str, int]] = {
    "ci": {"num_res_blocks": 2, "narrow": 8, "wide": 32, "steps": 4, "lr_patch_size": 8, "batch_size": 2},
    "cpu": {"num_res_blocks": 16, "narrow": 64, "wide": 256, "steps": 40, "lr_patch_size": 12, "batch_size": 4},
    "gpu": {"num_res_blocks": 32, "narrow": 64, "wide": 256, "steps": 500, "lr_patch_size": 48, "batch_size": 16},
    "paper": {"num_res_blocks": 32, "narrow": 64, "wide": 256, "steps": 500, "lr_patch_size": 48, "batch_size": 16},
}


def scaling_batches(
    steps: int, *, lr_patch_size: int, batch_size: int, scale: int = 2, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``steps`` batches of random aligned patches of the offline training photos, float32 on 0-255: the same
    batches for every run of :func:`residual_scaling_run`, so runs differ only in their model."""
    from edsr_helpers.data import load_sample
    from edsr_helpers.pairs import random_patch

    pairs = load_sample(scale, "train")
    rng = np.random.default_rng(seed)
    batches = []
    for step in range(steps):
        patches = [
            random_patch(*pairs[rng.integers(len(pairs))], (seed, step, i), scale=scale, lr_patch_size=lr_patch_size)
            for i in range(batch_size)
        ]
        lr, hr = (np.stack([patch[k] for patch in patches]).astype("float32") for k in (0, 1))
        batches.append((lr, hr))
    return batches


def residual_scaling_run(
    res_scale: float,
    batches: list[tuple[np.ndarray, np.ndarray]],
    *,
    num_res_blocks: int,
    num_filters: int,
    learning_rate: float,
    scale: int = 2,
    seed: int = 0,
) -> dict[str, np.ndarray | float]:
    """Train EDSR (``num_res_blocks`` x ``num_filters``, ``res_scale``) one step per batch, and record each step.

    The series' L1 loss and the paper's Adam at a constant ``learning_rate`` (no warm-up: a warm-up is itself a
    cure for an unstable start), float32 whatever the notebook's precision, the same initial weights for the same
    ``seed`` and shape (``res_scale`` is not a weight), so two runs differ only in their scaling.

    Returns:
        ``loss`` (each step's L1 on its batch, 0-255 scale), ``gradient_norm`` (the global L2 norm of each
        step's gradient, before Adam), ``seconds`` (the whole run). A run whose loss becomes NaN or infinite
        stops there: its arrays end at that step.
    """
    import keras

    from edsr_helpers.architecture import edsr

    class RecordingAdam(keras.optimizers.Adam):
        """The paper's Adam, keeping the global norm of the last gradient it applied."""

        def build(self, variables):
            super().build(variables)
            self.gradient_norm = self.add_variable((), initializer="zeros", dtype="float32", name="gradient_norm")

        def apply(self, grads, trainable_variables=None):
            if not self.built:
                self.build(trainable_variables)
            squares = [keras.ops.sum(keras.ops.square(keras.ops.cast(g, "float32"))) for g in grads if g is not None]
            self.gradient_norm.assign(keras.ops.sqrt(sum(squares)))
            return super().apply(grads, trainable_variables)

    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("float32")
    try:
        keras.utils.set_random_seed(seed)
        model = edsr(scale, num_res_blocks, num_filters, res_scale)
    finally:
        keras.config.set_dtype_policy(previous)
    optimizer = RecordingAdam(learning_rate=learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8)
    model.compile(optimizer=optimizer, loss="mean_absolute_error")
    losses, norms = [], []
    started = time.perf_counter()
    for lr, hr in batches:
        loss = float(model.train_on_batch(lr, hr, return_dict=True)["loss"])
        losses.append(loss)
        norms.append(float(keras.ops.convert_to_numpy(optimizer.gradient_norm.value)))
        if not np.isfinite(loss):
            break
    return {"loss": np.array(losses), "gradient_norm": np.array(norms), "seconds": time.perf_counter() - started}


def summarize_scaling_run(run: dict, *, spike_factor: float = 2.0, window: int = 10) -> dict[str, float | int | None]:
    """What a :func:`residual_scaling_run` shows, in numbers.

    A *spike* is a step whose loss is more than ``spike_factor`` times the median loss of the (up to ``window``)
    steps before it. ``final_loss`` is the median loss of the last tenth of the steps (at least one step).
    """
    loss, norm = run["loss"], run["gradient_norm"]
    finite = np.isfinite(loss)
    spikes = sum(
        1
        for step in range(1, len(loss))
        if finite[step] and loss[step] > spike_factor * np.median(loss[max(0, step - window) : step])
    )
    tail = max(1, len(loss) // 10)
    return {
        "steps": len(loss),
        "first_loss": float(loss[0]),
        "largest_loss": float(np.nanmax(loss)),
        "final_loss": float(np.median(loss[-tail:])),
        "largest_gradient_norm": float(np.nanmax(norm)),
        "median_gradient_norm": float(np.nanmedian(norm)),
        "spikes": spikes,
        "first_nan_step": None if finite.all() else int(np.argmin(finite)) + 1,
    }


def psnr_choices(model, photos, scale: int = 4) -> list[dict[str, float | str]]:
    """How much each evaluation choice moves the PSNR of one model on the same photos, measured.

    The reference is the series' (and the papers') convention: LR made by antialiased bicubic (PIL), the output
    rounded to 8 bits, PSNR on Y with a border of ``scale`` pixels left out. Each other row changes one thing.
    Returns rows ``{"choice", "psnr", "change"}``, the mean over the photos, in dB.
    """
    import keras

    from edsr_helpers.backend import compiled_forward
    from edsr_helpers.images import crop_to_multiple
    from edsr_helpers.inference import to_uint8
    from edsr_helpers.metrics import score
    from edsr_helpers.pairs import downscale

    def lr_by(method: str, hr: np.ndarray) -> np.ndarray:
        if method == "pil":
            return downscale(hr, scale)
        size = (hr.shape[0] // scale, hr.shape[1] // scale)
        if method == "area":
            blocks = hr.astype(np.float64).reshape(size[0], scale, size[1], scale, 3)
            return np.round(blocks.mean(axis=(1, 3))).astype(np.uint8)
        resized = keras.ops.image.resize(hr[None].astype("float32"), size, interpolation="bicubic", antialias=False)
        return to_uint8(keras.ops.convert_to_numpy(resized)[0])

    choices = (  # (label, how LR is made, round the output, shave, Y only)
        ("as the papers: Y, shave = scale, PIL bicubic LR, 8-bit output", "pil", True, scale, True),
        ("RGB instead of Y", "pil", True, scale, False),
        ("no border shaved", "pil", True, 0, True),
        ("border of scale + 6 shaved", "pil", True, scale + 6, True),
        ("LR by bicubic without antialiasing (tf.image.resize's default)", "resize", True, scale, True),
        ("LR by area (box) averaging", "area", True, scale, True),
        ("output not rounded to 8 bits", "pil", False, scale, True),
    )
    forward = compiled_forward(model)
    rows = []
    for label, method, rounded, shave, y_only in choices:
        scores = []
        for photo in photos:
            hr = crop_to_multiple(np.asarray(photo), scale)
            sr = forward(lr_by(method, hr).astype("float32")[None])[0]
            sr = to_uint8(sr) if rounded else np.clip(sr, 0, 255)
            scores.append(score(hr, sr, shave=shave, y_only=y_only).psnr)
        rows.append({"choice": label, "psnr": float(np.mean(scores))})
    for row in rows:
        row["change"] = row["psnr"] - rows[0]["psnr"]
    return rows


def degradation_gap(models: dict, inputs: dict[str, list]) -> list[dict[str, float | str]]:
    """Y-PSNR and SSIM (border of 4 shaved) of bicubic and of each model, for each kind of LR input.

    ``models`` maps a label to an x4 model; ``inputs`` maps a label ("clean", "degraded") to ``(lr, hr)`` pairs
    of the same HR photos. Returns one row per (input, method) with the means over the photos.
    """
    from edsr_helpers.images import upscale_bicubic
    from edsr_helpers.inference import upscale
    from edsr_helpers.metrics import score

    rows = []
    for input_name, pairs in inputs.items():
        methods = {"bicubic": lambda lr: upscale_bicubic(lr, 4)}
        methods |= {label: (lambda lr, model=model: upscale(model, lr)) for label, model in models.items()}
        for method, run in methods.items():
            scores = [score(hr, run(lr), shave=4, with_ssim=True) for lr, hr in pairs]
            rows.append(
                {
                    "input": input_name,
                    "method": method,
                    "psnr_y": float(np.mean([one.psnr for one in scores])),
                    "ssim_y": float(np.mean([one.ssim for one in scores])),
                }
            )
    return rows


def show_gap_table(rows: list[dict[str, float | str]]) -> None:
    """:func:`degradation_gap`'s rows as a table, each method's gain over bicubic on the same input beside it."""
    from edsr_helpers.presentation.tables import show_table

    bicubic = {row["input"]: row["psnr_y"] for row in rows if row["method"] == "bicubic"}
    show_table(
        ["LR input", "method", "PSNR Y (dB)", "over bicubic", "SSIM Y"],
        [
            [
                row["input"],
                row["method"],
                f"{row['psnr_y']:.2f}",
                "" if row["method"] == "bicubic" else f"{row['psnr_y'] - bicubic[row['input']]:+.2f}",
                f"{row['ssim_y']:.4f}",
            ]
            for row in rows
        ],
    )
