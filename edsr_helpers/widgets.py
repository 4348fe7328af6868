"""The crop-and-compare widget of notebook 04: pick a region of a photo, see LR, bicubic, EDSR (and EDSR+)
side by side with PSNR/SSIM against the original.

Built only from core ipywidgets that behave the same in ipywidgets 7.7 (what Colab ships) and 8.x
(JupyterLab 4): ``Image``, ``IntSlider``, ``Dropdown``, ``Checkbox``, ``FileUpload``, ``HTML``, boxes. Each
photo is super-resolved once and cached; moving the crop only slices arrays and encodes small PNGs, so
panels update in milliseconds. Clicking the thumbnail to place the crop uses ``ipyevents`` when it is
installed and the front end supports it; the sliders work everywhere.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from edsr_helpers.images import crop_to_multiple, downscale, load_image, upscale_bicubic
from edsr_helpers.metrics import psnr, ssim

#: Width in screen pixels of every panel (the zoom slider's default) and of the thumbnail.
PANEL_PX = 240
THUMBNAIL_PX = 320


@dataclasses.dataclass
class Photo:
    """One photo of the widget: its LR input, the HR original when known, and cached upscalings."""

    name: str
    lr: np.ndarray
    hr: np.ndarray | None
    bicubic: np.ndarray | None = None
    sr: np.ndarray | None = None
    sr_plus: np.ndarray | None = None


def png_bytes(image: np.ndarray) -> bytes:
    """Encode a uint8 RGB array as PNG for ``widgets.Image`` (fast setting: these are small crops)."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def zoom_nearest(image: np.ndarray, size: int) -> np.ndarray:
    """Enlarge a crop to ``size`` pixels wide with nearest-neighbour, so its pixels stay visible."""
    height, width = image.shape[:2]
    return np.asarray(Image.fromarray(image).resize((size, max(1, round(height * size / width))), Image.NEAREST))


def read_upload(value) -> list[tuple[str, bytes]]:
    """``(name, content)`` of each uploaded file, from either ``FileUpload.value`` format.

    ipywidgets 7: ``{name: {"metadata": {...}, "content": bytes}}``; ipywidgets 8: a tuple of dicts with
    ``name`` and ``content`` (a memoryview).
    """
    if not value:
        return []
    if isinstance(value, dict):
        return [(name, bytes(item["content"])) for name, item in value.items()]
    return [(item["name"], bytes(item["content"])) for item in value]


#: Largest upload (in pixels) the widget upscales as it is: a 1-megapixel photo becomes 16 megapixels at x4,
#: 33 s on this project's 2-core CPU (measured). Bigger photos: ``inference.upscale_file`` (tiled, no widget).
AS_IS_MAX_PIXELS = 1024 * 1024


def photo_from_upload(name: str, content: bytes, scale: int, *, as_is: bool = False) -> Photo:
    """A photo from an uploaded file.

    By default it is treated as the HR original and its LR input is made by bicubic downscaling, so the
    panels can be scored against it. With ``as_is`` the photo itself is the input: what someone who wants
    *their* photo bigger expects; there is no original to compare with, so no PSNR.

    Raises:
        ValueError: empty or unreadable files, images too small to crop or too big to upscale here (with
            what to do).
    """
    if not content:
        raise ValueError(
            f"{name!r} arrived empty. Colab drops uploads over ~1 MB: run widget.add_colab_uploads() in a cell "
            "(Colab's own file picker, no size limit), or upload a smaller file."
        )
    image = load_image(content)
    if as_is:
        if min(image.shape[:2]) < 16:
            raise ValueError(f"{name!r} is {image.shape[1]}x{image.shape[0]} px; use a photo at least 16 px wide.")
        if image.shape[0] * image.shape[1] > AS_IS_MAX_PIXELS:
            raise ValueError(
                f"{name!r} is {image.shape[1]}x{image.shape[0]} px, too big to upscale inside the widget; "
                "use eh.inference.upscale_file(path) (tiled, any size) or untick 'upscale uploads as they are'."
            )
        return Photo(name=f"{name} (as is)", lr=image, hr=None)
    hr = crop_to_multiple(image, scale)
    if min(hr.shape[:2]) < 16 * scale:
        raise ValueError(f"{name!r} is {hr.shape[1]}x{hr.shape[0]} px; use a photo at least {16 * scale} px wide.")
    return Photo(name=name, lr=downscale(hr, scale), hr=hr)


class CropCompare:
    """Interactive comparison of LR, bicubic, EDSR, EDSR+ and HR on a crop of a photo.

    Args:
        upscale: function ``lr -> sr`` (uint8 arrays), e.g. ``lambda lr: inference.upscale(model, lr)``.
        photos: the photos to offer, as :class:`Photo` (or ``(name, lr, hr)`` tuples; ``hr`` may be None).
        scale: the upscaling factor of ``upscale``.
        upscale_plus: EDSR+ (self-ensemble) function; the toggle is hidden when None.

    Display it with ``display(widget.box)`` (or just ``widget`` as a cell's last line).
    """

    def __init__(
        self,
        upscale: Callable[[np.ndarray], np.ndarray],
        photos,
        *,
        scale: int,
        upscale_plus: Callable[[np.ndarray], np.ndarray] | None = None,
    ):
        import ipywidgets as widgets

        self.upscale, self.upscale_plus, self.scale = upscale, upscale_plus, scale
        self.photos: dict[str, Photo] = {}
        for photo in photos:
            photo = photo if isinstance(photo, Photo) else Photo(*photo)
            self.photos[photo.name] = photo
        if not self.photos:
            raise ValueError("CropCompare needs at least one photo.")

        layout = widgets.Layout
        self.chooser = widgets.Dropdown(options=list(self.photos), description="photo")
        self.upload = widgets.FileUpload(accept="image/*", multiple=False, description="upload your own")
        self.as_is = widgets.Checkbox(value=False, description="upscale uploads as they are (no PSNR)")
        self.message = widgets.HTML("")
        self.crop = widgets.IntSlider(value=32, min=8, max=96, step=4, description="crop (LR px)")
        self.x = widgets.IntSlider(value=0, min=0, max=1, description="x")
        self.y = widgets.IntSlider(value=0, min=0, max=1, description="y")
        self.plus = widgets.Checkbox(value=False, description="EDSR+ (8x slower, first time)")
        self.split = widgets.IntSlider(value=50, min=0, max=100, description="split %")
        self.zoom = widgets.IntSlider(value=PANEL_PX, min=120, max=480, step=40, description="panel px")
        self.thumbnail = widgets.Image(format="png", layout=layout(width=f"{THUMBNAIL_PX}px"))
        names = ["LR (input)", "bicubic", "EDSR", "EDSR+", "HR (original)"]
        self.panels = {name: widgets.Image(format="png", layout=layout(width=f"{PANEL_PX}px")) for name in names}
        self.captions = {name: widgets.HTML("") for name in names}
        self.cells = {
            name: widgets.VBox([widgets.HTML(f"<b>{name}</b>"), self.panels[name], self.captions[name]])
            for name in names
        }
        self.split_view = widgets.Image(format="png", layout=layout(width=f"{2 * PANEL_PX}px"))
        controls = widgets.VBox(
            [self.chooser, self.upload, self.as_is, self.crop, self.x, self.y, self.zoom, self.plus, self.message]
        )
        if upscale_plus is None:
            self.plus.layout.display = "none"
        self.box = widgets.VBox(
            [
                widgets.HBox([self.thumbnail, controls]),
                widgets.HBox(list(self.cells.values())),
                widgets.HTML("<b>before / after</b>: bicubic left of the line, EDSR right"),
                widgets.HBox([self.split_view, self.split]),
            ]
        )
        self.click_events = self._connect_clicks()
        self._holding = False  # True while several controls change at once: refresh once, afterwards

        self.chooser.observe(lambda change: self.select(change["new"]), names="value")
        for control in (self.x, self.y, self.split, self.zoom):
            control.observe(lambda change: self.refresh(), names="value")
        self.crop.observe(lambda change: self._crop_resized(), names="value")
        self.plus.observe(lambda change: self.refresh(), names="value")
        self.upload.observe(lambda change: self.add_uploads(change["new"]), names="value")
        self.select(self.chooser.value)

    # ---------------------------------------------------------------------------------------- state

    @property
    def photo(self) -> Photo:
        return self.photos[self.chooser.value]

    def _ensure(self, photo: Photo, plus: bool) -> None:
        """Super-resolve a photo once (EDSR+ only when asked), then keep the result."""
        if photo.bicubic is None:
            photo.bicubic = upscale_bicubic(photo.lr, self.scale)
        if photo.sr is None:
            photo.sr = self.upscale(photo.lr)
        if plus and photo.sr_plus is None and self.upscale_plus is not None:
            photo.sr_plus = self.upscale_plus(photo.lr)

    def select(self, name: str) -> None:
        """Show photo ``name``: fit the sliders to its size and refresh."""
        photo = self.photos[name]
        self._ensure(photo, self.plus.value)
        height, width = photo.lr.shape[:2]
        self._holding = True
        try:
            self.crop.max = max(8, min(96, height, width))
            self.crop.value = min(self.crop.value, self.crop.max)
            self._fit_position_sliders()
        finally:
            self._holding = False
        self.cells["HR (original)"].layout.display = None if photo.hr is not None else "none"
        self.refresh()

    def _fit_position_sliders(self) -> None:
        """Let the x/y sliders reach exactly the positions where the whole crop lies inside the photo."""
        height, width = self.photo.lr.shape[:2]
        self.x.max, self.y.max = max(0, width - self.crop.value), max(0, height - self.crop.value)
        self.x.value, self.y.value = min(self.x.value, self.x.max), min(self.y.value, self.y.max)

    def _crop_resized(self) -> None:
        """A new crop size moves the position limits; refit them (one redraw, not one per slider)."""
        if self._holding:
            return
        self._holding = True
        try:
            self._fit_position_sliders()
        finally:
            self._holding = False
        self.refresh()

    def add_photo(self, name: str, content: bytes) -> bool:
        """Add an uploaded photo and select it; a bad file shows a message instead of a traceback."""
        try:
            photo = photo_from_upload(name, content, self.scale, as_is=self.as_is.value)
        except (ValueError, FileNotFoundError) as error:
            self.message.value = f"<span style='color:#b00'>Could not use this upload: {error}</span>"
            return False
        self.photos[photo.name] = photo
        height, width = photo.lr.shape[:2]
        if photo.hr is None:  # the whole photo is upscaled on selection: say so while it works
            self.message.value = f"Upscaling {photo.name}, {width}×{height} px ×{self.scale} (a megapixel takes ~30 s)…"
        self.chooser.options = list(self.photos)
        self.chooser.value = photo.name
        if photo.hr is None:
            self.message.value = (
                f"Added {photo.name}: {width}×{height} px upscaled to {width * self.scale}×{height * self.scale}. "
                "widget.save() writes the whole result as PNG."
            )
        else:
            self.message.value = f"Added {photo.name} ({photo.hr.shape[1]}×{photo.hr.shape[0]} px, used as HR)."
        return True

    def save(self, path: str | Path | None = None, *, overwrite: bool = False) -> Path:
        """Write the shown photo's whole EDSR result (EDSR+ when ticked) as PNG; returns the path.

        Default name: ``<photo>_edsr_x<scale>.png`` (``_edsr_plus_x`` for EDSR+) in the current folder (on
        Colab, fetch it with ``google.colab.files.download(path)``). An existing file is kept unless ``overwrite``.
        """
        from edsr_helpers.inference import check_target, output_name, save_png

        photo = self.photo
        name = output_name(photo.name.removesuffix(" (as is)"), self.scale, self.plus.value)
        target = Path(path) if path is not None else Path(name)
        check_target(target, overwrite)
        self._ensure(photo, self.plus.value)
        result = photo.sr_plus if self.plus.value and photo.sr_plus is not None else photo.sr
        return save_png(result, target, overwrite=overwrite)

    def add_uploads(self, value) -> None:
        for name, content in read_upload(value):
            self.add_photo(name, content)

    def add_colab_uploads(self, upload: Callable[[], dict[str, bytes]] | None = None) -> list[str]:
        """Open Colab's own file picker and add every file chosen; returns the names added.

        Colab drops ``FileUpload`` uploads over ~1 MB (most phone photos); ``google.colab.files.upload()``
        has no such limit. ``upload`` stands in for it elsewhere (any callable returning ``{name: bytes}``).
        """
        if upload is None:
            try:
                from google.colab import files
            except ImportError:
                raise RuntimeError(
                    "add_colab_uploads() opens Colab's file picker and works on Colab only; elsewhere use the "
                    "widget's upload button or widget.add_photo(name, open(path, 'rb').read())."
                ) from None
            upload = files.upload
        return [name for name, content in upload().items() if self.add_photo(name, content)]

    def place_crop(self, x: float, y: float) -> None:
        """Centre the crop on thumbnail pixel ``(x, y)`` (what a click on the thumbnail does)."""
        height, width = self.photo.lr.shape[:2]
        factor = width / min(THUMBNAIL_PX, width)
        half = self.crop.value // 2
        self._holding = True
        try:
            self.x.value = int(np.clip(x * factor - half, 0, self.x.max))
            self.y.value = int(np.clip(y * factor - half, 0, self.y.max))
        finally:
            self._holding = False
        self.refresh()

    def _connect_clicks(self):
        try:
            from ipyevents import Event
        except ImportError:  # optional: sliders do the same job everywhere
            return None
        events = Event(source=self.thumbnail, watched_events=["click"])
        events.on_dom_event(lambda event: self.place_crop(event["dataX"], event["dataY"]))
        return events

    # -------------------------------------------------------------------------------------- drawing

    def crops(self) -> dict[str, np.ndarray]:
        """The current crop of every image, keyed by panel name (HR-sized except the LR one)."""
        photo, s = self.photo, self.scale
        size = self.crop.value
        x = min(self.x.value, max(0, photo.lr.shape[1] - size))
        y = min(self.y.value, max(0, photo.lr.shape[0] - size))
        region = (slice(y * s, (y + size) * s), slice(x * s, (x + size) * s))
        result = {
            "LR (input)": photo.lr[y : y + size, x : x + size],
            "bicubic": photo.bicubic[region],
            "EDSR": photo.sr[region],
        }
        if self.plus.value and photo.sr_plus is not None:
            result["EDSR+"] = photo.sr_plus[region]
        if photo.hr is not None:
            result["HR (original)"] = photo.hr[region]
        return result

    def refresh(self) -> None:
        """Redraw thumbnail, panels, numbers and the split view for the current crop."""
        if self._holding:
            return
        photo = self.photo
        self._ensure(photo, self.plus.value)
        crops = self.crops()
        hr = crops.get("HR (original)")
        for name, panel in self.panels.items():
            shown = name in crops
            self.cells[name].layout.display = None if shown else "none"
            if not shown:
                continue
            panel.value = png_bytes(zoom_nearest(crops[name], self.zoom.value))
            panel.layout.width = f"{self.zoom.value}px"
            if name in ("bicubic", "EDSR", "EDSR+") and hr is not None:
                scores = psnr(hr, crops[name], y_only=True), ssim(hr, crops[name], y_only=True)
                self.captions[name].value = f"PSNR {scores[0]:.2f} dB · SSIM {scores[1]:.3f}"
            else:
                self.captions[name].value = f"{crops[name].shape[1]}×{crops[name].shape[0]} px"
        self.thumbnail.value = png_bytes(self._thumbnail())
        self.split_view.value = png_bytes(self._split(crops["bicubic"], crops.get("EDSR+", crops["EDSR"])))

    def _thumbnail(self) -> np.ndarray:
        lr = self.photo.lr
        factor = min(THUMBNAIL_PX, lr.shape[1]) / lr.shape[1]
        image = Image.fromarray(lr).resize((max(1, round(lr.shape[1] * factor)), max(1, round(lr.shape[0] * factor))))
        x, y, size = self.x.value * factor, self.y.value * factor, self.crop.value * factor
        ImageDraw.Draw(image).rectangle([x, y, x + size, y + size], outline=(255, 40, 40), width=2)
        return np.asarray(image)

    def _split(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        column = round(left.shape[1] * self.split.value / 100)
        image = np.concatenate([left[:, :column], right[:, column:]], axis=1)
        image = zoom_nearest(image, 2 * self.zoom.value).copy()
        line = min(image.shape[1] - 1, round(image.shape[1] * self.split.value / 100))
        image[:, max(0, line - 1) : line + 1] = (255, 40, 40)
        return image

    def _ipython_display_(self):
        from IPython.display import display

        display(self.box)


def default_photos(scale: int, *, div2k_images: int = 5, data_dir=None) -> list[Photo]:
    """The offline validation photos, plus the first DIV2K validation images when DIV2K is on disk.

    DIV2K is looked for only where the active profile may use it (not under ``ci``), and a tensorflow-datasets
    that fails to answer costs a warning, not the widget.
    """
    import warnings

    from edsr_helpers import backend, data, samples
    from edsr_helpers.profiles import active_profile

    photos = [
        Photo(name, lr, hr)
        for name, (lr, hr) in zip(samples.photo_names("validation"), data.load_sample(scale, "validation"), strict=True)
    ]
    if active_profile().dataset != "sample" and backend.tensorflow_available():
        try:
            prepared = data.div2k_is_prepared(scale, data_dir)
        except Exception as error:  # noqa: BLE001 - a broken tfds install must not take the widget down
            warnings.warn(f"Could not look for DIV2K ({error}); showing the offline photos only.", stacklevel=2)
            prepared = False
        if prepared:
            pairs = data.first_pairs(data.load_div2k(scale, "validation", data_dir=data_dir), div2k_images)
            photos += [Photo(f"DIV2K validation #{index + 1}", lr, hr) for index, (lr, hr) in enumerate(pairs)]
    return photos


def crop_compare(model, *, photos: list[Photo] | None = None, tile="auto") -> CropCompare:
    """A :class:`CropCompare` for an EDSR model, with EDSR+ available, on :func:`default_photos`."""
    from edsr_helpers import inference

    scale = inference.model_scale(model)
    return CropCompare(
        lambda lr: inference.upscale(model, lr, tile=tile),
        photos if photos is not None else default_photos(scale),
        scale=scale,
        upscale_plus=lambda lr: inference.upscale(model, lr, tile=tile, self_ensemble=True),
    )
