"""Cells of notebooks/04_inference_widgets.ipynb (built by tools/build_notebooks.py)."""

TITLE = "04 · Inference: whole photos, EDSR+ and the crop-and-compare widget"

INTRO = """
A trained EDSR, put to work. In this notebook you will:

1. load the model notebook 03 trained, or else the pretrained weights that ship with the package;
2. upscale a whole photo of any size in bounded memory, by tiles that leave no seams;
3. squeeze out a little more quality with EDSR+, the geometric self-ensemble;
4. explore any region of any photo, including your own, with an interactive widget.
"""

CELLS = [
    ("code", "import numpy as np\n\nimport edsr_helpers as eh\n\nprofile = eh.setup()"),
    (
        "md",
        """
## The model

Notebook 03 saves its model as `runs/<profile>/edsr.keras`. When there is none (or it was a seconds-long `ci`
run), the EDSR-baseline ×4 weights shipped inside the package are used: trained for this series on a 2-core
CPU with offline photos only (see `edsr_helpers/weights/MODEL_CARD.md`). The cell says which one it loaded.
""",
    ),
    (
        "code",
        """
model, source = eh.inference.load_model_for(profile)
print(source)
""",
    ),
    (
        "md",
        """
## A whole photo, in tiles

A network that works on any input size can upscale a whole photo in one pass, but the activations of a 2K
output take gigabytes (the keras-io example peaks at 4.7 GB for one 2040×1356 image). `upscale` cuts the
input into tiles, adds a margin of context around each (the overlap), and keeps only each tile's centre.
Memory is bounded by the tile, and because every output pixel still sees its full neighbourhood, the seams
are invisible. Here is the full monarch photo:
""",
    ),
    (
        "code",
        """
lr, hr = eh.data.make_pair(eh.samples.load_photo("monarch"), scale=4)
whole = eh.inference.upscale(model, lr, tile=None)
tiled = eh.inference.upscale(model, lr, tile=64, overlap=eh.inference.DEFAULT_OVERLAP)
difference = np.abs(whole.astype(int) - tiled.astype(int))
print(f"{eh.plotting.size_label(lr)} -> {eh.plotting.size_label(whole)}; tiles of 64 LR px with "
      f"{eh.inference.DEFAULT_OVERLAP} px overlap differ from one pass by at most {difference.max()} grey level(s)")
""",
    ),
    (
        "code",
        """
bicubic = eh.images.upscale_bicubic(lr, 4)
eh.plotting.show_comparison(lr, hr, {"bicubic": bicubic, "EDSR": tiled}, crop=(160, 360, 160))
""",
    ),
    (
        "md",
        """
## EDSR+: the self-ensemble

A photo turned or mirrored is still a photo, but the network's answer for it is slightly different. EDSR+
runs the model on all 8 rotations/flips of the input, turns each output back, and averages them: 8× the
time, no training, usually a small but free gain. On the validation photos:
""",
    ),
    (
        "code",
        """
val_pairs = eh.data.load_sample(4, "validation")
rows = eh.inference.self_ensemble_gain(model, val_pairs, eh.samples.photo_names("validation"))
eh.plotting.show_table(["photo", "bicubic", "EDSR", "EDSR+", "EDSR+ gain"], rows)
""",
        ["nbval-ignore-output"],
    ),
    (
        "md",
        """
## The crop-and-compare widget

Choose a photo (the validation photos, DIV2K's when it is on disk, or **upload your own**: it is treated as
the original and shrunk ×4 to make the input, so the panels can be scored; tick *upscale uploads as they are*
to enlarge your photo itself, and `widget.save()` writes the whole result as PNG), move the crop with the
sliders, or click on the thumbnail where the front end supports it (JupyterLab with `ipyevents`). Each panel
shows the same region; under each upscaling, PSNR and SSIM against the original on that crop. Tick EDSR+ to
add the self-ensemble (computed once per photo), and drag the split slider to wipe between bicubic and EDSR.

The widget works with ipywidgets 7 (Colab) and 8 (JupyterLab 4). It needs a live kernel: on a static page
(GitHub, nbviewer) you will see nothing below. **On Colab, use the sliders**: clicking the thumbnail needs
`ipyevents`, which Colab's own widget manager does not load. Colab also drops uploads larger than about 1 MB
(most phone photos); for those, run `widget.add_colab_uploads()` in a cell: it opens Colab's own file picker,
which has no such limit, and adds what you choose.
""",
    ),
    (
        "code",
        """
widget = eh.widgets.crop_compare(model)
widget
""",
        ["nbval-ignore-output", "live-widget"],
    ),
    (
        "md",
        """
## Where to go next

- **Your own photos, upscaled to files**: `eh.inference.upscale_file("photo.jpg", scale=4)` writes
  `photo_edsr_x4.png` next to it (tiled, so any size fits; existing files are never overwritten), with the
  shipped weights or `model=` your own. From a terminal: `python -m edsr_helpers photo.jpg --scale 2`.
- **Full EDSR**: `eh.model.edsr_preset("full")`, 43M parameters, +0.3 dB on DIV2K; train it with the `gpu`
  profile and `res_scale=0.1`.
- **MDSR**: one network for ×2, ×3 and ×4 with a shared body and scale-specific heads and upsamplers (the
  same paper, section 3.2).
- **Other degradations**: DIV2K's `unknown_x4` and `realistic_*` configs in tensorflow-datasets; real photos
  are blurred, noisy and compressed, not bicubic-downscaled.
- **Perceptual quality**: PSNR rewards blur; SRGAN/ESRGAN trade a little PSNR for sharper textures.
""",
    ),
]
