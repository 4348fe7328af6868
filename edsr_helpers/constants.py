"""Constants shared by every stage of the series: one source of truth.

Anything a notebook, a test or a benchmark needs to agree on (scales, patch sizes, the DIV2K mean, the
project URL) lives here, so that changing it once changes it everywhere.
"""

from __future__ import annotations

#: Repository that Colab installs the package from. A course that forks the series changes this line and
#: runs ``make notebooks`` (which rewrites the Colab badges and setup cells); a test keeps them in sync.
REPO_URL = "https://github.com/edsr-course/edsr-notebooks"
#: Google Drive folder (inside the mounted Drive) where every notebook keeps runs and tfds data on Colab,
#: where each notebook gets its own VM and would otherwise lose them.
COLAB_DRIVE_FOLDER = "MyDrive/edsr-course"
#: Branch the Colab badges and the setup cell point at.
REPO_BRANCH = "main"

#: Upscaling factors the EDSR paper trains (x8 exists in DIV2K but not in the paper's EDSR tables).
SCALES: tuple[int, ...] = (2, 3, 4)
#: The factor the series uses unless told otherwise.
DEFAULT_SCALE = 4

#: LR patch side the paper trains on (48x48 LR -> 192x192 HR at x4).
PAPER_LR_PATCH_SIZE = 48

#: Mean RGB of the DIV2K training set on a 0-255 scale, as used by the official EDSR code
#: (``rgb_mean = (0.4488, 0.4371, 0.4040)`` times 255). The model subtracts it at the input and adds it back
#: at the output, so the convolutions see zero-centred data.
DIV2K_RGB_MEAN: tuple[float, float, float] = (0.4488 * 255, 0.4371 * 255, 0.4040 * 255)

#: Host the tfds ``div2k`` builder downloads from; probed before a download so that an offline machine gets a
#: clear error in seconds instead of tfds's ~205 s of retries.
DIV2K_HOST = "data.vision.ee.ethz.ch"
#: Seconds to wait for that host before giving up.
DIV2K_CONNECT_TIMEOUT_S = 10.0
#: Download size in GB of what tfds fetches for ``div2k/bicubic_x{scale}`` (the train and validation HR zips,
#: 3.53 + 0.45 GB, plus that scale's LR zips), from the official zips' sizes. Printed before any download.
DIV2K_DOWNLOAD_GB = {2: 5.0, 3: 4.5, 4: 4.3}
#: Environment variable naming tensorflow-datasets' data folder (Colab points it at the Drive folder). tfds reads
#: it once, at import, so the series re-reads it at every call (``data.tfds_data_dir``).
TFDS_DATA_DIR_ENV_VAR = "TFDS_DATA_DIR"

#: How the LR input of an original is made where the series scores upscalings against it (the widget's uploads,
#: ``edsr-upscale --evaluate``): the series' bicubic downscaling, or notebook 05's fixed camera-like degradation
#: (blur, bicubic, noise, JPEG), on which realistic weights should win.
LR_FROM: tuple[str, ...] = ("bicubic", "camera-like")

#: Seed used wherever the series needs a fixed random order (augmentation streams, shuffles).
DEFAULT_SEED = 42
