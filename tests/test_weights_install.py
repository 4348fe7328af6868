"""The weights factory's install tool: it judges trained weights here against the bars, and installs those that pass."""

from __future__ import annotations

import json
import shutil
import tarfile

import pytest

from edsr_helpers import samples as eh_samples

pytestmark = pytest.mark.factory


@pytest.mark.slow  # judges a toy x2 run (trained once per test process, 30-75 s)
def test_install_weights_judges_them_here_against_the_bars_and_installs_them_with_their_card(
    factory_install, toy_x2, monkeypatch, tmp_path, capsys
):
    trained = toy_x2
    # what the GPU script brings back: weights beside an archive of summary, log and console
    returned = tmp_path / "returned"
    returned.mkdir()
    shutil.copy(trained / "edsr_baseline_x2.weights.h5", returned)
    with tarfile.open(returned / "x2-logs.tgz", "w:gz") as tar:
        for name in ("summary_x2.json", "training_log_x2.csv"):
            tar.add(trained / name, arcname=name)
    package = tmp_path / "package"
    package.mkdir()
    (package / "edsr_baseline_x2.weights.h5").write_bytes(b"the weights the package ships today")

    (result,) = factory_install.main([str(returned), "--install", "--weights-dir", str(package)])

    summary = json.loads((trained / "summary_x2.json").read_text())["evaluation"][-1]
    assert result["mean_gain"] == pytest.approx(summary["edsr_psnr_y"] - summary["bicubic_psnr_y"], abs=0.05)
    assert result["mean_margin"] < 0  # one training step is far from the x2 bar ...
    printed = capsys.readouterr().out
    assert f"MISSED by {-result['mean_margin']:.2f} dB" in printed  # ... and it says by how much,
    assert "x2 not installed: it misses a bar" in printed  # ... and keeps the package's own weights
    assert [path.name for path in package.iterdir()] == ["edsr_baseline_x2.weights.h5"]
    assert (package / "edsr_baseline_x2.weights.h5").read_bytes() == b"the weights the package ships today"

    # weights that meet the bars (here: bars lowered below what one step reaches) go in, with their card
    lowered = (result["mean_gain"] - 0.1, result["worst_gain"] - 0.1)
    monkeypatch.setattr(factory_install, "bars", lambda scale: lowered)
    (result,) = factory_install.main([str(returned), "--install", "--weights-dir", str(package)])
    assert "installed x2 into" in capsys.readouterr().out
    assert {path.name for path in package.iterdir()} == {
        "edsr_baseline_x2.weights.h5",
        "summary_x2.json",
        "training_log_x2.csv",
        "MODEL_CARD.md",
    }
    card = (package / "MODEL_CARD.md").read_text()
    assert "## x2: `load_pretrained(2)`" in card
    installed = json.loads((package / "summary_x2.json").read_text())
    assert installed["evaluation"] == result["rows"] and "evaluation_where_trained" in installed
    # only weights that passed on validation, and never learned from a test photo, are scored on the test photos
    assert not factory_install.trained_on_a_test_photo(json.loads((trained / "summary_x2.json").read_text()))
    assert factory_install.trained_on_a_test_photo(
        {"sources": [f"2 offline training photos (retina, {eh_samples.TEST_PHOTOS[0]})"]}
    )
    x2_saw_one = {
        "sources": ["6 offline training photos (retina)"],
        "init_from": {"source_data": [eh_samples.TEST_PHOTOS[-1]]},
    }
    assert factory_install.trained_on_a_test_photo(x2_saw_one)
    test_rows = installed["evaluation_test"]
    assert [row["image"] for row in test_rows[:-1]] == list(eh_samples.TEST_PHOTOS)
    assert "Results on the offline test photos" in card and f"| {test_rows[0]['image']} |" in card


@pytest.mark.slow  # evaluates two models on clean and degraded photos, twice (~20 s)
def test_install_judges_realistic_weights_against_the_shipped_ones_and_writes_their_card_section(
    factory_install, monkeypatch, tmp_path, capsys
):
    from edsr_helpers import pretrained

    folder, package = tmp_path / "trained", tmp_path / "package"
    folder.mkdir()
    package.mkdir()
    # the shipped bicubic-trained x4 itself, offered as realistic: no gain on degraded inputs
    shutil.copy(pretrained.weights_path(4), folder / "edsr_baseline_x4_realistic.weights.h5")
    summary = {
        "scale": 4,
        "sources": ["the photos"],
        "lr_patch": 24,
        "batch": 16,
        "learning_rate": 1e-4,
        "warmup": 100,
        "schedule": "cosine",
        "sampling": "area",
        "steps": 6000,
        "precision": "mixed_bfloat16",
        "lr_degradation": "camera-like",
        "clean_share": 0.3,
        "ema": 0.999,
        "machine": "a CPU",
        "wall_minutes_this_invocation": 60.0,
        "command": "python weights_factory/train.py --recipe realistic",
    }
    (folder / "summary_x4_realistic.json").write_text(json.dumps(summary))
    (folder / "training_log_x4_realistic.csv").write_text("epoch,loss\n0,1.0\n")

    (result,) = factory_install.main([str(folder), "--install", "--weights-dir", str(package)])
    assert result["degraded_gain"] == pytest.approx(0, abs=1e-6) and result["clean_loss"] == pytest.approx(0, abs=1e-6)
    printed = capsys.readouterr().out
    assert (
        "on degraded inputs +0.00 dB over the shipped bicubic-trained weights (bar +0.35: MISSED by 0.35 dB)" in printed
    )
    assert "x4 realistic not installed: it misses a bar" in printed and not list(package.iterdir())

    assert "GMSD on degraded inputs" in printed and "(bar: lower: MISSED)" in printed  # the same weights: equal
    monkeypatch.setattr(pretrained, "realistic_bars", lambda: (-0.5, 0.7))  # bars it meets: it goes in
    monkeypatch.setattr(pretrained, "realistic_gmsd_bar", lambda: -0.01)
    factory_install.main([str(folder), "--install", "--weights-dir", str(package)])
    assert "installed x4 realistic into" in capsys.readouterr().out
    card = (package / "MODEL_CARD.md").read_text()
    assert '## x4 realistic: `load_pretrained(4, degradation="realistic")`' in card
    assert "| barbara | degraded |" in card and "`make pretrained-realistic`" in card
    assert "Their mean GMSD on the degraded inputs" in card and "(bar: lower)" in card
    installed = json.loads((package / "summary_x4_realistic.json").read_text())
    assert installed["reference"]["weights"] == "edsr_baseline_x4.weights.h5"
    assert installed["evaluation_degraded"][-1]["bicubic_psnr_y"] < installed["evaluation"][-1]["bicubic_psnr_y"]
