"""Plumbing for the GAN notebooks of Day 4: judge metrics, an image-grid callback, a widget.

* :func:`judge_metrics` scores generated digits with a trained classifier ("the judge"):
  the share of confident samples, the classes covered and an inception-score-style number
  ``exp(E_x[KL(p(y|x) || p(y))])`` (Salimans et al., 2016), computed by :func:`inception_score`.
* :func:`image_grid` tiles images into one array; :func:`ImageGridPerEpoch` returns a Keras
  callback that draws the generator's output for a fixed noise batch after every epoch,
  keeps the grids and saves each as a PNG.
* :class:`ConditionalGanExplorer` asks a conditional generator for a digit: ToggleButtons ->
  a grid of samples, each titled with the judge's verdict. Its core, :meth:`generate` and
  :meth:`show`, runs headless (tests, CI).

Images follow the GAN convention: ``(N, 28, 28, 1)`` floats in [-1, 1] (tanh output);
:func:`to_unit` maps them to the [0, 1] the course's classifiers expect.
TensorFlow is imported lazily, so ``import course_utils`` stays fast.
"""
from __future__ import annotations

import os
from typing import Callable

import numpy as np

from .widgets import ShowsErrors

#: A sample counts as "confident" when the judge's top probability exceeds this.
CONFIDENT = 0.9


def to_unit(images) -> np.ndarray:
    """GAN images in [-1, 1] -> float32 in [0, 1], clipped, with a channel axis ``(N, H, W, 1)``."""
    x = np.asarray(images, dtype=np.float32)
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4:
        raise ValueError(f"expected (N, H, W) or (N, H, W, C) images, got shape {x.shape}")
    return np.clip((x + 1.0) / 2.0, 0.0, 1.0)


def inception_score(probs, eps: float = 1e-12) -> float:
    """``exp(mean_x KL(p(y|x) || p(y)))`` for class probabilities ``probs`` of shape (N, C).

    1 when every sample gets the same distribution (or all are uncertain in the same way);
    C (the number of classes) when each sample is classified with certainty and the classes
    are used equally often. High = confident *and* diverse.
    """
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim != 2 or len(p) == 0:
        raise ValueError(f"probs must be a non-empty (N, C) array, got shape {p.shape}")
    p_y = p.mean(axis=0, keepdims=True)
    kl = np.sum(p * (np.log(p + eps) - np.log(p_y + eps)), axis=1)
    return float(np.exp(kl.mean()))


def metrics_from_probs(probs, *, confident: float = CONFIDENT, min_share: float = 0.01) -> dict:
    """Judge metrics from class probabilities (N, C).

    ``confident_share``: share of samples with max probability > ``confident``;
    ``classes_covered``: classes that are the judge's answer for at least ``min_share`` of the
    samples; ``inception_score``: :func:`inception_score`; ``class_counts``: the histogram of answers.
    """
    p = np.asarray(probs, dtype=np.float64)
    pred = p.argmax(axis=1)
    counts = np.bincount(pred, minlength=p.shape[1])
    return {
        "confident_share": float(np.mean(p.max(axis=1) > confident)),
        "classes_covered": int(np.sum(counts >= max(1, min_share * len(p)))),
        "inception_score": inception_score(p),
        "class_counts": counts,
    }


def judge_metrics(judge, images, *, confident: float = CONFIDENT, min_share: float = 0.01,
                  from_tanh: bool = True, batch_size: int = 500) -> dict:
    """Score images with a classifier: :func:`metrics_from_probs` plus ``probs`` and ``pred``.

    ``images`` in [-1, 1] (``from_tanh=True``, a GAN's output) or already in [0, 1].
    """
    x = to_unit(images) if from_tanh else np.asarray(images, np.float32)
    if x.ndim == 3:
        x = x[..., None]
    probs = np.asarray(judge.predict(x, verbose=0, batch_size=batch_size))
    out = metrics_from_probs(probs, confident=confident, min_share=min_share)
    out["probs"] = probs
    out["pred"] = probs.argmax(axis=1)
    return out


def format_metrics(name: str, m: dict) -> str:
    """One line for a table of judge metrics."""
    return (f"{name:<22s} confident {m['confident_share']:6.1%} | classes covered {m['classes_covered']:2d} | "
            f"inception score {m['inception_score']:5.2f}")


def image_grid(images, ncols: int = 8, pad: int = 1, fill: float = 1.0) -> np.ndarray:
    """Tile ``(N, H, W[, 1])`` images into one 2-D array (rows of ``ncols``), ``pad`` pixels apart."""
    x = np.asarray(images, dtype=np.float32)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 3 or len(x) == 0:
        raise ValueError(f"expected a non-empty (N, H, W[, 1]) batch, got shape {np.shape(images)}")
    n, h, w = x.shape
    ncols = max(1, min(int(ncols), n))
    nrows = -(-n // ncols)
    grid = np.full((nrows * (h + pad) - pad, ncols * (w + pad) - pad), fill, dtype=np.float32)
    for k in range(n):
        r, c = divmod(k, ncols)
        grid[r * (h + pad):r * (h + pad) + h, c * (w + pad):c * (w + pad) + w] = x[k]
    return grid


def ImageGridPerEpoch(generate: Callable[[object], object], noise, *, folder: str | None = None,
                      ncols: int = 8, every: int = 1, from_tanh: bool = True):
    """A Keras callback: after every ``every`` epochs, ``generate(noise)`` -> an image grid.

    ``generate`` maps the fixed ``noise`` batch to images (usually ``lambda z: gan.generator(z,
    training=False)``), so the grids of successive epochs show the same samples evolving. The grids
    are kept in ``callback.grids`` (``{epoch: 2-D array in [0, 1]}``, epochs counted from 1) and,
    with ``folder``, saved as ``epoch_001.png`` ... (``callback.paths``).
    """
    import keras

    class _ImageGridPerEpoch(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.grids: dict[int, np.ndarray] = {}
            self.paths: list[str] = []

        def on_epoch_end(self, epoch, logs=None):
            if (epoch + 1) % every:
                return
            images = np.asarray(generate(noise))
            images = to_unit(images) if from_tanh else images
            grid = image_grid(images, ncols=ncols, fill=0.0 if from_tanh else 1.0)
            self.grids[epoch + 1] = grid
            if folder:
                import matplotlib.pyplot as plt

                os.makedirs(folder, exist_ok=True)
                path = os.path.join(folder, f"epoch_{epoch + 1:03d}.png")
                plt.imsave(path, grid, cmap="gray", vmin=0.0, vmax=1.0)
                self.paths.append(path)

    return _ImageGridPerEpoch()


def plot_grids(grids: dict, epochs=None, *, size: float = 2.6, title: str | None = None):
    """Draw some of the grids kept by :func:`ImageGridPerEpoch` side by side. Returns the figure."""
    import matplotlib.pyplot as plt

    epochs = sorted(grids) if epochs is None else [e for e in epochs if e in grids]
    if not epochs:
        raise ValueError("no grids to draw")
    fig, axes = plt.subplots(1, len(epochs), figsize=(size * len(epochs), size + 0.3), squeeze=False)
    for ax, e in zip(axes[0], epochs):
        ax.imshow(grids[e], cmap="gray", vmin=0.0, vmax=1.0)
        ax.set_title(f"after epoch {e}", fontsize=10)
        ax.axis("off")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


class ConditionalGanExplorer(ShowsErrors):
    """Ask a conditional generator for a digit; the judge says what it sees.

    ``generator`` takes ``[noise (n, noise_dim), labels (n,) int]`` and returns images in [-1, 1];
    ``judge`` (optional) is a 0-9 classifier on [0, 1] images. ToggleButtons 0-9 pick the digit;
    :meth:`show` (headless: ``explorer.show(7)``) draws ``n`` samples titled with the judge's
    answers and returns the share the judge reads as the requested digit. ``render=False`` keeps
    only the status line (tests).
    """

    def __init__(self, generator, noise_dim: int, judge=None, *, n: int = 16, ncols: int = 8, seed: int = 0,
                 render: bool = True, digit: int = 0):
        import ipywidgets as w

        self.generator, self.noise_dim, self.judge = generator, int(noise_dim), judge
        self.n, self.ncols, self.render = int(n), int(ncols), bool(render)
        self.rng = np.random.default_rng(seed)
        self.last: dict | None = None
        self.last_error = None
        self.digits = w.ToggleButtons(options=list(range(10)), value=int(digit), description="digit",
                                      style={"button_width": "34px"})
        self.again = w.Button(description="New samples", icon="refresh")
        self.status = w.HTML()
        self.out = w.Output(layout=w.Layout(min_height="200px"))
        self.digits.observe(lambda change: self._safely(lambda: self.show(change["new"])), names="value")
        self.again.on_click(lambda _: self._safely(lambda: self.show(self.digits.value)))
        self.ui = w.VBox([w.HBox([self.digits, self.again]), self.status, self.out])
        self._safely(lambda: self.show(self.digits.value))

    def _ipython_display_(self):
        from IPython.display import display

        display(self.ui)

    def generate(self, digit: int, n: int | None = None) -> np.ndarray:
        """``n`` images of ``digit`` (fresh noise each call), shape (n, 28, 28, 1) in [-1, 1]."""
        digit = int(digit)
        if not 0 <= digit <= 9:
            raise ValueError(f"digit must be 0..9, got {digit}")
        n = self.n if n is None else int(n)
        z = self.rng.normal(size=(n, self.noise_dim)).astype("float32")
        labels = np.full((n,), digit, dtype="int32")
        return np.asarray(self.generator([z, labels], training=False))

    def show(self, digit: int) -> float | None:
        """Generate and (with ``render``) draw samples of ``digit``; return the judge's hit rate."""
        images = self.generate(digit)
        hit = None
        pred = None
        if self.judge is not None:
            pred = judge_metrics(self.judge, images)["pred"]
            hit = float(np.mean(pred == int(digit)))
        self.last = {"digit": int(digit), "images": images, "pred": pred, "hit_rate": hit}
        verdict = "" if hit is None else f" - the judge reads {hit:.0%} of them as a {int(digit)}"
        self.status.value = f"{len(images)} samples of digit {int(digit)}{verdict}"
        if self.render:
            import matplotlib.pyplot as plt
            from IPython.display import display

            from .plots import show_images

            self.out.clear_output(wait=True)
            with self.out:
                labels = None if pred is None else np.full(len(images), int(digit))
                fig = show_images(to_unit(images)[..., 0], labels, predictions=pred, ncols=self.ncols, size=0.9,
                                  cmap="gray")
                display(fig)
                plt.close(fig)
        return hit

    def __repr__(self) -> str:
        return f"ConditionalGanExplorer(digit {self.digits.value}, {self.n} samples)"
