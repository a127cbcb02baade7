"""Image kernels: a small library of 3x3 filters, a way to apply them, and a widget.

Modelled on "Image Kernels Explained Visually" (Victor Powell,
https://setosa.io/ev/image-kernels/). The lesson - writing a convolution by
hand - stays in the notebook (Day 2.1); this module is the plumbing around it:

* :data:`KERNELS` - name -> 3x3 float array;
* :func:`to_grey` - an RGB photo as a grey image in [0, 1] (weighted sum);
* :func:`apply_kernel` - a grey image filtered by a kernel, same size as the input;
* :func:`kernel_explorer` / :class:`KernelExplorer` - an ipywidgets UI (photo,
  kernel menu, a 3x3 grid for a custom kernel, original and result side by side)
  whose every control has a headless equivalent (``ex.set(kernel="sobel_x")``).

Flip convention. Deep-learning libraries (Keras, ``tf.nn.conv2d``, PyTorch) call
it convolution but compute **cross-correlation**: the kernel is laid on the image
as written, ``out[i, j] = sum_{a,b} image[i + a, j + b] * kernel[a, b]``. The
mathematical convolution flips the kernel in both axes first
(``kernel[::-1, ::-1]``). :func:`apply_kernel` uses cross-correlation by default
(``mode="correlate"``), so a kernel behaves here exactly as in a ``Conv2D`` layer
and as drawn on setosa.io; ``mode="convolve"`` gives the textbook convolution
(what ``scipy.signal.convolve2d`` computes). The two agree for kernels that are
symmetric under a 180-degree rotation (identity, blurs, sharpen, outline) and
differ in sign for sobel_x / sobel_y and in direction for emboss.
"""
from __future__ import annotations

import io

import numpy as np

from .widgets import ShowsErrors

#: The classic 3x3 image kernels (as they are laid on the image: cross-correlation).
KERNELS: dict[str, np.ndarray] = {
    # copies the image
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=float),
    # box blur: the mean of the 3x3 neighbourhood
    "blur": np.full((3, 3), 1 / 9),
    # Gaussian blur: a weighted mean, the centre counts most (binomial weights 1-2-1)
    "gaussian_blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=float) / 16,
    # sharpen: the centre pixel minus its 4 neighbours, added back to the image
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float),
    # outline (edge detector, a discrete Laplacian): zero on flat regions
    "outline": np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=float),
    # Sobel x: right column minus left column -> responds to vertical edges (dark to bright, left to right)
    "sobel_x": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float),
    # Sobel y: bottom row minus top row -> responds to horizontal edges (dark to bright, top to bottom)
    "sobel_y": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=float),
    # emboss: a diagonal derivative plus the image, looks like a relief lit from the top left
    "emboss": np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], dtype=float),
}

#: ITU-R BT.601 luma weights for R, G, B (what PIL's ``convert("L")`` uses).
GREY_WEIGHTS: tuple[float, float, float] = (0.299, 0.587, 0.114)

#: Photos offered by the explorer (all bundled with scikit-image / scikit-learn, no network).
EXPLORER_PHOTOS: tuple[str, ...] = ("camera", "coins", "astronaut", "chelsea", "coffee", "rocket")

_BOUNDARIES = ("symm", "wrap", "fill")


def get_kernel(name: str) -> np.ndarray:
    """A copy of ``KERNELS[name]`` (name case-insensitive, ``-``/space read as ``_``)."""
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    if key not in KERNELS:
        raise KeyError(f"unknown kernel {name!r}; choose one of {', '.join(KERNELS)}")
    return KERNELS[key].copy()


def to_grey(image) -> np.ndarray:
    """A grey float64 image in [0, 1] from (H, W), (H, W, 3) or (H, W, 4) input.

    Colour images become the weighted sum ``0.299 R + 0.587 G + 0.114 B`` (alpha is
    dropped). Integer images are divided by 255; float images are taken to be in [0, 1].
    """
    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[-1] in (3, 4):
        scale = 255.0 if np.issubdtype(arr.dtype, np.integer) else 1.0
        grey = arr[..., :3].astype(float) @ np.asarray(GREY_WEIGHTS)
        return grey / scale
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim != 2:
        raise ValueError(f"to_grey expects an (H, W) or (H, W, 3|4) image, got shape {arr.shape}")
    if np.issubdtype(arr.dtype, np.integer) or arr.dtype == bool:
        return arr.astype(float) / (1.0 if arr.dtype == bool else 255.0)
    return arr.astype(float)


def apply_kernel(image, kernel, *, mode: str = "correlate", boundary: str = "symm",
                 clip: tuple[float, float] | None = (0.0, 1.0)) -> np.ndarray:
    """Filter a grey image with a 2-D kernel; the result has the image's size.

    ``image``: a 2-D array (use :func:`to_grey` first for a photo; uint8 input is
    scaled to [0, 1]). ``kernel``: a 2-D array or a name from :data:`KERNELS`.
    ``mode``: ``"correlate"`` (default, what Keras' ``Conv2D`` computes) or
    ``"convolve"`` (the kernel flipped in both axes first). ``boundary``: how the
    image is extended past its border - ``"symm"`` (mirror, default: a flat image
    stays flat), ``"wrap"`` (periodic) or ``"fill"`` (zeros, like Keras'
    ``padding="same"``). ``clip``: the result is clipped to this range for display
    (``None`` returns the raw values, e.g. negative edge responses).
    """
    from scipy.signal import convolve2d, correlate2d

    k = get_kernel(kernel) if isinstance(kernel, str) else np.asarray(kernel, dtype=float)
    if k.ndim != 2:
        raise ValueError(f"the kernel must be 2-D, got shape {k.shape}")
    img = np.asarray(image)
    if img.ndim != 2:
        raise ValueError(f"apply_kernel expects a grey (H, W) image, got shape {img.shape}: use to_grey() first")
    img = to_grey(img)
    if mode not in ("correlate", "convolve"):
        raise ValueError(f"mode must be 'correlate' or 'convolve', got {mode!r}")
    if boundary not in _BOUNDARIES:
        raise ValueError(f"boundary must be one of {', '.join(_BOUNDARIES)}, got {boundary!r}")
    op = correlate2d if mode == "correlate" else convolve2d
    out = op(img, k, mode="same", boundary=boundary)
    if clip is not None:
        out = np.clip(out, *clip)
    return out


def _photo(name: str) -> np.ndarray:
    from .datasets import load_sample_image

    return to_grey(load_sample_image(name))


def _format_kernel(k: np.ndarray) -> str:
    return np.array2string(np.asarray(k), precision=3, suppress_small=True)


class KernelExplorer(ShowsErrors):
    """A setosa-style kernel playground as a widget.

    Controls (in ``.controls``): ``"photo"`` (Dropdown), ``"kernel"`` (Dropdown of
    :data:`KERNELS` plus ``"custom"``) and ``"cells"`` (3x3 list of FloatText).
    Picking a named kernel writes its numbers into the grid; editing a grid cell
    switches the menu to ``"custom"``. Each change calls :meth:`update`, which
    recomputes :attr:`result` (the filtered grey image) and redraws the output
    area - it needs no browser, so tests and notebooks can call it directly.
    """

    def __init__(self, image=None, *, kernel: str = "sharpen", photo: str = "camera",
                 photos: tuple[str, ...] = EXPLORER_PHOTOS, draw: bool = True, figsize=(8.0, 4.0)):
        import ipywidgets as w

        self.draw_enabled = bool(draw)
        self.figsize = figsize
        self.updates = 0
        self.last_error: str | None = None
        self._mute = False
        self._cache: dict[str, np.ndarray] = {}
        options = list(photos)
        if image is not None:
            self._cache["your image"] = to_grey(image)
            options = ["your image"] + options
            photo = "your image"
        if photo not in options:
            raise ValueError(f"unknown photo {photo!r}; choose one of {', '.join(options)}")
        kernel = str(kernel)
        if kernel not in KERNELS and kernel != "custom":
            raise KeyError(f"unknown kernel {kernel!r}; choose one of {', '.join(KERNELS)} or 'custom'")

        start = KERNELS.get(kernel, KERNELS["identity"])
        c: dict[str, object] = {}
        c["photo"] = w.Dropdown(options=options, value=photo, description="photo")
        c["kernel"] = w.Dropdown(options=list(KERNELS) + ["custom"], value=kernel, description="kernel")
        c["cells"] = [[w.FloatText(value=float(start[r, q]), step=0.1, layout=w.Layout(width="70px"))
                       for q in range(3)] for r in range(3)]
        self.controls = c
        self.status = w.HTML()
        self.out = w.Output(layout=w.Layout(min_height="300px"))

        c["photo"].observe(self._on_change, names="value")
        c["kernel"].observe(self._on_kernel, names="value")
        for row in c["cells"]:
            for cell in row:
                cell.observe(self._on_cell, names="value")

        grid = w.GridBox([cell for row in c["cells"] for cell in row],
                         layout=w.Layout(grid_template_columns="repeat(3, 75px)"))
        left = w.VBox([c["photo"], c["kernel"], w.HTML("<b>kernel values</b> (edit to make your own)"), grid,
                       self.status], layout=w.Layout(width="320px"))
        self.ui = w.HBox([left, self.out])
        self.result: np.ndarray | None = None
        self.update()

    # ---- notebook display
    def _ipython_display_(self):
        from IPython.display import display

        display(self.ui)

    def __repr__(self) -> str:
        return f"KernelExplorer(photo={self.photo!r}, kernel={self.kernel_name!r})"

    # ---- state
    @property
    def photo(self) -> str:
        return self.controls["photo"].value

    @property
    def kernel_name(self) -> str:
        return self.controls["kernel"].value

    @property
    def kernel(self) -> np.ndarray:
        """The 3x3 kernel currently in the grid."""
        return np.array([[cell.value for cell in row] for row in self.controls["cells"]], dtype=float)

    @property
    def image(self) -> np.ndarray:
        """The current photo, grey, in [0, 1]."""
        name = self.photo
        if name not in self._cache:
            self._cache[name] = _photo(name)
        return self._cache[name]

    # ---- callbacks
    def _on_change(self, change=None) -> None:
        if not self._mute:
            self._safely(self.update)

    def _on_kernel(self, change=None) -> None:
        if self._mute:
            return
        name = self.controls["kernel"].value
        if name in KERNELS:
            self._write_cells(KERNELS[name])
        self._safely(self.update)

    def _on_cell(self, change=None) -> None:
        if self._mute:
            return
        self._mute = True
        try:
            match = [n for n, k in KERNELS.items() if np.allclose(k, self.kernel)]
            self.controls["kernel"].value = match[0] if match else "custom"
        finally:
            self._mute = False
        self._safely(self.update)

    def _write_cells(self, k: np.ndarray) -> None:
        self._mute = True
        try:
            for r, row in enumerate(self.controls["cells"]):
                for q, cell in enumerate(row):
                    cell.value = float(k[r, q])
        finally:
            self._mute = False


    # ---- headless API
    def set(self, *, photo: str | None = None, kernel=None) -> "KernelExplorer":
        """Change the photo and/or kernel as a click would. ``kernel`` is a name from
        :data:`KERNELS` or a 3x3 array (which selects ``"custom"`` unless it equals a named one)."""
        self._mute = True
        try:
            if photo is not None:
                self.controls["photo"].value = photo
            if kernel is not None:
                if isinstance(kernel, str):
                    if kernel not in KERNELS:
                        raise KeyError(f"unknown kernel {kernel!r}; choose one of {', '.join(KERNELS)}")
                    self.controls["kernel"].value = kernel
                    self._write_cells(KERNELS[kernel])
                else:
                    k = np.asarray(kernel, dtype=float)
                    if k.shape != (3, 3):
                        raise ValueError(f"a custom kernel must be 3x3, got shape {k.shape}")
                    self._write_cells(k)
                    match = [n for n, v in KERNELS.items() if np.allclose(v, k)]
                    self.controls["kernel"].value = match[0] if match else "custom"
        finally:
            self._mute = False
        self.update()
        return self

    def update(self) -> np.ndarray:
        """Recompute :attr:`result` from the current photo and kernel; redraw; return the result."""
        k = self.kernel
        self.result = apply_kernel(self.image, k)
        self.updates += 1
        self.status.value = (f"kernel <b>{self.kernel_name}</b>, sum of weights {k.sum():.3g} | "
                             f"result mean {self.result.mean():.3f}")
        if self.draw_enabled:
            self.draw()
        return self.result

    def figure(self):
        """Original and filtered image side by side, as a Matplotlib figure (not attached to pyplot)."""
        from matplotlib.figure import Figure

        fig = Figure(figsize=self.figsize, dpi=72)
        axes = fig.subplots(1, 2)
        axes[0].imshow(self.image, cmap="gray", vmin=0, vmax=1)
        axes[0].set_title(f"{self.photo}")
        axes[1].imshow(self.result, cmap="gray", vmin=0, vmax=1)
        axes[1].set_title(f"{self.kernel_name}\n{_format_kernel(self.kernel)}", fontsize=9, family="monospace")
        for ax in axes:
            ax.axis("off")
        fig.tight_layout()
        return fig

    def draw(self) -> None:
        """Redraw the output area.

        The picture is written straight into the Output widget's ``outputs`` (kernel side),
        not printed inside ``with out:`` - so it never leaks into the cell's own output when
        no browser routes the messages (nbval, tests) - and as JPEG, which keeps the widget
        state stored in a saved notebook small.
        """
        import base64

        buf = io.BytesIO()
        self.figure().savefig(buf, format="jpeg", pil_kwargs={"quality": 85})
        bundle = {
            "output_type": "display_data",
            "data": {"image/jpeg": base64.b64encode(buf.getvalue()).decode("ascii"),
                     "text/plain": f"<{self.photo} filtered by {self.kernel_name}>"},
            "metadata": {},
        }
        self.out.outputs = (bundle,)


def kernel_explorer(image=None, **kwargs) -> KernelExplorer:
    """An interactive kernel explorer (see :class:`KernelExplorer`). Leave it as the last
    line of a notebook cell to show it; ``image`` adds your own picture to the photo menu."""
    return KernelExplorer(image, **kwargs)

