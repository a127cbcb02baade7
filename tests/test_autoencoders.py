import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils import autoencoders as ae  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_tile_images_places_images_row_by_row_with_padding():
    images = np.arange(6, dtype=float).reshape(6, 1, 1) * np.ones((6, 2, 3))  # image k is all k
    mosaic = ae.tile_images(images, 2, 3, pad=1, fill=-1)
    assert mosaic.shape == (2 * 2 + 1, 3 * 3 + 2)
    assert mosaic[0, 0] == 0 and mosaic[0, 4] == 1 and mosaic[0, 8] == 2  # first row
    assert mosaic[3, 0] == 3 and mosaic[4, 10] == 5  # second row
    assert mosaic[2, 0] == -1 and mosaic[0, 3] == -1  # padding
    np.testing.assert_array_equal(ae.tile_images(images[..., None], 3, 2), ae.tile_images(images, 3, 2))


def test_tile_images_keeps_colour_and_checks_the_count():
    assert ae.tile_images(np.zeros((4, 5, 5, 3)), 2, 2).shape == (10, 10, 3)
    with pytest.raises(ValueError, match="do not fill a 2 x 3 grid"):
        ae.tile_images(np.zeros((5, 4, 4)), 2, 3)
    with pytest.raises(ValueError, match="expected"):
        ae.tile_images(np.zeros((4, 4)), 2, 2)


def test_latent_grid_points_read_like_a_scatter_plot():
    pts = ae.latent_grid_points(3, limit=2.0)
    assert pts.shape == (9, 2) and pts.dtype == np.float32
    np.testing.assert_allclose(pts[:3], [[-2, 2], [0, 2], [2, 2]])  # top row: z2 high, z1 growing
    np.testing.assert_allclose(pts[-1], [2, -2])  # bottom-right
    q = ae.latent_grid_points(5, coverage=0.9)
    np.testing.assert_allclose(q[:5, 0], [-1.6449, -0.5978, 0.0, 0.5978, 1.6449], atol=1e-4)  # normal quantiles 5 %, 27.5 %, ...
    with pytest.raises(ValueError):
        ae.latent_grid_points(1)


def test_plot_latent_grid_decodes_every_point_in_order():
    seen = []

    def decode(z):
        seen.append(z.copy())
        return np.repeat(z[:, :1, None], 4, axis=1) * np.ones((1, 4, 4))  # tile = value of z1

    ax = ae.plot_latent_grid(decode, n=4, limit=1.0, title="grid")
    assert seen[0].shape == (16, 2)
    mosaic = ax.get_images()[0].get_array()
    assert mosaic.shape == (16, 16)
    assert mosaic[0, 0] == pytest.approx(-1.0) and mosaic[0, 15] == pytest.approx(1.0)
    assert ax.get_title() == "grid" and ax.get_xlabel() == "$z_1$"


def test_plot_latent_scatter_colours_by_label_and_validates():
    codes = np.random.default_rng(0).normal(size=(50, 2))
    labels = np.arange(50) % 10
    ax = ae.plot_latent_scatter(codes, labels, title="codes")
    (points,) = ax.collections
    np.testing.assert_array_equal(points.get_array(), labels)
    assert ax.get_title() == "codes"
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        ae.plot_latent_scatter(np.zeros((5, 3)), np.zeros(5))
    with pytest.raises(ValueError, match="labels"):
        ae.plot_latent_scatter(np.zeros((5, 2)), np.zeros(4))


def test_show_rows_one_row_per_entry_named_at_the_left():
    x = np.random.default_rng(0).random((4, 28, 28, 1))
    fig = ae.show_rows({"noisy": x, "denoised": x, "clean": x[..., 0]}, title="t")
    assert len(fig.axes) == 12
    assert [fig.axes[i].get_ylabel() for i in (0, 4, 8)] == ["noisy", "denoised", "clean"]
    with pytest.raises(ValueError, match="same"):
        ae.show_rows({"a": x, "b": x[:3]})
    with pytest.raises(ValueError, match="no rows"):
        ae.show_rows({})
