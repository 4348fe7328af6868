from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from edsr_helpers import data, images, inference, metrics, pretrained, samples, tiling
from edsr_helpers import model as edsr_model


@pytest.fixture(scope="module")
def small_model():
    """Random weights, but a real EDSR graph: 2 blocks of 8 filters, x4 (receptive field ~12 LR px)."""
    import keras

    keras.utils.set_random_seed(3)
    return edsr_model.edsr(4, num_res_blocks=2, num_filters=8)


def test_scale_is_read_from_the_model(small_model):
    assert edsr_model.model_scale(small_model) == 4
    assert edsr_model.model_scale(edsr_model.edsr(3, num_res_blocks=1, num_filters=4)) == 3


def test_tiled_equals_untiled_when_the_overlap_covers_the_receptive_field(small_model, photo):
    lr = photo[:70, :90]
    whole = inference.upscale(small_model, lr, tile=None)
    tiled = inference.upscale(small_model, lr, tile=32, overlap=8)
    assert whole.shape == tiled.shape == (280, 360, 3)
    assert np.abs(whole.astype(int) - tiled.astype(int)).max() <= 1


def test_tiles_without_overlap_show_seams(small_model, photo):
    lr = photo[:64, :64]
    whole = inference.upscale(small_model, lr, tile=None)
    seamy = inference.upscale(small_model, lr, tile=16, overlap=0)
    assert np.abs(whole.astype(int) - seamy.astype(int)).max() > 1


def test_auto_tiling_kicks_in_for_large_images(small_model, monkeypatch):
    calls = []
    forward = inference._forward
    monkeypatch.setattr(inference, "_forward", lambda model, lr: calls.append(lr.shape) or forward(model, lr))
    monkeypatch.setattr(inference, "AUTO_TILE_PIXELS", 40 * 40)
    monkeypatch.setattr(inference, "DEFAULT_TILE", 32)
    inference.upscale(small_model, np.zeros((50, 60, 3), np.uint8))
    assert len(calls) == 4 and max(shape[0] for shape in calls) <= 32 + inference.DEFAULT_OVERLAP
    calls.clear()
    inference.upscale(small_model, np.zeros((30, 30, 3), np.uint8))
    assert calls == [(30, 30, 3)]


def test_self_ensemble_is_the_mean_of_the_eight_symmetries(small_model, photo):
    lr = photo[:28, :36]
    total = np.zeros((112, 144, 3), np.float32)
    for turns, flip in tiling.SYMMETRIES:
        transformed = np.ascontiguousarray(tiling.transform(lr, turns, flip))
        total += tiling.untransform(inference._forward(small_model, transformed), turns, flip)
    expected = inference.to_uint8(total / 8)
    np.testing.assert_array_equal(inference.upscale(small_model, lr, self_ensemble=True), expected)
    assert not np.array_equal(expected, inference.upscale(small_model, lr))


def test_transforms_are_undone_exactly(photo):
    for turns, flip in tiling.SYMMETRIES:
        np.testing.assert_array_equal(tiling.untransform(tiling.transform(photo, turns, flip), turns, flip), photo)


def test_any_input_kind(small_model, tmp_path, photo):
    path = tmp_path / "grey.png"
    Image.fromarray(photo[:12, :10, 0]).save(path)
    for source in (path, str(path), path.read_bytes(), Image.open(path), photo[:12, :10]):
        out = inference.upscale(small_model, source)
        assert out.shape == (48, 40, 3) and out.dtype == np.uint8


def test_bad_inputs_get_clear_errors(small_model, tmp_path):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n broken")
    with pytest.raises(ValueError, match="not a readable image"):
        inference.upscale(small_model, broken)
    with pytest.raises(ValueError, match="tile"):
        inference.upscale(small_model, np.zeros((8, 8, 3), np.uint8), tile=0)
    with pytest.raises(ValueError, match="overlap"):
        inference.upscale(small_model, np.zeros((8, 8, 3), np.uint8), overlap=-1)


@pytest.fixture
def photo_file(tmp_path, photo):
    path = tmp_path / "my photo.jpg"
    Image.fromarray(photo[:40, :60]).save(path, quality=95)
    return path


def test_upscale_file_writes_the_upscaled_png_next_to_the_photo(small_model, photo_file):
    written = inference.upscale_file(photo_file, model=small_model)
    assert written == photo_file.with_name("my photo_edsr_x4.png")
    saved = np.asarray(Image.open(written))
    np.testing.assert_array_equal(saved, inference.upscale(small_model, photo_file))
    assert saved.shape == (160, 240, 3)


def test_upscale_file_never_overwrites_unless_asked(small_model, photo_file, tmp_path):
    target = tmp_path / "out.png"
    target.write_bytes(b"precious")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        inference.upscale_file(photo_file, target, model=small_model)
    assert target.read_bytes() == b"precious"
    inference.upscale_file(photo_file, target, model=small_model, overwrite=True)
    assert Image.open(target).size == (240, 160)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"target": "out.jpg"}, ValueError, r"\.png \(lossless\)"),
        ({"scale": 2}, ValueError, "upscales x4, not x2"),
    ],
)
def test_upscale_file_explains_bad_requests(small_model, photo_file, kwargs, error, message):
    if "target" in kwargs:
        kwargs["target"] = photo_file.with_name(kwargs["target"])
    with pytest.raises(error, match=message):
        inference.upscale_file(photo_file, model=small_model, **kwargs)
    with pytest.raises(FileNotFoundError, match="No photo at"):
        inference.upscale_file(photo_file.with_name("missing.jpg"), model=small_model)


def test_command_line_upscales_good_files_and_reports_bad_ones(photo_file, capsys):
    from edsr_helpers.__main__ import main

    broken = photo_file.with_name("broken.png")
    broken.write_bytes(b"not an image at all")
    status = main([str(broken), str(photo_file), "--scale", "4"])
    out, err = capsys.readouterr()
    assert status == 1  # one photo failed ...
    assert "skipped" in err and "broken.png" in err
    written = photo_file.with_name("my photo_edsr_x4.png")  # ... the other was still done, with the shipped weights
    assert f"-> {written}" in out and Image.open(written).size == (240, 160)
    assert main([str(photo_file)]) == 1  # a second run keeps the first result ...
    err = capsys.readouterr().err
    assert "already exists" in err and "--overwrite" in err and "overwrite=True" not in err  # ... in CLI words
    assert main([str(photo_file), "--plus"]) == 0  # EDSR+ gets its own name, next to the plain result
    assert f"-> {photo_file.with_name('my photo_edsr_plus_x4.png')}" in capsys.readouterr().out
    assert main([str(photo_file), "-o", str(photo_file.with_name("out.jpg"))]) == 1
    assert "-o/--output must name a .png" in capsys.readouterr().err


@pytest.mark.parametrize("scale", sorted(pretrained.WEIGHT_FILES))
def test_command_line_upscales_with_every_shipped_scale(photo_file, capsys, scale):
    from edsr_helpers.__main__ import main

    assert main([str(photo_file), "--scale", str(scale)]) == 0
    written = photo_file.with_name(f"my photo_edsr_x{scale}.png")
    assert f"-> {written}" in capsys.readouterr().out
    assert Image.open(written).size == (60 * scale, 40 * scale)  # the 60x40 photo, scale times wider and higher


def test_the_installed_package_has_the_edsr_upscale_command():
    from importlib.metadata import entry_points

    from edsr_helpers.__main__ import main

    (command,) = entry_points(group="console_scripts", name="edsr-upscale")
    assert command.load() is main


def test_command_line_takes_a_trained_model_and_refuses_a_conflicting_scale(small_model, photo_file, tmp_path, capsys):
    from edsr_helpers.__main__ import main

    saved = tmp_path / "mine.keras"
    small_model.save(saved)
    out = tmp_path / "big.png"
    assert main([str(photo_file), "--model", str(saved), "-o", str(out)]) == 0
    np.testing.assert_array_equal(np.asarray(Image.open(out)), inference.upscale(small_model, photo_file))
    assert main([str(photo_file), "--model", str(saved), "--scale", "2"]) == 2
    assert "upscales x4, not x2" in capsys.readouterr().err


def test_command_line_names_its_way_out_for_a_scale_without_shipped_weights(photo_file, capsys, monkeypatch):
    from edsr_helpers.__main__ import main

    # x3 unshipped whatever ships today (so the test keeps testing once every scale ships)
    monkeypatch.setattr(pretrained, "WEIGHT_FILES", {s: f for s, f in pretrained.WEIGHT_FILES.items() if s != 3})
    assert main([str(photo_file), "--scale", "3"]) == 2
    error = capsys.readouterr().err
    assert "no pretrained weights ship for x3" in error and "--model" in error
    assert not list(photo_file.parent.glob("*_edsr_*"))  # nothing written


@pytest.mark.parametrize("size", [1, 2])
def test_tiny_inputs_keep_their_colours(size):
    """A 1x1 or 2x2 input is far smaller than what the convolutions see; it still comes out the right colour:
    each pixel's 4x4 block averages to its colour as closely as bicubic upscaling's does (exactly for 1x1; at 2x2
    each block also blends with its neighbours, in both)."""
    from edsr_helpers import images, pretrained

    model = pretrained.load_pretrained(4)
    colours = np.array([[[200, 10, 10], [20, 180, 40]], [[30, 60, 220], [240, 240, 240]]], np.uint8)[:size, :size]

    def colour_error(upscaled: np.ndarray) -> float:
        blocks = upscaled.reshape(size, 4, size, 4, 3).astype(float).mean(axis=(1, 3))
        return float(np.abs(blocks - colours).max())

    sr = inference.upscale(model, colours)
    assert sr.shape == (4 * size, 4 * size, 3)
    assert colour_error(sr) <= colour_error(images.upscale_bicubic(colours, 4)) + 3, sr
    plus = inference.upscale(model, colours, self_ensemble=True)
    assert plus.shape == sr.shape


def test_exif_orientation_is_applied_everywhere_a_photo_is_read(tmp_path, small_model):
    """A phone photo stored sideways with Orientation=6 is read upright (loader, upscale_file, widget upload)."""
    from edsr_helpers import images
    from edsr_helpers.presentation import widgets

    upright = np.zeros((40, 100, 3), np.uint8)
    upright[:, :50] = (250, 0, 0)  # red on the left, as the photographer saw it
    stored = Image.fromarray(np.rot90(upright, 1))  # the sensor's view: 100 x 40, turned
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to display
    path = tmp_path / "phone.jpg"
    stored.save(path, exif=exif, quality=95)
    loaded = images.load_image(path)
    assert loaded.shape == (40, 100, 3)
    assert loaded[20, 10, 0] > 200 and loaded[20, 90, 0] < 50
    assert images.load_image(path.read_bytes()).shape == (40, 100, 3)
    written = inference.upscale_file(path, model=small_model)
    assert Image.open(written).size == (400, 160)
    photo = widgets.photo_from_upload("phone.jpg", path.read_bytes(), 4, as_is=True)
    assert photo.lr.shape[:2] == (40, 100)


def test_command_line_evaluates_a_reference_photo_and_reports_bad_ones(tmp_path, capsys):
    from edsr_helpers.__main__ import main

    reference = tmp_path / "coffee.png"
    Image.fromarray(samples.load_photo("coffee")[:160, :200]).save(reference)
    tiny = tmp_path / "tiny.png"
    Image.fromarray(samples.load_photo("coffee")[:20, :20]).save(tiny)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image at all")
    status = main(["--evaluate", str(tiny), str(reference), str(broken), "--scale", "4"])
    out, err = capsys.readouterr()
    assert status == 1 and "tiny.png" in err and "32x32" in err and "broken.png" in err
    rows = {line.split()[0]: [float(value) for value in line.split()[1:]] for line in out.splitlines()[2:5]}
    assert list(rows) == ["bicubic", "EDSR", "EDSR+"]
    assert rows["EDSR"][0] > rows["bicubic"][0] and all(0 < row[1] <= 1 for row in rows.values())
    assert sorted(path.name for path in tmp_path.iterdir()) == ["broken.png", "coffee.png", "tiny.png"]  # wrote none
    with pytest.raises(SystemExit):
        main(["--evaluate", str(reference), "-o", str(tmp_path / "x.png")])


def test_evaluate_photo_scores_the_series_way():
    model = pretrained.load_pretrained(4)
    photo = samples.load_photo("monarch")[:96, :128]
    rows = {row["method"]: row for row in inference.evaluate_photo(model, photo, self_ensemble=False)}
    lr, hr = data.make_pair(photo, 4)
    expected = metrics.psnr(hr, images.upscale_bicubic(lr, 4), shave=4, y_only=True)
    assert rows["bicubic"]["psnr_y"] == pytest.approx(expected)
    assert "EDSR+" not in rows and rows["EDSR"]["psnr_y"] > rows["bicubic"]["psnr_y"]


def test_evaluate_photo_makes_the_lr_camera_like_when_asked():
    from edsr_helpers.degradations import degrade_for_evaluation

    model = pretrained.load_pretrained(4)
    photo = samples.load_photo("monarch")[:96, :128]
    clean = {row["method"]: row for row in inference.evaluate_photo(model, photo, self_ensemble=False)}
    rows = inference.evaluate_photo(model, photo, self_ensemble=False, lr_from="camera-like")
    camera_like = {row["method"]: row for row in rows}
    lr = degrade_for_evaluation(photo, 4)
    expected = metrics.psnr(photo, images.upscale_bicubic(lr, 4), shave=4, y_only=True)
    assert camera_like["bicubic"]["psnr_y"] == pytest.approx(expected)
    assert camera_like["bicubic"]["psnr_y"] < clean["bicubic"]["psnr_y"]  # blur, noise and JPEG cost something
    with pytest.raises(ValueError, match="'camera-like'"):
        inference.evaluate_photo(model, photo, lr_from="phone")


def test_command_line_evaluates_with_a_camera_like_lr_and_says_so(tmp_path, capsys):
    from edsr_helpers.__main__ import main

    reference = tmp_path / "coffee.png"
    Image.fromarray(samples.load_photo("coffee")[:160, :200]).save(reference)
    assert main(["--evaluate", str(reference), "--lr", "camera-like"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{reference}, x4, camera-like LR, the shipped bicubic-trained weights")
    assert [line.split()[0] for line in out.splitlines()[2:5]] == ["bicubic", "EDSR", "EDSR+"]
    with pytest.raises(SystemExit):  # --lr only means something to --evaluate
        main([str(reference), "--lr", "camera-like"])
    assert "add --evaluate" in capsys.readouterr().err
    assert sorted(path.name for path in tmp_path.iterdir()) == ["coffee.png"]  # wrote nothing


def test_command_line_takes_the_realistic_weights_where_they_ship(photo_file, capsys):
    from edsr_helpers.__main__ import main

    if "realistic" not in pretrained.shipped_degradations(4):
        pytest.skip("no realistic x4 weights in this package")
    assert main([str(photo_file), "--degradation", "realistic"]) == 0
    written = photo_file.with_name("my photo_edsr_realistic_x4.png")  # beside the bicubic-trained result's name
    assert f"-> {written}" in capsys.readouterr().out
    result = np.asarray(Image.open(written))
    np.testing.assert_array_equal(result, inference.upscale(pretrained.load_pretrained(4, "realistic"), photo_file))
    assert not np.array_equal(result, inference.upscale(pretrained.load_pretrained(4), photo_file))


def test_command_line_explains_realistic_weights_that_do_not_ship_and_writes_nothing(photo_file, capsys):
    from edsr_helpers.__main__ import main

    scale = next(s for s in sorted(pretrained.WEIGHT_FILES) if "realistic" not in pretrained.shipped_degradations(s))
    if "realistic" not in pretrained.offered_degradations():  # none ship: the option is not offered at all
        with pytest.raises(SystemExit) as refused:
            main([str(photo_file), "--scale", str(scale), "--degradation", "realistic"])
        assert refused.value.code == 2 and "unrecognized arguments: --degradation" in capsys.readouterr().err
        assert not list(photo_file.parent.glob("*_edsr_*"))
        return
    assert main([str(photo_file), "--scale", str(scale), "--degradation", "realistic"]) == 2
    error = capsys.readouterr().err
    assert f"No realistic weights ship for x{scale}" in error and "use the default" in error
    assert not list(photo_file.parent.glob("*_edsr_*"))
    with pytest.raises(SystemExit):  # a model of your own and a choice of shipped weights contradict each other
        main([str(photo_file), "--model", "mine.keras", "--degradation", "realistic"])
    assert "leave one out" in capsys.readouterr().err


def test_load_pretrained_names_the_degradations_there_are():
    with pytest.raises(ValueError, match="'bicubic', 'realistic'"):
        pretrained.load_pretrained(4, degradation="jpeg")
