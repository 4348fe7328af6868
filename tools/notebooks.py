"""The series' notebooks as pairs: ``notebooks/NN_name.py`` (percent cells) and ``notebooks/NN_name.ipynb``.

Edit either side, in an editor or in Jupyter; ``make sync`` makes the other side agree (jupytext keeps the
``.ipynb``'s outputs). ``make notebook NB=03`` syncs and re-executes one notebook under the ``cpu`` profile so the
committed copy shows a run that learns; ``make notebooks`` does all of them. ``python tools/notebooks.py check``
fails when a pair has drifted (``tests/test_notebooks.py`` calls it).

The EDSR core is written in the notebooks, where students read it. A code cell whose first line is
``#| export NAME`` (nbdev's marker) is copied into ``edsr_helpers/NAME.py``, each block behind a comment naming
its notebook and the heading it sits under, and the module ends with an ``__all__`` of the names the cells
define. ``make sync`` syncs every pair first, so an edit made in the ``.ipynb`` reaches the module too;
``python tools/notebooks.py check`` fails when a module differs from its notebook.

Cells tagged ``nbval-ignore-output`` hold outputs that vary between runs or profiles; ``make test`` re-executes
every notebook under ``ci`` and compares the outputs of every other code cell.
"""

from __future__ import annotations

import argparse
import ast
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
#: A markdown line that is a heading: ``## The residual block`` -> "The residual block"
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
FENCED_CODE = re.compile(r"^```.*?^```", re.M | re.S)  # its ``# comments`` are not headings
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


def public_names(source: str) -> list[str]:
    """The public names a block of code defines at module level, in order: its functions, classes and assigned
    names (imports and ``_private`` names are not the module's to offer)."""
    names: list[str] = []

    def visit(statements: list[ast.stmt]) -> None:
        for statement in statements:
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                found = [statement.name]
            elif isinstance(statement, ast.Assign | ast.AnnAssign | ast.AugAssign):
                targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                found = [node.id for target in targets for node in ast.walk(target) if isinstance(node, ast.Name)]
            elif isinstance(statement, ast.If | ast.Try | ast.With):
                for block in ("body", "orelse", "finalbody", "handlers"):
                    for part in getattr(statement, block, ()):
                        visit(part.body if isinstance(part, ast.ExceptHandler) else [part])
                continue
            else:
                continue
            names.extend(name for name in found if not name.startswith("_") and name not in names)

    visit(ast.parse(source).body)
    return names


def exported_modules() -> dict[Path, str]:
    """The text of every module the notebooks export, keyed by its path in the package.

    Each module is its cells in notebook order, behind a header that says where it comes from; each block is
    preceded by a comment naming its notebook and the heading it sits under, so a line of the package leads back
    to the cell a student reads, and the module ends with ``__all__``, the public names its cells define. A
    module takes cells from one notebook only, so every piece of the core has one place where it is taught.
    """
    blocks: dict[str, list[str]] = {}
    names: dict[str, list[str]] = {}
    origin: dict[str, str] = {}
    for stem in stems():
        heading = None
        for index, cell in enumerate(jupytext.read(NOTEBOOKS_DIR / f"{stem}.py").cells):
            if cell.cell_type == "markdown":
                headings = HEADING.findall(FENCED_CODE.sub("", cell.source))
                heading = headings[-1] if headings else heading
                continue
            first, _, body = cell.source.partition("\n")
            match = EXPORT_MARKER.fullmatch(first.strip()) if cell.cell_type == "code" else None
            if not match:
                continue
            module = match.group(1)
            if origin.setdefault(module, stem) != stem:
                raise ValueError(f"{module} is exported by {origin[module]} and {stem}: one notebook per module")
            where = f'under "{heading}"' if heading else f"cell {index}"
            body = body.strip("\n")
            blocks.setdefault(module, []).append(f"# From notebooks/{stem}.py, {where}\n{body}")
            names.setdefault(module, []).extend(name for name in public_names(body) if name not in names[module])
    return {
        PACKAGE_DIR / f"{module}.py": (
            f'"""Generated from notebooks/{origin[module]}.py, the cells marked ``#| export {module}``.\n\n'
            f"Do not edit: change the notebook (its .py or .ipynb), then run `make sync`.\n"
            f'"""\n\n'
            + "\n\n\n".join(body)
            + "\n\n\n# The public names the cells above define, in order.\n__all__ = [\n"
            + "".join(f'    "{name}",\n' for name in names[module])
            + "]\n"
        )
        for module, body in blocks.items()
    }


def stale_exports() -> list[Path]:
    """The generated modules whose file differs from what their notebook exports."""
    return [path for path, text in exported_modules().items() if not path.exists() or path.read_text() != text]


def export() -> None:
    """Sync every pair, then write the modules the notebooks export (``#| export NAME`` cells) into the package.

    The modules are made from the scripts, so a cell edited in Jupyter (in the ``.ipynb``) must reach its script
    first: exporting an unsynced script would write yesterday's code into the package.
    """
    sync()
    for path, text in exported_modules().items():
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"wrote {path.relative_to(PACKAGE_DIR.parent)}")


def sync(names: list[str] | None = None) -> None:
    """Make each pair agree, from whichever side was edited last (jupytext --sync).

    Raises:
        SystemExit: if a pair still differs afterwards (jupytext only warns when it finds no pairing settings),
            so nothing is exported from a script that is not what the notebook holds.
    """
    from jupytext.cli import jupytext as jupytext_cli

    jupytext_cli(["--sync", "--quiet", *(str(NOTEBOOKS_DIR / f"{stem}.py") for stem in stems(names))])
    problems = [f"{stem}: {why}" for stem in stems(names) if (why := drift(stem))]
    if problems:
        raise SystemExit("could not sync " + "; ".join(problems) + " (are jupytext's settings in pyproject.toml?)")


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
    if args.command != "run":  # a reader's run reads the scripts and writes only into --into
        export()  # syncs every pair first, the named ones included
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
