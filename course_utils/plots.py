"""Plot helpers: the figures every notebook needs, in one place.

Each function draws on a Matplotlib axis (a new figure when ``ax`` is None)
and returns the axis or figure, so a notebook can add to it. None of them
calls ``plt.show()``; the notebook does, which keeps nbval's stored text
free of ``<Figure ...>`` reprs.
"""
from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np


def _axes(ax=None, figsize=(6, 4)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_history(history, metrics: Sequence[str] | None = None, *, title: str | None = None):
    """Training curves from a Keras ``History`` (or its ``.history`` dict): one panel per
    metric, training and validation together. Returns the figure."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    hist: Mapping[str, Sequence[float]] = getattr(history, "history", history)
    if not hist:
        raise ValueError("plot_history: the history is empty - did fit() run for at least one epoch?")
    if metrics is None:
        metrics = [k for k in hist if not k.startswith("val_")]
    missing = [m for m in metrics if m not in hist]
    if missing:
        raise ValueError(f"plot_history: {missing} not in the history; it has {sorted(hist)}")
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.2), squeeze=False)
    for ax, name in zip(axes[0], metrics):
        epochs = np.arange(1, len(hist[name]) + 1)
        ax.plot(epochs, hist[name], "o-", ms=3, label="train")
        if f"val_{name}" in hist:
            ax.plot(epochs, hist[f"val_{name}"], "s--", ms=3, label="validation")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
        ax.set_ylabel(name)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_images(images, labels=None, *, predictions=None, class_names: Sequence[str] | None = None,
                ncols: int = 8, cmap: str = "gray_r", size: float = 1.3, title: str | None = None):
    """A labelled grid of images. With ``predictions``, wrong ones are titled in red as
    ``pred (true)``. Accepts (N, H, W), (N, H, W, 1) or (N, H, W, 3). Returns the figure."""
    import matplotlib.pyplot as plt

    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim not in (3, 4):
        raise ValueError(f"show_images expects (N, H, W[, C]) images, got shape {images.shape}")
    n = len(images)
    if n == 0:
        raise ValueError("show_images: no images to show")
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + (0.3 if title else 0)),
                             squeeze=False)

    def name(i):
        i = int(i)
        return class_names[i] if class_names is not None else str(i)

    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k >= n:
            continue
        ax.imshow(images[k], cmap=None if images.ndim == 4 else cmap)
        if predictions is not None and labels is not None:
            ok = int(predictions[k]) == int(labels[k])
            ax.set_title(name(predictions[k]) if ok else f"{name(predictions[k])} ({name(labels[k])})",
                         color="black" if ok else "red", fontsize=9)
        elif labels is not None:
            ax.set_title(name(labels[k]), fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def decision_grid(x: np.ndarray, *, steps: int = 200, margin: float = 0.5):
    """A mesh over the bounding box of 2-D points: returns (xx, yy, grid_points)."""
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"decision_grid needs 2-D points of shape (N, 2), got {x.shape}")
    lo, hi = x.min(axis=0) - margin, x.max(axis=0) + margin
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], steps), np.linspace(lo[1], hi[1], steps))
    return xx, yy, np.c_[xx.ravel(), yy.ravel()]


def plot_decision_boundary(predict: Callable[[np.ndarray], np.ndarray], x, y, *, ax=None, steps: int = 200,
                           title: str | None = None, cmap: str = "RdBu", proba: bool = True):
    """Shade the plane by a classifier's output and scatter the labelled points.

    ``predict`` maps an (N, 2) array to probabilities of class 1 (shape (N,) or (N, 1)),
    to class scores (N, K) for several classes, or to labels. Returns the axis.
    """
    ax = _axes(ax)
    x, y = np.asarray(x), np.asarray(y).ravel()
    xx, yy, grid = decision_grid(x, steps=steps)
    out = np.asarray(predict(grid.astype(np.float32)))
    if out.ndim == 2 and out.shape[1] > 1:
        z = out.argmax(axis=1).astype(float)
        levels = np.arange(out.shape[1] + 1) - 0.5
    else:
        z = out.reshape(-1).astype(float)
        levels = np.linspace(0, 1, 11) if proba else None
    ax.contourf(xx, yy, z.reshape(xx.shape), levels=levels, cmap=cmap, alpha=0.45)
    if out.ndim == 1 or out.shape[1] == 1:
        ax.contour(xx, yy, z.reshape(xx.shape), levels=[0.5], colors="k", linewidths=1)
    ax.scatter(x[:, 0], x[:, 1], c=y, cmap=cmap, edgecolors="k", s=18, linewidths=0.5)
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return ax


def confusion_matrix(y_true, y_pred, num_classes: int | None = None) -> np.ndarray:
    """Counts: row = true class, column = predicted class."""
    y_true = np.asarray(y_true).astype(int).ravel()
    y_pred = np.asarray(y_pred).astype(int).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"confusion_matrix: {y_true.shape} labels vs {y_pred.shape} predictions")
    k = num_classes or int(max(y_true.max(initial=0), y_pred.max(initial=0)) + 1)
    cm = np.zeros((k, k), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)
    return cm


def plot_confusion_matrix(y_true, y_pred, class_names: Sequence[str] | None = None, *, ax=None,
                          normalize: bool = False, title: str | None = None):
    """Draw the confusion matrix with counts (or row shares) in each cell. Returns the axis."""
    cm = confusion_matrix(y_true, y_pred, None if class_names is None else len(class_names))
    shown = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1) if normalize else cm
    k = cm.shape[0]
    ax = _axes(ax, figsize=(0.45 * k + 2, 0.45 * k + 1.6))
    ax.imshow(shown, cmap="Blues")
    ax.grid(False)
    names = list(class_names) if class_names is not None else [str(i) for i in range(k)]
    ax.set_xticks(range(k), names, rotation=45 if max(len(n) for n in names) > 2 else 0)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    threshold = shown.max() / 2 if shown.size else 0
    for i in range(k):
        for j in range(k):
            text = f"{shown[i, j]:.2f}" if normalize else str(cm[i, j])
            ax.text(j, i, text, ha="center", va="center", fontsize=7,
                    color="white" if shown[i, j] > threshold else "black")
    acc = np.trace(cm) / max(cm.sum(), 1)
    ax.set_title(title or f"accuracy {acc:.1%}")
    return ax
