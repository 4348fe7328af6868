"""The offline photo set: real photographs that pip packages ship inside their wheels.

DIV2K is 800 2K photos behind a download; these ~15 photos need no network, so every notebook runs on a
train or a laptop, and the test suite sees real image statistics (edges, textures, faces), not noise.

Sources: scikit-image's bundled test photos, the classic test images shipped by ``sporco`` (read as files;
sporco's code is never imported) and the portrait of Grace Hopper shipped with matplotlib.
The split is by image and fixed: training photos teach, validation photos choose the checkpoint, and test
photos, seen by nothing before, report the result: no run of the series trains on a validation or test photo,
and no test photo chooses anything (the model card lists what each shipped weight file trained on).
scikit-image's three grey photographs (camera, coins, moon) sit in no split: PSNR on Y measures brightness,
all a grey photo has, so they would only flatter a mean.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from edsr_helpers.images import load_image

#: Validation photos: two classic Set14 test images (sporco's copies) and scikit-image's coffee cup.
VALIDATION_PHOTOS: tuple[str, ...] = ("barbara", "monarch", "coffee")
#: Test photos: six colour photographs of different content (a portrait, fur, a rocket against the sky, boats'
#: sails, flowers, parrots), never used to train or choose a model.
TEST_PHOTOS: tuple[str, ...] = ("astronaut", "chelsea", "rocket", "sail", "tulips", "kodim23")
#: Training photos: every other colour photo of the set.
TRAIN_PHOTOS: tuple[str, ...] = (
    "motorcycle_left",
    "motorcycle_right",
    "hubble_deep_field",
    "immunohistochemistry",
    "retina",
    "grace_hopper",
)
#: Grey photographs: in no split (a grey photo only scores brightness); still loadable by name.
GREY_PHOTOS: tuple[str, ...] = ("camera", "coins", "moon")


def _package_dir(package: str) -> Path:
    """Folder of an installed package, found without importing (and so without running) it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"The photo set needs the '{package}' package; install the series' requirements "
            "(pip install -r requirements.txt) or pip install edsr-helpers."
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _skimage(name: str) -> Callable[[], np.ndarray]:
    def read() -> np.ndarray:
        from skimage import data

        return getattr(data, name)()

    return read


def _motorcycle(view: int) -> Callable[[], np.ndarray]:
    def read() -> np.ndarray:
        from skimage import data

        return data.stereo_motorcycle()[view]

    return read


def _file(package: str, relative: str) -> Callable[[], np.ndarray]:
    return lambda: load_image(_package_dir(package) / relative)


_READERS: dict[str, Callable[[], np.ndarray]] = {
    "astronaut": _skimage("astronaut"),
    "camera": _skimage("camera"),
    "coins": _skimage("coins"),
    "moon": _skimage("moon"),
    "chelsea": _skimage("chelsea"),
    "coffee": _skimage("coffee"),
    "rocket": _skimage("rocket"),
    "motorcycle_left": _motorcycle(0),
    "motorcycle_right": _motorcycle(1),
    "hubble_deep_field": _skimage("hubble_deep_field"),
    "immunohistochemistry": _skimage("immunohistochemistry"),
    "retina": _skimage("retina"),
    "barbara": _file("sporco", "data/barbara.png"),
    "monarch": _file("sporco", "data/monarch.png"),
    "sail": _file("sporco", "data/sail.png"),
    "tulips": _file("sporco", "data/tulips.png"),
    "kodim23": _file("sporco", "data/kodim23.png"),
    "grace_hopper": _file("matplotlib", "mpl-data/sample_data/grace_hopper.jpg"),
}


def photo_names(split: str) -> tuple[str, ...]:
    """Names of the photos in ``split`` (``"train"``, ``"validation"`` or ``"test"``), in a fixed order."""
    photos = {"train": TRAIN_PHOTOS, "validation": VALIDATION_PHOTOS, "test": TEST_PHOTOS}
    if split not in photos:
        raise ValueError(f"split must be 'train', 'validation' or 'test', not {split!r}.")
    return photos[split]


@functools.cache
def load_photo(name: str) -> np.ndarray:
    """One photo of the set as a uint8 RGB array (cached: the whole set is ~15 MB)."""
    try:
        reader = _READERS[name]
    except KeyError:
        raise ValueError(f"No sample photo named {name!r}; choose from {sorted(_READERS)}.") from None
    photo = load_image(reader())
    photo.setflags(write=False)  # shared by the cache: nobody may change it in place
    return photo


#: Photographs (2560x1600 JPEG) of Debian's plasma-workspace-wallpapers package (LGPL-3): optional extra data
#: for longer offline training and DIV2K-sized benchmarks. Not a pip package: ``apt-get install
#: plasma-workspace-wallpapers``; never committed.
WALLPAPERS: tuple[str, ...] = (
    "BytheWater",
    "ColdRipple",
    "ColorfulCups",
    "DarkestHour",
    "EveningGlow",
    "FallenLeaf",
    "Grey",
    "Kite",
    "OneStandsOut",
    "Path",
    "summer_1am",
)
#: Root under which the Debian packages' photographs are looked for: ``/`` where they are installed, or a folder
#: holding the same ``usr/share/...`` layout (``EDSR_PHOTO_ROOT``; ``weights_factory/pack_photographs.py`` makes
#: one to carry to a GPU machine that cannot install packages).
PHOTO_ROOT = Path(os.environ.get("EDSR_PHOTO_ROOT", "/"))
WALLPAPER_DIR = PHOTO_ROOT / "usr" / "share" / "wallpapers"


def wallpaper_paths() -> list[Path]:
    """Paths of the wallpaper photographs that are installed (an empty list without the package)."""
    paths = [WALLPAPER_DIR / name / "contents" / "images" / "2560x1600.jpg" for name in WALLPAPERS]
    return [path for path in paths if path.exists()]


#: The photographs of Debian's ``lomiri-wallpapers-16.04`` and ``lomiri-wallpapers-20.04`` packages, as
#: ``(file, author, licence)`` from their ``copyright`` files. Each was checked by eye to be a photograph; the
#: packages' drawings, gradients and patterns (Fossa, Infinite-Sea, Painting-Colors, analogpattern, umang and the
#: default backgrounds) are left out. Optional training data: ``apt-get install lomiri-wallpapers-16.04
#: lomiri-wallpapers-20.04``; never committed.
LOMIRI_PHOTOGRAPHS: tuple[tuple[str, str, str], ...] = (
    ("Bridge_by_Sander_Klootwijk.jpg", "Sander Klootwijk", "CC-BY-SA-4.0"),
    ("Dragonfly_by_Bolly.jpg", '"Bolly"', "CC-BY-SA-4.0"),
    ("Kleiber_by_Lukas_Baubkus.jpg", "Lukas Baubkus", "CC-BY-SA-3.0"),
    ("Picture_0B_by_freespace.jpg", 'Trevor "Freespace"', "CC-BY-4.0"),
    ("Picture_1A_by_freespace.jpg", 'Trevor "Freespace"', "CC-BY-4.0"),
    ("Wine_by_Jakkub_Mede.jpg", "Jakub Mede", "CC-BY-4.0"),
    ("aitzgorri_by_Aitzol_Berasategi.jpg", "Aitzol Berasategi", "CC-BY-4.0"),
    ("free_by_Peter_Nerlich.jpg", "Peter Nerlich", "CC-BY-SA-4.0"),
    ("friends_by_Aitzol_Berasategi.jpg", "Aitzol Berasategi", "CC-BY-4.0"),
    ("greentock_by_Peter_Nerlich.jpg", "Peter Nerlich", "CC-BY-SA-4.0"),
    ("life_by_Aitzol_Berasategi.jpg", "Aitzol Berasategi", "CC-BY-4.0"),
    ("picosdeeuropa_by_Aitzol_Berasategi.jpg", "Aitzol Berasategi", "CC-BY-4.0"),
    ("seeding_by_Clements_Engelhardt.jpg", "Clemens Engelhardt", "CC0-1.0"),
    ("sunset_by_Aitzol_Berasategi.jpg", "Aitzol Berasategi", "CC-BY-4.0"),
)
LOMIRI_DIR = PHOTO_ROOT / "usr" / "share" / "backgrounds"
#: Long side, in pixels, that extra training photographs are shrunk to: enough downscaling that their JPEG
#: artefacts vanish from the HR targets, while keeping DIV2K-like sizes.
EXTRA_PHOTO_LONG_SIDE = 1800


def lomiri_paths() -> list[Path]:
    """Paths of the lomiri photographs that are installed (an empty list without the packages)."""
    paths = [LOMIRI_DIR / name for name, _, _ in LOMIRI_PHOTOGRAPHS]
    return [path for path in paths if path.exists()]


def shrink_to_long_side(photo: np.ndarray, long_side: int = EXTRA_PHOTO_LONG_SIDE) -> np.ndarray:
    """``photo`` resized (antialiased bicubic) so its longer side is ``long_side``; smaller photos unchanged."""
    from edsr_helpers.images import resize_bicubic

    height, width = photo.shape[:2]
    factor = long_side / max(height, width)
    if factor >= 1:
        return photo
    return resize_bicubic(photo, (round(height * factor), round(width * factor)))


class PhotographsMissingError(FileNotFoundError):
    """A recipe's Debian photographs are not installed here (they are apt packages, never pip's)."""


def _all_or_advice(found: list[Path], wanted: int, packages: str) -> list[Path]:
    if len(found) < wanted:
        raise PhotographsMissingError(
            f"found {len(found)} of the {wanted} photographs this dataset needs: apt-get install {packages} "
            f"(or set EDSR_PHOTO_ROOT to a folder made by weights_factory/pack_photographs.py; looked under "
            f"{PHOTO_ROOT})."
        )
    return found


def photographs() -> list[np.ndarray]:
    """The ``photographs`` dataset's extra training photos: plasma's and lomiri's photographs, each shrunk to a
    long side of :data:`EXTRA_PHOTO_LONG_SIDE` (the shipped v2 weights' data).

    Raises:
        PhotographsMissingError: unless every one of them is installed (a run on part of them would not be the
            recipe's).
    """
    wanted = len(WALLPAPERS) + len(LOMIRI_PHOTOGRAPHS)
    packages = "plasma-workspace-wallpapers lomiri-wallpapers-16.04 lomiri-wallpapers-20.04"
    paths = _all_or_advice(wallpaper_paths() + lomiri_paths(), wanted, packages)
    return [shrink_to_long_side(load_image(path)) for path in paths]


def halved_wallpapers() -> list[np.ndarray]:
    """The ``wallpapers`` dataset's extra training photos: plasma's photographs downscaled by 2 (1280x800), so
    their JPEG artefacts vanish from the HR targets (the first shipped weights' data).

    Raises:
        PhotographsMissingError: unless every one of them is installed.
    """
    from edsr_helpers.images import resize_bicubic

    paths = _all_or_advice(wallpaper_paths(), len(WALLPAPERS), "plasma-workspace-wallpapers")
    photos = [load_image(path) for path in paths]
    return [resize_bicubic(photo, (photo.shape[0] // 2, photo.shape[1] // 2)) for photo in photos]
