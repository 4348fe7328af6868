"""Solutions to notebook 02's exercises (see README.md in this folder)."""

import keras
from keras import layers

import edsr_helpers as eh


def check_residual_block():
    def residual_block(x, num_filters, res_scale):
        residual = layers.Conv2D(num_filters, 3, padding="same", activation="relu")(x)
        residual = layers.Conv2D(num_filters, 3, padding="same")(residual)
        return layers.Add()([x, layers.Rescaling(res_scale)(residual)])

    return (residual_block,)


def check_edsr_one_step():
    def my_edsr_one_step(num_res_blocks, num_filters):
        inputs = keras.Input((None, None, 3))
        x = eh.model.MeanShift(sign=-1.0)(inputs)
        head = x = layers.Conv2D(num_filters, 3, padding="same")(x)
        for _ in range(num_res_blocks):
            x = eh.model.ResidualBlock(num_filters)(x)
        x = layers.Conv2D(num_filters, 3, padding="same")(x)
        x = layers.Add()([head, x])
        x = layers.Conv2D(num_filters * 4 * 4, 3, padding="same")(x)
        x = eh.model.PixelShuffle(4)(x)
        x = layers.Conv2D(3, 3, padding="same")(x)
        return keras.Model(inputs, eh.model.MeanShift(sign=1.0)(x))

    return (my_edsr_one_step,)


def check_upsampler_parameters():
    count = 9 * 64 * (64 * 3 * 3) + 64 * 3 * 3
    return (count,)


def check_receptive_field():
    # 16 more blocks, 2 convolutions each, each 3x3 conv widens the field by 2 LR pixels
    width = eh.model.receptive_field(4, 16) + 16 * 2 * 2
    return (width,)
