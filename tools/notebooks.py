"""The series' notebooks as pairs: ``notebooks/NN_name.py`` (percent cells) and ``notebooks/NN_name.ipynb``.

Edit either side, in an editor or in Jupyter; ``make sync`` makes the other side agree (jupytext keeps the
``.ipynb``'s outputs). ``make notebook NB=03`` syncs and re-executes one notebook under the ``cpu`` profile so the
committed copy shows a run that learns; ``make notebooks`` does all of them. ``python tools/notebooks.py check``
fails when a pair has drifted (``tests/test_notebooks.py`` calls it).

The EDSR core is written in the notebooks, where students read it. A code cell whose first line is
``#| export NAME`` (nbdev's marker) is copied into ``edsr_helpers/NAME.py``; ``make sync`` regenerates those
modules and ``python tools/notebooks.py check`` fails when one differs from its notebook.

Cells tagged ``nbval-ignore-output`` hold outputs that vary between runs or profiles; ``make test`` re-executes
every notebook under ``ci`` and compares the outputs of every other code cell.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = ROOT / "notebooks"
PACKAGE_DIR = ROOT / "edsr_helpers"
#: The first line of a cell that the package takes: ``#| export architecture`` -> edsr_helpers/architecture.py
EXPORT_MARKER = re.compile(r"#\| export (\w+)")
#: The tags a cell may carry: nbval's, and ``live-widget`` for cells whose output needs a live kernel.
KNOWN_TAGS = {"nbval-ignore-output", "nbval-skip", "live-widget"}


def stems(names: list[str] | None = None) -> list[str]:
    """The notebooks' stems (``01_data``...), or those among them that ``names`` picks by stem or number."""
    found = sorted(path.stem for path in NOTEBOOKS_DIR.glob("[0-9][0-9]_*.py"))
    if names:
        found = [stem for stem in found if stem in names or stem[:2] in names]
    return found


def cell_inputs(notebook: nbformat.NotebookNode) -> list[tuple[str, str, tuple[str, ...]]]:
    """What a pair must agree on: each cell's kind, source and tags."""
    return [(cell.cell_type, cell.source.strip("\n"), tuple(cell.metadata.get("tags", ()))) for cell in notebook.cells]


def drift(stem: str) -> str | None:
    """Why the pair ``stem`` is out of sync, or None when its two sides hold the same cells."""
    script, ipynb = NOTEBOOKS_DIR / f"{stem}.py", NOTEBOOKS_DIR / f"{stem}.ipynb"
    if not ipynb.exists():
        return f"{ipynb.name} is missing"
    text_cells = cell_inputs(jupytext.read(script))
    stored_cells = cell_inputs(nbformat.read(ipynb, as_version=4))
    if text_cells == stored_cells:
        return None
    for index, (text_cell, stored_cell) in enumerate(zip(text_cells, stored_cells, strict=False)):
        if text_cell != stored_cell:
            return (
                f"cell {index} differs: {text_cell[1][:60]!r} in {script.name}, {stored_cell[1][:60]!r} in {ipynb.name}"
            )
    return f"{script.name} has {len(text_cells)} cells, {ipynb.name} {len(stored_cells)}"


def exported_modules() -> dict[Path, str]:
    """The text of every module the notebooks export, keyed by its path in the package.

    Each module is its cells in notebook order, behind a header that says where it comes from; a module takes
    cells from one notebook only, so every piece of the core has one place where it is taught.
    """
    cells: dict[str, list[str]] = {}
    origin: dict[str, str] = {}
    for stem in stems():
        for cell in jupytext.read(NOTEBOOKS_DIR / f"{stem}.py").cells:
            first, _, body = cell.source.partition("\n")
            match = EXPORT_MARKER.fullmatch(first.strip()) if cell.cell_type == "code" else None
            if not match:
                continue
            module = match.group(1)
            if origin.setdefault(module, stem) != stem:
                raise ValueError(f"{module} is exported by {origin[module]} and {stem}: one notebook per module")
            cells.setdefault(module, []).append(body.strip("\n"))
    return {
        PACKAGE_DIR / f"{module}.py": (
            f'"""Generated from notebooks/{origin[module]}.py, the cells marked ``#| export {module}``.\n\n'
            f"Do not edit: change the notebook (its .py or .ipynb), then run `make sync`.\n"
            f'"""\n\n' + "\n\n\n".join(body) + "\n"
        )
        for module, body in cells.items()
    }


def stale_exports() -> list[Path]:
    """The generated modules whose file differs from what their notebook exports."""
    return [path for path, text in exported_modules().items() if not path.exists() or path.read_text() != text]


def export() -> None:
    """Write the modules the notebooks export (``#| export NAME`` cells) into the package."""
    for path, text in exported_modules().items():
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")


def sync(names: list[str] | None = None) -> None:
    """Make each pair agree, from whichever side was edited last (jupytext --sync)."""
    from jupytext.cli import jupytext as jupytext_cli

    jupytext_cli(["--sync", "--quiet", *(str(NOTEBOOKS_DIR / f"{stem}.py") for stem in stems(names))])


#: What ``make run`` echoes of a notebook's output while it runs: Keras's epoch lines (``fit(verbose=2)``) and the
#: lines that say a run stopped, resumed or was cut short by its time budget.
PROGRESS_LINE = re.compile(r"^(Epoch \d+/\d+|\d+/\d+ - \d+s .*|.*(time budget|resuming|Restoring).*)$", re.IGNORECASE)


def _client(notebook, *, progress: bool):
    """An nbclient that, with ``progress``, prints the notebook's epoch lines as they arrive."""
    from nbclient import NotebookClient

    class ProgressClient(NotebookClient):
        def output(self, outs, msg, display_id, cell_index):
            if progress and msg.get("msg_type") == "stream":
                for line in msg["content"].get("text", "").splitlines():
                    if PROGRESS_LINE.match(line.strip()):
                        print(f"    {line.strip()}", flush=True)
            return super().output(outs, msg, display_id, cell_index)

    # a cell may run as long as notebook 03's training budget (20 min) and one slow epoch more
    return ProgressClient(notebook, timeout=3600, kernel_name="python3")


def run(stem: str, into: Path) -> None:
    """Run one notebook as a reader would (``make run``): the ``.ipynb`` they open, into ``into``, echoing its
    training's epoch lines; the committed notebook is left as it is."""
    notebook = nbformat.read(NOTEBOOKS_DIR / f"{stem}.ipynb", as_version=4)
    _client(notebook, progress=True).execute(cwd=str(NOTEBOOKS_DIR))
    into.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, into / f"{stem}.ipynb")


def execute(stem: str) -> None:
    """Run one notebook top to bottom in notebooks/ and store its outputs in the ``.ipynb``.

    Cells tagged ``live-widget`` lose their outputs: on a page without a kernel a widget's stored output is only
    its text fallback (a wall of PNG bytes), and the cell's markdown says it needs a live kernel. nbclient's
    per-cell timing metadata is dropped and cell ids are numbered, so a re-run changes only what really changed.
    """
    notebook = jupytext.read(NOTEBOOKS_DIR / f"{stem}.py")
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "colab": {"provenance": []},
    }
    _client(notebook, progress=False).execute(cwd=str(NOTEBOOKS_DIR))
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"{stem[:2]}-{index:02d}"
        cell.metadata.pop("execution", None)
        if "live-widget" in cell.metadata.get("tags", []):
            cell.outputs = []
    nbformat.write(notebook, NOTEBOOKS_DIR / f"{stem}.ipynb")
    sync([stem])  # the .ipynb is now the newer side: the script's timestamp follows, its text is unchanged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("sync", "check", "execute", "export", "run"))
    parser.add_argument("names", nargs="*", help="notebook stems or numbers (default: all)")
    parser.add_argument("--into", type=Path, default=ROOT / "build" / "executed", help="run: where the runs go")
    args = parser.parse_args(argv)
    if args.command == "check":
        problems = {stem: why for stem in stems(args.names) if (why := drift(stem))}
        problems |= {path.name: "differs from its notebook" for path in stale_exports()}
        for name, why in problems.items():
            print(f"{name}: {why} (run `make sync`)", file=sys.stderr)
        return 1 if problems else 0
    if args.command == "export":
        export()
        return 0
    if args.command != "run":  # a reader's run reads the scripts and writes only into --into
        sync(args.names)
        export()
    for stem in stems(args.names) if args.command in ("execute", "run") else ():
        print(f"{stem}: running ...", flush=True)
        started = time.perf_counter()
        if args.command == "execute":
            execute(stem)
        else:
            run(stem, args.into)
        minutes, seconds = divmod(round(time.perf_counter() - started), 60)
        print(f"{stem}: done in {minutes} min {seconds:02d} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
