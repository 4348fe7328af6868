"""The modules the notebooks export: each block leads back to its cell, each module lists what it offers, and an
edit made on either side of a pair reaches the package."""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import shutil
import tomllib
from pathlib import Path

import jupytext
import nbformat
import pytest

pytestmark = pytest.mark.engine_free

ROOT = Path(__file__).resolve().parent.parent
MARKER_LINE = re.compile(r"^# From notebooks/(\S+)\.py, (?:under \"(.+)\"|cell (\d+))$", re.M)


def _tool():
    spec = importlib.util.spec_from_file_location("notebooks_tool", ROOT / "tools" / "notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _toy_notebook() -> nbformat.NotebookNode:
    markdown, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    return nbformat.v4.new_notebook(
        cells=[
            markdown("# Toy\n\nA notebook with a core."),
            code("#| export toy\nimport math\n\nSIDE = 3\n_cache = {}\n\n\ndef area():\n    return SIDE**2"),
            markdown("## First part\n\nSome words."),
            code("print('shown, not exported')"),
            code("#| export toy\nclass Square:\n    side = SIDE"),
            markdown("## Second part\n\n```python\n# a comment in an example, not a heading\n```"),
            code("#| export toy\nWIDTH, HEIGHT = 4, 5\nif math.pi > 3:\n    def perimeter():\n        return 4 * SIDE"),
        ]
    )


def test_each_block_names_its_notebook_and_heading_and_the_module_lists_its_names(tmp_path, monkeypatch):
    tool = _tool()
    monkeypatch.setattr(tool, "NOTEBOOKS_DIR", tmp_path)
    monkeypatch.setattr(tool, "PACKAGE_DIR", tmp_path / "package")
    jupytext.write(_toy_notebook(), tmp_path / "07_toy.py", fmt="py:percent")
    text = tool.exported_modules()[tmp_path / "package" / "toy.py"]
    assert MARKER_LINE.findall(text) == [
        ("07_toy", "Toy", ""),
        ("07_toy", "First part", ""),
        ("07_toy", "Second part", ""),  # the fenced example's comment is not a heading
    ]
    assert text.index('under "First part"') < text.index("class Square") < text.index('under "Second part"')
    namespace: dict[str, object] = {}
    exec(compile(text, "toy.py", "exec"), namespace)
    assert namespace["__all__"] == ["SIDE", "area", "Square", "WIDTH", "HEIGHT", "perimeter"]


def test_a_block_before_any_heading_names_its_cell(tmp_path, monkeypatch):
    tool = _tool()
    monkeypatch.setattr(tool, "NOTEBOOKS_DIR", tmp_path)
    cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("#| export toy\nY = 2")]
    jupytext.write(nbformat.v4.new_notebook(cells=cells), tmp_path / "07_toy.py", fmt="py:percent")
    (text,) = tool.exported_modules().values()
    assert MARKER_LINE.findall(text) == [("07_toy", "", "1")]


@pytest.mark.parametrize("path", sorted(_tool().exported_modules()), ids=lambda path: path.name)
def test_every_generated_module_leads_back_to_its_cells_and_offers_what_it_defines(path):
    """One marker per exported cell, each naming a heading of that notebook; ``__all__`` is every public function
    and class the module defines (checked on the imported module) and its constants, in the order written."""
    text = path.read_text()
    markers = MARKER_LINE.findall(text)
    (stem,) = {notebook for notebook, _, _ in markers}
    cells = jupytext.read(ROOT / "notebooks" / f"{stem}.py").cells
    exported = [cell for cell in cells if cell.source.startswith(f"#| export {path.stem}\n")]
    assert len(markers) == len(exported)
    headings = {
        line.lstrip("#").strip() for cell in cells if cell.cell_type == "markdown" for line in cell.source.splitlines()
    }
    assert all(heading in headings for _, heading, _ in markers)

    module = importlib.import_module(f"edsr_helpers.{path.stem}")
    defined_here = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and getattr(value, "__module__", None) == module.__name__
    }
    assert defined_here and defined_here <= set(module.__all__)
    assert all(hasattr(module, name) for name in module.__all__)
    written_at = [re.search(rf"^(?:def |class )?{name}\b", text, flags=re.M).start() for name in module.__all__]
    assert written_at == sorted(written_at)


def _copy_of_the_notebooks(tmp_path: Path, monkeypatch, *, pairing: bool = True):
    """The tool pointed at a copy of the notebooks (and jupytext's pairing settings) and an empty package."""
    tool = _tool()
    notebooks, package = tmp_path / "notebooks", tmp_path / "package"
    notebooks.mkdir()
    package.mkdir()
    for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.*"):
        if path.suffix in (".py", ".ipynb"):
            shutil.copyfile(path, notebooks / path.name)
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["jupytext"] if pairing else {}
    (tmp_path / "jupytext.toml").write_text("".join(f'{key} = "{value}"\n' for key, value in settings.items()))
    monkeypatch.setattr(tool, "NOTEBOOKS_DIR", notebooks)
    monkeypatch.setattr(tool, "PACKAGE_DIR", package)
    return tool, notebooks, package


def _edit_in_jupyter(ipynb: Path, old: str, new: str) -> None:
    """Change one cell of the ``.ipynb`` only, as Jupyter without jupytext would, and make it the newer side."""
    notebook = nbformat.read(ipynb, as_version=4)
    (cell,) = [cell for cell in notebook.cells if old in cell.source]
    cell.source = cell.source.replace(old, new)
    nbformat.write(notebook, ipynb)
    script = ipynb.with_suffix(".py")
    os.utime(script, (script.stat().st_mtime - 60, script.stat().st_mtime - 60))


@pytest.mark.parametrize(
    "command", [["sync"], ["sync", "01"], ["export"]], ids=["sync", "sync another notebook", "export"]
)
def test_an_edit_made_in_the_ipynb_reaches_the_exported_module(tmp_path, monkeypatch, command):
    """The modules are made from the scripts: every way of exporting syncs the pairs first, so a cell edited in
    Jupyter never leaves yesterday's code in the package."""
    tool, notebooks, package = _copy_of_the_notebooks(tmp_path, monkeypatch)
    assert tool.main(["sync"]) == 0
    assert (package / "architecture.py").read_text() == (ROOT / "edsr_helpers" / "architecture.py").read_text()

    _edit_in_jupyter(notebooks / "02_model.ipynb", "return inputs + residual", "return inputs - residual")
    assert "return inputs - residual" not in (notebooks / "02_model.py").read_text()
    assert tool.main(command) == 0
    assert "return inputs - residual" in (notebooks / "02_model.py").read_text()
    assert "return inputs - residual" in (package / "architecture.py").read_text()
    assert tool.main(["check"]) == 0


def test_a_pair_that_cannot_be_synced_stops_the_export(tmp_path, monkeypatch):
    """Without jupytext's pairing settings the sync does nothing; the export must say so, not write the stale
    script's code into the package."""
    tool, notebooks, package = _copy_of_the_notebooks(tmp_path, monkeypatch, pairing=False)
    _edit_in_jupyter(notebooks / "02_model.ipynb", "return inputs + residual", "return inputs - residual")
    with pytest.raises(SystemExit, match="could not sync 02_model: cell"):
        tool.main(["sync"])
    assert not list(package.iterdir())
