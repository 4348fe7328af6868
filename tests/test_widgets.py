"""Widget logic without a browser. Runs under whichever ipywidgets is importable: the suite runs it under
ipywidgets 8 directly and under ipywidgets 7.7 (Colab's) in a subprocess (test_widgets_under_ipywidgets_7)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from edsr_helpers import images, metrics, samples
from edsr_helpers.pairs import downscale
from edsr_helpers.presentation import widgets

ROOT = Path(__file__).resolve().parent.parent


def _fake_upscale(lr):  # a deterministic stand-in for a model: bicubic plus a fixed offset
    return np.clip(images.upscale_bicubic(lr, 4).astype(int) + 3, 0, 255).astype(np.uint8)


@pytest.fixture
def widget():
    lr, hr = downscale(samples.load_photo("coffee"), 4), samples.load_photo("coffee")
    lr2, hr2 = downscale(samples.load_photo("astronaut"), 4), samples.load_photo("astronaut")
    return widgets.CropCompare(
        _fake_upscale,
        [("coffee", lr, hr), ("astronaut", lr2, hr2)],
        scale=4,
        upscale_plus=lambda lr: _fake_upscale(lr) // 2,
    )


def _png(image):
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


def _decoded(panel):
    return np.asarray(Image.open(io.BytesIO(panel.value)))


def test_a_crop_change_updates_every_panel(widget):
    before = {name: bytes(panel.value) for name, panel in widget.panels.items() if panel.value}
    thumbnail = bytes(widget.thumbnail.value)
    widget.x.value = 40
    widget.y.value = 20
    after = {name: bytes(panel.value) for name, panel in widget.panels.items() if panel.value}
    assert set(before) == set(after) == {"LR (input)", "bicubic", "EDSR", "HR (original)"}
    assert all(before[name] != after[name] for name in before)
    assert bytes(widget.thumbnail.value) != thumbnail


def test_shown_psnr_equals_metrics_psnr_on_the_same_crop(widget):
    widget.x.value, widget.y.value, widget.crop.value = 30, 25, 40
    hr = widget.photo.hr[100:260, 120:280]
    sr = _fake_upscale(widget.photo.lr)[100:260, 120:280]
    expected = metrics.psnr(hr, sr, y_only=True)
    assert f"PSNR {expected:.2f} dB" in widget.captions["EDSR"].value
    assert f"SSIM {metrics.ssim(hr, sr, y_only=True):.3f}" in widget.captions["EDSR"].value
    np.testing.assert_array_equal(widget.crops()["HR (original)"], hr)


def test_edsr_plus_toggle_and_photo_switch(widget):
    assert widget.cells["EDSR+"].layout.display == "none"
    widget.plus.value = True
    assert widget.cells["EDSR+"].layout.display is None and widget.panels["EDSR+"].value
    widget.chooser.value = "astronaut"
    assert widget.x.max == 128 - widget.crop.value
    assert _decoded(widget.panels["HR (original)"]).shape[1] == widgets.PANEL_PX


@pytest.mark.parametrize("version", [7, 8])
def test_upload_in_both_value_formats(widget, version):
    content = _png(samples.load_photo("chelsea"))
    if version == 7:
        value = {"cat.png": {"metadata": {"name": "cat.png", "type": "image/png"}, "content": content}}
    else:
        value = ({"name": "cat.png", "type": "image/png", "size": len(content), "content": memoryview(content)},)
    widget.add_uploads(value)
    assert widget.chooser.value == "cat.png" and "Added cat.png" in widget.message.value
    assert widget.photo.hr.shape == (300, 448, 3)


def test_upload_of_a_jpeg_through_the_widget_trait(widget):
    buffer = io.BytesIO()
    Image.fromarray(samples.load_photo("rocket")).save(buffer, format="JPEG")
    content = buffer.getvalue()
    import ipywidgets

    if ipywidgets.__version__.startswith("7"):
        # ipywidgets 7 derives the read-only value from the browser's upload; set it as the front end would
        widget.upload.set_trait("value", {"r.jpg": {"metadata": {"name": "r.jpg"}, "content": content}})
    else:
        import datetime

        widget.upload.value = (
            {
                "name": "r.jpg",
                "type": "image/jpeg",
                "size": len(content),
                "content": memoryview(content),
                "last_modified": datetime.datetime.now(datetime.UTC),
            },
        )
    assert widget.chooser.value == "r.jpg"


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "arrived empty"), (b"not an image", "not a readable image"), (None, "at least 64 px")],
)
def test_bad_upload_shows_an_error_not_a_traceback(widget, content, message):
    if content is None:
        content = _png(np.zeros((20, 20, 3), np.uint8))
    assert widget.add_photo("bad.png", content) is False
    assert message in widget.message.value and "bad.png" not in widget.chooser.options


def test_an_upload_can_be_upscaled_as_it_is(widget):
    photo = samples.load_photo("chelsea")[:100, :140]
    widget.upload_as.value = "as-is"
    seen_while_upscaling = []
    upscale = widget.upscale
    widget.upscale = lambda lr: seen_while_upscaling.append(widget.message.value) or upscale(lr)
    assert widget.add_photo("cat.png", _png(photo))
    assert seen_while_upscaling[0].startswith("Upscaling cat.png (as is), 140×100 px ×4")  # the user is told
    assert widget.chooser.value == "cat.png (as is)"
    np.testing.assert_array_equal(widget.photo.lr, photo)  # the photo itself is the input, not shrunk
    assert widget.photo.hr is None and widget.cells["HR (original)"].layout.display == "none"
    assert "upscaled to 560×400" in widget.message.value
    assert "PSNR" not in widget.captions["EDSR"].value  # nothing to compare with
    assert widget.crops()["EDSR"].shape[0] == 4 * widget.crop.value


def test_an_upload_too_big_to_upscale_here_points_to_upscale_file(widget):
    widget.upload_as.value = "as-is"
    big = np.zeros((1100, 1000, 3), np.uint8)
    assert widget.add_photo("big.png", _png(big)) is False
    assert "upscale_file" in widget.message.value and "big.png (as is)" not in widget.chooser.options


def test_save_writes_the_whole_result_and_keeps_existing_files(widget, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    written = widget.save()
    assert written.name == "coffee_edsr_x4.png"
    np.testing.assert_array_equal(np.asarray(Image.open(written)), widget.photo.sr)
    with pytest.raises(FileExistsError):
        widget.save()
    widget.plus.value = True
    plus = widget.save()  # EDSR+ has its own default name: the plain result stays
    assert plus.name == "coffee_edsr_plus_x4.png" and written.exists()
    np.testing.assert_array_equal(np.asarray(Image.open(plus)), widget.photo.sr_plus)
    widget.save(written, overwrite=True)
    np.testing.assert_array_equal(np.asarray(Image.open(written)), widget.photo.sr_plus)


def test_click_on_thumbnail_moves_the_crop_with_one_redraw(widget, monkeypatch):
    widget.crop.value = 20
    redraws = []
    original = widget._thumbnail
    monkeypatch.setattr(widget, "_thumbnail", lambda: redraws.append(1) or original())
    widget.place_crop(75, 50)  # coffee LR is 150x100, shown at its own width
    assert (widget.x.value, widget.y.value) == (65, 40)
    assert len(redraws) == 1  # x and y changed together: the panels never show a half-moved crop


def test_a_bigger_crop_at_the_edge_refits_the_position_sliders_with_one_redraw(widget, monkeypatch):
    width = widget.photo.lr.shape[1]
    widget.crop.value = 20
    widget.x.value = width - 20  # flush with the right edge
    redraws = []
    original = widget._thumbnail
    monkeypatch.setattr(widget, "_thumbnail", lambda: redraws.append(1) or original())
    widget.crop.value = 40
    assert widget.x.max == width - 40 and widget.x.value == width - 40
    assert len(redraws) == 1
    assert widget.crops()["LR (input)"].shape[:2] == (40, 40)


def test_reading_the_crops_changes_no_control(widget):
    widget.crop.value = 30
    widget.x.max += 5  # a getter that re-fits the sliders would undo this
    state = (widget.x.max, widget.y.max, widget.x.value, widget.y.value)
    widget.crops()
    assert (widget.x.max, widget.y.max, widget.x.value, widget.y.value) == state


def test_split_view_mixes_bicubic_and_edsr(widget):
    widget.split.value = 0
    all_edsr = _decoded(widget.split_view)
    widget.split.value = 100
    all_bicubic = _decoded(widget.split_view)
    assert not np.array_equal(all_edsr, all_bicubic)


def test_photo_without_hr_hides_the_hr_panel():
    lr = downscale(samples.load_photo("coffee"), 4)
    widget = widgets.CropCompare(_fake_upscale, [("mine", lr, None)], scale=4)
    assert widget.cells["HR (original)"].layout.display == "none"
    assert "px" in widget.captions["EDSR"].value


def _offset_model(offset):
    return lambda lr: np.clip(images.upscale_bicubic(lr, 4).astype(int) + offset, 0, 255).astype(np.uint8)


@pytest.fixture
def compare_widget():
    """The widget with two more models to compare; each counts the photos it was asked to upscale."""
    calls = {"other": 0}
    other = _offset_model(-5)

    def counted(lr):
        calls["other"] += 1
        return other(lr)

    lr, hr = downscale(samples.load_photo("coffee"), 4), samples.load_photo("coffee")
    widget = widgets.CropCompare(
        _fake_upscale,
        [("coffee", lr, hr)],
        scale=4,
        upscale_plus=lambda lr: _fake_upscale(lr) // 2,
        others={"other": (counted, lambda lr: other(lr) // 3), "third": _offset_model(9)},
    )
    widget.calls = calls
    return widget


def test_compare_two_models_side_by_side_with_crop_and_whole_photo_scores(compare_widget):
    widget = compare_widget
    assert widget.calls["other"] == 0  # a model not chosen costs nothing
    assert [label for label, _ in widget.left.options] == ["bicubic", "EDSR", "other", "third"]
    widget.x.value, widget.y.value, widget.crop.value = 30, 25, 40
    widget.view.value = "side by side"
    widget.left.value, widget.right.value = "EDSR", "other"
    assert widget.calls["other"] == 1
    assert widget.side_by_side.layout.display is None and widget.split_view.layout.display == "none"
    hr, lr = widget.photo.hr, widget.photo.lr
    other = _offset_model(-5)(lr)
    crop = (slice(100, 260), slice(120, 280))
    caption = widget.side_captions["R"].value
    assert "<b>other</b>" in caption
    assert f"crop: PSNR {metrics.psnr(hr[crop], other[crop], y_only=True):.2f} dB" in caption
    whole = metrics.psnr(hr, other, shave=4, y_only=True), metrics.ssim(hr, other, shave=4, y_only=True)
    assert f"whole: PSNR {whole[0]:.2f} dB · SSIM {whole[1]:.3f}" in caption
    np.testing.assert_array_equal(_decoded(widget.sides["R"]), widgets.zoom_nearest(other[crop], widgets.PANEL_PX))
    widget.x.value = 10  # moving the crop reuses the whole photo's upscaling
    assert widget.calls["other"] == 1


def test_compare_in_a_split_view_and_with_edsr_plus(compare_widget):
    widget = compare_widget
    widget.left.value, widget.right.value, widget.view.value = "other", "third", "split"
    assert widget.side_by_side.layout.display == "none" and widget.split_view.layout.display is None
    widget.split.value = 100
    all_left = _decoded(widget.split_view)
    widget.split.value = 0
    all_right = _decoded(widget.split_view)
    assert not np.array_equal(all_left, all_right)
    assert "<b>other</b> left of the line" in widget.compare_caption.value
    assert "<b>third</b> right of it" in widget.compare_caption.value
    widget.plus.value = True  # the toggle applies to every model that has a self-ensemble
    assert set(widget.compared()) == {"other EDSR+", "third"}
    assert "<b>other EDSR+</b>" in widget.compare_caption.value


def test_a_model_may_not_take_a_panels_name():
    lr = downscale(samples.load_photo("coffee"), 4)
    with pytest.raises(ValueError, match="taken"):
        widgets.CropCompare(_fake_upscale, [("c", lr, None)], scale=4, others={"bicubic": _fake_upscale})


def test_camera_like_upload_makes_its_lr_with_the_evaluation_degradation(widget):
    from edsr_helpers import degradations

    photo = samples.load_photo("chelsea")
    widget.upload_as.value = "camera-like"
    assert widget.add_photo("cat.png", _png(photo))
    assert widget.chooser.value == "cat.png (camera-like LR)"
    hr = images.crop_to_multiple(photo, 4)
    np.testing.assert_array_equal(widget.photo.lr, degradations.degrade_for_evaluation(hr, 4))
    assert "whole: PSNR" in widget.captions["EDSR"].value


@pytest.mark.parametrize("order", ["hr first", "lr first"])
def test_an_hr_lr_pair_is_scored_against_its_own_original(widget, order):
    hr = samples.load_photo("chelsea")[:301, :450]  # one row and two columns more than 4 x the LR: cropped
    lr = downscale(images.crop_to_multiple(hr, 4), 4)
    files = [("cat.png", _png(hr)), ("cat_lr.png", _png(lr))]
    if order == "lr first":
        files.reverse()
    widget.upload_as.value = "pair"
    widget.add_uploads(tuple({"name": name, "content": memoryview(content)} for name, content in files))
    assert widget.photo.name.endswith("(pair)")
    np.testing.assert_array_equal(widget.photo.lr, lr)
    assert widget.photo.hr.shape == (300, 448, 3)
    assert "whole: PSNR" in widget.captions["bicubic"].value


def test_a_pair_whose_sizes_do_not_match_the_scale_is_refused_with_both_sizes(widget):
    before = list(widget.chooser.options)
    hr = samples.load_photo("chelsea")
    lr = downscale(images.crop_to_multiple(hr, 2), 2)  # a x2 pair in a x4 widget
    widget.upload_as.value = "pair"
    widget.add_uploads({"a.png": {"content": _png(hr)}, "b.png": {"content": _png(lr)}})
    assert "do not match x4" in widget.message.value and "451x300" in widget.message.value
    assert "900x600" in widget.message.value  # what the original should have been
    assert list(widget.chooser.options) == before  # nothing lost, nothing half-added
    widget.add_uploads({"a.png": {"content": _png(hr)}})
    assert "needs both files" in widget.message.value or "two files" in widget.message.value


def test_an_unreadable_file_among_several_is_reported_and_the_others_are_added(widget):
    good = _png(samples.load_photo("chelsea"))
    widget.add_uploads({"cat.png": {"content": good}, "broken.png": {"content": b"nope"}, "dog.png": {"content": good}})
    assert {"cat.png", "dog.png"} <= set(widget.chooser.options) and "broken.png" not in widget.chooser.options
    assert "broken.png" in widget.message.value and "not a readable image" in widget.message.value


def test_crop_compare_refuses_models_of_another_scale():
    from edsr_helpers import recipes

    x4, x2 = recipes.build_model("edsr-baseline", 4), recipes.build_model("edsr-baseline", 2)
    with pytest.raises(ValueError, match="compare models of one scale"):
        widgets.crop_compare(x4, photos=[], others={"x2": x2})


@pytest.mark.slow  # the widget tests again in a second interpreter (~20 s)
def test_widgets_under_ipywidgets_7():
    """The same tests under ipywidgets 7.7.1 (Colab's), installed by `make setup` in .venv/ipywidgets7."""
    target = Path(sys.prefix) / "ipywidgets7"  # beside the running environment (.venv/ipywidgets7)
    if not target.exists():
        pytest.skip("ipywidgets 7 is not installed in .venv/ipywidgets7; run `make setup`")
    if os.environ.get("EDSR_IPYWIDGETS7_RUN"):
        pytest.skip("already running under ipywidgets 7")
    env = {**os.environ, "PYTHONPATH": f"{target}{os.pathsep}{ROOT}", "EDSR_IPYWIDGETS7_RUN": "1"}
    check = subprocess.run(
        [sys.executable, "-c", "import ipywidgets; print(ipywidgets.__version__)"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert check.stdout.strip().startswith("7.7"), check.stderr[-1000:]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(Path(__file__)),
            "-k",
            "not under_ipywidgets_7",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout


def test_zoom_changes_the_panel_size(widget):
    widget.zoom.value = 400
    assert _decoded(widget.panels["EDSR"]).shape[1] == 400
    assert _decoded(widget.split_view).shape[1] == 800
    assert widget.panels["EDSR"].layout.width == "400px"


def test_click_events_are_wired_when_ipyevents_is_installed(widget):
    pytest.importorskip("ipyevents")
    assert widget.click_events is not None and widget.click_events.source is widget.thumbnail
    widget.crop.value = 20
    widget.click_events._handle_mouse_msg(None, {"type": "click", "dataX": 75, "dataY": 50}, [])  # as from JS
    assert (widget.x.value, widget.y.value) == (65, 40)


def test_default_photos_survive_a_broken_tensorflow_datasets(monkeypatch):
    """Under a profile that may use DIV2K, a tfds that raises on import costs a warning, not the widget."""
    from edsr_helpers import data, profiles

    def broken(*args, **kwargs):
        raise ImportError("tensorflow_datasets is broken")

    monkeypatch.setattr(data, "div2k_is_prepared", broken)
    monkeypatch.setenv(profiles.PROFILE_ENV_VAR, "cpu")
    monkeypatch.setattr("edsr_helpers.backend.tensorflow_available", lambda: True)
    with pytest.warns(UserWarning, match="offline photos only"):
        photos = widgets.default_photos(4)
    assert [photo.name for photo in photos] == list(samples.VALIDATION_PHOTOS)
    monkeypatch.setenv(profiles.PROFILE_ENV_VAR, "ci")  # the offline profile does not even ask tfds
    assert [photo.name for photo in widgets.default_photos(4)] == list(samples.VALIDATION_PHOTOS)


def test_large_uploads_go_through_colabs_file_picker(widget):
    """The route around Colab's ~1 MB FileUpload limit, tested with a stand-in for google.colab.files.upload."""
    buffer = io.BytesIO()
    big = images.resize_bicubic(samples.load_photo("astronaut"), (1200, 1200))
    Image.fromarray(big).save(buffer, format="PNG")
    assert len(buffer.getvalue()) > 1_000_000  # over Colab's FileUpload limit
    picked = {"big.png": buffer.getvalue(), "broken.png": b"not an image"}
    assert widget.add_colab_uploads(lambda: picked) == ["big.png"]
    assert widget.chooser.value == "big.png" and widget.photo.hr.shape == (1200, 1200, 3)
    if "google.colab" not in sys.modules:
        with pytest.raises(RuntimeError, match="works on Colab only"):
            widget.add_colab_uploads()


def _photos_at(scale):
    """coffee and astronaut, each shrunk by ``scale`` from an original cropped to a multiple of it."""
    originals = {name: images.crop_to_multiple(samples.load_photo(name), scale) for name in ("coffee", "astronaut")}
    return [widgets.Photo(name, downscale(hr, scale), hr) for name, hr in originals.items()]


@pytest.fixture
def scale_choice():
    built = []

    def make(scale):
        built.append(scale)
        return widgets.CropCompare(lambda lr: images.upscale_bicubic(lr, scale), _photos_at(scale), scale=scale)

    choice = widgets.ScaleChoice(make, (2, 4), 4)
    choice.built = built
    return choice


def test_a_scale_switch_keeps_the_photo_and_the_region_of_the_original(scale_choice):
    x4 = scale_choice.current
    x4.chooser.value = "astronaut"
    x4.crop.value, x4.x.value, x4.y.value = 32, 20, 10
    original_crop = x4.crops()["HR (original)"]
    scale_choice.chooser.value = 2
    x2 = scale_choice.current
    assert x2.scale == 2 and scale_choice.holder.children == (x2.box,)
    assert (x2.chooser.value, x2.crop.value, x2.x.value, x2.y.value) == ("astronaut", 64, 40, 20)
    np.testing.assert_array_equal(x2.crops()["HR (original)"], original_crop)
    assert x2.crops()["LR (input)"].shape == (64, 64, 3)
    assert "×2" in scale_choice.message.value


def test_each_scale_is_built_once_and_uploads_follow_to_every_scale_made_at_it(scale_choice):
    chelsea = samples.load_photo("chelsea")  # 451x300: cropped to a multiple of each scale
    scale_choice.current.add_photo("mine.png", _png(chelsea))
    scale_choice.current.add_photo("noisy.png", _png(chelsea), mode="camera-like")
    scale_choice.chooser.value = 2
    x2 = scale_choice.current
    assert x2.chooser.value == "noisy.png (camera-like LR)"  # the photo shown at x4, made anew at x2
    assert x2.photos["mine.png"].lr.shape == (150, 225, 3) and x2.photos["mine.png"].hr.shape == (300, 450, 3)
    np.testing.assert_array_equal(x2.photos["mine.png"].lr, downscale(chelsea[:300, :450], 2))
    assert "made at ×2: mine.png, noisy.png" in x2.message.value
    scale_choice.chooser.value = 4
    scale_choice.chooser.value = 2
    assert scale_choice.built == [4, 2]
    assert list(x2.photos).count("mine.png") == 1 and len(x2.uploads) == 2  # carried once, not at every switch


def test_an_upload_follows_to_another_scale_without_upscaling_the_photos_not_shown(scale_choice):
    calls = []
    x4 = scale_choice.current
    scale_choice.chooser.value = 2
    x2 = scale_choice.current
    x2.upscale = lambda lr: calls.append(lr.shape) or images.upscale_bicubic(lr, 2)
    scale_choice.chooser.value = 4
    x4.add_photo("big.png", _png(samples.load_photo("chelsea")), mode="as-is")
    x4.chooser.value = "astronaut"
    scale_choice.chooser.value = 2
    assert "big.png (as is)" in x2.photos and (300, 451, 3) not in calls  # offered, upscaled once chosen
    x2.chooser.value = "big.png (as is)"
    assert calls.count((300, 451, 3)) == 1


def test_an_upload_too_small_for_another_scale_says_so_there(scale_choice):
    scale_choice.chooser.value = 2
    assert scale_choice.current.add_photo("small.png", _png(samples.load_photo("chelsea")[:40, :40]))
    scale_choice.chooser.value = 4
    x4 = scale_choice.current
    assert "small.png" not in x4.photos and "at least 64 px wide" in x4.message.value


def test_an_hr_and_lr_pair_stays_at_the_scale_that_made_it(scale_choice):
    hr = images.crop_to_multiple(samples.load_photo("chelsea"), 4)
    assert scale_choice.current.add_pair("pair", _png(hr), _png(downscale(hr, 4)))
    scale_choice.chooser.value = 2
    assert "pair (pair)" not in scale_choice.current.photos and scale_choice.current.chooser.value == "coffee"


def test_a_scale_that_is_not_offered_is_refused_with_the_ones_that_are():
    with pytest.raises(ValueError, match="x3 is not offered here; choose one of x2, x4"):
        widgets.ScaleChoice(lambda scale: None, (2, 4), 3)


def test_the_shipped_weights_widget_offers_every_shipped_scale_and_upscales_by_it():
    from edsr_helpers import pretrained

    coffee = samples.load_photo("coffee")[:96, :120]

    def photos(scale):
        hr = images.crop_to_multiple(coffee, scale)
        return [widgets.Photo("coffee", downscale(hr, scale), hr)]

    choice = widgets.shipped_compare(photos=photos)
    assert [value for _, value in choice.chooser.options] == sorted(pretrained.WEIGHT_FILES)
    for scale in sorted(pretrained.WEIGHT_FILES):
        choice.chooser.value = scale
        photo = choice.current.photo
        assert choice.current.scale == scale and photo.sr.shape == photo.hr.shape
        edsr, bicubic = (metrics.psnr(photo.hr, image, shave=scale, y_only=True) for image in (photo.sr, photo.bicubic))
        assert edsr > bicubic + 0.5, f"x{scale}: the shipped weights {edsr:.2f} dB, bicubic {bicubic:.2f} dB"


def test_the_widgets_model_is_shown_under_its_name_everywhere():
    lr, hr = downscale(samples.load_photo("coffee"), 4), samples.load_photo("coffee")
    widget = widgets.CropCompare(
        _fake_upscale, [("coffee", lr, hr)], scale=4, upscale_plus=lambda lr: _fake_upscale(lr) // 2, name="mine"
    )
    assert "<b>mine</b>" in widget.cells["EDSR"].children[0].value
    assert "<b>mine EDSR+</b>" in widget.cells["EDSR+"].children[0].value
    assert [label for label, _ in widget.right.options] == ["bicubic", "mine"]
    widget.view.value = "side by side"
    assert widget.side_captions["R"].value.startswith("<b>mine</b>")
    widget.plus.value = True
    widget.view.value = "split"
    assert "<b>mine EDSR+</b> right of it" in widget.compare_caption.value
    np.testing.assert_array_equal(widget.photo.sr, _fake_upscale(lr))  # the results keep their keys


@pytest.mark.parametrize("name", ["bicubic", "mine+"])
def test_the_widgets_model_may_not_take_a_panels_name(name):
    with pytest.raises(ValueError, match="call the widget's model otherwise"):
        widgets.CropCompare(_fake_upscale, _photos_at(4), scale=4, name=name)


def test_another_model_may_not_take_the_widgets_models_name():
    with pytest.raises(ValueError, match="name the model otherwise"):
        widgets.CropCompare(_fake_upscale, _photos_at(4), scale=4, name="mine", others={"mine": _fake_upscale})
