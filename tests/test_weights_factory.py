"""The weights factory's training: a stopped run resumes where it stopped, x4 starts from x2, the recipes."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from edsr_helpers import data, training

pytestmark = pytest.mark.factory

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tool(factory_train):
    return factory_train


class SessionEndedError(Exception):
    """Stands for the end of a session: the process dies after an epoch."""


@pytest.mark.slow  # trains a toy run end to end (30-75 s)
def test_a_stopped_run_resumes_after_its_last_epoch_on_the_next_batches(tool, monkeypatch, tmp_path):
    starts = []
    make = data.make_train_dataset_for

    def recording(profile, pairs, **overrides):
        starts.append(overrides.get("start", 0))
        return make(profile, pairs, **overrides)

    monkeypatch.setattr(tool.data, "make_train_dataset_for", recording)

    class StopAfterFirstEpoch(tool.ProgressLog):
        def on_epoch_end(self, epoch, logs=None):
            super().on_epoch_end(epoch, logs)
            raise SessionEndedError

    out, run_dir = tmp_path / "out", tmp_path / "run"
    args = ["--scale", "2", "--epochs", "2", "--steps-per-epoch", "2", "--patch", "8", "--batch", "2"]
    args += ["--warmup", "0", "--schedule", "cosine", "--out-dir", str(out), "--run-dir", str(run_dir)]
    with monkeypatch.context() as stopping:
        stopping.setattr(tool, "ProgressLog", StopAfterFirstEpoch)
        with pytest.raises(SessionEndedError):
            tool.main(args)
    assert training.completed_epochs(run_dir) == 1
    assert not (out / "summary_x2.json").exists()

    tool.main(args)
    assert starts == [0, 2]  # the second invocation goes on with batch 2, it does not replay batches 0 and 1
    with open(run_dir / "log.csv") as log:
        assert [row["epoch"] for row in csv.DictReader(log)] == ["0", "1"]
    summary = json.loads((out / "summary_x2.json").read_text())
    assert [(r["first_epoch"], r["last_epoch"]) for r in summary["invocations"]] == [(0, 1), (1, 2)]
    assert summary["wall_minutes"] == pytest.approx(sum(r["minutes"] for r in summary["invocations"]), abs=0.11)
    card = tool.model_card([summary])
    assert "in 2 sittings (epoch 1 " in card and ", epoch 2 " in card and "minutes in all" in card
    assert (out / "edsr_baseline_x2.weights.h5").exists()

    # a new run in the same folder (the last one finished) starts afresh: no stale log rows, one invocation
    tool.main(args)
    assert starts[-1] == 0
    assert len(json.loads((out / "summary_x2.json").read_text())["invocations"]) == 1


@pytest.mark.slow  # trains a toy run end to end (30-75 s)
def test_skip_trained_goes_on_with_the_next_scale_instead_of_training_a_finished_one_again(
    tool, toy_x2, toy_x2_args, monkeypatch, tmp_path, capsys
):
    out = tmp_path / "out"
    shutil.copytree(toy_x2, out)  # a finished x2
    common = [*toy_x2_args, "--out-dir", str(out), "--run-dir", str(tmp_path / "run"), "--skip-trained"]
    finished = (out / "summary_x2.json").read_text()

    def no_training(*args, **kwargs):
        raise AssertionError("a finished scale was trained again")

    with monkeypatch.context() as watched:
        watched.setattr(tool.data, "pairs_from_images", no_training)
        tool.main(common)
    assert "x2 is already trained with these settings" in capsys.readouterr().out
    assert (out / "summary_x2.json").read_text() == finished

    tool.main([*common[:-1], "--patch", "12"])  # other settings (or no --skip-trained) train again
    assert json.loads((out / "summary_x2.json").read_text())["lr_patch"] == 12


@pytest.mark.slow  # trains a toy run end to end (30-75 s)
def test_x4_starts_from_the_trained_x2_weights(tool, toy_x2, toy_x2_args, tmp_path):
    x2 = toy_x2 / "edsr_baseline_x2.weights.h5"
    x4 = [*toy_x2_args[2:], "--scale", "4", "--out-dir", str(tmp_path / "out"), "--run-dir", str(tmp_path / "r4")]
    tool.main([*x4, "--init-from", str(x2)])
    summary = json.loads((tmp_path / "out" / "summary_x4.json").read_text())
    x2_photos = json.loads((toy_x2 / "summary_x2.json").read_text())["sources"]
    assert summary["init_from"] == {  # head, 16 blocks, body_end, up1, tail; and which x2 it was, on which photos
        "scale": 2,
        "layers": 20,
        "file": x2.name,
        "source_recipe": "custom",
        "source_steps": 1,
        "source_data": x2_photos,
    }
    assert "started from the trained x2 model's 20 shared layers (custom recipe, 1 steps)" in tool.model_card([summary])
    with pytest.raises(SystemExit, match="named like"):
        tool.init_scale(tmp_path / "weights.h5")


def test_the_card_names_the_recipe_of_the_x2_it_started_from(tool, tmp_path):
    x2 = tmp_path / "edsr_baseline_x2.weights.h5"
    x2.touch()
    assert tool.init_source(x2) == {}  # weights without a summary: nothing more to say
    (tmp_path / "summary_x2.json").write_text(json.dumps({"scale": 2, "steps": 6000}))  # v1 names no recipe
    assert tool.init_source(x2) == {"source_recipe": "v1", "source_steps": 6000}
    (tmp_path / "summary_x2.json").write_text(json.dumps({"scale": 2, "steps": 15000, "recipe": "v2"}))
    assert tool.init_source(x2) == {"source_recipe": "v2", "source_steps": 15000}
    photos = ["6 offline training photos (motorcycle_left, ...)"]
    (tmp_path / "summary_x2.json").write_text(
        json.dumps({"scale": 2, "steps": 15000, "recipe": "v2", "sources": photos})
    )
    assert tool.init_source(x2) == {"source_recipe": "v2", "source_steps": 15000, "source_data": photos}
    summary = {"init_from": {"scale": 2, "layers": 20, "file": x2.name, **tool.init_source(x2)}}
    assert tool.init_text(summary) == "; started from the trained x2 model's 20 shared layers (v2 recipe, 15,000 steps)"


def test_the_card_says_the_schedule_and_the_sampling_in_words(tool):
    v1 = {"learning_rate": 5e-4, "halving": 2500}  # v1 summaries name no warm-up, schedule or sampling
    v2 = {"learning_rate": 2e-4, "warmup": 0, "schedule": "cosine", "sampling": "area"}
    assert tool.schedule_text(v1) == "learning rate 0.0005 with a 200-step warm-up, halved every 2,500 steps"
    assert tool.schedule_text(v2) == "learning rate 0.0002, cosine decay to 0"  # no "0-step warm-up"
    assert tool.sampling_text(v1).endswith("chosen uniformly")
    assert tool.sampling_text(v2).endswith("in proportion to its area")


def test_the_card_names_one_machine_once_and_each_machine_of_a_run_that_moved(tool):
    def sitting(first, last, machine, minutes):
        return {"first_epoch": first, "last_epoch": last, "minutes": minutes, "machine": machine}

    cpu = {"backend": "tensorflow", "precision": "mixed_bfloat16"}
    one = {"invocations": [{**sitting(0, 3, "CPU A", 60.0), **cpu}, {**sitting(3, 4, "CPU A", 20.0), **cpu}]}
    assert tool.machines_text(one) == (
        "CPU A, Keras on tensorflow, `mixed_bfloat16`, in 2 sittings (epochs 1-3 in 60.0 min, epoch 4 in 20.0 min); "
        "wall time 80.0 minutes in all (training and per-epoch validation)"
    )
    again = {"invocations": [*one["invocations"], {**sitting(4, 4, "CPU A", 0.0), **cpu}]}  # resumed at its end
    assert tool.machines_text(again) == tool.machines_text(one)
    moved = {"invocations": [one["invocations"][0], {**sitting(3, 5, "GPU B", 5.0), **cpu, "backend": "jax"}]}
    text = tool.machines_text(moved)
    assert "epochs 1-3 on CPU A (Keras on tensorflow" in text and "epochs 4-5 on GPU B (Keras on jax" in text
    assert text.endswith("wall time 65.0 minutes in all (training and per-epoch validation)")


def test_recipe_v2_runs_the_shipped_recipe_and_flags_given_override_its_fields(tool, tmp_path):
    from edsr_helpers import recipes

    x4 = tool.make_plan(tool.parse_args(["--recipe", "v2", "--scale", "4", "--out-dir", str(tmp_path)]))
    assert x4.recipe == recipes.get_recipe("weights-v2") and (x4.name, x4.overrides) == ("v2", {})
    recipe = x4.recipe
    assert (recipe.lr_patch_size, recipe.batch_size, recipe.lr_schedule, recipe.sampling) == (48, 16, "cosine", "area")
    assert recipe.dataset == "photographs" and recipe.learning_rate == 2e-4 and recipe.warmup_steps == 0
    assert x4.profile.total_steps == 20_000 and x4.profile.steps_per_epoch == 1000
    assert x4.init_from == tmp_path / "edsr_baseline_x2.weights.h5"  # the paper: x4 and x3 start from x2
    x2 = tool.make_plan(tool.parse_args(["--recipe", "v2", "--scale", "2", "--epochs", "1", "--no-photographs"]))
    assert (x2.profile.epochs, x2.recipe.dataset, x2.init_from, x2.recipe.lr_patch_size) == (1, "sample", None, 48)
    assert x2.overrides == {"dataset": "sample", "steps": {2: 1000}}
    assert x2.recorded_overrides() == {"dataset": "sample", "steps": {"2": 1000}}  # as the summary stores them
    default = tool.make_plan(tool.parse_args(["--scale", "2"]))
    assert default.name is None and default.recipe.lr_patch_size != 48  # without --recipe, the v1 settings stay
    with pytest.raises(SystemExit):  # a recipe that does not exist
        tool.parse_args(["--recipe", "papr"])
    with pytest.raises(SystemExit, match="--epochs"):  # a recipe that names no length needs one
        tool.make_plan(tool.parse_args(["--recipe", "lab-cpu", "--scale", "3"]))
    with pytest.raises(SystemExit, match="two datasets"):
        tool.make_plan(tool.parse_args(["--recipe", "v2", "--scale", "2", "--wallpapers", "--photographs"]))


def test_the_summary_names_the_recipe_and_only_the_fields_the_command_changed(tool, tmp_path):
    same = ["--photographs", "--patch", "48", "--batch", "16", "--schedule", "cosine", "--learning-rate", "2e-4"]
    same += ["--warmup", "0", "--sampling", "area", "--epochs", "15", "--steps-per-epoch", "1000"]
    by_hand = tool.make_plan(tool.parse_args(["--recipe", "v2", "--scale", "2", *same]))
    assert (by_hand.name, by_hand.overrides) == ("v2", {})  # the recipe's own values change nothing
    assert tool.make_plan(tool.parse_args(["--recipe", "weights-v2", "--scale", "2"])).name == "v2"
    scratch = tool.make_plan(tool.parse_args(["--scale", "4", *same]))
    assert scratch.name is None and scratch.init_from is None  # x4 from scratch is not v2
    shorter = tool.make_plan(tool.parse_args(["--recipe", "v2", "--scale", "2", "--epochs", "1"]))
    assert shorter.overrides == {"steps": {2: 1000}}
    assert tool.recipe_text({"recipe": "v2", "overrides": {}}) == "`--recipe v2`: "
    changed = tool.recipe_text({"recipe": "v2", "overrides": {"steps": {"2": 1000}}})
    assert changed == "`--recipe v2` with steps {'2': 1000} changed: "
    assert tool.recipe_text({"steps": 6000}) == ""  # v1 summaries name no recipe


def test_recipe_realistic_fine_tunes_the_shipped_x4_on_fresh_degradations(tool):
    from edsr_helpers import pretrained, recipes

    plan = tool.make_plan(tool.parse_args(["--recipe", "realistic"]))
    recipe = recipes.get_recipe("weights-realistic")
    assert plan.recipe == recipe and (plan.name, plan.overrides, plan.scale) == ("realistic", {}, 4)
    assert (plan.profile.epochs, plan.profile.steps_per_epoch) == (recipe.steps[4] // 250, 250)  # a backup every 250
    assert plan.profile.total_steps == recipe.steps[4]
    assert plan.init_from == pretrained.weights_path(4)  # the bicubic-trained x4 that ships
    assert tool.file_names(plan) == (
        "edsr_baseline_x4_realistic.weights.h5",
        "summary_x4_realistic.json",
        "training_log_x4_realistic.csv",
    )
    assert tool.make_plan(tool.parse_args(["--recipe", "realistic", "--clean-share", "0.5"])).overrides == {
        "clean_share": 0.5
    }
    other = tool.make_plan(tool.parse_args(["--recipe", "realistic", "--degradation", "realistic"]))
    assert other.overrides == {"degradation": "realistic"} and tool.file_names(other) == tool.file_names(plan)
    with pytest.raises(SystemExit, match="x4 only"):
        tool.make_plan(tool.parse_args(["--recipe", "realistic", "--scale", "2"]))
    with pytest.raises(SystemExit, match="clean_share"):  # settings the recipe cannot take fail with its reason
        tool.make_plan(tool.parse_args(["--recipe", "realistic", "--degradation", "bicubic"]))


@pytest.mark.slow  # trains a toy run end to end (30-75 s)
def test_a_realistic_run_trains_on_fresh_degradations_and_is_judged_against_the_weights_it_started_from(
    tool, monkeypatch, tmp_path
):
    from edsr_helpers import degradations

    drawn = []
    original = degradations.DEGRADATIONS["camera-like"]

    def recording(hr, scale, seed):
        drawn.append((hr.shape, scale, seed))
        return original(hr, scale, seed)

    monkeypatch.setitem(degradations.DEGRADATIONS, "camera-like", recording)
    out = tmp_path / "out"
    realistic = ["--recipe", "realistic", "--no-photographs", "--epochs", "1", "--steps-per-epoch", "1", "--patch"]
    tool.main(
        [*realistic, "8", "--batch", "2", "--warmup", "0", "--clean-share", "0", "--out-dir", str(out), "--run-dir"]
        + [str(tmp_path / "r")]
    )
    # each degraded patch drew its own LR: an HR region with a margin around the 8 px patch, every seed new
    assert drawn and all(shape[:2] == ((8 + 2 * 4) * 4,) * 2 and scale == 4 for shape, scale, _ in drawn)
    assert len({seed for *_, seed in drawn}) >= 2  # a batch of 2 patches: two draws (fit may ask a batch twice)
    summary = json.loads((out / "summary_x4_realistic.json").read_text())
    assert summary["degradation"] == "realistic" and summary["lr_degradation"] == "camera-like"
    assert summary["reference"]["weights"] == "edsr_baseline_x4.weights.h5"
    for rows in (summary["evaluation"], summary["evaluation_degraded"], *summary["reference"].values()):
        if isinstance(rows, list):
            assert [row["image"] for row in rows][-1] == "mean"
    degraded, clean = summary["evaluation_degraded"][-1], summary["evaluation"][-1]
    assert degraded["bicubic_psnr_y"] < clean["bicubic_psnr_y"]  # degraded inputs are harder, for bicubic too
    with open(out / "training_log_x4_realistic.csv") as log:
        assert "val_degraded_psnr_y" in next(csv.DictReader(log))
    assert (out / "edsr_baseline_x4_realistic.weights.h5").exists() and not (out / "summary_x4.json").exists()


@pytest.mark.parametrize("setsid", [True, False], ids=["linux", "without-setsid"])
def test_in_background_gives_the_command_its_own_session_at_low_priority_and_logs_it(tmp_path, setsid):
    """tools/in_background.sh: nice alone does not lower a training against other sessions (autogroup)."""
    env = dict(os.environ)
    if not setsid:  # as on macOS: the same tools but setsid
        tools = tmp_path / "bin"
        tools.mkdir()
        for name in ("bash", "nice", "nohup", "mkdir", "dirname", "ps", "cat", "touch", "sleep"):
            (tools / name).symlink_to(shutil.which(name))
        env["PATH"] = str(tools)
    log, ready = tmp_path / "logs" / "train.log", tmp_path / "ready"
    report = 'echo "sid $(ps -o sid= -p $$) nice $(ps -o ni= -p $$)"; cat /proc/self/autogroup 2>/dev/null; '
    report += f"touch {ready}; sleep 3"
    started = subprocess.run(
        ["bash", str(ROOT / "tools" / "in_background.sh"), str(log), "bash", "-c", report],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
        env=env,
    )
    pid = int(started.stdout.strip())
    assert f"kill -STOP -- -{pid}" in started.stderr  # says how to pause and stop it
    for _ in range(300):  # it runs on its own: the script returned at once
        if ready.exists():
            break
        time.sleep(0.1)
    assert os.getpgid(pid) == pid  # one group: `kill -- -PID` reaches make and the training under it
    lines = log.read_text().split()
    assert lines[2:4] == ["nice", str(min(os.nice(0) + 10, 19))]
    assert (lines[1] == str(pid)) == setsid  # a session of its own where there is setsid
    if setsid and Path("/proc/self/autogroup").exists():
        assert lines[-2:] == ["nice", "10"]  # and the share of its own (Linux) session lowered too
    os.killpg(pid, 15)
    usage = subprocess.run(["bash", str(ROOT / "tools" / "in_background.sh"), str(log)], capture_output=True)
    assert usage.returncode == 2
