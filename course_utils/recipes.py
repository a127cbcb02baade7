"""Recipes for the models the course ships in data/models (``make checkpoints``).

Each recipe builds and trains one model from the course's own offline data,
so every shipped file can be reproduced. Import this module to register them.
"""
from __future__ import annotations

from .models import Recipe, register_recipe  # noqa: F401 - used by the recipes below


# ---------------------------------------------------------------- Day 2.4: transfer learning
#: Name of the base network the transfer-learning notebook uses offline.
DIGITS_0TO4_CNN = "digits_0to4_cnn"
DIGITS_0TO4_CLASSES = (0, 1, 2, 3, 4)


def build_digits_cnn(num_classes: int = 5, *, name: str = "digits_cnn"):
    """The small CNN of Day 2.4: three conv blocks, a 64-unit "features" layer, a softmax head.

    Input ``(28, 28, 1)`` floats in [0, 1]; the layers are named (``conv1``, ``pool1``,
    ``conv2``, ``bn2``, ``relu2``, ``pool2``, ``conv3``, ``pool3``, ``flatten``, ``features``,
    ``head``) so a notebook can cut the network at any depth. The same function builds the
    from-scratch baseline.
    """
    import keras
    from keras import layers

    inputs = keras.Input((28, 28, 1), name="image")
    x = layers.Conv2D(16, 3, padding="same", activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(name="pool1")(x)
    x = layers.Conv2D(32, 3, padding="same", use_bias=False, name="conv2")(x)
    x = layers.BatchNormalization(name="bn2")(x)
    x = layers.Activation("relu", name="relu2")(x)
    x = layers.MaxPooling2D(name="pool2")(x)
    x = layers.Conv2D(64, 3, padding="same", activation="relu", name="conv3")(x)
    x = layers.MaxPooling2D(name="pool3")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(64, activation="relu", name="features")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="head")(x)
    return keras.Model(inputs, outputs, name=name)


def train_digits_0to4_cnn(seed: int = 0, epochs: int = 2):
    """Pretrain the base on the source task: MNIST training digits 0-4 (about 30,600 images).

    Seeded; 2 epochs, about a minute of CPU time on 2 cores. Reaches about 99 % on the MNIST
    test digits 0-4 (tests/test_recipes.py checks >= 0.97). The shipped file holds no optimizer
    state: load it and compile it yourself to train it further.
    """
    import keras
    import numpy as np

    from .datasets import load_dataset, scale_images

    keras.utils.set_random_seed(seed)
    data = load_dataset("mnist", verbose=False)
    keep = np.isin(data.y_train, DIGITS_0TO4_CLASSES)
    x = scale_images(data.x_train[keep])[..., None]
    y = data.y_train[keep].astype("int32")
    return _fit_digits_cnn(x, y, len(DIGITS_0TO4_CLASSES), "digits_0to4_cnn", seed=seed, epochs=epochs)


def _fit_digits_cnn(x, y, n_classes: int, name: str, *, seed: int, epochs: int):
    """Train :func:`build_digits_cnn` with Adam(1e-3) on (x, y) fed by a shuffled pipeline and
    return a fresh copy holding the weights without the optimizer's state (a third of the size,
    nothing lost for reuse)."""
    import keras

    from .datasets import make_pipeline

    model = build_digits_cnn(n_classes, name=name)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(make_pipeline(x, y, 128, shuffle=True, seed=seed), epochs=epochs, verbose=0)
    shipped = build_digits_cnn(n_classes, name=name)
    shipped.set_weights(model.get_weights())
    return shipped


register_recipe(Recipe(
    name=DIGITS_0TO4_CNN,
    description="small CNN pretrained on MNIST digits 0-4 (source task of Day 2.4), input 28x28x1 in [0, 1], 5 classes",
    train=train_digits_0to4_cnn,
))


# ---------------------------------------------------------------- Day 4.3: the GAN judge
#: Name of the 0-9 MNIST classifier that judges generated digits in Day 4.3.
MNIST_JUDGE_CNN = "mnist_judge_cnn"


def train_mnist_judge_cnn(seed: int = 0, epochs: int = 3):
    """Train "the judge" of Day 4.3: the Day 2.4 CNN architecture with a 10-way head, on all
    60,000 MNIST training digits.

    Seeded; 3 epochs, one to two minutes of CPU time on 2 cores. Reaches about 99 % on the MNIST
    test set (tests/test_recipes.py checks >= 0.985). Input ``(28, 28, 1)`` in [0, 1] (a GAN's
    tanh output in [-1, 1] is mapped with ``(x + 1) / 2`` first). Shipped without optimizer state.
    """
    import keras
    import numpy as np

    from .datasets import load_dataset, scale_images

    keras.utils.set_random_seed(seed)
    data = load_dataset("mnist", verbose=False)
    x = scale_images(data.x_train)[..., None]
    y = data.y_train.astype("int32")
    return _fit_digits_cnn(x, y, 10, MNIST_JUDGE_CNN, seed=seed, epochs=epochs)


register_recipe(Recipe(
    name=MNIST_JUDGE_CNN,
    description="the judge of Day 4.3: small CNN classifying MNIST digits 0-9, input 28x28x1 in [0, 1], 10 classes",
    train=train_mnist_judge_cnn,
))
