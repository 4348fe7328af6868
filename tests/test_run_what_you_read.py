"""The notebooks run the code they show: editing a shown cell changes what the notebook computes after it.

A notebook that defines a piece (the degradation, the crop, the loss...) and then calls the package's copy of it
would let a student edit the cell and see nothing change. The checker in ``shown_not_run`` finds such calls by
name; the test below proves the effect by re-executing a notebook with one shown cell edited.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.engine_free

ROOT = Path(__file__).resolve().parent.parent


def _first_cell(cells, text: str, after: int = -1) -> int:
    return next(i for i, cell in enumerate(cells) if i > after and cell.cell_type == "code" and text in cell.source)


def _printed(cells, upto: int) -> str:
    """Execute ``cells[: upto + 1]`` under the test profile; what the last of them printed."""
    import nbformat  # the notebook tools are in the main venv only (make test-backends has none)
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook(cells=copy.deepcopy(cells[: upto + 1]))
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": ROOT / "notebooks"}}
    ).execute()
    return "".join(output.get("text", "") for output in notebook.cells[upto].outputs)


def test_editing_notebook_01s_downscale_changes_the_bicubic_score_it_prints(monkeypatch):
    import jupytext

    monkeypatch.setenv("EDSR_PROFILE", "ci")
    cells = jupytext.read(ROOT / "notebooks" / "01_data.py").cells
    shown = _first_cell(cells, "def downscale(")
    scored = _first_cell(cells, "bicubic_psnr = ", after=shown)
    original = _printed(cells, scored)

    edited = copy.deepcopy(cells)
    edited[shown].source = edited[shown].source.replace("Image.BICUBIC", "Image.NEAREST")
    assert edited[shown].source != cells[shown].source
    changed = _printed(edited, scored)

    def score(text: str) -> float:
        return float(re.search(r"PSNR ([\d.]+) dB", text).group(1))

    # nearest-neighbour shrinking aliases: the same photo scores lower once the student's edit runs
    assert score(changed) < score(original) - 0.5
