"""The package on whichever Keras engine runs the tests (CI runs this file on TensorFlow, JAX and torch)."""

from __future__ import annotations

import subprocess
import sys

import keras
import numpy as np
import pytest

from edsr_helpers import backend, data, inference, model, samples, training
from edsr_helpers.profiles import PROFILES


@pytest.mark.parametrize("engine", ["jax", "torch"])
def test_importing_the_package_loads_tensorflow_only_for_the_tensorflow_engine(engine):
    pytest.importorskip(engine)
    script = "import sys, edsr_helpers; print(edsr_helpers.backend.name(), 'tensorflow' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "KERAS_BACKEND": engine},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == [engine, "False"]


def test_configured_backend_is_read_without_importing_keras(monkeypatch, tmp_path):
    monkeypatch.delitem(sys.modules, "keras", raising=False)
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert backend.configured_backend() == "jax"
    monkeypatch.delenv("KERAS_BACKEND")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert backend.configured_backend() == "tensorflow"  # Keras's own default
    (tmp_path / "keras.json").write_text('{"backend": "torch"}')
    assert backend.configured_backend() == "torch"


def test_twenty_step_fit_on_the_offline_photos_then_a_tiled_upscale():
    """The issue's acceptance run, on this process's engine: train 20 steps, then upscale a photo in tiles."""
    profile = PROFILES["ci"]
    net = training.compile_for_training(model.edsr(4, num_res_blocks=2, num_filters=16), profile)
    history = net.fit(
        data.make_train_dataset_for(profile, data.load_sample(4, "train")),
        epochs=2,
        steps_per_epoch=10,
        shuffle=False,
        verbose=0,
    )
    assert int(net.optimizer.iterations) == 20
    assert history.history["loss"][-1] < history.history["loss"][0]
    photo = samples.load_photo("coffee")[:100, :130]
    tiled = inference.upscale(net, photo, tile=48, overlap=12)
    whole = inference.upscale(net, photo, tile=None)
    assert tiled.shape == (400, 520, 3) and tiled.dtype == np.uint8
    assert np.abs(tiled.astype(int) - whole.astype(int)).max() <= 1


def test_compiled_forward_follows_weights_that_change():
    """Inference sees the weights as they are now, not as they were when the forward pass was compiled."""
    net = model.edsr(2, num_res_blocks=1, num_filters=4)
    lr = np.full((1, 6, 6, 3), 100.0, np.float32)
    forward = backend.compiled_forward(net)
    before = forward(lr)
    np.testing.assert_allclose(before, keras.ops.convert_to_numpy(net(lr)), atol=1e-3)
    net.set_weights([w + 0.01 for w in net.get_weights()])
    assert backend.compiled_forward(net) is forward  # compiled once per model
    np.testing.assert_allclose(forward(lr), keras.ops.convert_to_numpy(net(lr)), atol=1e-3)
    assert not np.allclose(forward(lr), before)


def test_input_gradient_is_local():
    net = model.edsr(2, num_res_blocks=1, num_filters=4)
    gradient = backend.input_gradient(net, np.full((1, 20, 20, 3), 100.0, np.float32), (0, 20, 20, 0))
    assert gradient.shape == (1, 20, 20, 3)
    rows, columns = np.nonzero(np.abs(gradient[0]).sum(axis=-1))
    assert rows.min() > 0 and rows.max() < 19 and columns.min() > 0  # only a neighbourhood of (10, 10) matters
    assert model.measure_receptive_field(net, lr_size=24) <= model.receptive_field(2, 1) + 1


def test_single_device_distribution_is_a_no_op_scope():
    strategy = backend.choose_strategy()
    with strategy.scope():
        net = model.edsr(2, num_res_blocks=1, num_filters=4)
    assert strategy.num_replicas_in_sync == 1 and net.scale == 2


def test_device_and_jit_choices_are_reported(monkeypatch):
    assert backend.device_name()
    if backend.name() == "tensorflow" and not backend.has_gpu():  # measured on a CPU (choose_xla); forced here
        for forced, expected in (("1", True), ("0", False)):
            monkeypatch.setenv(backend.XLA_ENV_VAR, forced)
            assert backend.jit_compile() is expected
    else:
        assert backend.jit_compile() == (backend.name() == "jax" or backend.has_gpu())
    assert set(backend.precision_candidates()) >= {"float32", "mixed_bfloat16"}


def test_the_widget_runs_a_real_model_on_this_engine():
    """crop_compare on the offline validation photos: panels come from the model through the compiled forward."""
    from edsr_helpers.presentation import widgets

    net = model.edsr(4, num_res_blocks=1, num_filters=8)
    widget = widgets.crop_compare(net)
    assert list(widget.photos)[:3] == list(samples.VALIDATION_PHOTOS)
    crops = widget.crops()
    assert crops["EDSR"].shape == crops["bicubic"].shape and crops["EDSR"].dtype == np.uint8
    widget.plus.value = True
    assert widget.crops()["EDSR+"].shape == crops["EDSR"].shape


def test_package_modules_import_each_other_without_cycles():
    """training uses inference (evaluation); inference must not need training back (runs live in `runs`)."""
    import ast
    from pathlib import Path

    package = Path(model.__file__).parent
    graph = {}
    for path in package.glob("*.py"):
        imported = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("edsr_helpers"):
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
                imported |= {name.split(".")[1] for name in names if name.count(".") >= 1}
        graph[path.stem] = imported & {p.stem for p in package.glob("*.py")} - {path.stem, "__init__"}
    graph.pop("__init__", None)

    def reaches(start, goal, seen=()):
        return any(
            step == goal or (step not in seen and reaches(step, goal, (*seen, step))) for step in graph.get(start, ())
        )

    assert "training" not in graph["inference"]
    cycles = [name for name in graph if reaches(name, name)]
    assert not cycles, {name: sorted(graph[name]) for name in cycles}
