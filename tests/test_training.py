from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

from edsr_helpers import data, metrics, training
from edsr_helpers import model as edsr_model
from edsr_helpers.profiles import PROFILES, Profile

TINY = Profile("tiny", "test", "sample", lr_patch_size=8, batch_size=4, learning_rate=1e-3, warmup_steps=2)


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
    for prediction in (tf.constant(sr), tf.constant(sr, tf.bfloat16), tf.constant(sr, tf.float16)):
        metric = metrics.PSNR(shave=4, y_only=True)
        metric.update_state(tf.constant(hr), prediction)
        assert float(metric.result()) == pytest.approx(expected, abs=0.05)


def test_psnr_metric_agrees_with_tf_image_psnr_on_the_right_scale():
    rng = np.random.default_rng(2)
    hr = rng.integers(0, 256, (4, 12, 12, 3)).astype("float32")
    sr = np.clip(hr + rng.normal(0, 4, hr.shape), 0, 255).astype("float32")
    metric = metrics.PSNR()
    metric.update_state(hr, sr)
    assert float(metric.result()) == pytest.approx(float(tf.reduce_mean(tf.image.psnr(hr, sr, 255.0))), abs=1e-3)


def test_ssim_matches_tf_image_ssim_and_ranks_quality(photo):
    noisy = np.clip(photo + np.random.default_rng(0).normal(0, 10, photo.shape), 0, 255)
    expected = float(tf.image.ssim(tf.constant(photo, tf.float32), tf.constant(noisy, tf.float32), 255.0))
    assert metrics.ssim(photo, noisy) == pytest.approx(expected, abs=1e-5)
    assert metrics.ssim(photo, photo) == pytest.approx(1.0)
    assert metrics.ssim(photo, noisy, y_only=True, shave=4) > metrics.ssim(photo, 0 * noisy + 128, y_only=True)


def test_keras_io_psnr_reproduces_the_documented_bug(photo):
    from edsr_helpers import lessons

    assert lessons.keras_io_psnr(photo, photo.astype("float32")) < 10  # identical images, "~5 dB"


# ---------------------------------------------------------------------------------------- optimizer etc.


def test_schedule_warms_up_then_halves():
    schedule = training.WarmupHalving(1e-3, halving_steps=100, warmup_steps=10)
    values = [float(schedule(step)) for step in (0, 4, 9, 50, 99, 100, 250)]
    assert values[0] == pytest.approx(1e-4) and values[1] == pytest.approx(5e-4)
    assert values[2] == pytest.approx(1e-3) and values[3] == pytest.approx(1e-3)
    assert values[5] == pytest.approx(5e-4) and values[6] == pytest.approx(2.5e-4)
    assert training.WarmupHalving.from_config(schedule.get_config()).get_config() == schedule.get_config()


def test_optimizer_is_adam_with_the_paper_constants():
    optimizer = training.make_optimizer(PROFILES["gpu"])
    assert isinstance(optimizer, keras.optimizers.Adam)
    assert (optimizer.beta_1, optimizer.beta_2, optimizer.epsilon) == (0.9, 0.999, 1e-8)
    assert float(optimizer.learning_rate) == pytest.approx(1e-4)


def test_precision_choice_follows_the_hardware(monkeypatch):
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: [])
    monkeypatch.setattr(training, "cpu_supports_bf16", lambda: True)
    assert training.choose_precision() == "mixed_bfloat16"
    monkeypatch.setattr(training, "cpu_supports_bf16", lambda: False)
    assert training.choose_precision() == "float32"
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: ["gpu"] if kind == "GPU" else [])
    monkeypatch.setattr(training, "gpu_supports_float16", lambda: True)
    assert training.choose_precision() == "mixed_float16"
    assert training.use_jit_compile()


# ---------------------------------------------------------------------------------------------- training


def test_fit_learns_and_logs(tmp_path):
    model = training.compile_for_training(_tiny_model(), TINY, jit_compile=False)
    val = data.as_validation_dataset(data.load_sample(4, "validation").as_numpy_iterator())
    history = model.fit(
        _train_ds(),
        epochs=3,
        steps_per_epoch=15,
        validation_data=val,
        verbose=0,
        callbacks=training.make_callbacks(tmp_path, live_plot=False),
    )
    losses = history.history["loss"]
    assert losses[-1] < losses[0]  # the logged loss is the L1 loss and it falls
    assert 0 < losses[-1] < 255
    assert set(history.history) >= {"psnr", "psnr_y", "val_psnr", "val_psnr_y", "val_loss"}
    log = training.read_log(tmp_path)
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


def test_interrupted_run_resumes_from_the_saved_epoch(tmp_path):
    epochs_seen = []
    recorder = keras.callbacks.LambdaCallback(on_epoch_begin=lambda epoch, logs: epochs_seen.append(epoch))
    model = training.compile_for_training(_tiny_model(), TINY, jit_compile=False)
    callbacks = training.make_callbacks(tmp_path, live_plot=False, monitor="psnr")
    with pytest.raises(KeyboardInterrupt):
        model.fit(
            _train_ds(),
            epochs=4,
            steps_per_epoch=5,
            callbacks=[*callbacks, _Interrupt(2, 2), recorder],
            verbose=0,
        )
    assert epochs_seen == [0, 1, 2]
    weights_at_crash = [w.copy() for w in model.get_weights()]

    epochs_seen.clear()
    fresh = training.compile_for_training(_tiny_model(), TINY, jit_compile=False)
    fresh.fit(
        _train_ds(),
        epochs=4,
        steps_per_epoch=5,
        callbacks=[*training.make_callbacks(tmp_path, live_plot=False, monitor="psnr"), recorder],
        verbose=0,
    )
    assert epochs_seen == [2, 3]  # resumed at the interrupted epoch, not at 0
    assert int(fresh.optimizer.iterations) == 4 * 5
    assert not np.allclose(fresh.get_weights()[0], weights_at_crash[0])
    assert training.read_log(tmp_path)["epoch"] == [0.0, 1.0, 2.0, 3.0]


def test_nan_terminates_training(tmp_path):
    model = _tiny_model()
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mae", jit_compile=False)
    bad = tf.data.Dataset.from_tensors((tf.fill((2, 8, 8, 3), float("nan")), tf.zeros((2, 32, 32, 3)))).repeat()
    history = model.fit(
        bad,
        epochs=3,
        steps_per_epoch=10,
        verbose=0,
        callbacks=training.make_callbacks(tmp_path, live_plot=False, monitor="loss"),
    )
    assert len(history.history["loss"]) == 1 and np.isnan(history.history["loss"][0])


def test_distributed_fit_on_two_logical_cpus(tmp_path):
    """MirroredStrategy over two logical CPU devices (a fresh process: devices are fixed at TF start-up)."""
    script = textwrap.dedent(
        """
        import json, tensorflow as tf
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        from edsr_helpers import data, model, training
        from edsr_helpers.profiles import Profile
        profile = Profile("t", "t", "sample", lr_patch_size=8, batch_size=4)
        strategy = training.choose_strategy(["/cpu:0", "/cpu:1"])
        with strategy.scope():
            net = model.edsr(4, num_res_blocks=1, num_filters=8)
            training.compile_for_training(net, profile, jit_compile=False)
        ds = data.make_train_dataset_for(profile, data.load_sample(4, "validation"))
        history = net.fit(ds, epochs=2, steps_per_epoch=3, verbose=0)
        print(json.dumps({"replicas": strategy.num_replicas_in_sync, "loss": history.history["loss"]}))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["replicas"] == 2
    assert all(np.isfinite(report["loss"]))


def test_evaluate_reports_model_and_bicubic_per_image():
    pairs = list(data.load_sample(4, "validation").as_numpy_iterator())
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
    monkeypatch.setenv(training.RUNS_DIR_ENV_VAR, str(tmp_path))
    folder = training.run_dir(TINY)
    (folder / "old.txt").write_text("x")
    assert training.run_dir(TINY, fresh=False) == folder and (folder / "old.txt").exists()
    assert not (training.run_dir(TINY, fresh=True) / "old.txt").exists()
    path = training.save_trained(_tiny_model(), folder)
    assert path == tmp_path / "tiny" / "edsr.keras" and keras.saving.load_model(path, safe_mode=True)


def test_show_evaluation_adds_the_published_baseline_on_div2k(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    keys = ["psnr_y", "ssim_y", "psnr_rgb"]
    row = {"image": "0801", **{f"bicubic_{k}": 1.0 for k in keys}, **{f"edsr_{k}": 2.0 for k in keys}}
    training.show_evaluation([row])
    training.show_evaluation([row], published_scale=4)
    assert "28.95" not in shown[0].data and "+1.00 dB" in shown[0].data
    assert "EDSR-baseline, published (DIV2K val)" in shown[1].data and "28.95" in shown[1].data


def test_uses_div2k_follows_profile_and_disk(div2k_dirs):
    _, data_dir, _ = div2k_dirs
    assert data.uses_div2k(PROFILES["gpu"]) and not data.uses_div2k(PROFILES["ci"], data_dir)
    assert data.uses_div2k(PROFILES["cpu"], data_dir)
    assert not data.uses_div2k(PROFILES["cpu"], data_dir.parent / "nothing-here")
