"""``tools/line_counts.py``: every module of the package counted once, in the layer it belongs to."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.engine_free

ROOT = Path(__file__).resolve().parent.parent


def _tool():
    spec = importlib.util.spec_from_file_location("line_counts_tool", ROOT / "tools" / "line_counts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_line_is_counted_once_and_the_generated_core_is_what_the_notebooks_export():
    tool, package = _tool(), ROOT / "edsr_helpers"
    modules = sorted(package.rglob("*.py"))
    counts = tool.line_counts(package)
    assert sum(n for n, _ in counts.values()) == len(modules)
    assert sum(lines for _, lines in counts.values()) == sum(len(p.read_text().splitlines()) for p in modules)
    exported = {
        name
        for script in (ROOT / "notebooks").glob("[0-9]*.py")
        for name in re.findall(r"^#\| export (\w+)$", script.read_text(), re.M)
    }
    generated = {p.stem for p in modules if tool.layer_of(p, package) == "generated core"}
    assert generated == exported
    assert tool.layer_of(package / "presentation" / "widgets.py", package) == "presentation"
    assert tool.layer_of(package / "course" / "lessons.py", package) == "course"
    assert tool.layer_of(package / "inference.py", package) == "hand-written core"


def test_the_readme_sizes_are_the_tools_within_five_percent():
    """The README rounds each layer's size; a change that moves one by more than 5 % must update it."""
    counts = _tool().line_counts(ROOT / "edsr_helpers")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = readme[readme.index("`python tools/line_counts.py` prints") :].split("\n\n")[0]
    stated = [int(n.replace(",", "")) for n in re.findall(r"about ([\d,]+)", line)]
    assert len(stated) == len(tool_layers := list(counts)), (stated, tool_layers)
    for layer, about in zip(tool_layers, stated, strict=True):
        assert abs(counts[layer][1] - about) <= 0.05 * counts[layer][1], (layer, counts[layer][1], about)
