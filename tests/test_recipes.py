"""The model registry and the named recipes: what a run learns is the recipe's, how long it runs the profile's."""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import pytest

from edsr_helpers import data, pretrained, profiles, recipes, training


@pytest.fixture
def toy_model():
    """A registered toy model (one conv, then pixel shuffle), removed again after the test."""

    @recipes.register_model("toy-shuffle")
    def build(scale: int, filters: int = 4) -> keras.Model:
        from edsr_helpers.model import PixelShuffle

        inputs = keras.Input((None, None, 3))
        x = keras.layers.Conv2D(3 * scale * scale, 3, padding="same")(keras.layers.Rescaling(1.0)(inputs))
        return keras.Model(inputs, PixelShuffle(scale)(x), name=f"toy_x{scale}_{filters}")

    yield build
    del recipes.MODELS["toy-shuffle"]


def test_a_registered_toy_model_trains_one_step_through_the_path_edsr_takes(toy_model):
    recipe = recipes.Recipe("toy", "a toy", model="toy-shuffle", dataset="sample", lr_patch_size=8, batch_size=2)
    profile = profiles.Profile("toy", "one step", recipe, scale=2, epochs=1, steps_per_epoch=1)
    net = training.compile_for_training(profile.recipe.build_model(profile.scale), profile)
    assert net.name == "toy_x2_4"
    before = [np.array(weight) for weight in net.get_weights()]
    pairs = data.load_pairs(profile, "validation", verbose=False)
    history = net.fit(data.make_train_dataset_for(profile, pairs), epochs=1, steps_per_epoch=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert any(not np.array_equal(old, new) for old, new in zip(before, net.get_weights(), strict=True))


def test_building_an_unknown_model_names_the_registered_ones():
    with pytest.raises(ValueError, match="edsr-baseline"):
        recipes.build_model("rcan", 4)


def test_a_name_cannot_be_registered_twice(toy_model):
    with pytest.raises(ValueError, match="already registered"):
        recipes.register_model("toy-shuffle")(lambda scale: None)


def test_recipes_are_checked_when_made():
    for field, value in (("lr_schedule", "linear"), ("loss", "l3"), ("dataset", "imagenet")):
        with pytest.raises(ValueError, match=field):
            recipes.Recipe("bad", "bad", **{field: value})
    with pytest.raises(ValueError, match="paper"):
        recipes.get_recipe("papr")


def test_the_paper_recipe_is_the_papers():
    paper = recipes.get_recipe("paper")
    assert (paper.lr_patch_size, paper.batch_size, paper.loss, paper.learning_rate) == (48, 16, "l1", 1e-4)
    assert (paper.lr_schedule, paper.lr_halving_steps, paper.warmup_steps) == ("halving", 200_000, 0)
    assert paper.model == "edsr-baseline" and paper.keras_loss == "mean_absolute_error"


def test_every_profile_reads_its_recipe_and_keeps_only_the_run_size():
    recipe_fields = {field.name for field in dataclasses.fields(recipes.Recipe)}
    profile_fields = {field.name for field in dataclasses.fields(profiles.Profile)}
    assert recipe_fields & profile_fields == {"name", "description"}
    for profile in profiles.PROFILES.values():
        assert profile.recipe.name in recipes.RECIPES
    # the recipe's settings are read from the recipe, not forwarded invisibly through the profile
    with pytest.raises(AttributeError, match="learning_rate"):
        profiles.PROFILES["cpu"].learning_rate  # noqa: B018


def test_the_shipped_weights_recipe_builds_the_shipped_model():
    v2 = recipes.get_recipe("weights-v2")
    assert v2.model == pretrained.SHIPPED_MODEL
    assert sorted(v2.steps) == [2, 3, 4] and v2.dataset == "photographs"
    assert recipes.build_model(v2.model, 4).count_params() == 1_517_571
