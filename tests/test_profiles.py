from __future__ import annotations

import pytest

from edsr_helpers import backend, profiles

pytestmark = pytest.mark.engine_free


def test_environment_variable_wins(monkeypatch):
    for name in profiles.PROFILES:
        monkeypatch.setenv(profiles.PROFILE_ENV_VAR, name.upper())
        assert profiles.active_profile().name == name


def test_unknown_profile_is_refused_with_choices(monkeypatch):
    monkeypatch.setenv(profiles.PROFILE_ENV_VAR, "tpu-pod")
    with pytest.raises(ValueError, match="ci, cpu, gpu, paper"):
        profiles.active_profile()


@pytest.mark.parametrize(("gpu", "expected"), [(False, "cpu"), (True, "gpu")])
def test_automatic_choice(monkeypatch, gpu, expected):
    monkeypatch.delenv(profiles.PROFILE_ENV_VAR, raising=False)
    monkeypatch.setattr(backend, "has_gpu", lambda: gpu)
    profile = profiles.active_profile()
    assert profile.name == expected
    assert "automatically" in profiles.describe_profile(profile)


def test_description_says_how_to_change(monkeypatch):
    monkeypatch.setenv(profiles.PROFILE_ENV_VAR, "ci")
    text = profiles.describe_profile(profiles.active_profile())
    assert "Profile 'ci'" in text and "%env EDSR_PROFILE=" in text


def test_profiles_are_consistent():
    assert profiles.PROFILES["paper"].recipe.dataset == "div2k"
    assert profiles.PROFILES["ci"].recipe.dataset == "sample"
    for profile in profiles.PROFILES.values():
        assert profile.hr_patch_size == profile.recipe.lr_patch_size * profile.scale


def test_paper_recipe_only_by_name(monkeypatch):
    """The 300k-step DIV2K recipe never starts by itself: a GPU gets the class-sized profile."""
    monkeypatch.delenv(profiles.PROFILE_ENV_VAR, raising=False)
    monkeypatch.setattr(backend, "has_gpu", lambda: True)
    assert profiles.active_profile().name == "gpu"
    monkeypatch.setenv(profiles.PROFILE_ENV_VAR, "paper")
    paper = profiles.active_profile()
    assert paper.recipe.dataset == "div2k" and paper.epochs * paper.steps_per_epoch == 300_000


def test_only_the_paper_profile_may_download():
    for profile in profiles.PROFILES.values():
        assert (profile.recipe.dataset == "div2k") == (profile.name == "paper")


def test_class_sized_gpu_profile_trains_on_the_offline_photos_without_div2k():
    """What a Colab GPU gets: seconds of data preparation (pip-shipped photos), 48 px patches of batch 16, and
    the recipe measured on an H200 (constant 2e-4 for 7,000 steps)."""
    from edsr_helpers import data, training

    gpu = profiles.PROFILES["gpu"]
    pairs = data.load_pairs(gpu, "train", data_dir="/nonexistent/tfds", verbose=False)
    lr, hr = data.make_train_dataset_for(gpu, pairs)[0]
    assert lr.shape == (16, 48, 48, 3) and hr.shape == (16, 192, 192, 3)
    assert gpu.epochs * gpu.steps_per_epoch == 7_000
    schedule = training.make_schedule(gpu)
    assert float(schedule(0)) == pytest.approx(2e-4) and float(schedule(6_999)) == pytest.approx(2e-4)


def test_a_second_recipe_is_sized_by_the_profile():
    """Notebook 05's fine-tune: the profile's steps per epoch, a share of its epochs and minutes, the recipe's
    learning; its own run folder."""
    cpu = profiles.PROFILES["cpu"]
    run = cpu.for_recipe("realistic-finetune", share=1 / 6, scale=4)
    assert run.recipe is profiles.RECIPES["realistic-finetune"] and run.scale == 4
    assert (run.epochs, run.steps_per_epoch) == (2, cpu.steps_per_epoch)
    assert run.training_minutes == pytest.approx(cpu.training_minutes / 6)
    assert run.name == "cpu-realistic-finetune" and cpu.for_recipe("smoke", name="other").name == "other"
    ci = profiles.PROFILES["ci"].for_recipe("realistic-finetune", share=0.1)
    assert ci.epochs == 1 and ci.training_minutes is None  # never fewer than one epoch


def test_a_second_recipe_refuses_a_share_outside_the_run():
    with pytest.raises(ValueError, match="share"):
        profiles.PROFILES["cpu"].for_recipe("realistic-finetune", share=0)
    with pytest.raises(ValueError, match="share"):
        profiles.PROFILES["cpu"].for_recipe("realistic-finetune", share=1.5)
    with pytest.raises(ValueError, match="no recipe"):
        profiles.PROFILES["cpu"].for_recipe("no-such-recipe")


def test_only_the_seconds_long_test_run_is_too_short_to_show_learning():
    """Notebook 04 shows the shipped weights for the ``ci`` run and the trained model for every lab-sized one."""
    short = {name for name, profile in profiles.PROFILES.items() if not profile.learns_enough_to_show}
    assert short == {"ci"}
    assert profiles.PROFILES["ci"].total_steps < profiles.STEPS_TO_SHOW_LEARNING <= profiles.PROFILES["cpu"].total_steps
