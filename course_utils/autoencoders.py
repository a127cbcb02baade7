"""Figures for the autoencoder lesson (Day 4.1): image rows, mosaics, latent plots.

The models, losses and training stay in the notebook; these helpers only lay out
images and codes. Like :mod:`course_utils.plots`, none of them calls ``plt.show()``.
"""
from __future__ import annotations

from typing import Callable, Mapping

import numpy as np


def _as_images(images) -> np.ndarray:
    """(N, H, W) or (N, H, W, 1) -> (N, H, W); colour images (N, H, W, 3) stay as they are."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim not in (3, 4):
        raise ValueError(f"expected (N, H, W[, C]) images, got shape {images.shape}")
    return images


def tile_images(images, nrows: int, ncols: int, *, pad: int = 0, fill: float = 0.0) -> np.ndarray:
    """Lay out ``nrows * ncols`` images row by row into one big image (a mosaic).

    Image ``k`` goes to row ``k // ncols``, column ``k % ncols``; ``pad`` pixels of
    ``fill`` separate neighbours. Returns (nrows*H + (nrows-1)*pad, ncols*W + ...) [, C]).
    """
    images = _as_images(images)
    if len(images) != nrows * ncols:
        raise ValueError(f"tile_images: {len(images)} images do not fill a {nrows} x {ncols} grid")
    n, h, w = images.shape[:3]
    extra = images.shape[3:]
    out = np.full((nrows * h + (nrows - 1) * pad, ncols * w + (ncols - 1) * pad) + extra, fill,
                  dtype=np.result_type(images.dtype, np.float32))
    for k in range(n):
        r, c = divmod(k, ncols)
        out[r * (h + pad):r * (h + pad) + h, c * (w + pad):c * (w + pad) + w] = images[k]
    return out


def latent_grid_points(n: int = 15, *, limit: float | None = None, coverage: float = 0.9) -> np.ndarray:
    """The 2-D latent points of an ``n x n`` manifold grid, shape ``(n * n, 2)``.

    Row-major from the top-left: the first coordinate (z1) grows left to right, the second
    (z2) shrinks top to bottom, so the mosaic reads like a scatter plot (z2 axis pointing up).
    By default the values are quantiles of a standard normal covering the central ``coverage``
    of its mass (the VAE prior); with ``limit`` they are evenly spaced in ``[-limit, limit]``.
    """
    if n < 2:
        raise ValueError("latent_grid_points: n must be at least 2")
    if limit is None:
        from scipy.stats import norm

        tail = (1 - coverage) / 2
        values = norm.ppf(np.linspace(tail, 1 - tail, n))
    else:
        values = np.linspace(-limit, limit, n)
    z1, z2 = np.meshgrid(values, values[::-1])
    return np.stack([z1.ravel(), z2.ravel()], axis=1).astype(np.float32)


def plot_latent_grid(decode: Callable[[np.ndarray], np.ndarray], n: int = 15, *, limit: float | None = None,
                     coverage: float = 0.9, ax=None, cmap: str = "gray_r", title: str | None = None):
    """Decode an ``n x n`` grid of 2-D latent points and draw the images as one mosaic.

    ``decode`` maps a ``(m, 2)`` float32 array to ``m`` images (for a Keras decoder:
    ``lambda z: decoder.predict(z, verbose=0)``). The axes are labelled with the latent
    values at the centre of each tile. Returns the axis.
    """
    import matplotlib.pyplot as plt

    points = latent_grid_points(n, limit=limit, coverage=coverage)
    images = _as_images(decode(points))
    h, w = images.shape[1:3]
    mosaic = tile_images(images, n, n)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 6))
    ax.imshow(mosaic, cmap=cmap)
    values = points[:n, 0]
    ticks = np.unique(np.linspace(0, n - 1, min(n, 5)).round().astype(int))
    label = lambda v: f"{round(float(v), 1) + 0.0:.1f}"  # noqa: E731 - "+ 0.0" turns -0.0 into 0.0
    ax.set_xticks(ticks * w + w / 2 - 0.5, [label(values[t]) for t in ticks])
    ax.set_yticks(ticks * h + h / 2 - 0.5, [label(values[::-1][t]) for t in ticks])
    ax.set_xlabel("$z_1$")
    ax.set_ylabel("$z_2$")
    ax.grid(False)
    if title:
        ax.set_title(title)
    return ax


def plot_latent_scatter(codes, labels, *, ax=None, title: str | None = None, s: float = 4,
                        xlabel: str = "$z_1$", ylabel: str = "$z_2$"):
    """Scatter 2-D codes ``(N, 2)`` coloured by integer label (0-9), with a colour bar. Returns the axis."""
    import matplotlib.pyplot as plt

    codes = np.asarray(codes)
    labels = np.asarray(labels)
    if codes.ndim != 2 or codes.shape[1] != 2:
        raise ValueError(f"plot_latent_scatter: codes must be (N, 2), got {codes.shape}")
    if len(codes) != len(labels):
        raise ValueError(f"plot_latent_scatter: {len(codes)} codes but {len(labels)} labels")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 4.5))
    n_classes = int(labels.max()) + 1 if len(labels) else 1
    points = ax.scatter(codes[:, 0], codes[:, 1], c=labels, s=s, cmap="tab10", vmin=-0.5, vmax=n_classes - 0.5)
    bar = ax.figure.colorbar(points, ax=ax, ticks=range(n_classes))
    bar.set_label("digit")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax


def show_rows(rows: Mapping[str, np.ndarray], *, cmap: str = "gray_r", size: float = 1.1,
              title: str | None = None, vmin: float | None = 0.0, vmax: float | None = 1.0):
    """One row of images per entry of ``rows`` (name -> images), the name written at the left:
    ``show_rows({"input": x[:8], "reconstruction": x_hat[:8]})``. All rows must hold as many
    images. Pixels are drawn on a fixed ``[vmin, vmax]`` scale so rows compare fairly. Returns the figure."""
    import matplotlib.pyplot as plt

    if not rows:
        raise ValueError("show_rows: no rows to show")
    arrays = {name: _as_images(images) for name, images in rows.items()}
    lengths = {len(a) for a in arrays.values()}
    if len(lengths) != 1 or 0 in lengths:
        raise ValueError(f"show_rows: every row needs the same, non-zero number of images, got "
                         f"{ {name: len(a) for name, a in arrays.items()} }")
    ncols = lengths.pop()
    fig, axes = plt.subplots(len(arrays), ncols, figsize=(size * ncols + 1.2, size * len(arrays) + (0.3 if title else 0)),
                             squeeze=False)
    for row, (name, images) in zip(axes, arrays.items()):
        for ax, image in zip(row, images):
            ax.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            for spine in ax.spines.values():
                spine.set_visible(False)
        row[0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=10)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
