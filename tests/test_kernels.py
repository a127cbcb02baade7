"""course_utils.kernels: the kernel library, apply_kernel's conventions, and the explorer widget."""
import numpy as np
import pytest

from course_utils import kernels as K
from course_utils.kernels import KERNELS, apply_kernel, kernel_explorer, to_grey


@pytest.fixture
def image():
    rng = np.random.default_rng(0)
    return rng.uniform(0.2, 0.8, size=(20, 24))


def step(axis: int, size: int = 12) -> np.ndarray:
    """0 on one half, 1 on the other; axis=1 -> a vertical edge (columns change), axis=0 -> horizontal."""
    img = np.zeros((size, size))
    if axis == 1:
        img[:, size // 2:] = 1.0
    else:
        img[size // 2:, :] = 1.0
    return img


def reference_correlate(img, k):
    """Cross-correlation by loops on the interior (no boundary handling)."""
    h, w = img.shape
    kh, kw = k.shape
    out = np.zeros((h - kh + 1, w - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(img[i:i + kh, j:j + kw] * k)
    return out


def test_kernel_library_shapes_and_sums():
    expected = {"identity", "blur", "gaussian_blur", "sharpen", "outline", "sobel_x", "sobel_y", "emboss"}
    assert expected <= set(KERNELS)
    for name, k in KERNELS.items():
        assert k.shape == (3, 3) and k.dtype == float, name
    for name in ("identity", "blur", "gaussian_blur", "sharpen", "emboss"):
        assert KERNELS[name].sum() == pytest.approx(1.0), f"{name} keeps the brightness of flat regions"
    for name in ("outline", "sobel_x", "sobel_y"):
        assert KERNELS[name].sum() == pytest.approx(0.0), f"{name} is zero on flat regions"


def test_get_kernel_returns_a_copy_and_rejects_unknown_names():
    k = K.get_kernel("Sobel-X")
    k[0, 0] = 99
    assert KERNELS["sobel_x"][0, 0] == -1
    with pytest.raises(KeyError, match="unknown kernel"):
        K.get_kernel("blurry")


@pytest.mark.parametrize("boundary", ["symm", "wrap", "fill"])
def test_identity_returns_the_image(image, boundary):
    np.testing.assert_allclose(apply_kernel(image, KERNELS["identity"], boundary=boundary), image)
    np.testing.assert_allclose(apply_kernel(image, "identity", clip=None), image)


@pytest.mark.parametrize("name", ["blur", "gaussian_blur"])
def test_blur_preserves_a_constant_image_and_the_mean(image, name):
    flat = np.full((15, 17), 0.37)
    for boundary in ("symm", "wrap"):
        np.testing.assert_allclose(apply_kernel(flat, name, boundary=boundary), flat)
    # periodic extension: every pixel is counted exactly once per kernel weight -> the mean is exact
    assert apply_kernel(image, name, boundary="wrap").mean() == pytest.approx(image.mean(), rel=1e-12)
    # mirrored border: the mean moves only a little
    assert apply_kernel(image, name).mean() == pytest.approx(image.mean(), abs=0.01)
    # and blurring smooths: the variance drops
    assert apply_kernel(image, name).var() < 0.5 * image.var()


def test_zero_fill_darkens_the_border_like_keras_same_padding():
    flat = np.ones((6, 6))
    out = apply_kernel(flat, "blur", boundary="fill")
    assert out[0, 0] == pytest.approx(4 / 9) and out[0, 3] == pytest.approx(6 / 9) and out[3, 3] == pytest.approx(1)


def test_sobel_x_sees_vertical_edges_not_horizontal_ones():
    vertical, horizontal = step(axis=1), step(axis=0)
    on_vertical = apply_kernel(vertical, "sobel_x", clip=None)
    on_horizontal = apply_kernel(horizontal, "sobel_x", clip=None)
    assert np.abs(on_vertical).max() == pytest.approx(4.0)  # 1 + 2 + 1 across a 0 -> 1 step
    np.testing.assert_allclose(on_horizontal, 0.0, atol=1e-12)
    # dark-to-bright from left to right gives a positive response (correlation convention)
    assert on_vertical.max() == pytest.approx(4.0) and on_vertical.min() == pytest.approx(0.0)
    # and sobel_y is the transpose: the other way round
    np.testing.assert_allclose(apply_kernel(vertical, "sobel_y", clip=None), 0.0, atol=1e-12)
    assert apply_kernel(horizontal, "sobel_y", clip=None).max() == pytest.approx(4.0)


def test_outline_is_zero_on_flat_regions_and_not_on_edges():
    out = apply_kernel(step(axis=1), "outline", clip=None)
    assert np.abs(out[:, :4]).max() == 0 and np.abs(out).max() > 1


def test_correlation_is_the_default_and_matches_a_loop(image):
    k = np.arange(9, dtype=float).reshape(3, 3)  # no symmetry at all
    ours = apply_kernel(image, k, clip=None)
    np.testing.assert_allclose(ours[1:-1, 1:-1], reference_correlate(image, k))


def test_convolution_flips_the_kernel(image):
    k = np.arange(9, dtype=float).reshape(3, 3)
    conv = apply_kernel(image, k, mode="convolve", clip=None)
    np.testing.assert_allclose(conv, apply_kernel(image, k[::-1, ::-1], clip=None))
    assert not np.allclose(conv, apply_kernel(image, k, clip=None))
    # symmetric kernels: the two conventions agree; Sobel flips sign
    for name in ("blur", "gaussian_blur", "sharpen", "outline", "identity"):
        np.testing.assert_allclose(apply_kernel(image, name, mode="convolve", clip=None),
                                   apply_kernel(image, name, clip=None))
    np.testing.assert_allclose(apply_kernel(image, "sobel_x", mode="convolve", clip=None),
                               -apply_kernel(image, "sobel_x", clip=None))


def test_clip_keeps_display_range(image):
    out = apply_kernel(image, "sharpen")
    raw = apply_kernel(image, "sharpen", clip=None)
    assert out.min() >= 0 and out.max() <= 1
    assert raw.min() < 0 or raw.max() > 1


def test_apply_kernel_rejects_bad_input(image):
    with pytest.raises(ValueError, match="to_grey"):
        apply_kernel(np.zeros((4, 4, 3)), "blur")
    with pytest.raises(ValueError, match="mode"):
        apply_kernel(image, "blur", mode="flip")
    with pytest.raises(ValueError, match="boundary"):
        apply_kernel(image, "blur", boundary="reflect")


def test_to_grey_weighted_sum_and_scaling():
    rgb = np.zeros((2, 2, 3), dtype=np.uint8)
    rgb[0, 0] = (255, 0, 0)
    rgb[0, 1] = (0, 255, 0)
    rgb[1, 0] = (0, 0, 255)
    rgb[1, 1] = (255, 255, 255)
    np.testing.assert_allclose(to_grey(rgb), [[0.299, 0.587], [0.114, 1.0]])
    rgba = np.concatenate([rgb, np.full((2, 2, 1), 7, np.uint8)], axis=-1)
    np.testing.assert_allclose(to_grey(rgba), to_grey(rgb))
    np.testing.assert_allclose(to_grey(np.array([[0, 255]], dtype=np.uint8)), [[0.0, 1.0]])
    np.testing.assert_allclose(to_grey(np.array([[0.25]])), [[0.25]])
    with pytest.raises(ValueError):
        to_grey(np.zeros(5))


def test_uint8_images_are_scaled():
    img = np.full((5, 5), 255, dtype=np.uint8)
    np.testing.assert_allclose(apply_kernel(img, "identity"), 1.0)


def test_explorer_builds_headless_and_follows_the_kernel_menu():
    pytest.importorskip("ipywidgets")
    ex = kernel_explorer(np.tile(np.linspace(0, 1, 32), (32, 1)), draw=False)
    assert ex.photo == "your image" and ex.kernel_name == "sharpen"
    np.testing.assert_allclose(ex.kernel, KERNELS["sharpen"])
    before = ex.result.copy()
    ex.controls["kernel"].value = "sobel_x"  # as a click would
    np.testing.assert_allclose(ex.kernel, KERNELS["sobel_x"])
    assert not np.allclose(ex.result, before)
    np.testing.assert_allclose(ex.result, apply_kernel(ex.image, "sobel_x"))
    ex.controls["kernel"].value = "identity"
    np.testing.assert_allclose(ex.result, ex.image)
    assert ex.last_error is None and ex.out.outputs == ()  # draw=False: nothing rendered


def test_explorer_custom_kernel_from_the_grid_and_from_set():
    pytest.importorskip("ipywidgets")
    ex = kernel_explorer(np.eye(16), kernel="identity", draw=False)
    ex.controls["cells"][1][1].value = 0.5  # edit one cell of the grid
    assert ex.kernel_name == "custom"
    np.testing.assert_allclose(ex.result, 0.5 * ex.image)
    ex.set(kernel=KERNELS["blur"].copy())  # an array equal to a named kernel selects that name
    assert ex.kernel_name == "blur"
    ex.set(kernel=np.zeros((3, 3)))
    assert ex.kernel_name == "custom" and np.all(ex.result == 0)
    with pytest.raises(ValueError):
        ex.set(kernel=np.zeros((5, 5)))


def test_explorer_photo_menu_and_drawing():
    pytest.importorskip("ipywidgets")
    pytest.importorskip("skimage")
    ex = kernel_explorer(photo="coins", kernel="blur", draw=True)
    assert ex.image.shape == (303, 384) and ex.result.shape == (303, 384)
    ex.set(photo="camera")
    assert ex.image.shape == (512, 512) and ex.updates == 2
    fig = ex.figure()
    assert len(fig.axes) == 2
    # the picture lives in the Output widget's state (one JPEG), not in the cell's output
    (shown,) = ex.out.outputs
    assert shown["output_type"] == "display_data" and shown["data"]["image/jpeg"].startswith("/9j/")
    assert "camera" in repr(ex)
