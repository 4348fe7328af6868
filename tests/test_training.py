from __future__ import annotations

import csv
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest

from edsr_helpers import backend, data, metrics, runs, training
from edsr_helpers import model as edsr_model
from edsr_helpers.profiles import PROFILES, Profile
from edsr_helpers.recipes import Recipe

TINY = Profile(
    "tiny",
    "test",
    Recipe("tiny", "test", dataset="sample", lr_patch_size=8, batch_size=4, learning_rate=1e-3, warmup_steps=2),
)


def _tiny_model():
    return edsr_model.edsr(4, num_res_blocks=1, num_filters=8)


def _train_ds():
    return data.make_train_dataset_for(TINY, data.load_sample(4, "validation"))


# ---------------------------------------------------------------------------------------------- metrics


def test_psnr_metric_averages_every_image_of_every_batch():
    rng = np.random.default_rng(0)
    hr = rng.integers(0, 256, (5, 16, 16, 3)).astype("uint8")
    sr = np.clip(hr + rng.normal(0, 1 + np.arange(5)[:, None, None, None] * 3, hr.shape), -10, 270)
    expected = np.mean([metrics.psnr(hr[i], np.clip(sr[i], 0, 255)) for i in range(5)])
    metric = metrics.PSNR()
    metric.update_state(hr[:2], sr[:2])
    metric.update_state(hr[2:], sr[2:])
    assert float(metric.result()) == pytest.approx(expected, abs=1e-3)
    assert float(metric.result()) != pytest.approx(metrics.psnr(hr[0], np.clip(sr[0], 0, 255)), abs=0.1)


def test_psnr_metric_y_shave_and_dtypes_match_the_numpy_protocol():
    rng = np.random.default_rng(1)
    hr = rng.integers(0, 256, (3, 20, 24, 3)).astype("uint8")
    sr = np.clip(hr + rng.normal(0, 6, hr.shape), 0, 255).astype("float32")
    expected = np.mean([metrics.psnr(hr[i], sr[i], shave=4, y_only=True) for i in range(3)])
    for dtype in ("float32", "bfloat16", "float16"):
        metric = metrics.PSNR(shave=4, y_only=True)
        metric.update_state(keras.ops.convert_to_tensor(hr), keras.ops.convert_to_tensor(sr, dtype=dtype))
        assert float(metric.result()) == pytest.approx(expected, abs=0.05)


def test_psnr_metric_agrees_with_tf_image_psnr_on_the_right_scale():
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(2)
    hr = rng.integers(0, 256, (4, 12, 12, 3)).astype("float32")
    sr = np.clip(hr + rng.normal(0, 4, hr.shape), 0, 255).astype("float32")
    metric = metrics.PSNR()
    metric.update_state(hr, sr)
    assert float(metric.result()) == pytest.approx(float(tf.reduce_mean(tf.image.psnr(hr, sr, 255.0))), abs=1e-3)


def test_ssim_ranks_quality_and_rejects_tiny_images(photo):
    noisy = np.clip(photo + np.random.default_rng(0).normal(0, 10, photo.shape), 0, 255)
    assert metrics.ssim(photo, photo) == pytest.approx(1.0)
    assert 0.3 < metrics.ssim(photo, noisy) < 0.99
    assert metrics.ssim(photo, noisy, y_only=True, shave=4) > metrics.ssim(photo, 0 * noisy + 128, y_only=True)
    with pytest.raises(ValueError, match="11x11"):
        metrics.ssim(photo[:12, :12], photo[:12, :12], shave=1)


@pytest.mark.parametrize("y_only", [False, True])
def test_ssim_equals_tf_image_ssim_it_replaced(photo, y_only):
    """scikit-image gives what tf.image.ssim gave before the series stopped needing TensorFlow for it."""
    tf = pytest.importorskip("tensorflow")
    noisy = np.clip(photo + np.random.default_rng(0).normal(0, 10, photo.shape), 0, 255)
    reference, test = photo.astype(np.float64), noisy
    if y_only:
        reference, test = metrics.rgb_to_y(reference)[..., None], metrics.rgb_to_y(test)[..., None]
    expected = float(tf.image.ssim(tf.constant(reference, tf.float32), tf.constant(test, tf.float32), 255.0))
    assert metrics.ssim(photo, noisy, y_only=y_only) == pytest.approx(expected, abs=1e-4)


@pytest.mark.tensorflow
def test_keras_io_psnr_as_keras_calls_it_lands_in_the_examples_logged_range():
    """keras-io's log shows psnr 7.9-9.0 and val_psnr 6.3-8.7 dB; the same bicubic pair scores > 20 dB done right."""
    pytest.importorskip("tensorflow")
    from edsr_helpers import data, images, samples
    from edsr_helpers.course import lessons

    lr, hr = data.make_pair(samples.load_photo("monarch"), scale=4)
    bicubic = images.upscale_bicubic(lr, 4)
    reproduced = lessons.keras_io_psnr(hr, bicubic.astype("float32"))
    assert 5.0 < reproduced < 10.0, reproduced
    assert metrics.psnr(hr, bicubic) >= 20.0
    by_hand = 10 * np.log10(255.0**2 / np.mean((bicubic.astype(np.float64) - hr / 255.0) ** 2))
    assert reproduced == pytest.approx(by_hand, abs=0.01)  # the float prediction against the target / 255
    # the other order: the uint8 target first sets the peak to 1, the float prediction stays on 0-255
    swapped = lessons.keras_io_psnr(hr, bicubic.astype("float32"), swapped=True)
    assert swapped == pytest.approx(10 * np.log10(1.0 / np.mean((hr / 255.0 - bicubic) ** 2)), abs=0.01)
    assert swapped < -30


# ---------------------------------------------------------------------------------------- optimizer etc.


def test_schedule_warms_up_then_halves():
    schedule = training.WarmupHalving(1e-3, halving_steps=100, warmup_steps=10)
    values = [float(schedule(step)) for step in (0, 4, 9, 50, 99, 100, 250)]
    assert values[0] == pytest.approx(1e-4) and values[1] == pytest.approx(5e-4)
    assert values[2] == pytest.approx(1e-3) and values[3] == pytest.approx(1e-3)
    assert values[5] == pytest.approx(5e-4) and values[6] == pytest.approx(2.5e-4)
    assert training.WarmupHalving.from_config(schedule.get_config()).get_config() == schedule.get_config()


def test_optimizer_is_adam_with_the_paper_constants():
    optimizer = training.make_optimizer(PROFILES["paper"])
    assert isinstance(optimizer, keras.optimizers.Adam)
    assert (optimizer.beta_1, optimizer.beta_2, optimizer.epsilon) == (0.9, 0.999, 1e-8)
    assert float(optimizer.learning_rate) == pytest.approx(1e-4)


def test_precision_is_picked_by_measurement_never_slower_than_float32():
    assert backend.pick_precision({"float32": 1.0, "mixed_bfloat16": 0.5}) == "mixed_bfloat16"
    assert backend.pick_precision({"float32": 1.0, "mixed_bfloat16": 1.4}) == "float32"
    assert backend.pick_precision({"float32": 1.0, "mixed_bfloat16": 0.95}) == "float32"  # within noise
    three = {"float32": 1.0, "mixed_bfloat16": 0.6, "mixed_float16": 0.4}
    assert backend.pick_precision(three) == "mixed_float16"


def test_precision_choice_is_measured_once_and_cached_per_machine(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv(backend.PRECISION_ENV_VAR, raising=False)
    calls = []

    def fake_measure():
        calls.append(1)
        return {"float32": 0.3, "mixed_bfloat16": 0.5}

    monkeypatch.setattr(backend, "measure_precisions", fake_measure)
    monkeypatch.setattr(backend, "measure_xla", lambda *args, **kwargs: {"off": 1.0, "on": 1.0})
    assert training.choose_precision() == "float32"
    assert training.choose_precision() == "float32" and len(calls) == 1  # second call: from the cache
    stored = json.loads((tmp_path / "edsr_helpers" / "precision.json").read_text())
    key = next(key for key in stored if "XLA" not in key)
    assert key.startswith(f"{keras.backend.backend()} | ") and stored[key]["choice"] == "float32"
    assert backend.choose_precision(refresh=True) == "float32" and len(calls) == 2
    monkeypatch.setenv(backend.PRECISION_ENV_VAR, "mixed_bfloat16")
    assert training.choose_precision() == "mixed_bfloat16" and len(calls) == 2


@pytest.mark.parametrize(("off", "on", "expected"), [(1.0, 0.8, True), (1.0, 0.97, False), (1.0, 1.3, False)])
def test_xla_is_taken_on_a_cpu_only_where_measured_clearly_faster(monkeypatch, tmp_path, off, on, expected):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv(backend.XLA_ENV_VAR, raising=False)
    calls = []

    def fake_measure(build, inputs, targets, **kwargs):
        calls.append(build)
        return {"off": off, "on": on}

    monkeypatch.setattr(backend, "measure_xla", fake_measure)
    chosen = backend.choose_xla(None, None, None)
    if backend.name() != "tensorflow" or backend.has_gpu():  # not measured: the engine's own answer
        assert not calls and chosen == backend.jit_compile() == (backend.name() == "jax" or backend.has_gpu())
        return
    assert chosen is expected and backend.jit_compile() is expected  # jit_compile answers from the measurement
    assert backend.choose_xla(None, None, None) is expected and len(calls) == 1  # then from the cache
    keras.config.set_dtype_policy("mixed_bfloat16")
    try:
        assert backend.jit_compile() is False  # measured for float32 only: another policy is not assumed
    finally:
        keras.config.set_dtype_policy("float32")
    monkeypatch.setenv(backend.XLA_ENV_VAR, "0" if expected else "1")
    assert backend.jit_compile() is not expected and backend.choose_xla(None, None, None) is not expected


def test_xla_measurement_times_both_models_on_the_same_batch():
    built = []

    class Stub:
        def __init__(self, jit):
            self.jit, self.steps = jit, 0

        def train_on_batch(self, inputs, targets):
            self.steps += 1

    def build(jit):
        built.append(Stub(jit))
        return built[-1]

    timings = backend.measure_xla(build, np.zeros((1, 4, 4, 3)), np.zeros((1, 8, 8, 3)), steps=3)
    assert set(timings) == {"off", "on"} and all(0 <= seconds < 1 for seconds in timings.values())
    assert [stub.jit for stub in built] == [False, True] and [stub.steps for stub in built] == [5, 5]


def test_step_timing_alternates_the_models_and_keeps_each_ones_fastest_step(monkeypatch):
    """A slow moment (here the first timed round) must hit every model, and only each one's best step counts."""
    clock, calls = [0.0], []

    class Stub:
        def __init__(self, key, seconds):
            self.key, self.seconds = key, seconds

        def train_on_batch(self, inputs, targets):
            calls.append(self.key)
            timed_round = (len(calls) - 5) // 2  # after 2 warm-up steps each
            clock[0] += self.seconds * (10 if timed_round == 0 else 1)

    monkeypatch.setattr(backend.time, "perf_counter", lambda: clock[0])
    best = backend.fastest_steps({"a": Stub("a", 1.0), "b": Stub("b", 2.0)}, None, None, steps=3)
    assert calls == ["a", "a", "b", "b", "a", "b", "a", "b", "a", "b"]
    assert best == {"a": 1.0, "b": 2.0}


def test_precision_cache_tells_apart_cpus_that_share_a_model_name(monkeypatch, tmp_path):
    """Two VMs both named "AMD EPYC" (one with AVX512-BF16, one AVX2-only) must not share one cached choice."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv(backend.PRECISION_ENV_VAR, raising=False)
    monkeypatch.setattr(backend, "has_gpu", lambda: False)
    monkeypatch.setattr(backend, "cpu_model", lambda: "AMD EPYC")
    timings = {
        "avx2 fma": {"float32": 0.35, "mixed_bfloat16": 2.05},
        "avx2 avx512_bf16 avx512f fma": {"float32": 0.62, "mixed_bfloat16": 0.32},
    }
    for flags, expected in (("avx2 fma", "float32"), ("avx2 avx512_bf16 avx512f fma", "mixed_bfloat16")):
        monkeypatch.setattr(backend, "cpu_flags", lambda flags=flags: flags, raising=False)
        monkeypatch.setattr(backend, "measure_precisions", lambda flags=flags: timings[flags])
        assert backend.choose_precision() == expected  # the second chip is measured, not given the first's answer
    stored = json.loads((tmp_path / "edsr_helpers" / "precision.json").read_text())
    assert len(stored) == 2 and all("AMD EPYC (" in key for key in stored)


def test_precision_measurement_times_real_steps_and_restores_the_policy():
    before = keras.config.dtype_policy().name
    timings = backend.measure_precisions(("float32", "mixed_bfloat16"), steps=1, lr_size=8)
    assert set(timings) == {"float32", "mixed_bfloat16"}
    assert all(0 < seconds < 60 for seconds in timings.values())
    assert keras.config.dtype_policy().name == before


# ---------------------------------------------------------------------------------------------- training


def test_fit_learns_and_logs(tmp_path):
    model = training.compile_for_training(_tiny_model(), TINY, jit_compile=False)
    val = data.as_validation_dataset(data.load_sample(4, "validation"))
    history = model.fit(
        _train_ds(),
        epochs=3,
        steps_per_epoch=15,
        validation_data=val,
        shuffle=False,  # patches are already random (PyDataset)
        verbose=0,
        callbacks=training.make_callbacks(tmp_path),
    )
    losses = history.history["loss"]
    assert losses[-1] < losses[0]  # the logged loss is the L1 loss and it falls
    assert 0 < losses[-1] < 255
    assert set(history.history) >= {"psnr", "psnr_y", "val_psnr", "val_psnr_y", "val_loss"}
    log = read_log(tmp_path)
    assert log["epoch"] == [0.0, 1.0, 2.0] and log["val_psnr_y"] == pytest.approx(history.history["val_psnr_y"])
    best = keras.saving.load_model(tmp_path / "best.keras", safe_mode=True)
    assert best.count_params() == model.count_params()


class _Interrupt(keras.callbacks.Callback):
    def __init__(self, epoch, batch):
        super().__init__()
        self.epoch, self.batch, self.current = epoch, batch, 0

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.current == self.epoch and batch == self.batch:
            raise KeyboardInterrupt("simulated disconnect")


class _RecordingBatches(data.RecipePatchBatches):
    """PatchBatches that remember which batch numbers of the stream training read."""

    requested: list[int]

    def __getitem__(self, index):
        self.requested.append(self.start + int(index))
        return super().__getitem__(index)


class _ForgetPeeks(keras.callbacks.Callback):
    """Keras may read a batch or two to learn shapes before training starts; only training's reads count."""

    def __init__(self, patches):
        super().__init__()
        self.patches = patches

    def on_train_begin(self, logs=None):
        self.patches.requested = []


def _recording_train_ds():
    patches = _RecordingBatches(data.load_sample(4, "validation"), scale=4, lr_patch_size=8, batch_size=4)
    patches.requested = []
    return patches


def test_interrupted_run_resumes_from_the_saved_epoch_on_unseen_patches(tmp_path):
    epochs_seen = []
    recorder = keras.callbacks.LambdaCallback(on_epoch_begin=lambda epoch, logs: epochs_seen.append(epoch))
    model = training.compile_for_training(_tiny_model(), TINY, jit_compile=False)
    patches = _recording_train_ds()
    callbacks = training.make_callbacks(tmp_path, monitor="psnr", patches=patches)
    with pytest.raises(KeyboardInterrupt):
        model.fit(
            patches,
            epochs=4,
            steps_per_epoch=5,
            callbacks=[*callbacks, _ForgetPeeks(patches), _Interrupt(2, 2), recorder],
            shuffle=False,  # patches are already random (PyDataset)
            verbose=0,
        )
    assert epochs_seen == [0, 1, 2]
    assert min(patches.requested) == 0
    assert training.completed_epochs(tmp_path) == 2
    weights_at_crash = [w.copy() for w in model.get_weights()]

    epochs_seen.clear()
    fresh = training.compile_for_training(_tiny_model(), TINY, jit_compile=False)
    patches = _recording_train_ds()
    callbacks = training.make_callbacks(tmp_path, monitor="psnr", patches=patches)
    fresh.fit(
        patches,
        epochs=4,
        steps_per_epoch=5,
        callbacks=[*callbacks, _ForgetPeeks(patches), recorder],
        shuffle=False,  # patches are already random (PyDataset)
        verbose=0,
    )
    assert epochs_seen == [2, 3]  # resumed at the interrupted epoch, not at 0
    # ... on the stream's batches 10, 11, ... (2 epochs of 5 done), not on batches 0-9 again
    assert min(patches.requested) == 2 * 5 and set(range(10, 20)) <= set(patches.requested)
    assert int(fresh.optimizer.iterations) == 4 * 5
    assert not np.allclose(fresh.get_weights()[0], weights_at_crash[0])
    assert read_log(tmp_path)["epoch"] == [0.0, 1.0, 2.0, 3.0]
    assert training.completed_epochs(tmp_path) == 0  # a finished run leaves no backup: the next one starts anew


def test_a_run_killed_while_writing_its_backup_resumes_from_the_epoch_before(tmp_path, monkeypatch):
    """A disconnect in the middle of writing the backup leaves a truncated file; the run must not be lost."""
    saves = []
    save_weights = keras.Model.save_weights

    def killed_during_the_second_save(self, filepath, *args, **kwargs):
        saves.append(filepath)
        if len(saves) == 2:  # the end of epoch 1: half the file is on disk when the process dies
            save_weights(self, filepath, *args, **kwargs)
            with open(filepath, "r+b") as file:
                file.truncate(file.seek(0, 2) // 2)
            raise KeyboardInterrupt("simulated disconnect while writing the backup")
        return save_weights(self, filepath, *args, **kwargs)

    epochs_seen = []
    recorder = keras.callbacks.LambdaCallback(on_epoch_begin=lambda epoch, logs: epochs_seen.append(epoch))

    def three_epochs_of_two_steps():
        model = training.compile_for_training(_tiny_model(), TINY, jit_compile=False)
        callbacks = [*training.make_callbacks(tmp_path, monitor="psnr"), recorder]
        model.fit(_recording_train_ds(), epochs=3, steps_per_epoch=2, callbacks=callbacks, shuffle=False, verbose=0)
        return model

    with monkeypatch.context() as dying:
        dying.setattr(keras.Model, "save_weights", killed_during_the_second_save)
        with pytest.raises(KeyboardInterrupt):
            three_epochs_of_two_steps()
    assert epochs_seen == [0, 1]
    with pytest.raises(OSError):  # what a resumed run would otherwise trip over
        _tiny_model().load_weights(tmp_path / training.BACKUP_FOLDER / "latest.weights.h5")

    epochs_seen.clear()
    fresh = three_epochs_of_two_steps()
    assert epochs_seen == [1, 2]  # from the backup of epoch 0, kept as the previous one
    assert int(fresh.optimizer.iterations) == 3 * 2
    assert read_log(tmp_path)["epoch"] == [0.0, 1.0, 2.0]


class _Ticker(keras.callbacks.Callback):
    """A fake clock that every training step moves on by ``seconds_per_step``."""

    def __init__(self, seconds_per_step):
        super().__init__()
        self.now, self.seconds_per_step = 0.0, seconds_per_step

    def __call__(self):
        return self.now

    def on_train_batch_end(self, batch, logs=None):
        self.now += self.seconds_per_step


@pytest.mark.parametrize(("minutes", "epochs_trained"), [(1.6, 3), (0.9, 1), (10.0, 5), (None, 5)])
def test_time_budget_ends_the_run_at_the_epoch_that_would_overrun(tmp_path, capsys, minutes, epochs_trained):
    """Epochs of 5 steps x 6 s = 0.5 min on the fake clock. A 1.6-minute budget allows 3 (after the third, a
    fourth would end at 2.0 > 1.6); 0.9 allows 1; 10 and None let all 5 run. The stopped run is a finished run."""
    clock = _Ticker(seconds_per_step=6.0)
    budget = training.TimeBudget(minutes, clock=clock)
    model = training.compile_for_training(_tiny_model(), TINY, jit_compile=False)
    history = model.fit(
        _recording_train_ds(),
        epochs=5,
        steps_per_epoch=5,
        callbacks=[clock, *training.make_callbacks(tmp_path, monitor="psnr"), budget],
        shuffle=False,  # patches are already random (PyDataset)
        verbose=0,
    )
    assert len(history.history["loss"]) == epochs_trained
    assert int(model.optimizer.iterations) == 5 * epochs_trained
    assert read_log(tmp_path)["epoch"] == [float(epoch) for epoch in range(epochs_trained)]
    assert training.completed_epochs(tmp_path) == 0  # ended, not interrupted: a re-run starts a new run
    said = capsys.readouterr().out
    if epochs_trained < 5:
        assert budget.stopped_after == epochs_trained
        assert f"stopped after epoch {epochs_trained} of 5 ({5 * epochs_trained} of 25 steps)" in said
        assert f"{minutes:g}-minute budget" in said and "minutes=None" in said
    else:
        assert budget.stopped_after is None and "Time budget" not in said


def test_lab_profiles_carry_a_time_budget_that_make_callbacks_applies(tmp_path):
    from edsr_helpers import profiles

    assert PROFILES["cpu"].training_minutes == PROFILES["gpu"].training_minutes == profiles.LAB_TRAINING_MINUTES
    assert PROFILES["ci"].training_minutes is None and PROFILES["paper"].training_minutes is None

    def budgets(minutes):
        callbacks = training.make_callbacks(tmp_path, minutes=minutes)
        return [callback.minutes for callback in callbacks if isinstance(callback, training.TimeBudget)]

    assert budgets(PROFILES["cpu"].training_minutes) == [profiles.LAB_TRAINING_MINUTES]
    assert budgets(None) == []
    with pytest.raises(ValueError, match="positive"):
        training.TimeBudget(0)


def test_nan_terminates_training(tmp_path):
    model = _tiny_model()
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mae", jit_compile=False)
    bad = np.full((20, 8, 8, 3), np.nan, np.float32), np.zeros((20, 32, 32, 3), np.float32)
    history = model.fit(
        *bad,
        batch_size=2,
        epochs=3,
        shuffle=False,  # patches are already random (PyDataset)
        verbose=0,
        callbacks=training.make_callbacks(tmp_path, monitor="loss"),
    )
    assert len(history.history["loss"]) == 1 and np.isnan(history.history["loss"][0])


_TWO_DEVICE_SETUP = {
    # devices are fixed when the engine starts, hence a fresh process
    "tensorflow": """
        import tensorflow as tf
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        devices = ["/cpu:0", "/cpu:1"]
    """,
    "jax": """
        devices = None  # all of them: XLA_FLAGS below makes two host devices
    """,
}


@pytest.mark.skipif(keras.backend.backend() not in _TWO_DEVICE_SETUP, reason="no data parallelism on this engine")
def test_data_parallel_fit_on_two_cpu_devices():
    """The notebook's one call, choose_strategy(), spreads fit over two devices: tf.distribute or keras.distribution."""
    script = textwrap.dedent(_TWO_DEVICE_SETUP[keras.backend.backend()]) + textwrap.dedent(
        """
        import json
        from edsr_helpers import backend, data, model, training
        from edsr_helpers.profiles import Profile
        from edsr_helpers.recipes import Recipe
        profile = Profile("t", "t", Recipe("t", "t", dataset="sample", lr_patch_size=8, batch_size=4))
        strategy = backend.choose_strategy(devices)
        with strategy.scope():
            net = model.edsr(4, num_res_blocks=1, num_filters=8)
            training.compile_for_training(net, profile)  # JAX: jitted (eager collectives deadlock on host devices)
        pairs = data.load_sample(4, "validation")
        history = net.fit(
            data.make_train_dataset_for(profile, pairs),
            epochs=2,
            steps_per_epoch=3,
            validation_data=data.as_validation_dataset(pairs, copies=strategy.num_replicas_in_sync),
            shuffle=False,  # patches are already random (PyDataset)
            verbose=0,
        )
        print(json.dumps({"replicas": strategy.num_replicas_in_sync, "loss": history.history["loss"],
                          "val_psnr_y": history.history["val_psnr_y"]}))
        """
    )
    env = {**__import__("os").environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    env[backend.XLA_ENV_VAR] = "1"  # where XLA was measured faster: mirrored variables must still train
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["replicas"] == 2
    assert all(np.isfinite(report["loss"])) and all(np.isfinite(report["val_psnr_y"]))


def test_evaluate_reports_model_and_bicubic_per_image():
    pairs = data.load_sample(4, "validation")
    rows = training.evaluate(_tiny_model(), pairs, 4, names=["a", "b", "c"])
    assert [row["image"] for row in rows] == ["a", "b", "c", "mean"]
    assert rows[0]["bicubic_psnr_y"] == pytest.approx(
        metrics.psnr(
            pairs[0][1],
            __import__("edsr_helpers").images.upscale_bicubic(pairs[0][0], 4),
            shave=4,
            y_only=True,
        )
    )
    assert rows[-1]["bicubic_psnr_y"] == pytest.approx(np.mean([row["bicubic_psnr_y"] for row in rows[:3]]))
    assert training.bicubic_psnr(pairs, 4) == pytest.approx(rows[-1]["bicubic_psnr_y"])
    assert all(0 < row["edsr_ssim_y"] <= 1 for row in rows)


def test_run_dir_and_saved_model(tmp_path, monkeypatch):
    monkeypatch.setenv(runs.RUNS_DIR_ENV_VAR, str(tmp_path))
    folder = runs.run_dir(TINY)
    (folder / "old.txt").write_text("x")
    assert runs.run_dir(TINY, fresh=False) == folder and (folder / "old.txt").exists()
    assert not (runs.run_dir(TINY, fresh=True) / "old.txt").exists()
    (runs.run_dir(PROFILES["ci"]) / "old.txt").write_text("x")
    assert not (runs.run_dir(PROFILES["ci"]) / "old.txt").exists()  # a seconds-long run never resumes
    path = runs.save_trained(_tiny_model(), folder)
    assert path == tmp_path / "tiny" / "edsr.keras" == runs.trained_model_path(TINY)
    assert keras.saving.load_model(path, safe_mode=True).scale == 4
    monkeypatch.setenv(runs.RUNS_DIR_ENV_VAR, "relative/runs")
    assert runs.runs_dir().is_absolute() and runs.runs_dir().parts[-2:] == ("relative", "runs")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    inside = tmp_path / "repo" / "notebooks" / "runs" / "cpu"
    assert runs.shown(inside) == "notebooks/runs/cpu"  # relative to the repository root
    assert runs.shown(tmp_path / "elsewhere") == str((tmp_path / "elsewhere").resolve())  # else absolute


def test_uses_div2k_follows_profile_and_disk(div2k_dirs):
    _, data_dir, _ = div2k_dirs
    assert data.uses_div2k(PROFILES["paper"]) and not data.uses_div2k(PROFILES["ci"], data_dir)
    assert data.uses_div2k(PROFILES["gpu"], data_dir)
    assert not data.uses_div2k(PROFILES["gpu"], data_dir.parent / "nothing-here")
    assert data.uses_div2k(PROFILES["cpu"], data_dir)
    assert not data.uses_div2k(PROFILES["cpu"], data_dir.parent / "nothing-here")


def test_cosine_schedule_decays_to_zero_over_the_run():
    from edsr_helpers.profiles import Profile

    cosine_recipe = Recipe("t", "t", dataset="sample", learning_rate=2e-4, lr_schedule="cosine")
    cosine = Profile("t", "t", cosine_recipe, epochs=10, steps_per_epoch=100)
    schedule = training.make_schedule(cosine)
    assert float(schedule(0)) == pytest.approx(2e-4)
    assert float(schedule(500)) == pytest.approx(1e-4, rel=1e-3)
    assert float(schedule(1000)) == pytest.approx(0.0, abs=1e-9)
    warm = training.make_schedule(
        Profile(
            "t", "t", Recipe("t", "t", dataset="sample", learning_rate=2e-4, lr_schedule="cosine", warmup_steps=100)
        )
    )
    assert float(warm(50)) < float(warm(100)) == pytest.approx(2e-4)
    with pytest.raises(ValueError, match="lr_schedule"):
        Recipe("t", "t", lr_schedule="linear")


def test_a_cosine_run_shorter_than_its_warm_up_ends_while_the_rate_rises():
    """A 3-step run of a recipe with a 100-step warm-up (a quick look at the realistic recipe) still builds."""
    recipe = Recipe("t", "t", dataset="sample", learning_rate=1e-4, lr_schedule="cosine", warmup_steps=100)
    schedule = training.make_schedule(Profile("t", "t", recipe, epochs=1, steps_per_epoch=3))
    assert 0.0 < float(schedule(1)) < float(schedule(2)) < 1e-4


def test_also_score_logs_a_second_validation_curve(tmp_path):
    pairs = data.load_sample(4, "validation")[:1]
    small = [(lr[:24, :24], hr[:96, :96]) for lr, hr in pairs]
    net = training.compile_for_training(_tiny_model(), TINY)
    callbacks = training.make_callbacks(tmp_path, also_score={"degraded": small}, scale=4)
    history = net.fit(_train_ds(), epochs=2, steps_per_epoch=1, callbacks=callbacks, verbose=0)
    assert len(history.history["val_degraded_psnr_y"]) == 2
    assert "val_degraded_psnr_y" in runs_log_columns(tmp_path)
    with pytest.raises(ValueError, match="scale"):
        training.make_callbacks(tmp_path, also_score={"degraded": small})


def runs_log_columns(folder) -> list[str]:
    return list(read_log(folder))


def read_log(run_dir) -> dict[str, list[float]]:
    """The CSV log of a run as ``{column: values}`` (epochs in order, across resumptions)."""
    with open(Path(run_dir) / "log.csv", newline="") as file:
        rows = list(csv.DictReader(file))

    def number(text: str | None) -> float:
        return float(text) if text not in (None, "", "NA") else float("nan")  # CSVLogger writes NA for gaps

    return {key: [number(row[key]) for row in rows] for key in (rows[0] if rows else {})}


# ------------------------------------------------------------------------------------------ a recipe, run


@pytest.fixture
def tiny_recipe_profile():
    """A 3-epoch run of a registered one-block EDSR on the offline photos: cosine, warm-up and EMA included."""
    from edsr_helpers import recipes

    @recipes.register_model("tiny-edsr")
    def build(scale: int) -> keras.Model:
        return edsr_model.edsr(scale, num_res_blocks=1, num_filters=8)

    recipe = Recipe(
        "tiny-run",
        "test",
        model="tiny-edsr",
        dataset="sample",
        lr_patch_size=8,
        batch_size=2,
        learning_rate=1e-3,
        lr_schedule="cosine",
        warmup_steps=1,
        sampling="area",
        ema_momentum=0.9,
        steps={4: 6},
    )
    yield Profile("tiny-run", "test", recipe, scale=4, epochs=3, steps_per_epoch=2, val_images=1)
    del recipes.MODELS["tiny-edsr"]


class _StopAfterEpoch(keras.callbacks.Callback):
    """Stands for a session that ends after an epoch (its backup is written: BackupAndRestore runs first)."""

    def on_epoch_end(self, epoch, logs=None):
        raise KeyboardInterrupt("session ended")


class _IterationsAtStart(keras.callbacks.Callback):
    """The optimizer's step count when the first batch starts, after BackupAndRestore restored the run."""

    def on_train_batch_begin(self, batch, logs=None):
        if not hasattr(self, "iterations"):
            self.iterations = int(self.model.optimizer.iterations)
            self.config = self.model.optimizer.get_config()


def test_a_recipe_run_interrupted_after_one_epoch_resumes_with_its_optimizer_and_stream(tiny_recipe_profile, tmp_path):
    profile = tiny_recipe_profile
    first = training.prepare(profile, run_dir=tmp_path, precision="float32", jit_compile=False)
    assert first.start == 0 and first.train.weights is not None and len(first.validation) == 1  # area sampling
    with pytest.raises(KeyboardInterrupt):
        training.fit_recipe(first, tmp_path, callbacks=[_StopAfterEpoch()], verbose=0)
    assert training.completed_epochs(tmp_path) == 1
    trained = int(first.model.optimizer.iterations)

    resumed = training.prepare(profile, run_dir=tmp_path, precision="float32", jit_compile=False)
    assert resumed.start == profile.steps_per_epoch  # the stream goes on after the batches already trained on
    assert resumed.train.start == profile.steps_per_epoch
    start = _IterationsAtStart()
    history = training.fit_recipe(resumed, tmp_path, callbacks=[start], verbose=0)
    assert start.iterations == trained == profile.steps_per_epoch  # the optimizer's state came back with the weights
    assert start.config["use_ema"] and start.config["ema_momentum"] == 0.9
    assert type(resumed.model.optimizer) is type(first.model.optimizer)
    assert int(resumed.model.optimizer.iterations) == profile.total_steps
    assert len(history.history["loss"]) == 2  # epochs 2 and 3 only
    assert read_log(tmp_path)["epoch"] == [0.0, 1.0, 2.0]
    assert (tmp_path / "best.keras").exists()


def test_prepare_follows_the_recipe_or_says_what_it_cannot_follow(tiny_recipe_profile, tmp_path, monkeypatch):
    import dataclasses

    from edsr_helpers import pretrained, samples

    profile = tiny_recipe_profile
    longer = dataclasses.replace(profile, epochs=4)
    with pytest.raises(ValueError, match="made for x4: 6 steps, not 8"):
        training.prepare(longer, precision="float32")
    other_scale = dataclasses.replace(profile, scale=2)
    with pytest.raises(ValueError, match="dataclasses.replace"):
        training.prepare(other_scale, precision="float32")

    # the photographs dataset trains on the photographs, or refuses: never on the offline photos alone
    photographs = dataclasses.replace(profile, recipe=dataclasses.replace(profile.recipe, dataset="photographs"))
    monkeypatch.setattr(samples, "WALLPAPER_DIR", tmp_path / "none")
    monkeypatch.setattr(samples, "LOMIRI_DIR", tmp_path / "none")
    with pytest.raises(samples.PhotographsMissingError, match="apt-get install plasma-workspace-wallpapers"):
        training.prepare(photographs, precision="float32")
    monkeypatch.setattr(samples, "photographs", lambda: [samples.load_photo("astronaut")])
    run = training.prepare(photographs, precision="float32", jit_compile=False)
    assert len(run.train.pairs) == len(samples.TRAIN_PHOTOS) + 1 and len(run.validation) == 1

    # init_from_scale starts from the shipped weights of that scale, every layer they share
    head_start = dataclasses.replace(
        profile, recipe=dataclasses.replace(profile.recipe, model="edsr-baseline", init_from_scale=2)
    )
    run = training.prepare(head_start, precision="float32", jit_compile=False)
    assert len(run.copied_layers) == 20  # head, 16 blocks, body_end, up1, tail
    shipped = pretrained.load_pretrained(2)
    np.testing.assert_array_equal(
        run.model.get_layer("head").get_weights()[0], shipped.get_layer("head").get_weights()[0]
    )
