"""Line counts of ``edsr_helpers`` by layer: ``python tools/line_counts.py [package folder]``.

- generated core: the modules exported from the notebooks (their docstring starts with "Generated from notebooks");
- hand-written core: every other module outside ``presentation/`` and ``course/``;
- presentation: ``edsr_helpers/presentation`` (plots, tables, widgets);
- course: ``edsr_helpers/course`` (lessons, exercise checkers, notebook plumbing).

Counts are physical lines of ``.py`` files, blank lines and comments included.
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("generated core", "hand-written core", "presentation", "course")


def layer_of(path: Path, package: Path) -> str:
    """Which layer the module at ``path`` belongs to."""
    top = path.relative_to(package).parts[0]
    if top in ("presentation", "course"):
        return top
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return "generated core" if docstring.startswith("Generated from notebooks") else "hand-written core"


def line_counts(package: Path) -> dict[str, tuple[int, int]]:
    """``{layer: (modules, lines)}`` for every ``.py`` file under ``package``."""
    counts = dict.fromkeys(LAYERS, (0, 0))
    for path in sorted(package.rglob("*.py")):
        modules, lines = counts[layer_of(path, package)]
        counts[layer_of(path, package)] = (modules + 1, lines + len(path.read_text(encoding="utf-8").splitlines()))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", nargs="?", type=Path, default=ROOT / "edsr_helpers")
    counts = line_counts(parser.parse_args().package)
    counts["total"] = tuple(map(sum, zip(*counts.values(), strict=True)))
    for layer, (modules, lines) in counts.items():
        print(f"{layer:<18} {modules:>3} modules {lines:>6} lines")


if __name__ == "__main__":
    main()
