"""The product speaks to its users: a one-page README, and no development history in what users read."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.engine_free

ROOT = Path(__file__).resolve().parent.parent

#: Words that belong in a changelog or a closing note, not in the product: work sessions, issue numbers,
#: commit hashes, which machine or tool was available when, and cache digests. They are data
#: (tests/data/history_words.json), so that no file of the product spells them out, this one included.
HISTORY_WORDS = json.loads((ROOT / "tests" / "data" / "history_words.json").read_text(encoding="utf-8"))
HISTORY = re.compile("|".join(HISTORY_WORDS["patterns"]), re.IGNORECASE)
#: What users read: docs, notebooks, the package (docstrings and comments), tests, tools, the Makefile, CI.
SUFFIXES = {".md", ".py", ".sh", ".toml", ".yml", ".cfg", ".txt"}


def _product_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    files = [ROOT / name for name in listed.split()]
    files = [path for path in files if path.exists()]
    return [p for p in files if p.suffix in SUFFIXES or p.name in {"Makefile", "run"} or p.suffix == ".ipynb"]


def _text(path: Path) -> str:
    """A notebook's sources and text outputs (not its images); any other file as it is."""
    if path.suffix != ".ipynb":
        return path.read_text(encoding="utf-8")
    cells = nbformat.read(path, as_version=4).cells
    parts = [cell.source for cell in cells]
    parts += [output.get("text", "") for cell in cells for output in cell.get("outputs", [])]
    parts += [str(output.get("data", {}).get("text/plain", "")) for cell in cells for output in cell.get("outputs", [])]
    return "\n".join(parts)


def test_product_speaks_of_the_project_not_of_how_it_was_built():
    found = []
    for path in _product_files():
        for number, line in enumerate(_text(path).splitlines(), start=1):
            if HISTORY.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not found, "development history in the product:\n" + "\n".join(found)


@pytest.mark.parametrize("line", HISTORY_WORDS["must_catch"], ids=lambda line: "example")
def test_the_history_check_catches(line):
    assert HISTORY.search(line)


def test_the_history_check_lets_ordinary_words_pass():
    for line in HISTORY_WORDS["must_pass"]:
        assert not HISTORY.search(line), line


def test_readme_is_one_page_with_the_two_commands_first():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 120
    assert readme.index("make run") < readme.index("make test") < readme.index("## What the series is")
