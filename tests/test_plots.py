import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils import plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_plot_history_one_panel_per_metric_with_validation():
    hist = {"loss": [1.0, 0.5, 0.3], "accuracy": [0.5, 0.7, 0.9], "val_loss": [1.1, 0.7, 0.6],
            "val_accuracy": [0.4, 0.6, 0.8]}
    fig = plots.plot_history(hist)
    assert len(fig.axes) == 2
    loss_ax = fig.axes[0]
    assert loss_ax.get_ylabel() == "loss"
    train, val = loss_ax.get_lines()
    np.testing.assert_array_equal(train.get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(val.get_ydata(), [1.1, 0.7, 0.6])
    fig.canvas.draw()
    ticks = [t for t in loss_ax.get_xticks() if 1 <= t <= 3]
    assert ticks and all(float(t).is_integer() for t in ticks)  # no epoch 1.5


def test_plot_history_accepts_a_keras_history_object():
    class History:
        history = {"loss": [3.0, 2.0]}

    fig = plots.plot_history(History(), title="run")
    assert len(fig.axes) == 1 and len(fig.axes[0].get_lines()) == 1 and fig._suptitle.get_text() == "run"


def test_plot_history_errors():
    with pytest.raises(ValueError, match="empty"):
        plots.plot_history({})
    with pytest.raises(ValueError, match=r"\['mae'\] not in the history"):
        plots.plot_history({"loss": [1.0]}, metrics=["mae"])


def test_show_images_grid_and_titles():
    images = np.random.default_rng(0).random((10, 8, 8))
    labels = np.arange(10) % 3
    preds = labels.copy()
    preds[4] = 2
    fig = plots.show_images(images, labels, predictions=preds, ncols=4, class_names=["a", "b", "c"])
    axes = fig.axes
    assert len(axes) == 12  # 3 rows of 4, the last two empty
    assert axes[0].get_title() == "a" and axes[4].get_title() == "c (b)"
    assert axes[4].title.get_color() == "red" and axes[0].title.get_color() == "black"
    assert len(axes[11].images) == 0 and len(axes[9].images) == 1


def test_show_images_squeezes_channel_and_rejects_bad_shapes():
    fig = plots.show_images(np.zeros((2, 5, 5, 1)))
    assert fig.axes[0].images[0].get_array().shape == (5, 5)
    with pytest.raises(ValueError, match=r"\(N, H, W\[, C\]\)"):
        plots.show_images(np.zeros((5, 5)))


def test_decision_grid_covers_the_points():
    x = np.array([[0.0, 0.0], [1.0, 2.0]])
    xx, yy, grid = plots.decision_grid(x, steps=5, margin=0.5)
    assert grid.shape == (25, 2)
    assert grid[:, 0].min() == -0.5 and grid[:, 1].max() == 2.5
    with pytest.raises(ValueError):
        plots.decision_grid(np.zeros((3, 3)))


def test_plot_decision_boundary_calls_the_model_on_the_grid():
    x = np.array([[-1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]])
    y = np.array([0, 1, 0, 1])
    seen = {}

    def predict(points):
        seen["shape"] = points.shape
        return (points[:, 0] > 0).astype(float)

    ax = plots.plot_decision_boundary(predict, x, y, steps=30, title="t")
    assert seen["shape"] == (900, 2)
    assert ax.get_title() == "t" and len(ax.collections) >= 2  # filled contour + scatter


def test_plot_decision_boundary_multiclass_scores():
    x = np.random.default_rng(1).normal(size=(20, 2))
    ax = plots.plot_decision_boundary(lambda p: np.stack([p[:, 0], -p[:, 0], p[:, 1]], axis=1), x,
                                      np.arange(20) % 3, steps=10)
    assert ax.get_xlabel() == "$x_1$"


def test_confusion_matrix_counts():
    cm = plots.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0])
    np.testing.assert_array_equal(cm, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert plots.confusion_matrix([0], [0], num_classes=4).shape == (4, 4)
    with pytest.raises(ValueError):
        plots.confusion_matrix([0, 1], [0])


def test_plot_confusion_matrix_title_is_accuracy():
    ax = plots.plot_confusion_matrix([0, 1, 1, 0], [0, 1, 0, 0], class_names=["cat", "dog"])
    assert ax.get_title() == "accuracy 75.0%"
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == ["0", "1", "1", "2"]
    ax = plots.plot_confusion_matrix([0, 1, 1, 0], [0, 1, 0, 0], normalize=True)
    assert "0.50" in [t.get_text() for t in ax.texts]
