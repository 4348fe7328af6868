"""Write the series' notebooks from the cell lists in ``tools/notebook_cells/`` and, with --execute, run them.

Why a builder: every notebook shares the same header (title, "Open in Colab" badge, Colab-only setup cell),
and that header must follow ``edsr_helpers.constants.REPO_URL`` when a course forks the series. Editing the
cell lists and running ``make notebooks`` keeps all four notebooks consistent; ``tests/test_notebooks.py``
checks that the committed notebooks match.

Cell lists are Python modules with a ``TITLE`` and ``CELLS``: a list of ``(kind, source)`` or
``(kind, source, tags)`` with kind ``"md"`` or ``"code"``; tags are nbval's: ``nbval-ignore-output`` for outputs
that vary between runs *or between profiles*; every other code cell is tagged ``nbval-check-output``.

The stored outputs come from a run under the ``cpu`` profile (``make notebooks``), so a reader sees a model that
learns; the tests re-execute the notebooks under ``ci`` with ``--nbval-lax``, which runs every cell and compares
the outputs of the ``nbval-check-output`` cells only: what must not depend on the profile.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
CELLS_DIR = ROOT / "tools" / "notebook_cells"
NOTEBOOKS_DIR = ROOT / "notebooks"
sys.path.insert(0, str(ROOT))

from edsr_helpers.constants import COLAB_DRIVE_FOLDER, REPO_BRANCH, REPO_URL  # noqa: E402


def colab_url(notebook_name: str) -> str:
    """The Colab address that opens ``notebooks/<notebook_name>`` from the repository."""
    repo = REPO_URL.removeprefix("https://github.com/")
    return f"https://colab.research.google.com/github/{repo}/blob/{REPO_BRANCH}/notebooks/{notebook_name}"


def badge(notebook_name: str) -> str:
    return f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab_url(notebook_name)})"


def setup_cell_source() -> str:
    """Colab-only install of the package. A failure ends the cell with one sentence saying what to check
    (not pip's traceback); ``REF`` is where a course pins a tag."""
    return f"""import sys

REPO, REF = "{REPO_URL}", "{REPO_BRANCH}"  # a course can pin a tag: REF = "v1.0"
USE_DRIVE = True  # Colab: keep runs and downloads in Drive's {COLAB_DRIVE_FOLDER}, shared by all four notebooks
if "google.colab" in sys.modules:  # Colab only: install the helpers, keep its TF/Keras/ipywidgets
    import subprocess

    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", f"edsr-helpers @ git+{{REPO}}@{{REF}}"],
        capture_output=True,
        text=True,
    )
    if pip.returncode:
        reason = (pip.stderr.strip().splitlines() or ["pip gave no reason"])[-1]
        raise SystemExit(
            f"Could not install edsr_helpers from {{REPO}} at {{REF!r}} ({{reason}}). Check that this runtime is "
            "online, that the repository is public, and that REF names one of its branches or tags."
        )
    if USE_DRIVE:
        from edsr_helpers import colab

        colab.use_drive_folder()"""


SETUP_MARKDOWN = (
    "## Setup\n"
    "\n"
    "On Colab this cell installs the series' helper package, `edsr_helpers`, from the repository; on "
    "your own machine it does nothing, because `make setup` (or `pip install -e .`) already did. It never "
    "upgrades TensorFlow, Keras or ipywidgets, so Colab needs no restart. Colab runs each notebook on its own "
    "machine, so the cell also asks to mount Google Drive and keeps runs and datasets in one Drive folder that "
    "every notebook of the series uses (notebook 04 finds the model notebook 03 trained); set `USE_DRIVE = False` "
    "to keep them on the VM."
)


def load_cells(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(path: Path) -> nbformat.NotebookNode:
    """Notebook for one cell list: title and intro, badge, setup cell, then the lesson's cells."""
    module = load_cells(path)
    name = f"{path.stem}.ipynb"
    notebook = nbformat.v4.new_notebook()
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "colab": {"provenance": []},
    }
    cells = [nbformat.v4.new_markdown_cell(f"# {module.TITLE}\n\n{badge(name)}\n\n{module.INTRO.strip()}")]
    cells.append(nbformat.v4.new_markdown_cell(SETUP_MARKDOWN))
    cells.append(nbformat.v4.new_code_cell(setup_cell_source(), metadata={"tags": ["nbval-check-output"]}))
    for entry in module.CELLS:
        kind, source, *rest = entry
        tags = list(rest[0]) if rest else []
        source = source.strip("\n")
        cell = nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)
        if kind == "code" and "nbval-ignore-output" not in tags:
            tags.append("nbval-check-output")
        if tags:
            cell.metadata["tags"] = tags
        cells.append(cell)
    for index, cell in enumerate(cells):
        cell["id"] = f"{path.stem[:2]}-{index:02d}"
    notebook.cells = cells
    return notebook


def execute(notebook: nbformat.NotebookNode) -> None:
    """Run top to bottom in notebooks/, then tidy what was stored.

    Cells tagged ``live-widget`` lose their outputs: on a page without a kernel a widget's stored output is
    only its text fallback (a wall of PNG bytes), and the cell's markdown says it needs a live kernel.
    nbclient's per-cell timing metadata is dropped so that re-running changes only what really changed.
    """
    from nbclient import NotebookClient

    resources = {"metadata": {"path": str(NOTEBOOKS_DIR)}}
    # a cell may run as long as notebook 03's training budget (20 min) and one slow epoch more
    NotebookClient(notebook, timeout=3600, kernel_name="python3", resources=resources).execute()
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        if "live-widget" in cell.metadata.get("tags", []):
            cell.outputs = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="cell-list stems to build (default: all)")
    parser.add_argument("--execute", action="store_true", help="run each notebook and store its outputs")
    args = parser.parse_args()
    paths = sorted(CELLS_DIR.glob("[0-9]*.py"))
    if args.names:
        paths = [path for path in paths if path.stem in args.names or path.stem[:2] in args.names]
    for path in paths:
        notebook = build(path)
        if args.execute:
            print(f"executing {path.stem} ...", flush=True)
            started = time.perf_counter()
            execute(notebook)
            print(f"  {time.perf_counter() - started:.0f} s", flush=True)
        target = NOTEBOOKS_DIR / f"{path.stem}.ipynb"
        nbformat.write(notebook, target)
        print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
