"""A TensorFlow-Playground-style lab: toy 2-D data, a small Keras net, a widget.

Modelled on https://playground.tensorflow.org (Smilkov and Carter). The module
has two layers:

* a pure core that needs no browser - :func:`make_playground_data`,
  :func:`feature_transform`, :func:`build_model`, :func:`split`,
  :func:`train_playground` and :func:`plot_playground` - which the notebooks
  and the tests call directly;
* :class:`Playground`, an ipywidgets front end over that core. Every control
  has a headless equivalent (``pg.set(dataset="spiral")``, ``pg.train(50)``,
  ``pg.reset()``), so CI can drive the widget without a browser.

Differences from the browser playground, on purpose: the network is a Keras
model trained with ``fit`` on a ``tf.data`` pipeline; the default optimizer is
Adam (plain SGD, the playground's, is one click away) because Adam gets there
in far fewer epochs on a laptop CPU; and the playground's bias initialisation
(0.1) is replaced by Keras' default (zeros, Glorot-uniform weights).

TensorFlow is imported lazily, so ``import course_utils`` stays fast.
"""
from __future__ import annotations

import dataclasses
import io
import math
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

import numpy as np

from .widgets import ShowsErrors

#: The four problems of the playground's classification tab.
DATASETS: tuple[str, ...] = ("circle", "xor", "gauss", "spiral")
#: Input features in the playground's order (the order used for a set of names).
FEATURE_ORDER: tuple[str, ...] = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
#: The input features one can feed the network.
FEATURES = frozenset(FEATURE_ORDER)
ACTIVATIONS: tuple[str, ...] = ("relu", "tanh", "sigmoid", "linear")
REGULARIZATIONS: tuple[str, ...] = ("none", "L1", "L2")
OPTIMIZERS: tuple[str, ...] = ("adam", "sgd")
#: The playground's menus of learning rates and regularisation rates.
LEARNING_RATES: tuple[float, ...] = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_RATES: tuple[float, ...] = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
#: Half-width of the square the data live in, as in the playground's plots.
DOMAIN = 6.0
MAX_LAYERS = 6
MAX_NEURONS = 8


# --------------------------------------------------------------------------- data
def make_playground_data(kind: str, n: int = 400, noise: float = 0.0, seed: int = 0
                         ) -> tuple[np.ndarray, np.ndarray]:
    """A 2-D binary classification problem like the playground's.

    ``kind`` is ``"circle"`` (a disc of radius 2.5 inside a ring 3.5..5), ``"xor"``
    (label 1 where ``x1 * x2 >= 0``), ``"gauss"`` (two blobs around (2, 2) and
    (-2, -2)) or ``"spiral"`` (two interleaved arms, 1.75 turns each).
    ``noise`` in [0, 0.5] scales as in the playground: circle and xor compute
    the label at a point jittered by up to ``5 * noise`` (so labels near the
    boundary flip), gauss grows the blobs' variance from 0.5 to 4, spiral
    jitters each point by up to ``noise``.

    Returns ``X`` (n, 2) float32 within [-6, 6] and ``y`` (n,) int64 in {0, 1},
    shuffled. Circle, gauss and spiral are balanced exactly; xor roughly.
    """
    kind = str(kind).strip().lower()
    if kind not in DATASETS:
        raise ValueError(f"unknown playground data set {kind!r}; choose one of {', '.join(DATASETS)}")
    n = int(n)
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    noise = float(noise)
    if not 0.0 <= noise <= 0.5:
        raise ValueError(f"noise must be in [0, 0.5] (the playground's 0..50 %), got {noise}")
    rng = np.random.default_rng(seed)
    n_pos = n // 2
    n_neg = n - n_pos

    if kind == "circle":
        radius = 5.0

        def ring(m, r_lo, r_hi):
            r = rng.uniform(r_lo, r_hi, m)
            angle = rng.uniform(0.0, 2 * np.pi, m)
            pts = np.c_[r * np.sin(angle), r * np.cos(angle)]
            jitter = rng.uniform(-radius, radius, (m, 2)) * noise
            label = (np.hypot(*(pts + jitter).T) < radius * 0.5).astype(np.int64)
            return pts, label

        p_in, y_in = ring(n_pos, 0.0, radius * 0.5)
        p_out, y_out = ring(n_neg, radius * 0.7, radius)
        X, y = np.concatenate([p_in, p_out]), np.concatenate([y_in, y_out])
    elif kind == "xor":
        pts = rng.uniform(-5.0, 5.0, (n, 2))
        pts += np.where(pts > 0, 0.3, -0.3)  # a small gap around the axes
        jitter = rng.uniform(-5.0, 5.0, (n, 2)) * noise
        noisy = pts + jitter
        X, y = pts, (noisy[:, 0] * noisy[:, 1] >= 0).astype(np.int64)
    elif kind == "gauss":
        variance = 0.5 + (4.0 - 0.5) * noise / 0.5
        std = math.sqrt(variance)
        X = np.concatenate([rng.normal(2.0, std, (n_pos, 2)), rng.normal(-2.0, std, (n_neg, 2))])
        y = np.r_[np.ones(n_pos, np.int64), np.zeros(n_neg, np.int64)]
    else:  # spiral

        def arm(m, delta):
            i = np.arange(m)
            r = i / m * 5.0
            t = 1.75 * i / m * 2 * np.pi + delta
            pts = np.c_[r * np.sin(t), r * np.cos(t)]
            return pts + rng.uniform(-1.0, 1.0, (m, 2)) * noise

        X = np.concatenate([arm(n_pos, 0.0), arm(n_neg, np.pi)])
        y = np.r_[np.ones(n_pos, np.int64), np.zeros(n_neg, np.int64)]

    order = rng.permutation(n)
    X = np.clip(X[order], -DOMAIN, DOMAIN).astype(np.float32)
    return X, y[order]


def _feature_list(features) -> list[str]:
    if isinstance(features, str):
        features = [features]
    if isinstance(features, (set, frozenset)):
        names = [f for f in FEATURE_ORDER if f in features]
        unknown = sorted(set(features) - FEATURES)
    else:
        names = list(features)
        unknown = [f for f in names if f not in FEATURES]
    if unknown:
        raise ValueError(f"unknown feature(s) {unknown}; choose from {', '.join(FEATURE_ORDER)}")
    if not names:
        raise ValueError("at least one input feature is needed (e.g. ['x1', 'x2'])")
    if len(set(names)) != len(names):
        raise ValueError(f"a feature is listed twice: {names}")
    return names


def feature_transform(X, features) -> np.ndarray:
    """The input columns the network sees, one per feature name, in the given order
    (a set is taken in :data:`FEATURE_ORDER`). ``X`` is (n, 2); returns (n, k) float32."""
    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"feature_transform needs points of shape (n, 2), got {X.shape}")
    x1, x2 = X[:, 0], X[:, 1]
    table: dict[str, Callable[[], np.ndarray]] = {
        "x1": lambda: x1,
        "x2": lambda: x2,
        "x1^2": lambda: x1 * x1,
        "x2^2": lambda: x2 * x2,
        "x1*x2": lambda: x1 * x2,
        "sin(x1)": lambda: np.sin(x1),
        "sin(x2)": lambda: np.sin(x2),
    }
    return np.stack([table[f]() for f in _feature_list(features)], axis=1).astype(np.float32)


def split(X, y, train_ratio: float = 0.5, seed: int = 0):
    """A seeded random split: ``(X_train, y_train, X_test, y_test)``; ``train_ratio`` in (0, 1)."""
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
    if not 0.0 < train_ratio < 1.0:
        raise ValueError(f"train_ratio must be between 0 and 1 (exclusive), got {train_ratio}")
    n_train = min(max(int(round(len(X) * train_ratio)), 1), len(X) - 1)
    order = np.random.default_rng(seed).permutation(len(X))
    tr, te = order[:n_train], order[n_train:]
    return X[tr], y[tr], X[te], y[te]


# --------------------------------------------------------------------------- model
def _regularizer(l1: float, l2: float):
    import keras

    if l1 and l2:
        return keras.regularizers.L1L2(l1=l1, l2=l2)
    if l1:
        return keras.regularizers.L1(l1)
    if l2:
        return keras.regularizers.L2(l2)
    return None


def build_model(features, hidden_layers: Sequence[int] = (4, 2), activation: str = "tanh", l1: float = 0,
                l2: float = 0, learning_rate: float = 0.03, *, optimizer: str = "adam", seed: int | None = 0,
                steps_per_execution: int = 1):
    """A compiled Keras MLP: inputs = the features, ``hidden_layers`` Dense layers
    with ``activation``, one sigmoid output, binary cross-entropy.

    ``features`` is a list of feature names (or their number). L1/L2 penalties
    apply to every layer's weights, as in the playground. ``seed`` fixes the
    initial weights (None: fresh random weights).
    """
    import keras

    n_inputs = features if isinstance(features, int) else len(_feature_list(features))
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
    hidden_layers = tuple(int(h) for h in hidden_layers)
    if any(h < 1 for h in hidden_layers):
        raise ValueError(f"every hidden layer needs at least one neuron, got {hidden_layers}")
    reg = _regularizer(float(l1), float(l2))

    def init(k):
        return keras.initializers.GlorotUniform(seed=None if seed is None else int(seed) * 100 + k)

    layers = [keras.Input(shape=(n_inputs,), name="features")]
    for k, width in enumerate(hidden_layers):
        layers.append(keras.layers.Dense(width, activation=activation, kernel_initializer=init(k),
                                         kernel_regularizer=reg, name=f"hidden_{k + 1}"))
    layers.append(keras.layers.Dense(1, activation="sigmoid", kernel_initializer=init(len(hidden_layers)),
                                     kernel_regularizer=reg, name="output"))
    model = keras.Sequential(layers, name="playground")
    opt = (keras.optimizers.Adam(learning_rate) if optimizer == "adam"
           else keras.optimizers.SGD(learning_rate))
    model.compile(optimizer=opt, loss="binary_crossentropy", steps_per_execution=int(steps_per_execution))
    return model


# --------------------------------------------------------------------------- config and training
@dataclass
class PlaygroundConfig:
    """Everything the playground's controls set. Fractions, not percentages."""

    dataset: str = "circle"
    noise: float = 0.0
    train_ratio: float = 0.5
    batch_size: int = 10
    features: tuple[str, ...] = ("x1", "x2")
    hidden_layers: tuple[int, ...] = (4, 2)
    activation: str = "tanh"
    learning_rate: float = 0.03
    regularization: str = "none"
    reg_rate: float = 0.0
    optimizer: str = "adam"
    n_samples: int = 400
    seed: int = 0

    def __post_init__(self):
        self.features = tuple(_feature_list(self.features))
        self.hidden_layers = tuple(int(h) for h in self.hidden_layers)
        if self.dataset not in DATASETS:
            raise ValueError(f"unknown data set {self.dataset!r}; choose one of {', '.join(DATASETS)}")
        if self.regularization not in REGULARIZATIONS:
            raise ValueError(f"regularization must be one of {REGULARIZATIONS}, got {self.regularization!r}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {self.activation!r}; choose one of {', '.join(ACTIVATIONS)}")
        if int(self.batch_size) < 1:
            raise ValueError(f"batch_size must be at least 1, got {self.batch_size}")
        self.batch_size = int(self.batch_size)

    def replace(self, **changes) -> "PlaygroundConfig":
        """A copy with some fields changed (``cfg.replace(dataset="xor")``)."""
        return dataclasses.replace(self, **changes)

    @property
    def l1(self) -> float:
        return float(self.reg_rate) if self.regularization == "L1" else 0.0

    @property
    def l2(self) -> float:
        return float(self.reg_rate) if self.regularization == "L2" else 0.0

    def data(self):
        """The split data of this config: ``(X_train, y_train, X_test, y_test)``."""
        X, y = make_playground_data(self.dataset, self.n_samples, self.noise, self.seed)
        return split(X, y, self.train_ratio, self.seed)

    def describe(self) -> str:
        """One line for figure titles."""
        hidden = "-".join(map(str, self.hidden_layers)) or "none"
        reg = "" if self.regularization == "none" or not self.reg_rate else f", {self.regularization} {self.reg_rate:g}"
        noise = f", noise {self.noise:.0%}" if self.noise else ""
        return (f"{self.dataset}{noise} | {', '.join(self.features)} | hidden {hidden} {self.activation} | "
                f"{self.optimizer} lr {self.learning_rate:g}{reg}")


def as_config(config=None, **overrides) -> PlaygroundConfig:
    """A :class:`PlaygroundConfig` from None, a dict or a config, with overrides applied."""
    if config is None:
        cfg = PlaygroundConfig()
    elif isinstance(config, PlaygroundConfig):
        cfg = config
    elif isinstance(config, dict):
        cfg = PlaygroundConfig(**config)
    else:
        raise TypeError(f"config must be a PlaygroundConfig or a dict, got {type(config).__name__}")
    return cfg.replace(**overrides) if overrides else cfg


def _bce(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p.astype(np.float64), 1e-7, 1 - 1e-7)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


@dataclass
class PlaygroundRun:
    """A trained (or training) playground: config, split data, Keras model, history.

    ``history`` holds one entry per epoch, starting with epoch 0 (before any
    training): ``epoch``, ``loss`` and ``test_loss`` (cross-entropy on the whole
    train / test set, without the regularisation penalty, as the playground
    shows it), ``accuracy`` and ``test_accuracy``.
    """

    config: PlaygroundConfig
    model: object
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    history: dict[str, list[float]] = field(default_factory=lambda: {
        "epoch": [], "loss": [], "test_loss": [], "accuracy": [], "test_accuracy": []})

    @property
    def epoch(self) -> int:
        return self.history["epoch"][-1] if self.history["epoch"] else 0

    def predict(self, points) -> np.ndarray:
        """P(class 1) at 2-D ``points`` (n, 2), features computed here."""
        feats = feature_transform(points, self.config.features)
        return np.asarray(self._forward()(feats)).reshape(-1)

    def _forward(self):
        # A compiled forward pass, traced once per model: an eager Keras call costs
        # milliseconds, and the history records one per epoch.
        fn = getattr(self, "_forward_fn", None)
        if fn is None or fn[0] is not self.model:
            import tensorflow as tf

            model = self.model
            spec = tf.TensorSpec((None, len(self.config.features)), tf.float32)
            fn = (model, tf.function(lambda x: model(x, training=False), input_signature=[spec]))
            self._forward_fn = fn
        return fn[1]

    def _record(self, epoch: int) -> None:
        n_tr = len(self.X_train)
        p = self.predict(np.concatenate([self.X_train, self.X_test]))
        p_tr, p_te = p[:n_tr], p[n_tr:]
        h = self.history
        h["epoch"].append(int(epoch))
        h["loss"].append(_bce(p_tr, self.y_train))
        h["test_loss"].append(_bce(p_te, self.y_test))
        h["accuracy"].append(float(np.mean((p_tr > 0.5) == self.y_train)))
        h["test_accuracy"].append(float(np.mean((p_te > 0.5) == self.y_test)))

    @property
    def train_loss(self) -> float:
        return self.history["loss"][-1]

    @property
    def test_loss(self) -> float:
        return self.history["test_loss"][-1]

    @property
    def train_accuracy(self) -> float:
        return self.history["accuracy"][-1]

    @property
    def test_accuracy(self) -> float:
        return self.history["test_accuracy"][-1]

    def count_params(self) -> int:
        return int(self.model.count_params())


def _steps_per_epoch(n_train: int, batch_size: int) -> int:
    return max(1, math.ceil(n_train / batch_size))


def new_run(config=None, *, data=None, init_seed: int | None = None, **overrides) -> PlaygroundRun:
    """Data and a freshly initialised model for ``config`` (no training yet)."""
    cfg = as_config(config, **overrides)
    X_train, y_train, X_test, y_test = cfg.data() if data is None else data
    model = build_model(cfg.features, cfg.hidden_layers, cfg.activation, cfg.l1, cfg.l2, cfg.learning_rate,
                        optimizer=cfg.optimizer, seed=cfg.seed if init_seed is None else init_seed,
                        steps_per_execution=_steps_per_epoch(len(X_train), cfg.batch_size))
    run = PlaygroundRun(cfg, model, X_train, y_train, X_test, y_test)
    run._record(0)
    return run


def train_playground(config=None, epochs: int = 100, *, run: PlaygroundRun | None = None, data=None,
                     on_epoch: Callable[[PlaygroundRun], None] | None = None, every: int = 1,
                     **overrides) -> PlaygroundRun:
    """Train a playground network for ``epochs`` epochs and return the :class:`PlaygroundRun`
    (``.model``, ``.history`` with train/test loss per epoch, ``.test_accuracy``).

    ``config`` is a :class:`PlaygroundConfig` or a dict of its fields (keyword
    overrides win). Pass ``run=`` to continue training an earlier run (its
    config is used). The training set is fed to ``fit`` as a shuffled
    ``tf.data`` pipeline with the config's batch size. ``on_epoch(run)`` is
    called every ``every`` epochs (the widget redraws there).
    """
    import keras
    import tensorflow as tf

    if run is None:
        run = new_run(config, data=data, **overrides)
    elif config is not None or overrides or data is not None:
        raise ValueError("pass either run= (to continue) or a config, not both")
    cfg = run.config
    epochs = int(epochs)
    if epochs < 0:
        raise ValueError(f"epochs must be >= 0, got {epochs}")
    if epochs == 0:
        return run
    ds = (tf.data.Dataset.from_tensor_slices((feature_transform(run.X_train, cfg.features),
                                              run.y_train.astype(np.float32).reshape(-1, 1)))
          .shuffle(len(run.X_train), seed=cfg.seed + run.epoch, reshuffle_each_iteration=True)
          .batch(cfg.batch_size)
          .prefetch(tf.data.AUTOTUNE))
    start = run.epoch

    class _Record(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            run._record(start + epoch + 1)
            if on_epoch is not None and ((epoch + 1) % max(1, every) == 0 or epoch + 1 == epochs):
                on_epoch(run)

    run.model.fit(ds, epochs=epochs, verbose=0, shuffle=False, callbacks=[_Record()])
    return run


# --------------------------------------------------------------------------- plots
def draw_playground(run: PlaygroundRun, axes, *, steps: int = 100, title: str | None = None) -> None:
    """Draw the decision boundary (train points filled, test points as triangles) on
    ``axes[0]`` and the train/test loss curves on ``axes[1]``."""
    from .plots import plot_decision_boundary

    ax_b, ax_l = axes
    plot_decision_boundary(run.predict, run.X_train, run.y_train, ax=ax_b, steps=steps)
    ax_b.scatter(run.X_test[:, 0], run.X_test[:, 1], c=run.y_test, cmap="RdBu", vmin=0, vmax=1, marker="^",
                 edgecolors="k", s=22, linewidths=0.5, alpha=0.8)
    ax_b.set_title(title or f"epoch {run.epoch}: test accuracy {run.test_accuracy:.0%}", fontsize=10)
    h = run.history
    ax_l.plot(h["epoch"], h["loss"], label=f"train {h['loss'][-1]:.3f}")
    ax_l.plot(h["epoch"], h["test_loss"], "--", label=f"test {h['test_loss'][-1]:.3f}")
    ax_l.set_xlabel("epoch")
    ax_l.set_ylabel("cross-entropy")
    ax_l.set_ylim(bottom=0)
    ax_l.set_title("loss", fontsize=10)
    ax_l.legend()


def plot_playground(run: PlaygroundRun, *, title: str | None = None, steps: int = 120, suptitle: str | None = None):
    """Decision boundary + loss curves of a run, side by side. Returns the figure
    (pyplot; the notebook calls ``plt.show()``)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), gridspec_kw={"width_ratios": [1, 1.15]})
    draw_playground(run, axes, steps=steps, title=title)
    fig.suptitle(suptitle if suptitle is not None else run.config.describe(), fontsize=9)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- the widget
_DATA_FIELDS = ("dataset", "noise", "train_ratio", "n_samples", "seed")
_MODEL_FIELDS = ("features", "hidden_layers", "activation", "learning_rate", "regularization", "reg_rate",
                 "optimizer")


class Playground(ShowsErrors):
    """The playground as a widget: controls on the left, the live decision boundary
    and loss curves on the right.

    In a notebook, show it by leaving ``pg`` as the last line of a cell (or
    ``display(pg)``). Without a browser, drive it with :meth:`set`,
    :meth:`train` and :meth:`reset`; ``pg.controls`` holds the widgets and
    changing their ``value`` has the same effect as clicking.

    ``config`` (or keyword overrides such as ``dataset="spiral"``) sets the
    starting controls; ``epochs_per_click`` the Train button's step;
    ``redraw_every`` how often (in epochs) the picture is redrawn while
    training when ``live``; ``render=False`` keeps only the status line
    (tests). Changing the data or the network starts again from epoch 0;
    changing only the batch size keeps the weights.
    """

    def __init__(self, config=None, *, epochs_per_click: int = 25, redraw_every: int = 5, live: bool = True,
                 render: bool = True, **overrides):
        import ipywidgets as w

        self.config = as_config(config, **overrides)
        self.redraw_every = int(redraw_every)
        self.live = bool(live)
        self.render = bool(render)
        self.resets = 0
        self.run: PlaygroundRun | None = None
        self.data = None
        self._mute = False
        self.last_error: str | None = None
        cfg = self.config

        style = {"description_width": "110px"}
        lay = w.Layout(width="300px")
        c: dict[str, object] = {}
        c["dataset"] = w.ToggleButtons(options=list(DATASETS), value=cfg.dataset, description="data set",
                                       style={"button_width": "62px", "description_width": "110px"})
        c["noise"] = w.IntSlider(value=round(cfg.noise * 100), min=0, max=50, step=5, description="noise (%)",
                                 style=style, layout=lay)
        c["train_ratio"] = w.IntSlider(value=round(cfg.train_ratio * 100), min=10, max=90, step=10,
                                       description="train ratio (%)", style=style, layout=lay)
        c["batch_size"] = w.IntSlider(value=cfg.batch_size, min=1, max=30, description="batch size", style=style,
                                      layout=lay)
        c["features"] = {f: w.Checkbox(value=f in cfg.features, description=f, indent=False,
                                       layout=w.Layout(width="80px")) for f in FEATURE_ORDER}
        c["n_layers"] = w.IntSlider(value=len(cfg.hidden_layers), min=0, max=MAX_LAYERS,
                                    description="hidden layers", style=style, layout=lay)
        widths = list(cfg.hidden_layers) + [4] * (MAX_LAYERS - len(cfg.hidden_layers))
        c["neurons"] = [w.BoundedIntText(value=widths[k], min=1, max=MAX_NEURONS, description=f"layer {k + 1}",
                                         style={"description_width": "45px"}, layout=w.Layout(width="95px"))
                        for k in range(MAX_LAYERS)]
        c["activation"] = w.Dropdown(options=list(ACTIVATIONS), value=cfg.activation, description="activation",
                                     style=style, layout=lay)
        c["learning_rate"] = w.Dropdown(options=_menu(LEARNING_RATES, cfg.learning_rate), value=cfg.learning_rate,
                                        description="learning rate", style=style, layout=lay)
        c["optimizer"] = w.Dropdown(options=list(OPTIMIZERS), value=cfg.optimizer, description="optimizer",
                                    style=style, layout=lay)
        c["regularization"] = w.Dropdown(options=list(REGULARIZATIONS), value=cfg.regularization,
                                         description="regularisation", style=style, layout=lay)
        c["reg_rate"] = w.Dropdown(options=_menu(REG_RATES, cfg.reg_rate), value=cfg.reg_rate,
                                   description="reg. rate", style=style, layout=lay)
        c["epochs"] = w.BoundedIntText(value=int(epochs_per_click), min=1, max=2000, description="epochs per click",
                                       style=style, layout=w.Layout(width="200px"))
        c["train"] = w.Button(description="Train", button_style="primary", icon="play")
        c["reset"] = w.Button(description="Reset weights", icon="refresh")
        self.controls = c
        self.status = w.HTML()
        self.out = w.Output(layout=w.Layout(min_width="560px", min_height="300px"))

        for key in ("dataset", "noise", "train_ratio", "batch_size", "n_layers", "activation", "learning_rate",
                    "optimizer", "regularization", "reg_rate"):
            c[key].observe(self._on_control, names="value")
        for box in list(c["features"].values()) + c["neurons"]:
            box.observe(self._on_control, names="value")
        c["train"].on_click(lambda _: self._safely(lambda: self.train(self.controls["epochs"].value)))
        c["reset"].on_click(lambda _: self._safely(self.reset))

        feats = w.GridBox(list(c["features"].values()),
                          layout=w.Layout(grid_template_columns="repeat(4, 85px)"))
        neurons = w.GridBox(c["neurons"], layout=w.Layout(grid_template_columns="repeat(3, 100px)"))
        left = w.VBox([
            w.HTML("<b>Data</b>"), c["dataset"], c["noise"], c["train_ratio"], c["batch_size"],
            w.HTML("<b>Input features</b>"), feats,
            w.HTML("<b>Network</b>"), c["n_layers"], neurons, c["activation"],
            w.HTML("<b>Training</b>"), c["optimizer"], c["learning_rate"], c["regularization"], c["reg_rate"],
            c["epochs"], w.HBox([c["train"], c["reset"]]), self.status,
        ], layout=w.Layout(width="420px"))
        self.ui = w.HBox([left, self.out])
        self._sync_neuron_boxes()
        self._rebuild(new_data=True)

    # ---- notebook display
    def _ipython_display_(self):
        from IPython.display import display

        display(self.ui)

    def __repr__(self) -> str:
        return f"Playground(epoch {self.epoch}, {self.config.describe()})"

    # ---- state
    @property
    def model(self):
        return self.run.model

    @property
    def history(self) -> dict[str, list[float]]:
        return self.run.history

    @property
    def epoch(self) -> int:
        return self.run.epoch if self.run else 0

    @property
    def X(self) -> np.ndarray:
        return np.concatenate([self.run.X_train, self.run.X_test])

    @property
    def y(self) -> np.ndarray:
        return np.concatenate([self.run.y_train, self.run.y_test])

    @property
    def test_accuracy(self) -> float:
        return self.run.test_accuracy

    # ---- controls <-> config
    def _read_controls(self) -> PlaygroundConfig:
        c = self.controls
        n_layers = c["n_layers"].value
        features = tuple(f for f in FEATURE_ORDER if c["features"][f].value)
        return self.config.replace(
            dataset=c["dataset"].value,
            noise=c["noise"].value / 100,
            train_ratio=c["train_ratio"].value / 100,
            batch_size=c["batch_size"].value,
            features=features or self.config.features,
            hidden_layers=tuple(box.value for box in c["neurons"][:n_layers]),
            activation=c["activation"].value,
            learning_rate=float(c["learning_rate"].value),
            optimizer=c["optimizer"].value,
            regularization=c["regularization"].value,
            reg_rate=float(c["reg_rate"].value),
        )

    def _write_controls(self, cfg: PlaygroundConfig) -> None:
        if len(cfg.hidden_layers) > MAX_LAYERS or any(h > MAX_NEURONS for h in cfg.hidden_layers):
            raise ValueError(f"the widget allows up to {MAX_LAYERS} layers of up to {MAX_NEURONS} neurons, "
                             f"got {cfg.hidden_layers}")
        c = self.controls
        c["dataset"].value = cfg.dataset
        c["noise"].value = round(cfg.noise * 100)
        c["train_ratio"].value = round(cfg.train_ratio * 100)
        c["batch_size"].value = cfg.batch_size
        for f, box in c["features"].items():
            box.value = f in cfg.features
        c["n_layers"].value = len(cfg.hidden_layers)
        for box, width in zip(c["neurons"], cfg.hidden_layers):
            box.value = width
        c["activation"].value = cfg.activation
        for key, menu in (("learning_rate", LEARNING_RATES), ("reg_rate", REG_RATES)):
            value = float(getattr(cfg, key))
            c[key].options = _menu(menu, value)
            c[key].value = value
        c["optimizer"].value = cfg.optimizer
        c["regularization"].value = cfg.regularization

    def _sync_neuron_boxes(self) -> None:
        n_layers = self.controls["n_layers"].value
        for k, box in enumerate(self.controls["neurons"]):
            box.layout.visibility = "visible" if k < n_layers else "hidden"

    def _on_control(self, change=None) -> None:
        if self._mute:
            return
        self._safely(self._apply_controls)

    def _apply_controls(self) -> None:
        self._sync_neuron_boxes()
        c = self.controls
        if not any(box.value for box in c["features"].values()):  # keep at least one input
            self._mute = True
            try:
                for f, box in c["features"].items():
                    box.value = f in self.config.features
            finally:
                self._mute = False
        self._apply(self._read_controls())

    def _apply(self, new: PlaygroundConfig) -> None:
        old, self.config = self.config, new
        new_data = any(getattr(old, k) != getattr(new, k) for k in _DATA_FIELDS)
        new_model = new_data or any(getattr(old, k) != getattr(new, k) for k in _MODEL_FIELDS)
        if new_model:
            self._rebuild(new_data=new_data)
        elif old.batch_size != new.batch_size:
            # The batch size changes the steps per epoch, not the network: keep the weights.
            self.run.config = new
            self.run.model.compile(optimizer=self.run.model.optimizer, loss="binary_crossentropy",
                                   steps_per_execution=_steps_per_epoch(len(self.run.X_train), new.batch_size))
            self.draw()

    def set(self, **changes) -> "Playground":
        """Change controls without a browser, e.g. ``pg.set(dataset="spiral", hidden_layers=(8, 8))``.
        Takes :class:`PlaygroundConfig` fields (fractions, not percentages)."""
        new = self.config.replace(**changes)
        self._mute = True
        try:
            self._write_controls(new)
        finally:
            self._mute = False
        self._sync_neuron_boxes()
        self._apply(new)
        return self

    # ---- actions
    def _rebuild(self, *, new_data: bool) -> None:
        if new_data or self.data is None:
            self.data = self.config.data()
        init_seed = self.config.seed + 1000 * self.resets
        self.run = new_run(self.config, data=self.data, init_seed=init_seed)
        self.draw()

    def reset(self) -> "Playground":
        """New random weights (the data stay), history back to epoch 0."""
        self.resets += 1
        self._rebuild(new_data=False)
        return self

    def train(self, epochs: int | None = None) -> PlaygroundRun:
        """Train ``epochs`` more epochs (default: the 'epochs per click' box), redrawing every
        ``redraw_every`` epochs when ``live``. Returns the run (``.history``, ``.model``)."""
        epochs = self.controls["epochs"].value if epochs is None else int(epochs)
        train_playground(run=self.run, epochs=epochs, on_epoch=self.draw if self.live else None,
                         every=self.redraw_every)
        if not self.live:
            self.draw()
        return self.run


    # ---- drawing
    def figure(self, steps: int = 80):
        """The current picture as a Matplotlib figure (not attached to pyplot)."""
        from matplotlib.figure import Figure

        fig = Figure(figsize=(8.6, 3.5), dpi=72)
        axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.15]})
        draw_playground(self.run, axes, steps=steps)
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.14, top=0.91, wspace=0.22)  # tight_layout is slow
        return fig

    def draw(self, run: PlaygroundRun | None = None) -> None:
        """Update the status line and redraw the output area (clear_output(wait=True), then
        the new picture; with ``render=False`` only the status line)."""
        from IPython.display import Image, clear_output, display

        r = self.run
        self.status.value = (f"epoch <b>{r.epoch}</b> | train loss {r.train_loss:.3f} | "
                             f"test loss {r.test_loss:.3f} | test accuracy {r.test_accuracy:.0%}")
        if not self.render:
            return
        buf = io.BytesIO()
        self.figure().savefig(buf, format="png")
        with self.out:
            clear_output(wait=True)
            display(Image(data=buf.getvalue(), format="png"))


def _menu(values: Iterable[float], current: float) -> list[float]:
    menu = sorted(set(float(v) for v in values) | {float(current)})
    return menu
