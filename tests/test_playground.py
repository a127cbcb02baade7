"""Unit tests of course_utils.playground: data, features, model, training, headless widget."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils.setup import quiet_tensorflow_env  # noqa: E402

quiet_tensorflow_env()

from course_utils import playground as pg  # noqa: E402


# --------------------------------------------------------------------------- data
@pytest.mark.parametrize("kind", pg.DATASETS)
@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_data_shapes_labels_range(kind, noise):
    X, y = pg.make_playground_data(kind, n=300, noise=noise, seed=1)
    assert X.shape == (300, 2) and X.dtype == np.float32
    assert y.shape == (300,)
    assert set(np.unique(y)) == {0, 1}
    assert np.abs(X).max() <= pg.DOMAIN


@pytest.mark.parametrize("kind", ["circle", "gauss", "spiral"])
def test_balanced_kinds_are_exactly_balanced(kind):
    _, y = pg.make_playground_data(kind, n=301, seed=0)
    assert y.sum() == 150  # n // 2 positives, the rest negatives


def test_xor_is_roughly_balanced_and_follows_the_sign_rule():
    X, y = pg.make_playground_data("xor", n=1000, noise=0.0, seed=3)
    assert 0.4 < y.mean() < 0.6
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] >= 0).astype(int))
    assert np.abs(X).min() >= 0.3  # the gap around the axes


def test_circle_without_noise_is_separable_by_radius():
    X, y = pg.make_playground_data("circle", n=500, noise=0.0, seed=2)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r[y == 1].max() <= 2.5 < 3.5 <= r[y == 0].min()
    assert r.max() <= 5.0


def test_noise_breaks_the_circle_rule():
    X, y = pg.make_playground_data("circle", n=500, noise=0.5, seed=2)
    r = np.hypot(X[:, 0], X[:, 1])
    wrong = np.mean((r < 3.0) != (y == 1))
    assert 0.05 < wrong < 0.45


def test_gauss_blobs_and_noise_widen_them():
    X, y = pg.make_playground_data("gauss", n=2000, noise=0.0, seed=0)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [2, 2], atol=0.15)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-2, -2], atol=0.15)
    np.testing.assert_allclose(X[y == 1].std(axis=0), [np.sqrt(0.5)] * 2, atol=0.1)
    Xn, yn = pg.make_playground_data("gauss", n=2000, noise=0.5, seed=0)
    assert Xn[yn == 1].std() > 1.6  # variance 4 (clipped at the domain's edge)


def test_spiral_arms_are_point_reflections_of_each_other():
    X, y = pg.make_playground_data("spiral", n=200, noise=0.0, seed=0)
    pos = X[y == 1]
    neg = X[y == 0]
    key = lambda a: a[np.lexsort((a[:, 1], a[:, 0]))]  # noqa: E731
    np.testing.assert_allclose(key(-pos), key(neg), atol=1e-5)
    assert np.hypot(*pos.T).max() < 5.0


def test_data_is_seeded():
    a = pg.make_playground_data("spiral", n=100, noise=0.2, seed=5)
    b = pg.make_playground_data("spiral", n=100, noise=0.2, seed=5)
    c = pg.make_playground_data("spiral", n=100, noise=0.2, seed=6)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize("kwargs", [dict(kind="moons"), dict(kind="xor", noise=0.7), dict(kind="xor", n=1)])
def test_data_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        pg.make_playground_data(**kwargs)


# --------------------------------------------------------------------------- features and split
def test_feature_transform_columns():
    X = np.array([[1.0, 2.0], [-3.0, 0.5]], dtype=np.float32)
    F = pg.feature_transform(X, ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"])
    expected = np.array([[1, 2, 1, 4, 2, np.sin(1), np.sin(2)],
                         [-3, 0.5, 9, 0.25, -1.5, np.sin(-3), np.sin(0.5)]])
    np.testing.assert_allclose(F, expected, rtol=1e-6)
    assert F.dtype == np.float32


def test_feature_transform_order_and_sets():
    X = np.array([[2.0, 3.0]], dtype=np.float32)
    np.testing.assert_allclose(pg.feature_transform(X, ["x2^2", "x1"]), [[9.0, 2.0]])
    np.testing.assert_allclose(pg.feature_transform(X, {"x2^2", "x1"}), [[2.0, 9.0]])  # a set: canonical order
    assert pg.FEATURES == {"x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"}
    for bad in (["x3"], [], ["x1", "x1"]):
        with pytest.raises(ValueError):
            pg.feature_transform(X, bad)


def test_split_is_a_partition():
    X, y = pg.make_playground_data("gauss", n=101, seed=0)
    Xtr, ytr, Xte, yte = pg.split(X, y, train_ratio=0.3, seed=4)
    assert (len(Xtr), len(Xte)) == (30, 71)
    rows = {tuple(r) for r in np.concatenate([Xtr, Xte])}
    assert rows == {tuple(r) for r in X}
    with pytest.raises(ValueError):
        pg.split(X, y, train_ratio=1.0)


# --------------------------------------------------------------------------- model and training
def test_build_model_parameter_counts():
    assert pg.build_model(["x1", "x2"], (4, 2)).count_params() == 2 * 4 + 4 + 4 * 2 + 2 + 2 * 1 + 1  # 25
    assert pg.build_model(["x1^2", "x2^2"], ()).count_params() == 3
    assert pg.build_model(sorted(pg.FEATURES), (8, 8)).count_params() == 7 * 8 + 8 + 8 * 8 + 8 + 8 + 1


def test_build_model_output_loss_and_regularisation():
    model = pg.build_model(["x1", "x2"], (3,), activation="relu", l2=0.1)
    assert model.layers[-1].activation.__name__ == "sigmoid"
    assert model.layers[0].activation.__name__ == "relu"
    assert "binary_crossentropy" in str(model.loss)
    out = model(np.ones((5, 2), np.float32))
    assert out.shape == (5, 1)
    assert len(model.losses) == 2 and all(float(v) > 0 for v in model.losses)  # one L2 term per kernel
    assert len(pg.build_model(["x1", "x2"], (3,)).losses) == 0
    with pytest.raises(ValueError):
        pg.build_model(["x1"], (3,), activation="swish")


def test_build_model_seed_fixes_the_weights():
    a = pg.build_model(["x1", "x2"], (4,), seed=3).get_weights()
    b = pg.build_model(["x1", "x2"], (4,), seed=3).get_weights()
    c = pg.build_model(["x1", "x2"], (4,), seed=4).get_weights()
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])


def test_training_lowers_the_loss_and_records_history():
    cfg = pg.PlaygroundConfig(dataset="circle", features=("x1^2", "x2^2"), hidden_layers=(), n_samples=200,
                              batch_size=20)
    run = pg.train_playground(cfg, epochs=15)
    h = run.history
    assert h["epoch"] == list(range(16))
    assert len(h["loss"]) == len(h["test_loss"]) == 16
    assert h["loss"][-1] < 0.5 * h["loss"][0]
    assert run.test_accuracy >= 0.9
    # continuing a run appends to the same history
    pg.train_playground(run=run, epochs=2)
    assert run.epoch == 17 and len(run.history["loss"]) == 18


def test_train_uses_the_batch_size():
    cfg = pg.PlaygroundConfig(dataset="gauss", n_samples=100, train_ratio=0.5, batch_size=7)
    run = pg.train_playground(cfg, epochs=1)
    assert run.model.optimizer.iterations.numpy() == int(np.ceil(50 / 7))


def test_config_validation_and_dict_input():
    with pytest.raises(ValueError):
        pg.PlaygroundConfig(dataset="moons")
    with pytest.raises(ValueError):
        pg.PlaygroundConfig(regularization="L3")
    cfg = pg.as_config({"dataset": "xor", "regularization": "L1", "reg_rate": 0.01})
    assert (cfg.l1, cfg.l2) == (0.01, 0.0)


# --------------------------------------------------------------------------- the widget, headless
@pytest.fixture
def widget():
    # render=False: the status line updates, the PNG is not drawn (drawing is tested once, below)
    return pg.Playground(n_samples=120, batch_size=20, live=False, render=False)


def test_widget_builds_and_draws_headless(capsys):
    widget = pg.Playground(n_samples=120, batch_size=20, redraw_every=2)
    assert widget.epoch == 0
    assert widget.X.shape == (120, 2)
    assert "epoch <b>0</b>" in widget.status.value
    capsys.readouterr()
    widget.train(4)  # live: a redraw every 2 epochs
    assert "epoch <b>4</b>" in widget.status.value
    assert capsys.readouterr().out.count("Image object") == 2  # without a kernel, display() prints the repr
    fig = widget.figure(steps=20)
    assert len(fig.axes) == 2
    assert "Playground(epoch 4, circle" in repr(widget)


def test_dataset_control_changes_the_data(widget):
    before = widget.X.copy()
    widget.controls["dataset"].value = "xor"
    assert widget.config.dataset == "xor"
    assert not np.array_equal(before, widget.X)
    np.testing.assert_array_equal(widget.y, (widget.X[:, 0] * widget.X[:, 1] >= 0).astype(int))


def test_noise_and_ratio_sliders_are_percentages(widget):
    widget.controls["noise"].value = 30
    widget.controls["train_ratio"].value = 70
    assert widget.config.noise == pytest.approx(0.3)
    assert len(widget.run.X_train) == 84


def test_network_controls_rebuild_the_model(widget):
    widget.controls["n_layers"].value = 1
    widget.controls["neurons"][0].value = 3
    assert widget.config.hidden_layers == (3,)
    assert widget.model.count_params() == 2 * 3 + 3 + 3 + 1
    widget.controls["features"]["x1*x2"].value = True
    assert widget.config.features == ("x1", "x2", "x1*x2")
    assert widget.model.count_params() == 3 * 3 + 3 + 3 + 1
    for box in widget.controls["features"].values():  # unticking everything keeps the last inputs
        box.value = False
    assert len(widget.config.features) >= 1
    assert widget.last_error is None


def test_set_writes_the_controls(widget):
    widget.set(dataset="spiral", hidden_layers=(8, 8), activation="relu", learning_rate=0.01,
               regularization="L2", reg_rate=0.003, noise=0.1)
    c = widget.controls
    assert c["dataset"].value == "spiral" and c["n_layers"].value == 2
    assert [b.value for b in c["neurons"][:2]] == [8, 8]
    assert c["activation"].value == "relu" and c["learning_rate"].value == 0.01
    assert c["noise"].value == 10 and c["reg_rate"].value == 0.003
    assert widget.model.layers[0].kernel_regularizer is not None
    with pytest.raises(ValueError):
        widget.set(hidden_layers=(9,))


def test_train_button_reset_and_batch_size(widget):
    widget.set(dataset="gauss")
    widget.controls["epochs"].value = 4
    widget.controls["train"].click()
    assert widget.last_error is None and widget.epoch == 4
    assert widget.history["loss"][-1] < widget.history["loss"][0]
    weights = widget.model.get_weights()[0].copy()
    widget.controls["batch_size"].value = 10  # keeps the weights and the epoch count
    assert widget.epoch == 4
    np.testing.assert_array_equal(weights, widget.model.get_weights()[0])
    widget.train(1)
    assert widget.epoch == 5
    widget.controls["reset"].click()
    assert widget.epoch == 0 and len(widget.history["loss"]) == 1
    assert not np.array_equal(weights, widget.model.get_weights()[0])
