"""course_utils.gans: judge metrics, image grids, the per-epoch callback, the conditional-GAN widget."""
import numpy as np
import pytest

from course_utils import gans


def onehot(classes, c=10, p=1.0):
    probs = np.full((len(classes), c), (1 - p) / (c - 1))
    probs[np.arange(len(classes)), classes] = p
    return probs


def test_inception_score_bounds():
    # certain and uniform over 10 classes -> 10; every sample the same -> 1
    assert gans.inception_score(onehot(np.arange(100) % 10)) == pytest.approx(10.0, rel=1e-6)
    assert gans.inception_score(onehot(np.zeros(50, int))) == pytest.approx(1.0, rel=1e-6)
    assert gans.inception_score(np.full((20, 10), 0.1)) == pytest.approx(1.0, rel=1e-6)
    # certain, but only 3 classes used equally -> 3
    assert gans.inception_score(onehot(np.arange(90) % 3)) == pytest.approx(3.0, rel=1e-6)
    with pytest.raises(ValueError):
        gans.inception_score(np.zeros((0, 10)))


def test_metrics_from_probs():
    probs = np.concatenate([onehot(np.arange(60) % 6), onehot(np.arange(40) % 10, p=0.5)])
    m = gans.metrics_from_probs(probs)
    assert m["confident_share"] == pytest.approx(0.6)
    assert m["classes_covered"] == 10 and m["class_counts"].sum() == 100
    m = gans.metrics_from_probs(probs, min_share=0.05)  # classes 6-9 get 4 answers each, < 5
    assert m["classes_covered"] == 6


def test_to_unit_and_image_grid():
    x = np.linspace(-2, 2, 2 * 3 * 4).reshape(2, 3, 4)
    u = gans.to_unit(x)
    assert u.shape == (2, 3, 4, 1) and u.min() == 0.0 and u.max() == 1.0
    grid = gans.image_grid(np.zeros((5, 3, 4, 1)), ncols=2, pad=1, fill=1.0)
    assert grid.shape == (3 * 4 - 1, 2 * 5 - 1)
    assert grid[0, 0] == 0.0 and grid[3, 0] == 1.0  # image, then the padding row
    assert grid[-3:, 5:].min() == 1.0  # the empty sixth cell is filled
    with pytest.raises(ValueError):
        gans.image_grid(np.zeros((0, 3, 3)))


class FakeJudge:
    """Reads the digit from the mean brightness: predict returns one-hot probabilities."""

    def predict(self, x, verbose=0, batch_size=None):
        digit = np.clip((np.asarray(x).mean(axis=(1, 2, 3)) * 10).astype(int), 0, 9)
        return onehot(digit)


class FakeConditionalGenerator:
    """Images whose brightness encodes the label, so FakeJudge reads it back."""

    def __call__(self, inputs, training=False):
        z, labels = inputs
        level = (np.asarray(labels) + 0.5) / 10 * 2 - 1
        return np.ones((len(z), 28, 28, 1), np.float32) * level[:, None, None, None]


def test_judge_metrics_on_a_fake_judge():
    gen = FakeConditionalGenerator()
    labels = np.arange(100) % 10
    images = gen([np.zeros((100, 4)), labels])
    m = gans.judge_metrics(FakeJudge(), images)
    assert np.array_equal(m["pred"], labels)
    assert m["classes_covered"] == 10 and m["confident_share"] == 1.0
    assert m["inception_score"] == pytest.approx(10.0, rel=1e-6)
    assert "classes covered 10" in gans.format_metrics("fake", m)


def test_conditional_explorer_headless():
    ex = gans.ConditionalGanExplorer(FakeConditionalGenerator(), noise_dim=4, judge=FakeJudge(), n=6,
                                     render=False, digit=3)
    assert ex.last["digit"] == 3 and ex.last["hit_rate"] == 1.0
    assert ex.generate(7, n=5).shape == (5, 28, 28, 1)
    ex.digits.value = 8  # a click on the ToggleButtons
    assert ex.last["digit"] == 8 and "digit 8" in ex.status.value and ex.last_error is None
    with pytest.raises(ValueError):
        ex.generate(12)


def test_image_grid_callback_keeps_and_saves_grids(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    noise = np.zeros((6, 2), np.float32)
    cb = gans.ImageGridPerEpoch(lambda z: -np.ones((len(z), 28, 28, 1), np.float32), noise,
                                folder=str(tmp_path), ncols=3)
    for epoch in range(2):
        cb.on_epoch_end(epoch)
    assert sorted(cb.grids) == [1, 2] and cb.grids[1].shape == (2 * 29 - 1, 3 * 29 - 1)
    assert [p.rsplit("/", 1)[-1] for p in cb.paths] == ["epoch_001.png", "epoch_002.png"]
    assert all((tmp_path / name).exists() for name in ("epoch_001.png", "epoch_002.png"))
    fig = gans.plot_grids(cb.grids)
    assert len(fig.axes) == 2
