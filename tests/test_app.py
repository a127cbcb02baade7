"""Unit tests of course_utils.app: upload preprocessing, perturbations, prediction wiring, headless widget."""
import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from course_utils import app  # noqa: E402


def digit_one() -> np.ndarray:
    """A white vertical bar on black, off-centre: an MNIST-polarity '1' in a 28 x 28 frame."""
    x = np.zeros((28, 28), dtype=np.uint8)
    x[3:20, 4:8] = 255
    return x


def png_bytes(arr: np.ndarray, mode: str) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).convert(mode).save(buf, format="PNG")
    return buf.getvalue()


def paper_digit(h: int = 120, w: int = 90) -> np.ndarray:
    """Dark ink on white paper, any size: a thick '7'-like stroke."""
    img = np.full((h, w), 250, dtype=np.uint8)
    img[h // 5:h // 5 + h // 12, w // 5:4 * w // 5] = 10  # the top bar
    for r in range(h // 5, 4 * h // 5):  # the diagonal
        c = int(4 * w // 5 - (r - h // 5) * 0.5 * w / h)
        img[r, max(c - w // 16, 0):c + w // 16] = 10
    return img


def assert_mnist_like(x: np.ndarray):
    assert x.shape == (28, 28) and x.dtype == np.uint8
    assert x.max() == 255  # contrast stretched
    corners = np.concatenate([x[:4, :4].ravel(), x[:4, -4:].ravel(), x[-4:, :4].ravel(), x[-4:, -4:].ravel()])
    assert corners.max() <= 10  # dark background (centring by mass may push a lopsided digit to an edge)
    assert (x > 127).mean() < 0.5  # bright ink is the minority
    ys, xs = np.nonzero(x > 25)
    assert np.ptp(ys) <= app.DIGIT_BOX and np.ptp(xs) <= app.DIGIT_BOX
    total = x.sum(dtype=np.float64)
    cy = (x.sum(axis=1) @ np.arange(28)) / total
    cx = (x.sum(axis=0) @ np.arange(28)) / total
    assert abs(cy - 13.5) <= 1.0 and abs(cx - 13.5) <= 1.0  # centre of mass in the middle


# --------------------------------------------------------------------------- to_mnist
@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA", "P", "LA", "1", "I;16", "CMYK"])
def test_png_of_any_mode_becomes_an_mnist_digit(mode):
    if mode == "CMYK":  # PNG cannot hold CMYK: JPEG does
        buf = io.BytesIO()
        Image.fromarray(paper_digit()).convert("CMYK").save(buf, format="JPEG", quality=95)
        data = buf.getvalue()
    else:
        data = png_bytes(paper_digit(), mode)
    x = app.to_mnist(data)
    assert_mnist_like(x)


@pytest.mark.parametrize("shape", [(12, 9), (28, 28), (300, 200), (64, 400)])
def test_any_size_gives_28x28(shape):
    img = np.full(shape, 255, dtype=np.uint8)
    h, w = shape
    img[h // 4:3 * h // 4, w // 3:2 * w // 3] = 0  # a dark block on white
    x = app.to_mnist(png_bytes(img, "L"))
    assert x.shape == (28, 28) and x.dtype == np.uint8
    assert x[0, 0] == 0 and x.max() == 255


def test_dark_ink_on_paper_is_inverted_and_mnist_input_is_not():
    one = digit_one()
    from_mnist = app.to_mnist(one)  # already white on black: no inversion
    from_paper = app.to_mnist(png_bytes(255 - one, "L"))  # black on white: inverted
    assert_mnist_like(from_mnist)
    np.testing.assert_array_equal(from_mnist, from_paper)
    # forcing the wrong polarity turns the black frame into "ink" touching every border,
    # which the background subtraction removes: nothing is left
    with pytest.raises(ValueError, match="blank"):
        app.to_mnist(one, invert=True)
    np.testing.assert_array_equal(app.to_mnist(one, invert=False), from_mnist)


def test_transparent_background_counts_as_paper():
    rgba = np.zeros((50, 50, 4), dtype=np.uint8)  # fully transparent...
    rgba[10:40, 22:28] = (0, 0, 0, 255)  # ...except an opaque black stroke
    x = app.to_mnist(png_bytes(rgba, "RGBA"))
    assert_mnist_like(x)
    assert x[14, 13:15].min() > 100  # the stroke is bright, in the middle


def test_colour_and_float_arrays():
    rgb = np.stack([paper_digit(60, 60)] * 3, axis=-1)
    assert_mnist_like(app.to_mnist(rgb))
    assert_mnist_like(app.to_mnist(rgb[..., :1]))  # (H, W, 1)
    assert_mnist_like(app.to_mnist(paper_digit(60, 60).astype(np.float32) / 255.0))  # floats in [0, 1]
    np.testing.assert_array_equal(app.to_mnist(Image.fromarray(rgb)), app.to_mnist(rgb))  # a PIL image


def test_aspect_ratio_is_kept():
    img = np.zeros((100, 100), dtype=np.uint8)
    img[10:90, 45:55] = 255  # a tall thin bar: 8 x 1 aspect
    x = app.to_mnist(img)
    ys, xs = np.nonzero(x > 127)
    assert np.ptp(ys) + 1 >= 18 and np.ptp(xs) + 1 <= 5


@pytest.mark.parametrize("bad, message", [
    (b"", "empty"),
    (b"this is not a picture", "not an image file"),
    (np.zeros((28, 28, 5)), "shape"),
    (np.zeros(10), "shape"),
    (np.array(["a", "b"]), "numeric array"),
    (np.full((40, 40), 200, dtype=np.uint8), "blank"),
])
def test_bad_input_gives_readable_errors(bad, message):
    with pytest.raises(ValueError, match=message):
        app.to_mnist(bad)


def test_blank_png_and_bad_invert_option():
    with pytest.raises(ValueError, match="blank"):
        app.to_mnist(png_bytes(np.full((30, 30), 255, dtype=np.uint8), "RGB"))
    with pytest.raises(ValueError, match="invert"):
        app.to_mnist(digit_one(), invert="yes")


def test_make_test_png_round_trip():
    one = app.to_mnist(digit_one())
    data = app.make_test_png(one, size=140, mode="RGBA")
    assert Image.open(io.BytesIO(data)).size == (140, 140)
    back = app.to_mnist(data)
    assert np.abs(back.astype(int) - one.astype(int)).mean() < 12


# --------------------------------------------------------------------------- perturb
def test_perturb_identity_rotation_and_noise():
    x = app.to_mnist(digit_one())
    np.testing.assert_array_equal(app.perturb(x), x)
    np.testing.assert_array_equal(app.perturb(x, angle=90), np.rot90(x))
    noisy = app.perturb(x, noise=0.2, seed=1)
    assert noisy.dtype == np.uint8 and not np.array_equal(noisy, x)
    np.testing.assert_array_equal(noisy, app.perturb(x, noise=0.2, seed=1))  # seeded
    assert 0.1 * 255 < np.std(noisy.astype(float) - x) < 0.3 * 255  # roughly the std asked (clipping shrinks it)


def test_perturb_rejects_bad_input():
    with pytest.raises(ValueError, match="28 x 28"):
        app.perturb(np.zeros((32, 32), dtype=np.uint8))
    with pytest.raises(ValueError, match="noise"):
        app.perturb(np.zeros((28, 28), dtype=np.uint8), noise=2.0)


# --------------------------------------------------------------------------- prediction wiring
def brightness_model(batch):
    """A dummy classifier: class = number of bright rows // 3 (one-hot), for (n, 28, 28) uint8."""
    batch = np.asarray(batch)
    assert batch.dtype == np.uint8 and batch.ndim == 3
    k = np.minimum((batch > 127).any(axis=2).sum(axis=1) // 3, 9)
    return np.eye(10)[k]


def test_predict_probs_single_and_batch():
    x = app.to_mnist(digit_one())
    p = app.predict_probs(brightness_model, x)
    assert p.shape == (10,) and p.argmax() == brightness_model(x[None])[0].argmax()
    batch = np.stack([x, np.zeros_like(x)])
    assert app.predict_probs(brightness_model, batch).shape == (2, 10)
    out = app.predict_probs(lambda b: {"output_0": brightness_model(b)}, x)  # SavedModel-style dict
    np.testing.assert_array_equal(out, p)


def test_predict_probs_errors():
    x = np.zeros((28, 28), dtype=np.uint8)
    with pytest.raises(TypeError, match="callable"):
        app.predict_probs("not a model", x)
    with pytest.raises(ValueError, match="28 x 28"):
        app.predict_probs(brightness_model, np.zeros((32, 32)))
    with pytest.raises(ValueError, match="probabilities"):
        app.predict_probs(lambda b: np.zeros(10), x)
    with pytest.raises(ValueError, match="outputs"):
        app.predict_probs(lambda b: {"a": np.zeros((1, 10)), "b": np.zeros((1, 10))}, x)


# --------------------------------------------------------------------------- the widget, headless
@pytest.fixture()
def digits():
    rng = np.random.default_rng(0)
    images = np.zeros((5, 28, 28), dtype=np.uint8)
    for i in range(5):
        images[i, 4:4 + 3 * i + 1, 10:14] = 200 + rng.integers(0, 50)  # image i has 3i + 1 bright rows: class i
    return images, np.arange(5)


def test_widget_wiring(digits):
    images, labels = digits
    widget = app.DigitApp(brightness_model, images, labels, render=False)
    assert widget.prediction == 0 and widget.label == 0
    widget.select(3)
    assert widget.prediction == 3 == widget.label
    assert "test image 3 (label 3) -> predicted 3 (100.0%)" in widget.status.value
    assert widget.controls["index"].value == 3
    widget.controls["index"].value = 2  # the slider does the same
    assert widget.prediction == 2 and widget.index == 2
    widget.set(angle=90)
    assert widget.controls["angle"].value == 90
    np.testing.assert_array_equal(widget.image, np.rot90(images[2]))
    assert "rotated 90 deg" in widget.describe()
    widget.controls["noise"].value = 0.3
    assert widget.noise == pytest.approx(0.3) and not np.array_equal(widget.image, np.rot90(images[2]))
    fig = widget.figure()
    assert len(fig.axes) == 2
    assert repr(widget).startswith("DigitApp(test image 2")


def test_widget_upload_and_errors(digits):
    images, labels = digits
    widget = app.DigitApp(brightness_model, images, labels, render=False)
    widget.upload(png_bytes(255 - digit_one(), "RGB"), name="one.png")
    assert widget.label is None and "upload 'one.png'" in widget.describe()
    np.testing.assert_array_equal(widget.source_image(), app.to_mnist(digit_one()))
    with pytest.raises(ValueError, match="not an image file"):
        widget.upload(b"garbage")
    # through the FileUpload control, an error lands in the widget instead of being lost
    widget._on_upload({"new": ({"name": "bad.png", "content": memoryview(b"garbage")},)})
    assert "not an image file" in widget.last_error and "color:#b00" in widget.status.value
    widget._on_upload({"new": ({"name": "ok.png", "content": memoryview(png_bytes(digit_one(), "L"))},)})
    assert widget.last_error is None and "ok.png" in widget.status.value
    widget._on_upload({"new": {"v7.png": {"content": png_bytes(digit_one(), "L")}}})  # ipywidgets 7 format
    assert "v7.png" in widget.status.value
    widget.select(1)  # back to the test set
    assert widget.label == 1
    with pytest.raises(ValueError, match="index"):
        widget.select(99)


def test_widget_rejects_bad_data_and_shows_model_errors(digits):
    images, labels = digits
    with pytest.raises(ValueError, match="images"):
        app.DigitApp(brightness_model, images[:, :20], labels, render=False)
    with pytest.raises(ValueError, match="labels"):
        app.DigitApp(brightness_model, images, labels[:3], render=False)
    widget = app.DigitApp(brightness_model, images, labels, render=False)
    widget.model = lambda b: np.zeros((len(b), 10, 2))  # a broken model
    widget.controls["index"].value = 4
    assert "probabilities" in widget.last_error


def test_widget_renders_into_its_output(digits):
    images, labels = digits
    widget = app.DigitApp(brightness_model, images, labels, render=True)
    widget.select(1)
    assert widget.out is not None and widget.prediction == 1
