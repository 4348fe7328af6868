"""Bad input, big photos and interruptions: nothing a user gives is lost, and every failure says what to do.

docs/faults.md lists each case and what happens; each has a test here. Tests that run a model are unmarked, so
they run on TensorFlow, JAX and PyTorch; those that never run a Keras engine are marked ``engine_free``.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import textwrap
import tracemalloc
import types
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from edsr_helpers import images, inference, pretrained, samples, tiling, weight_files
from edsr_helpers import model as edsr_model
from edsr_helpers.__main__ import main, program_name
from edsr_helpers.pairs import downscale
from edsr_helpers.presentation import widgets

ROOT = Path(__file__).resolve().parent.parent
engine_free = pytest.mark.engine_free


@pytest.fixture(scope="module")
def small_model():
    """Random weights, but a real EDSR graph: 2 blocks of 8 filters, x2 (receptive field ~12 LR px)."""
    import keras

    keras.utils.set_random_seed(5)
    return edsr_model.edsr(2, num_res_blocks=2, num_filters=8)


def _nearest(lr: np.ndarray, scale: int) -> np.ndarray:
    """A stand-in for a model's forward pass: each LR pixel repeated ``scale`` times, as floats on 0-255."""
    return np.repeat(np.repeat(np.asarray(lr, np.float32), scale, axis=0), scale, axis=1)


@pytest.fixture
def stand_in(monkeypatch):
    """A model-shaped object whose forward pass is :func:`_nearest` at x2 (no engine runs); records the calls."""
    calls = []

    def forward(model, lr):
        calls.append(lr.shape)
        return _nearest(lr, model.scale)

    monkeypatch.setattr(inference, "_forward", forward)
    return types.SimpleNamespace(scale=2, calls=calls)


def _write_photo(path: Path, size=(40, 60), seed=0) -> Path:
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 256, (*size, 3), dtype=np.uint8)).save(path)
    return path


# ------------------------------------------------------------------------------------------ atomic writes


def test_a_writer_killed_mid_write_leaves_the_old_file_whole(tmp_path, small_model):
    """A real ``upscale_file --overwrite`` in another process, killed with SIGKILL while its result is half made."""
    photo = _write_photo(tmp_path / "photo.png", size=(300, 300))
    keep = tmp_path / "keep_me.png"
    _write_photo(keep, size=(50, 70), seed=1)
    before = keep.read_bytes()
    model_path = tmp_path / "small.keras"
    small_model.save(model_path)
    script = textwrap.dedent(
        f"""
        import sys, time
        from edsr_helpers import inference
        model = inference.load_model({str(model_path)!r})
        forward, calls = inference._forward, []
        def slow(model, lr):
            calls.append(1)
            if len(calls) == 5:  # the first band is written; the second is half made
                print("half", flush=True)
                time.sleep(600)
            return forward(model, lr)
        inference._forward = slow
        inference.upscale_file({str(photo)!r}, {str(keep)!r}, scale=2, model=model, overwrite=True, progress=False)
        """
    )
    writer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "half"
        leftovers = list(tmp_path.glob(".keep_me.png.*.part"))
        assert len(leftovers) == 1 and leftovers[0].stat().st_size > 0  # it was writing when killed
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    finally:
        writer.kill()
    assert writer.returncode == -signal.SIGKILL
    assert keep.read_bytes() == before
    Image.open(keep).load()  # whole, not truncated


@engine_free
@pytest.mark.parametrize("error", [OSError("No space left on device"), MemoryError(), KeyboardInterrupt()])
def test_a_write_that_fails_half_way_leaves_the_old_file_and_no_leftover(tmp_path, error):
    keep = _write_photo(tmp_path / "keep_me.png")
    before = keep.read_bytes()

    def half_then_fail(file):
        file.write(before[: len(before) // 2])
        raise error

    with pytest.raises(type(error)):
        inference.write_atomically(keep, half_then_fail, overwrite=True)
    assert keep.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["keep_me.png"]


@engine_free
def test_save_png_replaces_a_file_whole_and_keeps_its_neighbours_permissions(tmp_path):
    target = _write_photo(tmp_path / "result.png")
    image = np.random.default_rng(3).integers(0, 256, (30, 20, 3), dtype=np.uint8)
    inference.save_png(image, target, overwrite=True)
    np.testing.assert_array_equal(np.asarray(Image.open(target)), image)
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # an ordinary file, not the temporary file's 0600
    assert sorted(path.name for path in tmp_path.iterdir()) == ["result.png"]


@engine_free
def test_a_file_that_appears_during_the_work_is_not_overwritten(tmp_path):
    target = tmp_path / "result.png"

    def meanwhile(file):
        target.write_bytes(b"someone else's file")
        file.write(b"the result")

    with pytest.raises(inference.TargetExistsError):
        inference.write_atomically(target, meanwhile, overwrite=False)
    assert target.read_bytes() == b"someone else's file"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["result.png"]


def test_the_widgets_save_is_atomic_too(tmp_path, monkeypatch):
    widget = widgets.CropCompare(
        lambda lr: images.upscale_bicubic(lr, 2), [("p", np.zeros((20, 20, 3), np.uint8), None)], scale=2
    )
    keep = _write_photo(tmp_path / "keep.png")
    before = keep.read_bytes()

    def broken(file, width, height, bands):
        file.write(b"\x89PNG half")
        raise OSError("No space left on device")

    monkeypatch.setattr(inference, "write_png", broken)
    with pytest.raises(OSError, match="No space"):
        widget.save(keep, overwrite=True)
    assert keep.read_bytes() == before and sorted(path.name for path in tmp_path.iterdir()) == ["keep.png"]


# ------------------------------------------------------------------------------------------ inputs are sacred


def _link(kind: str, victim: Path) -> Path:
    """Another path to ``victim``: the same path spelt otherwise, a symbolic link or a hard link."""
    if kind == "same path":
        return victim
    if kind == "spelt otherwise":
        return victim.parent / "sub" / ".." / victim.name
    other = victim.with_name(f"{kind.replace(' ', '_')}.png")
    (os.symlink if kind == "symbolic link" else os.link)(victim, other)
    return other


@engine_free
@pytest.mark.parametrize("kind", ["same path", "spelt otherwise", "symbolic link", "hard link"])
def test_the_output_is_never_the_input_even_with_overwrite(tmp_path, capsys, kind):
    (tmp_path / "sub").mkdir()
    victim = _write_photo(tmp_path / "victim.png")
    before = victim.read_bytes()
    output = _link(kind, victim)
    assert main(["--scale", "2", str(victim), "-o", str(output), "--overwrite"]) == 2
    error = capsys.readouterr().err
    assert "never overwritten, even with --overwrite" in error and str(victim) in error
    assert victim.read_bytes() == before
    with pytest.raises(inference.TargetIsSourceError):
        inference.upscale_file(victim, output, scale=2, overwrite=True)
    assert victim.read_bytes() == before


@engine_free
def test_two_photos_that_would_share_one_result_name_are_refused_before_any_work(tmp_path, capsys, monkeypatch):
    _write_photo(tmp_path / "dup.png")
    Image.open(tmp_path / "dup.png").convert("RGB").save(tmp_path / "dup.jpg")
    monkeypatch.setattr(inference, "upscale_file", lambda *a, **k: pytest.fail("work started"))
    assert main(["--scale", "2", "--overwrite", str(tmp_path / "dup.png"), str(tmp_path / "dup.jpg")]) == 2
    error = capsys.readouterr().err
    assert "dup.png and" in error and "dup.jpg would both be written to" in error and "dup_edsr_x2.png" in error
    assert sorted(path.name for path in tmp_path.iterdir()) == ["dup.jpg", "dup.png"]


@engine_free
def test_a_photo_that_is_another_photos_result_is_refused_before_any_work(tmp_path, capsys, monkeypatch):
    first = _write_photo(tmp_path / "a.png")
    second = _write_photo(tmp_path / "a_edsr_x2.png", seed=1)
    before = second.read_bytes()
    monkeypatch.setattr(inference, "upscale_file", lambda *a, **k: pytest.fail("work started"))
    assert main(["--scale", "2", "--overwrite", str(first), str(second)]) == 2
    assert "a_edsr_x2.png" in capsys.readouterr().err and second.read_bytes() == before


@engine_free
def test_a_dangling_link_as_output_is_refused(tmp_path, capsys):
    photo = _write_photo(tmp_path / "photo.png")
    dangling = tmp_path / "out.png"
    os.symlink(tmp_path / "nowhere" / "gone.png", dangling)
    assert main(["--scale", "2", str(photo), "-o", str(dangling), "--overwrite"]) == 1
    error = capsys.readouterr().err
    assert f"skipped {photo}: {dangling} is a link to" in error and "which does not exist" in error
    assert dangling.is_symlink() and not (tmp_path / "nowhere").exists()
    with pytest.raises(inference.TargetIsDanglingLinkError, match="does not exist"):
        inference.check_target(dangling, overwrite=True)


# ------------------------------------------------------------------------------------------ bounded memory


def test_tiles_are_assembled_as_uint8_exactly_as_the_notebooks_loop_makes_them(small_model, photo):
    lr = photo[:90, :70]
    expected = inference.to_uint8(
        tiling.upscale_in_tiles(lambda part: inference._forward(small_model, part), lr, 2, 32, 8)
    )
    np.testing.assert_array_equal(inference.upscale(small_model, lr, tile=32, overlap=8), expected)
    bands = list(inference.upscale_bands(small_model, lr, tile=32, overlap=8))
    assert [band.shape for band in bands] == [(64, 140, 3), (64, 140, 3), (52, 140, 3)]
    assert all(band.dtype == np.uint8 for band in bands)


def test_a_tiled_self_ensemble_matches_the_whole_photos(small_model, photo):
    lr = photo[:60, :50]
    whole = inference.upscale(small_model, lr, tile=None, self_ensemble=True)
    tiled = inference.upscale(small_model, lr, tile=24, overlap=8, self_ensemble=True)
    assert np.abs(whole.astype(int) - tiled.astype(int)).max() <= 1
    assert not np.array_equal(tiled, inference.upscale(small_model, lr, tile=24, overlap=8))


def _peak_numpy_bytes(work) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@engine_free
def test_upscale_file_holds_bands_not_the_whole_result(tmp_path, stand_in):
    """Peak numpy memory beyond the photo itself does not grow with the photo's height (bands are as wide as the
    photo, one tile high), and stays far below the uint8 result (and the 4x larger float32 one)."""
    stand_in.scale = 4
    extra = {}
    for height in (300, 900):
        photo = _write_photo(tmp_path / f"photo{height}.png", size=(height, 1200))
        peak = _peak_numpy_bytes(lambda photo=photo: inference.upscale_file(photo, scale=4, model=stand_in))
        extra[height] = peak - height * 1200 * 3
        result = np.asarray(Image.open(tmp_path / f"photo{height}_edsr_x4.png"))
        np.testing.assert_array_equal(result, _nearest(np.asarray(Image.open(photo)), 4).astype(np.uint8))
    result_bytes = 900 * 4 * 1200 * 4 * 3
    assert extra[900] < extra[300] + 2**20, extra
    assert extra[900] + 900 * 1200 * 3 < result_bytes / 2, extra
    tiles = -(-300 // inference.DEFAULT_TILE) * -(-1200 // inference.DEFAULT_TILE)
    tiles += -(-900 // inference.DEFAULT_TILE) * -(-1200 // inference.DEFAULT_TILE)
    assert len(stand_in.calls) == tiles  # tiles of DEFAULT_TILE, each with its overlap


@engine_free
def test_a_photo_too_large_for_the_free_memory_is_refused_before_any_work(tmp_path, stand_in, monkeypatch, capsys):
    monkeypatch.setattr(inference, "available_memory", lambda: 200 * 2**20)
    with pytest.raises(inference.ResultTooLargeError, match="GiB are free: eh.inference.upscale_file"):
        inference.upscale(stand_in, np.zeros((30, 30, 3), np.uint8))
    assert stand_in.calls == []
    monkeypatch.setattr(inference, "TILE_WORK_BYTES", 0)
    monkeypatch.setattr(inference, "available_memory", lambda: 40 * 2**20)  # less than the big photo's 36 MB and a band
    big, small = _write_photo(tmp_path / "big.png", (3000, 4000)), _write_photo(tmp_path / "small.png")
    monkeypatch.setattr(pretrained, "load_pretrained", lambda scale, degradation="bicubic": stand_in)
    assert main(["--scale", "2", str(big), str(small)]) == 1
    captured = capsys.readouterr()
    assert re.search(r"skipped .*big.png: upscaling 4000x3000 px x2 needs about .* GiB", captured.err)
    assert "small.png ->" in captured.out and not (tmp_path / "big_edsr_x2.png").exists()
    assert all(shape[0] <= 40 + 2 * inference.DEFAULT_OVERLAP for shape in stand_in.calls)  # small's tiles only


@engine_free
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # the photo read back, under the low limit
def test_a_result_larger_than_pillow_opens_is_announced_before_the_work(tmp_path, stand_in, monkeypatch, capsys):
    photo = _write_photo(tmp_path / "photo.png", (40, 50))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    monkeypatch.setattr(pretrained, "load_pretrained", lambda scale, degradation="bicubic": stand_in)
    announced = []
    forward = inference._forward
    monkeypatch.setattr(
        inference, "_forward", lambda m, lr: announced.append(capsys.readouterr().err) or forward(m, lr)
    )
    assert main(["--scale", "2", str(photo)]) == 0
    assert "note: the result, 100x80 px" in announced[0] and "PIL.Image.MAX_IMAGE_PIXELS" in announced[0]


@engine_free
def test_a_long_upscaling_shows_a_progress_bar_and_a_short_one_does_not(tmp_path, stand_in, monkeypatch, capsys):
    photo = _write_photo(tmp_path / "photo.png", (300, 300))
    inference.upscale_file(photo, scale=2, model=stand_in)
    assert "tile" not in capsys.readouterr().err  # done before the bar's delay
    monkeypatch.setattr(inference, "PROGRESS_AFTER_S", 0)
    inference.upscale_file(photo, tmp_path / "again.png", scale=2, model=stand_in)
    bar = capsys.readouterr().err
    assert "photo.png" in bar and "/9 " in bar and "tile/s" in bar


# ------------------------------------------------------------------------------------------ one photo's failure


@engine_free
@pytest.mark.parametrize(
    ("error", "line"),
    [
        (
            MemoryError("Unable to allocate 8.6 GiB"),
            (
                "out of memory (Unable to allocate 8.6 GiB); close other programs, use a smaller --scale, leave out "
                "--plus, or shrink it"
            ),
        ),
        (RuntimeError("engine failed\nwith details"), "RuntimeError: engine failed with details"),
        (KeyError("x"), "KeyError: 'x'"),
    ],
)
def test_one_photos_failure_is_reported_in_one_line_and_the_others_are_done(tmp_path, capsys, monkeypatch, error, line):
    photos = [_write_photo(tmp_path / f"{name}.png", seed=seed) for seed, name in enumerate("abc")]
    real = inference.upscale_file

    def failing_on_b(source, *args, **kwargs):
        if Path(source).name == "b.png":
            raise error
        return real(source, *args, **kwargs)

    monkeypatch.setattr(inference, "upscale_file", failing_on_b)
    monkeypatch.setattr(inference, "_forward", lambda model, lr: _nearest(lr, 2))
    monkeypatch.setattr(
        pretrained, "load_pretrained", lambda scale, degradation="bicubic": types.SimpleNamespace(scale=2)
    )
    assert main(["--scale", "2", *map(str, photos)]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == [f"skipped {photos[1]}: {line}"]
    assert sorted(path.name for path in tmp_path.glob("*_edsr_x2.png")) == ["a_edsr_x2.png", "c_edsr_x2.png"]


@engine_free
def test_evaluate_reports_a_failing_photo_in_one_line_and_scores_the_others(tmp_path, capsys, monkeypatch):
    photos = [_write_photo(tmp_path / f"{name}.png", (64, 64), seed) for seed, name in enumerate("ab")]
    real = inference.evaluate_photo
    monkeypatch.setattr(
        inference,
        "evaluate_photo",
        lambda model, photo, **kw: (
            (_ for _ in ()).throw(MemoryError()) if "a.png" in str(photo) else real(model, photo, **kw)
        ),
    )
    monkeypatch.setattr(inference, "_forward", lambda model, lr: _nearest(lr, 2))
    monkeypatch.setattr(
        pretrained, "load_pretrained", lambda scale, degradation="bicubic": types.SimpleNamespace(scale=2)
    )
    assert main(["--evaluate", "--scale", "2", *map(str, photos)]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == [
        f"skipped {photos[0]}: out of memory; close other programs, use a smaller --scale, leave out --plus, "
        "or shrink it"
    ]
    assert "b.png, x2" in captured.out


# ---------------------------------------------------------------------------------- errors that say what happened


@pytest.mark.parametrize(
    ("content", "why"),
    [(b"", "it is empty"), (b"hello " * 100, "it is not a zip archive"), ("half", "it is not a zip archive")],
)
def test_a_damaged_keras_file_is_not_a_keras_model_file(tmp_path, small_model, capsys, content, why):
    path = tmp_path / "model.keras"
    if content == "half":
        small_model.save(path)
        content = path.read_bytes()[: path.stat().st_size // 2]
    path.write_bytes(content)
    with pytest.raises(inference.NotAModelFileError, match=f"is not a Keras model file \\({why}"):
        inference.load_model(path)
    photo = _write_photo(tmp_path / "photo.png")
    assert main([str(photo), "--model", str(path)]) == 2
    error = capsys.readouterr().err
    assert "not a Keras model file" in error and "not found" not in error.lower()


def test_a_weights_file_given_as_a_model_says_what_to_pass(tmp_path, capsys):
    photo = _write_photo(tmp_path / "photo.png")
    assert main([str(photo), "--model", str(pretrained.weights_path(2))]) == 2
    error = capsys.readouterr().err
    assert "holds weights only" in error and "Pass a .keras model" in error and "leave --model out" in error
    assert len(error.strip().splitlines()) == 1


def test_weights_of_another_scale_are_named_before_anything_loads(recwarn):
    from edsr_helpers.recipes import build_model

    x2 = build_model(pretrained.SHIPPED_MODEL, 2)
    before = [np.array(weight) for weight in x2.get_weights()]
    with pytest.raises(ValueError, match="weights of a x4 model; this model upscales x2"):
        weight_files.load_weights(x2, pretrained.weights_path(4))
    assert not [warning for warning in recwarn if "freshly" in str(warning.message)]
    assert all(np.array_equal(a, b) for a, b in zip(before, x2.get_weights(), strict=True))  # nothing loaded
    with pytest.raises(ValueError, match="another architecture"):
        weight_files.load_weights(edsr_model.edsr(2, num_res_blocks=1, num_filters=8), pretrained.weights_path(2))


@engine_free
@pytest.mark.parametrize(
    ("scale", "advice"), [("4", "load_pretrained(4)"), (2.0, "load_pretrained(2)"), (True, "got True")]
)
def test_load_pretrained_says_which_types_it_takes(scale, advice):
    with pytest.raises(TypeError, match="whole number, one of 2, 3, 4") as raised:
        pretrained.load_pretrained(scale)
    assert advice in str(raised.value)
    with pytest.raises(TypeError, match="degradation must be a str"):
        pretrained.load_pretrained(4, degradation=None)


@engine_free
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_images_with_nan_or_infinity_are_refused(bad, stand_in):
    image = np.full((8, 8, 3), 0.5, np.float32)
    image[2, 3, 1] = bad
    with pytest.raises(ValueError, match="1 NaN or infinite values"):
        images.to_rgb_uint8(image)
    with pytest.raises(ValueError, match="NaN or infinite"):
        inference.upscale(stand_in, image)
    with pytest.raises(ValueError, match="diverged"):
        inference.to_uint8(np.array([[1.0, bad]]))


@engine_free
def test_save_png_explains_float_arrays(tmp_path):
    with pytest.raises(ValueError, match=r"this one is float32.*eh.inference.to_uint8.*eh.images.to_rgb_uint8"):
        inference.save_png(np.zeros((4, 4, 3), np.float32), tmp_path / "out.png")
    with pytest.raises(ValueError, match=r"shape \(H, W, 3\)"):
        inference.save_png(np.zeros((4, 4), np.uint8), tmp_path / "out.png")
    assert list(tmp_path.iterdir()) == []


@engine_free
def test_help_shows_the_program_name_the_user_typed():
    assert program_name("/home/me/.venv/bin/edsr-upscale") == "edsr-upscale"
    assert program_name("/site-packages/edsr_helpers/__main__.py") == "python -m edsr_helpers"
    result = subprocess.run([sys.executable, "-m", "edsr_helpers", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("usage: python -m edsr_helpers ")
    script = Path(sys.executable).parent / "edsr-upscale"
    if script.exists():
        result = subprocess.run([str(script), "--help"], capture_output=True, text=True)
        assert result.stdout.startswith("usage: edsr-upscale ")


# -------------------------------------------------------------------------- nothing advertised that does not work


@engine_free
def test_degradation_is_offered_only_when_realistic_weights_ship(capsys, monkeypatch):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert ("--degradation" in capsys.readouterr().out) == ("realistic" in pretrained.offered_degradations())
    monkeypatch.setattr(pretrained, "REALISTIC_SCALES", (4,))
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "--degradation {bicubic,realistic}" in capsys.readouterr().out
    monkeypatch.setattr(pretrained, "REALISTIC_SCALES", ())
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "--degradation" not in capsys.readouterr().out


@engine_free
def test_without_its_engine_the_command_says_in_one_line_what_to_install(tmp_path):
    import importlib.util

    missing = [engine for engine in ("torch", "jax", "tensorflow") if importlib.util.find_spec(engine) is None]
    if not missing:
        pytest.skip("every engine is installed here")
    photo = _write_photo(tmp_path / "photo.png")
    environment = {**os.environ, "KERAS_BACKEND": missing[0]}
    result = subprocess.run(
        [sys.executable, "-m", "edsr_helpers", str(photo)], capture_output=True, text=True, env=environment
    )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert f"pip install 'edsr-helpers[{missing[0]}]'" in line and "KERAS_BACKEND=" in line
    assert list(tmp_path.iterdir()) == [photo]


def test_upscaling_and_evaluating_need_none_of_the_notebooks_packages(tmp_path):
    """The command line runs with every package of the ``[notebooks]`` extra made unimportable."""
    import tomllib

    from packaging.requirements import Requirement

    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["notebooks"]
    modules = {"tensorflow-datasets": "tensorflow_datasets", "importlib-resources": "importlib_resources"}
    modules |= {"ipython": "IPython"}
    blocked = sorted(
        modules.get(Requirement(line).name.lower().replace("_", "-"), Requirement(line).name) for line in extra
    )
    photo = _write_photo(tmp_path / "photo.png", (64, 64))
    script = textwrap.dedent(
        f"""
        import importlib.abc, sys
        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path, target=None):
                if name.split(".")[0] in {blocked!r}:
                    raise ImportError("not installed: " + name)
        sys.meta_path.insert(0, Block())
        from edsr_helpers.__main__ import main
        codes = [main(["--scale", "2", {str(photo)!r}]), main(["--scale", "2", "--evaluate", {str(photo)!r}])]
        codes.append(main(["--scale", "2", "--evaluate", "--lr", "camera-like", {str(photo)!r}]))
        print(codes)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.stdout.strip().splitlines()[-1] == "[0, 0, 0]", result.stderr[-2000:]
    assert "matplotlib" in blocked and "sporco" in blocked and "tensorflow_datasets" in blocked


# ------------------------------------------------------------------------------------------ the widget


def _png(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def widget():
    photo = samples.load_photo("coffee")
    return widgets.CropCompare(
        lambda lr: images.upscale_bicubic(lr, 4), [("coffee", downscale(photo, 4), photo)], scale=4
    )


def _controls(widget) -> set[str]:
    """Every label the widget shows on a control: descriptions and menu options."""
    labels = set()
    for control in vars(widget).values():
        labels.add(getattr(control, "description", None))
        for option in getattr(control, "options", ()) or ():
            labels.add(option[0] if isinstance(option, tuple) else option)
    return {label for label in labels if isinstance(label, str)}


@engine_free
@pytest.mark.parametrize("mode", ["bicubic", "camera-like", "as-is", "pair"])
def test_every_upload_mode_has_the_same_size_cap_and_says_so(widget, mode, monkeypatch):
    monkeypatch.setattr(widgets, "MAX_INPUT_PIXELS", 64 * 64)
    upscaled = []
    widget.upscale = lambda lr: upscaled.append(lr.shape) or images.upscale_bicubic(lr, 4)
    side = 64 * 4 + 8 if mode != "as-is" else 72  # an LR input of 66x66 (or 72x72 as it is): just over the cap
    original = np.zeros((side, side, 3), np.uint8)
    if mode == "pair":
        added = widget.add_pair("big", _png(original[:264, :264]), _png(original[:66, :66]))
    else:
        added = widget.add_photo("big.png", _png(original), mode=mode)
    message = widget.message.value
    assert added is False and upscaled == [] and "the widget upscales at most 0.0 MP" in message
    assert "upscale_file" in message and ("72x72 px" if mode == "as-is" else "66x66 px") in message
    quoted = set(re.findall(r"'([^']+)'", re.sub(r"<[^>]+>", "", message))) - {"big.png", "big"}
    assert quoted <= _controls(widget), quoted  # any control it names exists


@engine_free
def test_same_name_uploads_are_kept_apart_and_the_same_file_is_not_added_twice(widget, tmp_path, monkeypatch):
    first, second = (samples.load_photo(name)[:200, :240] for name in ("astronaut", "chelsea"))
    assert widget.add_photo("IMG_0001.png", _png(first)) and widget.add_photo("IMG_0001.png", _png(second))
    assert widget.chooser.value == "IMG_0001 (2).png" and "IMG_0001.png" in widget.chooser.options
    np.testing.assert_array_equal(widget.photos["IMG_0001.png"].hr, first)
    np.testing.assert_array_equal(widget.photos["IMG_0001 (2).png"].hr, second)
    monkeypatch.chdir(tmp_path)
    assert widget.save().name == "IMG_0001 (2)_edsr_x4.png"  # the results get distinct names too
    count = len(widget.chooser.options)
    assert widget.add_photo("IMG_0001.png", _png(first))  # the same file again: shown, not added again
    assert len(widget.chooser.options) == count and widget.chooser.value == "IMG_0001.png"
    assert "already here" in widget.message.value


@engine_free
def test_a_tiny_upload_is_reported_at_its_own_size(widget):
    assert widget.add_photo("dot.png", _png(np.zeros((1, 1, 3), np.uint8))) is False
    assert "is 1x1 px" in widget.message.value and "0x0" not in widget.message.value


@engine_free
def test_messages_show_no_object_reprs(widget):
    assert widget.add_photo("junk.png", b"\x00garbage bytes") is False
    assert "not a readable image" in widget.message.value
    assert "<_io" not in widget.message.value and " at 0x" not in widget.message.value
    with pytest.raises(ValueError) as raised:
        images.load_image(b"garbage")
    assert "BytesIO" not in str(raised.value)
