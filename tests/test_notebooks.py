"""The committed notebooks: pairs of a percent script and an ``.ipynb`` with the outputs of a real run.

nbval re-executes them (``make test`` passes ``notebooks``); these checks cover what it does not.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import jupytext
import nbformat
import pytest

pytestmark = pytest.mark.engine_free

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
SCRIPTS = sorted((ROOT / "notebooks").glob("[0-9]*.py"))


def _tool():
    spec = importlib.util.spec_from_file_location("notebooks_tool", ROOT / "tools" / "notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_notebook_is_a_pair():
    assert NOTEBOOKS, "no notebooks found"
    assert [path.stem for path in SCRIPTS] == [path.stem for path in NOTEBOOKS]


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda path: path.name)
def test_script_and_notebook_hold_the_same_cells(path):
    """Either side may be edited; `make sync` must have run before committing."""
    assert _tool().drift(path.stem) is None, "run `make sync`"


def test_drift_is_caught(tmp_path, monkeypatch):
    """The pair check fails on an edit made to one side only, and says which cell."""
    tool = _tool()
    monkeypatch.setattr(tool, "NOTEBOOKS_DIR", tmp_path)
    notebook = jupytext.read(SCRIPTS[0])
    jupytext.write(notebook, tmp_path / SCRIPTS[0].name, fmt="py:percent")
    nbformat.write(notebook, tmp_path / NOTEBOOKS[0].name)
    assert tool.drift(SCRIPTS[0].stem) is None
    notebook.cells[3].source += "\nprint('edited in Jupyter only')"
    nbformat.write(notebook, tmp_path / NOTEBOOKS[0].name)
    assert "cell 3 differs" in tool.drift(SCRIPTS[0].stem)


def test_package_modules_are_what_the_notebooks_export():
    """Every ``#| export NAME`` cell is in edsr_helpers/NAME.py, verbatim, and the module says so at its top."""
    tool = _tool()
    modules = tool.exported_modules()
    assert ROOT / "edsr_helpers" / "architecture.py" in modules
    assert not tool.stale_exports(), "run `make sync`"
    for path, text in modules.items():
        assert text.startswith('"""Generated from notebooks/') and "Do not edit" in text.split("\n", 4)[2], path


def test_an_edit_to_an_exported_cell_makes_its_module_stale(tmp_path, monkeypatch):
    tool = _tool()
    for script in SCRIPTS:
        text = script.read_text()
        if script.stem.startswith("02"):
            assert "return inputs + residual" in text
            text = text.replace("return inputs + residual", "return residual", 1)
        (tmp_path / script.name).write_text(text)
    monkeypatch.setattr(tool, "NOTEBOOKS_DIR", tmp_path)
    assert tool.stale_exports() == [ROOT / "edsr_helpers" / "architecture.py"]


def test_every_core_piece_the_guide_lists_is_written_in_an_exported_cell_of_its_notebook():
    """The guide's table of where the EDSR core is written holds: each name is defined in an ``#| export``
    cell of the notebook the table names."""
    import re

    guide = (ROOT / "docs" / "INSTRUCTOR_GUIDE.md").read_text()
    section = guide.split("## Where the EDSR core is written", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| [^|]+ \| (\d\d) \| (.+) \|$", section, flags=re.M)
    assert len(rows) == 12, rows  # the 11 pieces of EDSR, and notebook 05's degradation pipeline
    for number, names in rows:
        script = next((ROOT / "notebooks").glob(f"{number}_*.py"))
        exported = "\n".join(
            cell.source for cell in jupytext.read(script).cells if cell.source.startswith("#| export ")
        )
        for name in re.findall(r"`(\w+)`", names):
            assert re.search(rf"^(?:def|class) {name}\b|^{name} = ", exported, flags=re.M), (number, name)


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda path: path.name)
def test_cells_carry_only_known_tags(path):
    tags = {tag for cell in jupytext.read(path).cells for tag in cell.metadata.get("tags", [])}
    assert tags <= _tool().KNOWN_TAGS, tags - _tool().KNOWN_TAGS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_badge_and_setup_cell(path):
    """The Colab badge and the setup cell follow constants.REPO_URL (a course that forks the series edits both)."""
    from edsr_helpers.constants import REPO_BRANCH, REPO_URL

    notebook = nbformat.read(path, as_version=4)
    first = notebook.cells[0].source
    colab = f"https://colab.research.google.com/github/{REPO_URL.removeprefix('https://github.com/')}"
    assert first.startswith("# ") and f"]({colab}/blob/{REPO_BRANCH}/notebooks/{path.name})" in first
    setup = next(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert '"google.colab" in sys.modules' in setup and f'REPO, REF = "{REPO_URL}", "{REPO_BRANCH}"' in setup
    assert len(setup.strip().splitlines()) <= 10, "the setup cell stays short: the install, then course.setup()"


def test_setup_cell_fails_with_a_sentence_not_a_pip_traceback(monkeypatch):
    """On Colab, a repository or tag that cannot be installed stops the cell with what to check."""
    import sys
    import types

    from edsr_helpers.constants import REPO_URL

    notebook = nbformat.read(NOTEBOOKS[0], as_version=4)
    setup = next(cell.source for cell in notebook.cells if cell.cell_type == "code")
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    source = setup.replace(REPO_URL, "file:///nonexistent/edsr-notebooks").replace('"main"', '"v9.9"')
    with pytest.raises(SystemExit) as stopped:
        exec(compile(source, "setup cell", "exec"), {})
    message = str(stopped.value)
    assert "Could not install edsr_helpers from file:///nonexistent/edsr-notebooks at 'v9.9'" in message
    assert "is REF a branch or tag of it?" in message and "Traceback" not in message


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_stored_outputs_come_from_one_clean_run(path):
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))
    for cell in code:
        assert not any(output.output_type == "error" for output in cell.outputs), cell.source[:80]
        for output in cell.outputs:
            assert "/work/" not in str(output.get("text", "")), "output names a path of the build machine"


def test_readme_colab_badges_follow_the_repository_url():
    """REPO_URL lives in constants.py; the notebooks' badges and the README's must follow it."""
    import re

    from edsr_helpers.constants import REPO_BRANCH, REPO_URL

    readme = (ROOT / "README.md").read_text()
    links = re.findall(r"https://colab\.research\.google\.com/github/([^)]+)", readme)
    repo = REPO_URL.removeprefix("https://github.com/")
    assert links and all(link.startswith(f"{repo}/blob/{REPO_BRANCH}/notebooks/") for link in links), links
    assert {link.rsplit("/", 1)[1] for link in links} == {path.name for path in NOTEBOOKS}


def test_no_notebook_reads_another_profiles_run():
    """`make run` trains under `cpu` and leaves notebooks/runs/cpu/; `make test` re-runs the notebooks under `ci`
    after it and must see the same outputs. So a notebook reaches a trained model only through
    ``load_model_for(profile)`` (tests/test_pretrained.py checks it ignores other profiles' runs) or a run folder
    it made for its own profile, and never names a profile's folder."""
    loads = {}
    for script in SCRIPTS:
        source = script.read_text()
        assert not re.search(r"runs/(cpu|gpu|ci)\b", source), script.name
        loads[script.stem] = re.findall(r"load_model_for\((\w+)[,)]|runs\.run_dir\((\w+)", source)
    assert loads["04_inference_widgets"] == [("profile", "")]
    assert all(name in ("profile", "run") for found in loads.values() for pair in found for name in pair if name)


def _stored_text(cell) -> str:
    parts = []
    for output in cell.outputs:
        parts.append(output.get("text", ""))
        parts.extend(str(value) for value in output.get("data", {}).values())
    return "".join(parts)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_stored_outputs_are_a_learning_run_not_the_test_profile(path):
    """What GitHub and Colab show before anyone runs a cell is the `cpu` run, not the 10-step `ci` one."""
    notebook = nbformat.read(path, as_version=4)
    setup = next(cell for cell in notebook.cells if "course.setup()" in cell.source)
    assert "Profile 'cpu'" in _stored_text(setup)


def test_stored_notebook_03_shows_edsr_beating_bicubic():
    import re

    notebook = nbformat.read(ROOT / "notebooks" / "03_training.ipynb", as_version=4)
    for rows in ("val_rows", "test_rows"):  # the photos that chose the checkpoint, and those that report it
        table = _stored_text(next(cell for cell in notebook.cells if f"show_evaluation({rows}" in cell.source))
        gains = [float(gain) for gain in re.findall(r"([+-]\d+\.\d+) dB", table)]
        assert gains and gains[-1] > 0.3, (rows, gains)  # the last row is the mean over the photos


def test_instructor_guide_is_complete():
    """The guide names every notebook and every exercise checker, and no number was left as a placeholder."""
    import re

    from edsr_helpers.course import exercises

    guide = (ROOT / "docs" / "INSTRUCTOR_GUIDE.md").read_text()
    assert not re.search(r"\b(TIME_\d+|CPU_RESULT|TODO)\b", guide)
    rows = {line[2:4]: line for line in guide.splitlines() if re.match(r"\| \d\d · ", line)}
    assert sorted(rows) == sorted(path.name[:2] for path in NOTEBOOKS) == sorted(exercises.CHECKERS)
    for number, row in rows.items():
        listed = re.findall(r"(?:^|· )(\d) ", row.split("|")[-2].strip())
        assert listed == [str(k) for k in range(1, len(exercises.CHECKERS[number]) + 1)], row
    assert "arXiv:1707.02921" in guide and "arXiv:1609.05158" in guide


def test_make_run_prints_each_notebook_and_its_training_epochs(tmp_path, monkeypatch, capfd):
    """``make run`` says which notebook runs and how long it took, and echoes Keras's epoch lines, nothing else."""
    tool = _tool()
    monkeypatch.setattr(tool, "NOTEBOOKS_DIR", tmp_path)
    cells = [
        nbformat.v4.new_code_cell('print("a table the reader looks at, not progress")'),
        nbformat.v4.new_code_cell('print("Epoch 1/2")\nprint("5/5 - 3s - 612ms/step - loss: 9.1 - val_psnr_y: 26.1")'),
    ]
    toy = nbformat.v4.new_notebook(cells=cells)
    jupytext.write(toy, tmp_path / "07_toy.py", fmt="py:percent")
    nbformat.write(toy, tmp_path / "07_toy.ipynb")
    assert tool.main(["run", "07_toy", "--into", str(tmp_path / "executed")]) == 0
    printed = capfd.readouterr().out
    assert "07_toy: running ..." in printed and re.search(r"07_toy: done in \d+ min \d\d s", printed)
    assert "    Epoch 1/2" in printed and "5/5 - 3s - 612ms/step - loss: 9.1" in printed
    assert "a table the reader looks at" not in printed
    assert nbformat.read(tmp_path / "executed" / "07_toy.ipynb", as_version=4).cells[1].outputs
    assert not nbformat.read(tmp_path / "07_toy.ipynb", as_version=4).cells[1].outputs  # left as it was
