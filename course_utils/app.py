"""The capstone's front end: turn any picture into an MNIST-style digit and show what a model says.

Two layers, as in :mod:`course_utils.playground`:

* a pure core that needs no browser - :func:`to_mnist` (uploaded PNG/JPEG bytes, a PIL
  image or an array of any size and mode -> a 28 x 28 ``uint8`` digit in the MNIST
  polarity, white ink on black, centred the way MNIST was), :func:`perturb` (rotation
  and noise, to probe robustness) and :func:`predict_probs` (any model or function
  ``images -> probabilities``);
* :class:`DigitApp`, an ipywidgets front end over that core: pick a test image with a
  slider, rotate it, add noise, or upload your own picture, and see the prediction with
  its probability bar chart. Every control has a headless twin (``app.select(3)``,
  ``app.set(angle=30)``, ``app.upload(png_bytes)``), so a notebook cell or a test can
  drive it without a browser.
"""
from __future__ import annotations

import io
from typing import Sequence

import numpy as np

from .widgets import ShowsErrors

#: MNIST images are 28 x 28 pixels; the digit itself was scaled to fit a 20 x 20 box.
SIZE = 28
DIGIT_BOX = 20
#: Contrast (grey levels out of 255) below which an image counts as blank.
MIN_CONTRAST = 8.0


# --------------------------------------------------------------------------- preprocessing
def _open_image(data):
    """bytes / PIL image / array -> a PIL image (errors say what was wrong)."""
    from PIL import Image, UnidentifiedImageError

    if isinstance(data, Image.Image):
        return data
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        if not raw:
            raise ValueError("no image data: the upload is empty")
        try:
            img = Image.open(io.BytesIO(raw))
            img.load()
        except (UnidentifiedImageError, OSError, SyntaxError) as exc:
            raise ValueError(f"not an image file that PIL can read (PNG, JPEG, ...): {exc}") from None
        return img
    arr = np.asarray(data)
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise ValueError(f"expected image bytes, a PIL image or a numeric array, got {type(data).__name__}")
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if not (arr.ndim == 2 or (arr.ndim == 3 and arr.shape[-1] in (3, 4))):
        raise ValueError(f"an image array must be (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), got shape {arr.shape}")
    if min(arr.shape[:2]) < 1:
        raise ValueError(f"the image is empty (shape {arr.shape})")
    if arr.dtype.kind == "f":
        arr = np.nan_to_num(arr.astype(np.float64))
        if arr.max() <= 1.0:  # floats in [0, 1]
            arr = arr * 255.0
    arr = np.clip(arr, 0, 255).astype(np.uint8)
    return Image.fromarray(arr)


def _grey(img) -> np.ndarray:
    """A PIL image of any mode -> float64 greyscale array; transparency is laid on white paper."""
    from PIL import Image

    has_alpha = img.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (img.mode == "P" and "transparency" in img.info)
    if has_alpha:
        paper = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(paper, img.convert("RGBA"))
    if img.mode in ("I", "F") or img.mode.startswith("I;"):
        return np.asarray(img, dtype=np.float64)  # 16/32-bit greyscale: the range is normalised later
    return np.asarray(img.convert("L"), dtype=np.float64)


def to_mnist(image, *, invert: bool | str = "auto") -> np.ndarray:
    """Any picture of one digit -> a ``(28, 28)`` ``uint8`` array like an MNIST image.

    ``image`` is the raw bytes of an uploaded file (PNG, JPEG, BMP, ...), a PIL image,
    or an array ``(H, W)``, ``(H, W, 1)``, ``(H, W, 3)`` or ``(H, W, 4)`` (integers in
    0..255 or floats in [0, 1]). Any size and mode: colour is turned to grey, transparent
    parts become white paper.

    The steps are MNIST's own: ink must be bright on a dark background (``invert="auto"``
    inverts when the image's border is brighter than its middle, i.e. dark ink on paper;
    ``True``/``False`` force it), the background level is subtracted and the contrast
    stretched to 0..255, the digit's bounding box is scaled to fit a 20 x 20 box (aspect
    ratio kept) and pasted into the 28 x 28 frame with its centre of mass in the middle.

    Raises ``ValueError`` for empty or unreadable data, a wrong array shape, or a blank
    image (no contrast, so no digit to find).
    """
    from PIL import Image

    grey = _grey(_open_image(image))
    lo, hi = float(grey.min()), float(grey.max())
    if grey.dtype != np.uint8 and hi > 255:  # 16-bit images: bring to 0..255 first
        grey = (grey - lo) / max(hi - lo, 1e-12) * 255.0
        lo, hi = 0.0, 255.0
    if hi - lo < MIN_CONTRAST:
        raise ValueError("the image is blank (no contrast): there is no digit to find")

    if invert == "auto":
        border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
        invert = bool(np.median(border) > (lo + hi) / 2)
    elif not isinstance(invert, bool):
        raise ValueError(f"invert must be 'auto', True or False, got {invert!r}")
    ink = (hi - grey) if invert else (grey - lo)

    # Subtract the background (the border's median level) and stretch the contrast.
    border = np.concatenate([ink[0], ink[-1], ink[:, 0], ink[:, -1]])
    ink = np.clip(ink - np.median(border), 0.0, None)
    if ink.max() < MIN_CONTRAST:
        raise ValueError("the image is blank (the digit has the background's colour): there is no digit to find")
    ink = ink / ink.max() * 255.0

    # Crop to the digit, fit it in a 20 x 20 box keeping the aspect ratio.
    rows = np.flatnonzero((ink > 0.1 * 255).any(axis=1))
    cols = np.flatnonzero((ink > 0.1 * 255).any(axis=0))
    crop = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    h, w = crop.shape
    scale = DIGIT_BOX / max(h, w)
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    small = Image.fromarray(crop.astype(np.float32), mode="F").resize((new_w, new_h), Image.Resampling.LANCZOS)
    small = np.clip(np.asarray(small, dtype=np.float64), 0.0, 255.0)

    # Paste it so that its centre of mass sits in the middle of the 28 x 28 frame.
    total = small.sum()
    cy = (small.sum(axis=1) @ np.arange(new_h)) / total
    cx = (small.sum(axis=0) @ np.arange(new_w)) / total
    top = int(np.clip(round(SIZE / 2 - 0.5 - cy), 0, SIZE - new_h))
    left = int(np.clip(round(SIZE / 2 - 0.5 - cx), 0, SIZE - new_w))
    out = np.zeros((SIZE, SIZE), dtype=np.float64)
    out[top:top + new_h, left:left + new_w] = small
    return np.round(out).astype(np.uint8)


def _check_digit(image) -> np.ndarray:
    arr = np.asarray(image)
    if arr.shape != (SIZE, SIZE):
        raise ValueError(f"expected one {SIZE} x {SIZE} image, got shape {arr.shape} (use to_mnist first)")
    return arr


def perturb(image, *, angle: float = 0.0, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """A 28 x 28 ``uint8`` digit rotated by ``angle`` degrees (counter-clockwise, about the
    centre, bilinear, black fill) plus Gaussian pixel noise of standard deviation
    ``noise * 255`` (``noise`` in [0, 1]; seeded, so the same settings give the same image).
    Returns ``uint8`` (clipped to 0..255)."""
    from PIL import Image

    arr = _check_digit(image)
    noise = float(noise)
    if not 0.0 <= noise <= 1.0:
        raise ValueError(f"noise must be in [0, 1] (a fraction of the pixel range), got {noise}")
    out = np.asarray(arr, dtype=np.uint8)
    if float(angle) % 360 != 0:
        out = np.asarray(Image.fromarray(out).rotate(float(angle), resample=Image.Resampling.BILINEAR, fillcolor=0))
    if noise > 0:
        rng = np.random.default_rng(seed)
        out = np.clip(out + rng.normal(0.0, noise * 255.0, out.shape), 0, 255).round().astype(np.uint8)
    return out


def predict_probs(model, images) -> np.ndarray:
    """Class probabilities from ``model`` for one ``(28, 28)`` image (-> shape ``(k,)``) or a
    batch ``(n, 28, 28)`` (-> ``(n, k)``). ``model`` is anything callable on a ``uint8``
    batch: a Keras model whose first layer does the preprocessing, a reloaded SavedModel's
    ``serve`` function, or a plain function (tests use a dummy)."""
    if not callable(model):
        raise TypeError(f"model must be callable on a batch of images (a Keras model or a function), "
                        f"got {type(model).__name__}")
    x = np.asarray(images)
    single = x.ndim == 2
    batch = x[None] if single else x
    if batch.ndim != 3 or batch.shape[1:] != (SIZE, SIZE):
        raise ValueError(f"expected a {SIZE} x {SIZE} image or a batch (n, {SIZE}, {SIZE}), got shape {x.shape}")
    out = model(batch.astype(np.uint8))
    if isinstance(out, dict):  # a SavedModel signature returns {name: tensor}
        if len(out) != 1:
            raise ValueError(f"the model returned {len(out)} outputs ({', '.join(out)}); expected one")
        out = next(iter(out.values()))
    probs = np.asarray(out, dtype=np.float64)
    if probs.ndim != 2 or probs.shape[0] != len(batch):
        raise ValueError(f"the model should return (n, classes) probabilities for n={len(batch)} images, "
                         f"got shape {probs.shape}")
    return probs[0] if single else probs


# --------------------------------------------------------------------------- the widget
def _uploaded_bytes(value) -> tuple[str, bytes] | None:
    """The first file of a ``FileUpload`` value: ipywidgets 8 (a tuple of dicts) or 7 (a dict)."""
    if not value:
        return None
    if isinstance(value, dict):  # ipywidgets 7: {name: {"metadata": ..., "content": bytes}}
        name, item = next(iter(value.items()))
        return str(name), bytes(item["content"])
    item = value[0]
    return str(item.get("name", "upload")), bytes(item["content"])


class DigitApp(ShowsErrors):
    """A digit recogniser as a widget: a test image (slider) or an uploaded picture, rotated
    and noised at will, with the model's prediction and probability bar chart.

    ``model`` is anything :func:`predict_probs` accepts (a Keras model that takes raw
    ``uint8`` 28 x 28 images). ``images``/``labels`` are the test set the slider walks
    through. Headless: :meth:`select`, :meth:`set`, :meth:`upload`; read :attr:`image`,
    :attr:`probs`, :attr:`prediction`, :meth:`describe`, :meth:`figure`.
    ``render=False`` keeps only the status line (tests).
    """

    def __init__(self, model, images, labels=None, *, class_names: Sequence[str] | None = None,
                 render: bool = True, max_angle: int = 90):
        import ipywidgets as w

        self.model = model
        self.images = np.asarray(images)
        if self.images.ndim != 3 or self.images.shape[1:] != (SIZE, SIZE) or len(self.images) == 0:
            raise ValueError(f"images must be a non-empty (n, {SIZE}, {SIZE}) array, got shape {self.images.shape}")
        self.labels = None if labels is None else np.asarray(labels)
        if self.labels is not None and len(self.labels) != len(self.images):
            raise ValueError(f"{len(self.labels)} labels for {len(self.images)} images")
        self.render = bool(render)
        self.last_error: str | None = None
        self.index = 0
        self.angle = 0.0
        self.noise = 0.0
        self.uploaded: tuple[str, np.ndarray] | None = None  # (file name, 28 x 28 digit)
        self.image: np.ndarray | None = None
        self.probs: np.ndarray | None = None
        self._mute = False

        style = {"description_width": "90px"}
        lay = w.Layout(width="340px")
        c: dict[str, object] = {}
        c["index"] = w.IntSlider(value=0, min=0, max=len(self.images) - 1, description="test image", style=style,
                                 layout=lay)
        c["angle"] = w.IntSlider(value=0, min=-int(max_angle), max=int(max_angle), step=5, description="rotate (deg)",
                                 style=style, layout=lay)
        c["noise"] = w.FloatSlider(value=0.0, min=0.0, max=0.6, step=0.05, description="noise", style=style,
                                   layout=lay)
        c["upload"] = w.FileUpload(accept="image/*", multiple=False, description="Upload a digit")
        self.controls = c
        self.status = w.HTML()
        self.out = w.Output(layout=w.Layout(min_width="520px", min_height="240px"))
        for key in ("index", "angle", "noise"):
            c[key].observe(self._on_control, names="value")
        c["upload"].observe(self._on_upload, names="value")
        left = w.VBox([w.HTML("<b>Input</b>"), c["index"], c["upload"], w.HTML("<b>Perturb</b>"), c["angle"],
                       c["noise"], self.status], layout=w.Layout(width="370px"))
        self.ui = w.HBox([left, self.out])
        self.class_names = [str(k) for k in range(10)] if class_names is None else [str(n) for n in class_names]
        self._update()

    # ---- notebook display
    def _ipython_display_(self):
        from IPython.display import display

        display(self.ui)

    def __repr__(self) -> str:
        return f"DigitApp({self.describe()})"

    # ---- state
    @property
    def prediction(self) -> int:
        return int(np.argmax(self.probs))

    @property
    def label(self) -> int | None:
        """The true label of the selected test image (None for an upload or without labels)."""
        if self.uploaded is not None or self.labels is None:
            return None
        return int(self.labels[self.index])

    def source_image(self) -> np.ndarray:
        """The picture before rotation and noise: the uploaded digit or the selected test image."""
        return self.uploaded[1] if self.uploaded is not None else self.images[self.index]

    def describe(self) -> str:
        """One line: what is shown and what the model says."""
        if self.uploaded is not None:
            what = f"upload '{self.uploaded[0]}'"
        else:
            what = f"test image {self.index}" + ("" if self.label is None else f" (label {self.label})")
        tweaks = "".join([f", rotated {self.angle:g} deg" if self.angle else "",
                          f", noise {self.noise:.2f}" if self.noise else ""])
        if self.probs is None:
            return what + tweaks
        name = self.class_names[self.prediction] if self.prediction < len(self.class_names) else self.prediction
        return f"{what}{tweaks} -> predicted {name} ({self.probs[self.prediction]:.1%})"

    # ---- headless actions (the controls call these)
    def select(self, index: int) -> "DigitApp":
        """Show test image ``index`` (drops an uploaded picture)."""
        index = int(index)
        if not 0 <= index < len(self.images):
            raise ValueError(f"index must be in 0..{len(self.images) - 1}, got {index}")
        self.index, self.uploaded = index, None
        self._write(index=index)
        self._update()
        return self

    def set(self, *, angle: float | None = None, noise: float | None = None) -> "DigitApp":
        """Rotation in degrees and/or noise level (a fraction of the pixel range)."""
        if noise is not None and not 0.0 <= float(noise) <= 1.0:
            raise ValueError(f"noise must be in [0, 1], got {noise}")
        if angle is not None:
            self.angle = float(angle)
        if noise is not None:
            self.noise = float(noise)
        self._write(angle=self.angle, noise=self.noise)
        self._update()
        return self

    def upload(self, data, name: str = "upload") -> "DigitApp":
        """Classify a picture: file bytes (PNG, JPEG, ...), a PIL image or an array of any size."""
        digit = to_mnist(data)  # raises ValueError with a readable message on bad input
        self.uploaded = (str(name), digit)
        self._update()
        return self

    # ---- widget callbacks
    def _write(self, **values) -> None:
        self._mute = True
        try:
            for key, value in values.items():
                control = self.controls[key]
                control.value = type(control.value)(min(max(value, control.min), control.max))
        finally:
            self._mute = False

    def _on_control(self, change=None) -> None:
        if self._mute:
            return
        c = self.controls

        def apply():
            if change is not None and change.get("owner") is c["index"]:
                self.select(c["index"].value)
            else:
                self.set(angle=c["angle"].value, noise=c["noise"].value)

        self._safely(apply)

    def _on_upload(self, change) -> None:
        def apply():
            item = _uploaded_bytes(change["new"])
            if item is not None:
                self.upload(item[1], name=item[0])

        self._safely(apply)

    def _update(self) -> None:
        self.image = perturb(self.source_image(), angle=self.angle, noise=self.noise, seed=self.index)
        self.probs = predict_probs(self.model, self.image)
        self.status.value = self.describe()
        if self.render:
            self.draw()

    # ---- drawing
    def figure(self):
        """The model's input (28 x 28) and its probability bar chart, as a matplotlib figure."""
        import matplotlib.pyplot as plt

        fig, (ax_img, ax_bar) = plt.subplots(1, 2, figsize=(7.5, 2.8), gridspec_kw={"width_ratios": [1, 1.8]})
        ax_img.imshow(self.image, cmap="gray", vmin=0, vmax=255)
        ax_img.set_title("model input (28 x 28)", fontsize=10)
        ax_img.set_xticks([])
        ax_img.set_yticks([])
        k = len(self.probs)
        colours = ["tab:gray"] * k
        colours[self.prediction] = "tab:blue"
        if self.label is not None and self.label != self.prediction and self.label < k:
            colours[self.label] = "tab:red"
        ax_bar.bar(range(k), self.probs, color=colours)
        ax_bar.set_xticks(range(k), self.class_names[:k])
        ax_bar.set_ylim(0, 1)
        ax_bar.set_ylabel("probability")
        truth = "" if self.label is None else f" | true {self.class_names[self.label]}"
        ax_bar.set_title(f"predicted {self.class_names[self.prediction]}{truth}", fontsize=10)
        fig.tight_layout()
        return fig

    def draw(self) -> None:
        import matplotlib.pyplot as plt

        self.out.clear_output(wait=True)
        with self.out:
            fig = self.figure()
            plt.show()
            plt.close(fig)


def make_test_png(digit: np.ndarray, *, size: int = 96, mode: str = "RGB", dark_ink: bool = True) -> bytes:
    """PNG bytes of an MNIST digit enlarged to ``size`` pixels, as a phone photo or a paint
    program would give it (dark ink on white by default, any PIL ``mode``): for trying the
    upload path without a file at hand."""
    from PIL import Image

    arr = _check_digit(digit).astype(np.uint8)
    if dark_ink:
        arr = 255 - arr
    img = Image.fromarray(arr).resize((size, size), Image.Resampling.BILINEAR).convert(mode)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


__all__ = ["DIGIT_BOX", "SIZE", "DigitApp", "make_test_png", "perturb", "predict_probs", "to_mnist"]
