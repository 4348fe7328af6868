"""The crop-and-compare widget of notebook 04: pick a region of a photo, see LR, bicubic, EDSR (and EDSR+)
side by side with PSNR/SSIM against the original, and put any two upscalings (bicubic, the model, other models
such as the realistic weights) side by side or in a split view, scored on the crop and on the whole photo.
``shipped_compare`` puts the shipped weights of every scale one menu away, on the same detail.

Built only from core ipywidgets that behave the same in ipywidgets 7.7 (what Colab ships) and 8.x
(JupyterLab 4): ``Image``, ``IntSlider``, ``Dropdown``, ``Checkbox``, ``FileUpload``, ``HTML``, boxes. Each
photo is super-resolved once and cached; moving the crop only slices arrays and encodes small PNGs, so
panels update in milliseconds. Clicking the thumbnail to place the crop uses ``ipyevents`` when it is
installed and the front end supports it; the sliders work everywhere.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from edsr_helpers.images import crop_to_multiple, load_image, make_lr, upscale_bicubic
from edsr_helpers.metrics import score

#: Width in screen pixels of every panel (the zoom slider's default) and of the thumbnail.
PANEL_PX = 240
THUMBNAIL_PX = 320


#: The upscaling every widget offers, and the key of the model the widget was made for (shown under the model's
#: own name: ``CropCompare``'s ``name`` and ``model_name``).
BICUBIC, MAIN = "bicubic", "EDSR"

#: How an uploaded file is used (``CropCompare.upload_as``): label shown, value.
UPLOAD_MODES = (
    ("the original: LR by bicubic downscaling", "bicubic"),
    ("the original: LR camera-like (blur, noise, JPEG)", "camera-like"),
    ("an HR + LR pair (choose both files)", "pair"),
    ("the input as it is (no PSNR)", "as-is"),
)


def plus_name(method: str) -> str:
    """The key of a model's self-ensemble: ``EDSR+`` for the widget's own, ``<name> EDSR+`` for the others
    (:meth:`CropCompare.label` shows them under the model's name)."""
    return f"{method}+" if method == MAIN else f"{method} EDSR+"


@dataclasses.dataclass
class Photo:
    """One photo of the widget: its LR input, the HR original when known, and cached whole-photo upscalings
    (``results``) and their scores against the original (``whole_scores``: PSNR, SSIM on Y, border shaved)."""

    name: str
    lr: np.ndarray
    hr: np.ndarray | None
    results: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)
    whole_scores: dict[str, tuple[float, float]] = dataclasses.field(default_factory=dict)

    @property
    def bicubic(self) -> np.ndarray | None:
        return self.results.get(BICUBIC)

    @property
    def sr(self) -> np.ndarray | None:
        return self.results.get(MAIN)

    @property
    def sr_plus(self) -> np.ndarray | None:
        return self.results.get(plus_name(MAIN))


@dataclasses.dataclass(frozen=True)
class Upload:
    """A file added with :meth:`CropCompare.add_photo` and how it was used (an ``UPLOAD_MODES`` value): what a
    widget of another scale needs to make the same photo at its own scale."""

    name: str
    content: bytes
    mode: str


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


#: Largest LR input (in pixels) the widget upscales, in every upload mode: a 1-megapixel input becomes 16
#: megapixels at x4, 33 s on this project's 2-core CPU (measured). Bigger photos: ``inference.upscale_file`` (tiled,
#: written band by band, no widget).
MAX_INPUT_PIXELS = 1024 * 1024


def _check_input_size(name: str, lr: np.ndarray, what: str) -> None:
    """Refuse an LR input over ``MAX_INPUT_PIXELS``, naming the cap and what to do instead."""
    height, width = lr.shape[:2]
    if height * width > MAX_INPUT_PIXELS:
        raise ValueError(
            f"{name!r}: {what} is {width}x{height} px ({height * width / 1e6:.1f} MP); the widget upscales at most "
            f"{MAX_INPUT_PIXELS / 1e6:.1f} MP (about half a minute at x4). Crop or shrink it first, or upscale the "
            "whole file with eh.inference.upscale_file(path) (tiled, any size)."
        )


def _read_upload_image(name: str, content: bytes) -> np.ndarray:
    if not content:
        raise ValueError(
            f"{name!r} arrived empty. Colab drops uploads over ~1 MB: run widget.add_colab_uploads() in a cell "
            "(Colab's own file picker, no size limit), or upload a smaller file."
        )
    try:
        return load_image(content)
    except ValueError as error:
        raise ValueError(f"{name!r}: {error}") from None


def photo_from_upload(name: str, content: bytes, scale: int, *, as_is: bool = False, lr_from: str = "bicubic") -> Photo:
    """A photo from an uploaded file.

    By default it is treated as the HR original and its LR input is made by bicubic downscaling, so the
    panels can be scored against it; ``lr_from="camera-like"`` makes the LR input with notebook 05's fixed
    camera-like degradation instead (blur, bicubic, noise, JPEG), where realistic weights should win. With
    ``as_is`` the photo itself is the input: what someone who wants *their* photo bigger expects; there is no
    original to compare with, so no PSNR.

    Raises:
        ValueError: empty or unreadable files, images too small to crop or too big to upscale here (with
            what to do).
    """
    image = _read_upload_image(name, content)
    if as_is:
        if min(image.shape[:2]) < 16:
            raise ValueError(f"{name!r} is {image.shape[1]}x{image.shape[0]} px; use a photo at least 16 px wide.")
        _check_input_size(name, image, "the photo")
        return Photo(name=f"{name} (as is)", lr=image, hr=None)
    smallest = 16 * scale
    if min(image.shape[:2]) < smallest:  # its own size: cropped to a multiple of the scale it could read 0x0
        raise ValueError(
            f"{name!r} is {image.shape[1]}x{image.shape[0]} px; as an original at x{scale} it must be at least "
            f"{smallest} px wide and high (its LR input is made {scale} times smaller)."
        )
    hr = crop_to_multiple(image, scale)
    _check_input_size(name, hr[::scale, ::scale], f"its LR input at x{scale}")
    lr = make_lr(hr, scale, lr_from)
    return Photo(name=name if lr_from == "bicubic" else f"{name} ({lr_from} LR)", lr=lr, hr=hr)


def photo_from_pair(name: str, first: bytes, second: bytes, scale: int, *, names=("HR", "LR")) -> Photo:
    """A photo from an HR original and its LR version (either order: the larger one is the original).

    The original may be up to ``scale - 1`` pixels larger than ``scale`` times the LR image on each side (DIV2K
    and most datasets crop it to a multiple); it is cropped to fit.

    Raises:
        ValueError: unreadable files, or sizes that do not match ``scale`` (both sizes and the expected one).
    """
    images = [_read_upload_image(label, content) for label, content in zip(names, (first, second), strict=True)]
    hr, lr = sorted(images, key=lambda image: image.shape[0] * image.shape[1], reverse=True)
    expected = (lr.shape[0] * scale, lr.shape[1] * scale)
    if not all(0 <= have - want < scale for have, want in zip(hr.shape[:2], expected, strict=True)):
        raise ValueError(
            f"the pair's sizes do not match x{scale}: original {hr.shape[1]}x{hr.shape[0]} px, LR "
            f"{lr.shape[1]}x{lr.shape[0]} px, so the original should be {expected[1]}x{expected[0]} px. Choose the "
            "widget's scale that made the LR image, or upload the original alone and let the widget make its LR."
        )
    if min(lr.shape[:2]) < 16:
        raise ValueError(f"the LR image is {lr.shape[1]}x{lr.shape[0]} px; use one at least 16 px wide.")
    _check_input_size(name, lr, "the LR image")
    return Photo(name=f"{name} (pair)", lr=lr, hr=hr[: expected[0], : expected[1]])


class CropCompare:
    """Interactive comparison of LR, bicubic, EDSR, EDSR+ and HR on a crop of a photo, and of any two
    upscalings side by side or in a split view, scored on the crop and on the whole photo.

    Args:
        upscale: function ``lr -> sr`` (uint8 arrays), e.g. ``lambda lr: inference.upscale(model, lr)``.
        photos: the photos to offer, as :class:`Photo` (or ``(name, lr, hr)`` tuples; ``hr`` may be None).
        scale: the upscaling factor of ``upscale``.
        upscale_plus: EDSR+ (self-ensemble) function; the toggle is hidden when None.
        others: more upscalers to compare, by name: ``{name: upscale}`` or ``{name: (upscale, upscale_plus)}``.
            Each is run on a photo only when chosen in the comparison.
        name: what the widget's own model is called on screen (default ``model_name``; e.g. ``"shipped ×4"``).
        model_name: the name of the model folder the models come from (``"EDSR"``): their self-ensembles are
            shown as ``"<model_name>+"`` (``"EDSR+"``), or ``"<name> <model_name>+"`` for a model named otherwise.

    Display it with ``display(widget.box)`` (or just ``widget`` as a cell's last line).
    """

    def __init__(
        self,
        upscale: Callable[[np.ndarray], np.ndarray],
        photos,
        *,
        scale: int,
        upscale_plus: Callable[[np.ndarray], np.ndarray] | None = None,
        others: Mapping[str, Callable | tuple[Callable, Callable | None]] | None = None,
        name: str | None = None,
        model_name: str = MAIN,
    ):
        import ipywidgets as widgets

        self.scale = scale
        name = model_name if name is None else name
        if name == BICUBIC or name.endswith("+"):
            raise ValueError(f"{name!r} is taken by the widget's own panels; call the widget's model otherwise.")
        self.name = name
        self.model_name = model_name
        #: name -> (upscale, upscale_plus or None); the widget's own model first
        self.methods: dict[str, tuple[Callable, Callable | None]] = {MAIN: (upscale, upscale_plus)}
        for name, functions in (others or {}).items():
            if name in (BICUBIC, MAIN, self.name) or name.endswith("+"):
                raise ValueError(f"{name!r} is taken by the widget's own panels; name the model otherwise.")
            self.methods[name] = functions if isinstance(functions, tuple) else (functions, None)
        self.photos: dict[str, Photo] = {}
        #: the files added with add_photo, in order (an HR + LR pair is not among them: it fits one scale only)
        self.uploads: list[Upload] = []
        #: each of those files -> the name of the photo it made here
        self.uploaded: dict[Upload, str] = {}
        for photo in photos:
            photo = photo if isinstance(photo, Photo) else Photo(*photo)
            self.photos[photo.name] = photo
        if not self.photos:
            raise ValueError("CropCompare needs at least one photo.")

        layout = widgets.Layout
        self.chooser = widgets.Dropdown(options=list(self.photos), description="photo")
        self.upload = widgets.FileUpload(  # wide enough for its label (the default width cuts it short)
            accept="image/*", multiple=True, description="upload your own", layout=layout(width="max-content")
        )
        self.upload_as = widgets.Dropdown(options=UPLOAD_MODES, value="bicubic", description="uploads are")
        self.message = widgets.HTML("")
        self.crop = widgets.IntSlider(value=32, min=8, max=96, step=4, description="crop (LR px)")
        self.x = widgets.IntSlider(value=0, min=0, max=1, description="x")
        self.y = widgets.IntSlider(value=0, min=0, max=1, description="y")
        self.plus = widgets.Checkbox(value=False, description=f"{model_name}+ (8x slower, first time)")
        self.split = widgets.IntSlider(value=50, min=0, max=100, description="split %")
        choices = [(self.label(method), method) for method in (BICUBIC, *self.methods)]
        self.left = widgets.Dropdown(options=choices, value=BICUBIC, description="compare")
        self.right = widgets.Dropdown(options=choices, value=MAIN, description="with")
        self.view = widgets.Dropdown(options=["split", "side by side"], value="split", description="view")
        self.zoom = widgets.IntSlider(value=PANEL_PX, min=120, max=480, step=40, description="panel px")
        self.thumbnail = widgets.Image(format="png", layout=layout(width=f"{THUMBNAIL_PX}px"))
        names = ["LR (input)", BICUBIC, MAIN, plus_name(MAIN), "HR (original)"]
        self.panels = {name: widgets.Image(format="png", layout=layout(width=f"{PANEL_PX}px")) for name in names}
        self.captions = {name: widgets.HTML("") for name in names}
        self.cells = {
            name: widgets.VBox([widgets.HTML(f"<b>{self.label(name)}</b>"), self.panels[name], self.captions[name]])
            for name in names
        }
        self.split_view = widgets.Image(format="png", layout=layout(width=f"{2 * PANEL_PX}px"))
        self.sides = {side: widgets.Image(format="png", layout=layout(width=f"{PANEL_PX}px")) for side in "LR"}
        self.side_captions = {side: widgets.HTML("") for side in "LR"}
        self.compare_caption = widgets.HTML("")
        self.side_by_side = widgets.HBox([widgets.VBox([self.sides[side], self.side_captions[side]]) for side in "LR"])
        controls = widgets.VBox(
            [self.chooser, self.upload, self.upload_as, self.crop, self.x, self.y, self.zoom, self.plus, self.message]
        )
        if upscale_plus is None:
            self.plus.layout.display = "none"
        self.box = widgets.VBox(
            [
                widgets.HBox([self.thumbnail, controls]),
                widgets.HBox(list(self.cells.values())),
                widgets.HBox([self.left, self.right, self.view]),
                widgets.HBox([self.split_view, self.split]),
                self.side_by_side,
                self.compare_caption,
            ]
        )
        self.click_events = self._connect_clicks()
        self._holding = False  # True while several controls change at once: refresh once, afterwards
        self._listing = False  # True while the photo menu is rebuilt: its passing values select nothing

        self.chooser.observe(lambda change: None if self._listing else self.select(change["new"]), names="value")
        for control in (self.x, self.y, self.split, self.zoom, self.left, self.right, self.view):
            control.observe(lambda change: self.refresh(), names="value")
        self.crop.observe(lambda change: self._crop_resized(), names="value")
        self.plus.observe(lambda change: self.refresh(), names="value")
        self.upload.observe(lambda change: self.add_uploads(change["new"]), names="value")
        self.select(self.chooser.value)

    # ---------------------------------------------------------------------------------------- state

    @property
    def photo(self) -> Photo:
        return self.photos[self.chooser.value]

    @property
    def upscale(self) -> Callable[[np.ndarray], np.ndarray]:
        """The widget's own model (``EDSR``); assignable, e.g. to wrap it."""
        return self.methods[MAIN][0]

    @upscale.setter
    def upscale(self, function: Callable[[np.ndarray], np.ndarray]) -> None:
        self.methods[MAIN] = (function, self.methods[MAIN][1])

    @property
    def upscale_plus(self) -> Callable[[np.ndarray], np.ndarray] | None:
        return self.methods[MAIN][1]

    def label(self, shown: str) -> str:
        """What the screen calls ``shown`` (a method, its self-ensemble's key or a panel): the widget's model by
        ``name``, a self-ensemble by the model folder's name (``EDSR+``, ``other EDSR+``)."""
        if shown == MAIN:
            return self.name
        for method in self.methods:
            if shown == plus_name(method):
                named = self.name if method == MAIN else method
                return f"{named}+" if named == self.model_name else f"{named} {self.model_name}+"
        return shown

    def shown_as(self, method: str) -> str:
        """What a comparison choice shows: the model's EDSR+ when the toggle is on and it has one."""
        if method != BICUBIC and self.plus.value and self.methods[method][1] is not None:
            return plus_name(method)
        return method

    def result(self, photo: Photo, shown: str) -> np.ndarray:
        """The whole photo upscaled by ``shown`` (a method or its EDSR+ name), computed once per photo."""
        if shown not in photo.results:
            if shown == BICUBIC:
                photo.results[shown] = upscale_bicubic(photo.lr, self.scale)
            else:
                plus = shown not in self.methods
                method = next(name for name in self.methods if shown in (name, plus_name(name)))
                photo.results[shown] = self.methods[method][1 if plus else 0](photo.lr)
        return photo.results[shown]

    def whole_scores(self, photo: Photo, shown: str) -> tuple[float, float] | None:
        """(PSNR, SSIM) on Y of the whole upscaled photo against its original, a border of ``scale`` pixels
        left out as papers do; None without an original."""
        if photo.hr is None:
            return None
        if shown not in photo.whole_scores:
            image = self.result(photo, shown)
            photo.whole_scores[shown] = score(photo.hr, image, shave=self.scale, with_ssim=True)
        return photo.whole_scores[shown]

    def _ensure(self, photo: Photo, plus: bool) -> None:
        """Super-resolve a photo once (EDSR+ only when asked), then keep the result."""
        self.result(photo, BICUBIC)
        self.result(photo, MAIN)
        if plus and self.upscale_plus is not None:
            self.result(photo, plus_name(MAIN))

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

    def _failed(self, error: Exception) -> bool:
        self.message.value = f"<span style='color:#b00'>Could not use this upload: {error}</span>"
        return False

    def add_photo(self, name: str, content: bytes, *, mode: str | None = None, select: bool = True) -> bool:
        """Add an uploaded photo as ``mode`` says (default: the ``upload_as`` menu's choice) and select it unless
        ``select`` is False; a bad file shows a message instead of a traceback (the photos already there stay)."""
        mode = mode or self.upload_as.value
        if mode == "pair":
            return self._failed(ValueError(f"{name!r} alone: an HR + LR pair needs both files, chosen together."))
        try:
            photo = photo_from_upload(
                name,
                content,
                self.scale,
                as_is=mode == "as-is",
                lr_from="camera-like" if mode == "camera-like" else "bicubic",
            )
        except (ValueError, FileNotFoundError) as error:
            return self._failed(error)
        upload = Upload(name, content, mode)
        if upload in self.uploaded:  # the same file again, used the same way: show the photo it made
            shown = self.uploaded[upload]
            if select:
                self._list_photos(shown)
                self.select(shown)
            self.message.value = f"{shown} is already here (the same file, used the same way); it is shown."
            return True
        photo = self._kept_apart(photo, name)
        self.uploads.append(upload)
        self.uploaded[upload] = photo.name
        return self._add(photo, select=select)

    def _kept_apart(self, photo: Photo, name: str) -> Photo:
        """``photo`` renamed ``<stem> (2)<suffix>...`` when a photo of that name is already here: two files of one
        name (from two folders, or edited in between) are both kept, and their saved results get distinct names."""
        if photo.name not in self.photos:
            return photo
        stem, suffix = Path(name).stem, Path(name).suffix
        number = 2
        while (renamed := photo.name.replace(name, f"{stem} ({number}){suffix}", 1)) in self.photos:
            number += 1
        return dataclasses.replace(photo, name=renamed)

    def add_pair(self, name: str, first: bytes, second: bytes, names=("HR", "LR")) -> bool:
        """Add an HR original and its LR version (either order) and select them; bad files or sizes that do not
        match the scale show a message instead of a traceback."""
        try:
            photo = photo_from_pair(name, first, second, self.scale, names=names)
        except ValueError as error:
            return self._failed(error)
        return self._add(self._kept_apart(photo, name))

    def _add(self, photo: Photo, *, select: bool = True) -> bool:
        self.photos[photo.name] = photo
        if not select:
            self._list_photos(self.chooser.value)
            return True
        height, width = photo.lr.shape[:2]
        if photo.hr is None:  # the whole photo is upscaled on selection: say so while it works
            self.message.value = f"Upscaling {photo.name}, {width}×{height} px ×{self.scale} (a megapixel takes ~30 s)…"
        self._list_photos(photo.name)
        self.select(photo.name)
        if photo.hr is None:
            self.message.value = (
                f"Added {photo.name}: {width}×{height} px upscaled to {width * self.scale}×{height * self.scale}. "
                "widget.save() writes the whole result as PNG."
            )
        else:
            self.message.value = f"Added {photo.name} ({photo.hr.shape[1]}×{photo.hr.shape[0]} px, used as HR)."
        return True

    def _list_photos(self, shown: str) -> None:
        """Offer every photo in the menu, ``shown`` chosen. Why the guard: a dropdown whose options change jumps
        to the first one, which would upscale that photo for nothing."""
        self._listing = True
        try:
            self.chooser.options = list(self.photos)
            self.chooser.value = shown
        finally:
            self._listing = False

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
        """Add what the upload button received: each file as ``upload_as`` says (two files in pair mode); an
        unreadable file among several is reported and the others are added."""
        files = read_upload(value)
        if not files:
            return
        if self.upload_as.value == "pair":
            if len(files) != 2:
                self._failed(ValueError(f"an HR + LR pair is two files; {len(files)} arrived. Choose both at once."))
                return
            (first_name, first), (second_name, second) = files
            self.add_pair(Path(first_name).stem, first, second, names=(first_name, second_name))
            return
        messages = []
        for name, content in files:
            self.add_photo(name, content)
            messages.append(self.message.value)
        self.message.value = "<br>".join(messages)

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

    def _crop_box(self) -> tuple[int, int, int, tuple[slice, slice]]:
        """The crop's LR corner and size, clamped inside the photo, and the matching region of an upscaled image."""
        photo, s, size = self.photo, self.scale, self.crop.value
        x = min(self.x.value, max(0, photo.lr.shape[1] - size))
        y = min(self.y.value, max(0, photo.lr.shape[0] - size))
        return x, y, size, (slice(y * s, (y + size) * s), slice(x * s, (x + size) * s))

    def crops(self) -> dict[str, np.ndarray]:
        """The current crop of every image, keyed by panel name (HR-sized except the LR one)."""
        photo = self.photo
        x, y, size, region = self._crop_box()
        result = {
            "LR (input)": photo.lr[y : y + size, x : x + size],
            "bicubic": photo.bicubic[region],
            MAIN: photo.sr[region],
        }
        if self.plus.value and photo.sr_plus is not None:
            result[plus_name(MAIN)] = photo.sr_plus[region]
        if photo.hr is not None:
            result["HR (original)"] = photo.hr[region]
        return result

    def compared(self) -> dict[str, np.ndarray]:
        """The current crop of the two upscalings chosen for the comparison, keyed by what they show."""
        region = self._crop_box()[3]
        shown = [self.shown_as(self.left.value), self.shown_as(self.right.value)]
        return {name: self.result(self.photo, name)[region] for name in shown}

    def _scores_text(self, shown: str, crop: np.ndarray, hr_crop: np.ndarray | None) -> str:
        """PSNR and SSIM (Y) against the original on the crop and on the whole photo, or the crop's size."""
        if hr_crop is None:
            return f"{crop.shape[1]}×{crop.shape[0]} px (no original to score against)"
        whole = self.whole_scores(self.photo, shown)
        crop_scores = score(hr_crop, crop, with_ssim=True)
        return (
            f"crop: PSNR {crop_scores[0]:.2f} dB · SSIM {crop_scores[1]:.3f}<br>"
            f"whole: PSNR {whole[0]:.2f} dB · SSIM {whole[1]:.3f}"
        )

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
            if name in (BICUBIC, MAIN, plus_name(MAIN)) and hr is not None:
                self.captions[name].value = self._scores_text(name, crops[name], hr)
            else:
                self.captions[name].value = f"{crops[name].shape[1]}×{crops[name].shape[0]} px"
        self.thumbnail.value = png_bytes(self._thumbnail())
        self._draw_comparison(hr)

    def _draw_comparison(self, hr_crop: np.ndarray | None) -> None:
        """The two chosen upscalings: a split view (left of the line, right of it) or two panels, with numbers."""
        (left_name, left), (right_name, right) = (list(self.compared().items()) * 2)[:2]
        split = self.view.value == "split"
        self.split_view.layout.display = self.split.layout.display = None if split else "none"
        self.side_by_side.layout.display = "none" if split else None
        texts = [self._scores_text(name, crop, hr_crop) for name, crop in ((left_name, left), (right_name, right))]
        if split:
            self.split_view.value = png_bytes(self._split(left, right))
            self.split_view.layout.width = f"{2 * self.zoom.value}px"
            self.compare_caption.value = (
                f"<b>{self.label(left_name)}</b> left of the line: {texts[0]}<br>"
                f"<b>{self.label(right_name)}</b> right of it: {texts[1]}"
            )
        else:
            for side, name, crop, text in (("L", left_name, left, texts[0]), ("R", right_name, right, texts[1])):
                self.sides[side].value = png_bytes(zoom_nearest(crop, self.zoom.value))
                self.sides[side].layout.width = f"{self.zoom.value}px"
                self.side_captions[side].value = f"<b>{self.label(name)}</b><br>{text}"
            self.compare_caption.value = ""

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


class ScaleChoice:
    """One crop-and-compare widget per scale, a dropdown away: switching keeps the photo and the region of the
    original in view, so ×2, ×3 and ×4 can be compared on the same detail. Uploads follow: each scale makes its
    own LR input from the same file (an HR + LR pair stays at the scale that made it).

    Args:
        make: builds the widget of a scale (called once per scale, when it is first chosen).
        scales: the scales to offer.
        scale: the one shown first.
    """

    def __init__(self, make: Callable[[int], CropCompare], scales, scale: int):
        import ipywidgets as widgets

        self.scales = tuple(scales)
        if scale not in self.scales:
            raise ValueError(f"x{scale} is not offered here; choose one of {', '.join(f'x{s}' for s in self.scales)}.")
        self.make = make
        #: scale -> its widget, built when first chosen and kept afterwards
        self.widgets: dict[int, CropCompare] = {}
        self.chooser = widgets.Dropdown(options=[(f"×{s}", s) for s in self.scales], value=scale, description="scale")
        self.message = widgets.HTML("")
        self.holder = widgets.VBox([])
        self.box = widgets.VBox([widgets.HBox([self.chooser, self.message]), self.holder])
        self.chooser.observe(lambda change: self.show(change["new"], change["old"]), names="value")
        self.show(scale)

    @property
    def current(self) -> CropCompare:
        """The widget of the scale chosen now."""
        return self.widgets[self.chooser.value]

    def show(self, scale: int, previous: int | None = None) -> None:
        """Show the widget of ``scale``; coming from ``previous``, on the same photo and region of the original."""
        if scale not in self.widgets:
            self.widgets[scale] = self.make(scale)
        widget = self.widgets[scale]
        if previous is not None and previous != scale:
            _follow(widget, self.widgets[previous])
        self.holder.children = [widget.box]
        self.message.value = f"LR inputs are the originals shrunk ×{scale}; your uploads follow to every scale."

    def _ipython_display_(self):
        from IPython.display import display

        display(self.box)


def _follow(widget: CropCompare, other: CropCompare) -> None:
    """Give ``widget`` the files uploaded to ``other``, then put it on ``other``'s photo (when it has it) and on
    the same region of the original."""
    _carry_uploads(widget, other)
    ratio = other.scale / widget.scale
    if other.chooser.value in widget.photos:
        widget.chooser.value = other.chooser.value  # selects it (nothing happens when it is already shown)
    widget._holding = True
    try:
        size = int(np.clip(round(other.crop.value * ratio / 4) * 4, widget.crop.min, widget.crop.max))
        widget.crop.value = size
        widget._fit_position_sliders()
        widget.x.value = int(np.clip(round(other.x.value * ratio), 0, widget.x.max))
        widget.y.value = int(np.clip(round(other.y.value * ratio), 0, widget.y.max))
    finally:
        widget._holding = False
    widget.refresh()


def _carry_uploads(widget: CropCompare, other: CropCompare) -> None:
    """Add to ``widget`` the files added to ``other`` that it lacks, each made at ``widget``'s scale as it was
    there; one that does not fit this scale (too small) is named in ``widget``'s message."""
    added, failed = [], []
    for upload in other.uploads:
        if upload in widget.uploads:
            continue
        if widget.add_photo(upload.name, upload.content, mode=upload.mode, select=False):
            added.append(upload.name)
        else:
            failed.append(widget.message.value)
    lines = [f"Your uploads, made at ×{widget.scale}: {', '.join(added)}."] if added else []
    if added or failed:
        widget.message.value = "<br>".join(lines + failed)


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
    if active_profile().recipe.dataset != "sample" and backend.tensorflow_available():
        try:
            prepared = data.div2k_is_prepared(scale, data_dir)
        except Exception as error:  # noqa: BLE001 - a broken tfds install must not take the widget down
            warnings.warn(f"Could not look for DIV2K ({error}); showing the offline photos only.", stacklevel=2)
            prepared = False
        if prepared:
            pairs = data.first_pairs(data.load_div2k(scale, "validation", data_dir=data_dir), div2k_images)
            photos += [Photo(f"DIV2K validation #{index + 1}", lr, hr) for index, (lr, hr) in enumerate(pairs)]
    return photos


def crop_compare(
    model,
    *,
    photos: list[Photo] | None = None,
    tile="auto",
    others: Mapping | None = None,
    name: str | None = None,
) -> CropCompare:
    """A :class:`CropCompare` for a model of any model folder, with its self-ensemble available, on
    :func:`default_photos`.

    ``others``: more models to compare with it, by name (``{"fine-tuned": my_model}``);
    each must upscale by the same factor. ``name``: what ``model`` is called on screen (default: its model
    folder's name, ``"EDSR"``).

    Raises:
        ValueError: if another model's scale differs from ``model``'s.
    """
    from edsr_helpers import inference, models
    from edsr_helpers.model import model_scale

    scale = model_scale(model)

    def upscalers(net):
        return (
            lambda lr: inference.upscale(net, lr, tile=tile),
            lambda lr: inference.upscale(net, lr, tile=tile, self_ensemble=True),
        )

    for other_name, other in (others or {}).items():
        if model_scale(other) != scale:
            raise ValueError(
                f"{other_name!r} upscales x{model_scale(other)} and the widget's model x{scale}: compare "
                "models of one scale."
            )
    upscale, upscale_plus = upscalers(model)
    return CropCompare(
        upscale,
        photos if photos is not None else default_photos(scale),
        scale=scale,
        upscale_plus=upscale_plus,
        others={other_name: upscalers(other) for other_name, other in (others or {}).items()},
        name=name,
        model_name=models.model_name(model),
    )


def shipped_compare(scale: int = 4, *, photos: Callable[[int], list[Photo]] | None = None) -> ScaleChoice:
    """The shipped weights at every scale they ship for, chosen from a dropdown (see :class:`ScaleChoice`).

    Each scale's widget compares its bicubic-trained weights with bicubic, and with the realistic weights where
    those ship too. ``photos``: the photos of a scale (default: :func:`default_photos`).
    """
    from edsr_helpers import pretrained

    def make(chosen: int) -> CropCompare:
        others = {}
        if "realistic" in pretrained.shipped_degradations(chosen):
            others[f"realistic ×{chosen}"] = pretrained.load_pretrained(chosen, "realistic")
        return crop_compare(
            pretrained.load_pretrained(chosen),
            photos=photos(chosen) if photos is not None else None,
            others=others,
            name=f"shipped ×{chosen}",
        )

    return ScaleChoice(make, sorted(pretrained.WEIGHT_FILES), scale)
