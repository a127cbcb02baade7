"""Catch-up checkpoints: cu.models.catch_up and tools/checkpoints.py (build records, staleness check)."""
import json

import nbformat
import numpy as np
import pytest
from tool_modules import load_tool

from course_utils import models

checkpoints = load_tool("checkpoints")


@pytest.fixture
def mdir(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("COURSE_PROFILE", "smoke")
    # setenv (not delenv) so that whatever a test sets, e.g. set_catch_up(True), is undone after it
    monkeypatch.setenv(models.CATCH_UP_ENV, "0")
    monkeypatch.setenv(models.SAVE_ENV, "")
    return tmp_path / "models" / "checkpoints"


def dense(units=2, seed=0):
    import keras

    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                             keras.layers.BatchNormalization(), keras.layers.Dense(units)])


class Fit:
    """A fit() that counts its calls, changes the weights and returns a history dict."""

    def __init__(self, model, history=None):
        self.model, self.calls = model, 0
        self.history = history if history is not None else {"loss": [1.5, 0.75], "val_loss": [1.6, 0.9]}

    def __call__(self):
        self.calls += 1
        self.model.set_weights([w + 1.0 for w in self.model.get_weights()])
        return self.history


def saved(mdir, monkeypatch, name="tiny", seed=0):
    """Train-and-save once (as `make checkpoints` does) and return the trained model."""
    model = dense(seed=seed)
    monkeypatch.setenv(models.SAVE_ENV, str(mdir))
    models.catch_up(name, model, Fit(model), verbose=False)
    monkeypatch.setenv(models.SAVE_ENV, "")
    return model


def same_weights(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a.get_weights(), b.get_weights()))


def test_trains_by_default_and_says_how_to_catch_up(mdir, capsys):
    model = dense()
    fit = Fit(model)
    result = models.catch_up("tiny", model, fit)
    assert fit.calls == 1 and result is fit.history
    out = capsys.readouterr().out
    assert "trained 'tiny' here" in out and "cu.models.set_catch_up(True)" in out
    assert not mdir.exists()  # nothing saved outside `make checkpoints`


def test_save_mode_writes_weights_and_a_record(mdir, monkeypatch):
    model = saved(mdir, monkeypatch)
    entry = json.loads((mdir / "tiny.json").read_text())
    assert entry["sha256"] == models.sha256_file(mdir / "tiny.npz")
    assert entry["profile"] == "smoke" and entry["parts"] == ["model"]
    assert entry["history"] == {"loss": [1.5, 0.75], "val_loss": [1.6, 0.9]}
    # every weight, the batch-norm moving statistics included
    assert entry["params"] == sum(w.size for w in model.get_weights()) == 3 * 4 + 4 + 4 * 4 + 4 * 2 + 2


def test_catch_up_loads_identical_weights_and_returns_the_stored_history(mdir, monkeypatch, capsys):
    trained = saved(mdir, monkeypatch)
    fresh = dense(seed=7)
    assert not same_weights(fresh, trained)
    fit = Fit(fresh)
    models.set_catch_up(True)
    history = models.catch_up("tiny", fresh, fit)
    assert fit.calls == 0 and same_weights(fresh, trained)
    x = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), trained.predict(x, verbose=0))
    assert history.history == {"loss": [1.5, 0.75], "val_loss": [1.6, 0.9]} and history.epoch == [0, 1]
    out = capsys.readouterr().out
    assert "loaded the course's checkpoint 'tiny' instead of training" in out
    assert "2 epochs, final loss 0.75, val_loss 0.9" in out and "sha256 verified" in out


def test_frozen_layers_do_not_reorder_the_weights(mdir, monkeypatch):
    # a notebook may freeze layers inside fit() (fine-tuning) while the loading model is unfrozen
    trained = dense(seed=1)
    trained.layers[0].trainable = False  # Dense(4) frozen, BatchNormalization and the head trainable
    monkeypatch.setenv(models.SAVE_ENV, str(mdir))
    models.catch_up("frozen", trained, Fit(trained), verbose=False)
    monkeypatch.setenv(models.SAVE_ENV, "")
    fresh = dense(seed=2)
    models.load_checkpoint("frozen", fresh)
    x = np.random.default_rng(1).normal(size=(4, 3)).astype("float32")
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), trained.predict(x, verbose=0))


def test_set_catch_up_switches_the_mode_both_ways(mdir):
    assert models.catch_up_mode() == "off"
    models.set_catch_up(True)
    assert models.catch_up_mode() == "on"
    models.set_catch_up(False)
    assert models.catch_up_mode() == "off"


def test_use_checkpoint_argument_overrides_the_environment(mdir, monkeypatch):
    saved(mdir, monkeypatch)
    model = dense(seed=3)
    fit = Fit(model)
    models.catch_up("tiny", model, fit, use_checkpoint=True, verbose=False)
    assert fit.calls == 0
    monkeypatch.setenv(models.CATCH_UP_ENV, "1")
    models.catch_up("tiny", model, fit, use_checkpoint=False, verbose=False)
    assert fit.calls == 1


def test_a_checkpoint_that_does_not_fit_leaves_the_model_unchanged(mdir, monkeypatch):
    saved(mdir, monkeypatch)
    other = dense(units=3, seed=5)
    before = [w.copy() for w in other.get_weights()]
    with pytest.raises(models.CheckpointError, match="does not fit this model.*make checkpoints"):
        models.load_checkpoint("tiny", other)
    assert all(np.array_equal(a, b) for a, b in zip(before, other.get_weights()))


def test_falls_back_to_training_and_says_why(mdir, monkeypatch, capsys):
    saved(mdir, monkeypatch)
    other = dense(units=3)
    fit = Fit(other)
    models.set_catch_up(True)
    models.catch_up("tiny", other, fit)
    assert fit.calls == 1
    out = capsys.readouterr().out
    assert "could not use the course's checkpoint" in out and "training here instead" in out


def test_strict_mode_raises_instead_of_training(mdir, monkeypatch):
    monkeypatch.setenv(models.CATCH_UP_ENV, "strict")
    model = dense()
    fit = Fit(model)
    with pytest.raises(models.CheckpointError, match="no checkpoint 'absent' is shipped.*make checkpoints"):
        models.catch_up("absent", model, fit)
    assert fit.calls == 0


def test_corrupt_checkpoint_is_refused_with_the_fix(mdir, monkeypatch):
    saved(mdir, monkeypatch)
    with open(mdir / "tiny.npz", "ab") as fh:
        fh.write(b"tampered")
    with pytest.raises(models.CheckpointError, match="fails its checksum.*git checkout data/models/checkpoints"):
        models.load_checkpoint("tiny", dense())


def test_checkpoint_from_another_profile_is_refused(mdir, monkeypatch, profile):
    saved(mdir, monkeypatch)
    profile("workshop")
    with pytest.raises(models.CheckpointError, match="trained in the 'smoke' profile.*COURSE_PROFILE=smoke"):
        models.load_checkpoint("tiny", dense())


def test_dict_of_models_round_trips_and_is_all_or_nothing(mdir, monkeypatch):
    g, d = dense(seed=1), dense(units=1, seed=2)
    monkeypatch.setenv(models.SAVE_ENV, str(mdir))
    models.catch_up("gan", {"generator": g, "discriminator": d}, Fit(g, history={}), verbose=False)
    monkeypatch.setenv(models.SAVE_ENV, "")
    assert json.loads((mdir / "gan.json").read_text())["parts"] == ["discriminator", "generator"]
    g2, d2 = dense(seed=8), dense(units=1, seed=9)
    models.load_checkpoint("gan", {"generator": g2, "discriminator": d2})
    assert same_weights(g2, g) and same_weights(d2, d)
    # a single model does not take a two-part checkpoint, and a half-fitting pair changes nothing
    with pytest.raises(models.CheckpointError):
        models.load_checkpoint("gan", dense())
    g3, wrong = dense(seed=10), dense(units=2, seed=11)
    before = [w.copy() for w in g3.get_weights()]
    with pytest.raises(models.CheckpointError):
        models.load_checkpoint("gan", {"generator": g3, "discriminator": wrong})
    assert all(np.array_equal(a, b) for a, b in zip(before, g3.get_weights()))


class Recorder:
    """A Keras callback that records the hooks fit calls."""

    def __new__(cls):
        import keras

        class _Recorder(keras.callbacks.Callback):
            def __init__(self):
                super().__init__()
                self.calls = []

            def on_train_begin(self, logs=None):
                self.calls.append(("train_begin", self.model is not None))

            def on_epoch_end(self, epoch, logs=None):
                self.calls.append((epoch, dict(logs)))

        return _Recorder()


def test_callbacks_are_replayed_with_the_stored_metrics_only_after_a_load(mdir, monkeypatch):
    saved(mdir, monkeypatch)  # history: loss [1.5, 0.75], val_loss [1.6, 0.9]
    model = dense(seed=4)
    model.compile("adam", "mse")
    rec = Recorder()
    fit = Fit(model)
    models.catch_up("tiny", model, fit, callbacks=[rec], epochs=[6, 7], verbose=False)
    assert fit.calls == 1 and rec.calls == []  # trained: fit itself drives the callbacks
    models.set_catch_up(True)
    models.catch_up("tiny", model, fit, callbacks=[rec], epochs=[6, 7], verbose=False)
    assert fit.calls == 1
    assert rec.calls == [("train_begin", True), (6, {"loss": 1.5, "val_loss": 1.6}),
                         (7, {"loss": 0.75, "val_loss": 0.9})]
    assert model.optimizer.built  # as after fit: a saved model carries a whole optimizer


def test_replaying_the_last_epoch_only_takes_the_last_metrics():
    rec = Recorder()
    models.replay_epochs([rec], {"loss": [3.0, 2.0, 1.0]}, epochs=[5])
    assert rec.calls == [("train_begin", False), (5, {"loss": 1.0})]
    with pytest.raises(ValueError, match="replay 2 epochs, but the history holds 1"):
        models.replay_epochs([rec], {"loss": [1.0]}, epochs=[0, 1])


def test_shipped_checkpoints_lists_records_and_flags_damage(mdir, monkeypatch):
    assert models.shipped_checkpoints() == []
    saved(mdir, monkeypatch, name="b")
    saved(mdir, monkeypatch, name="a")
    entries = models.shipped_checkpoints()
    assert [e["name"] for e in entries] == ["a", "b"] and all(e["intact"] for e in entries)
    (mdir / "b.npz").write_bytes(b"x")
    assert [e["intact"] for e in models.shipped_checkpoints()] == [True, False]


def test_history_is_taken_from_a_keras_history_or_a_dict():
    import keras

    h = keras.callbacks.History()
    h.history = {"loss": [np.float32(0.5)]}
    assert models._history_dict(h) == {"loss": [0.5]}
    assert models._history_dict({"acc": [1, 2]}) == {"acc": [1.0, 2.0]}
    assert models._history_dict(None) == {}


# ------------------------------------------------------------------ tools/checkpoints.py
def notebook(*cells):
    nb = nbformat.v4.new_notebook()
    for kind, src in cells:
        nb.cells.append(nbformat.v4.new_code_cell(src) if kind == "code" else nbformat.v4.new_markdown_cell(src))
    return nb


def test_find_sites_sees_both_spellings_and_only_literals():
    nb = notebook(("code", 'h = cu.models.catch_up("day9_01_a", m, fit)'),
                  ("markdown", 'catch_up("not_code", ...)'),
                  ("code", 'def train(model, checkpoint):\n    return cu.models.catch_up(checkpoint, model, f)\n'
                           'train(m1, checkpoint="day9_01_b")\ntrain(m2, checkpoint = "day9_01_c")'))
    assert checkpoints.find_sites(nb) == [("day9_01_a", 0), ("day9_01_b", 2), ("day9_01_c", 2)]


def test_code_hash_covers_code_up_to_the_site_only():
    base = notebook(("code", "x = 1"), ("markdown", "text"), ("code", "fit()"), ("code", "later = 2"))
    h = checkpoints.code_hash(base, 2)
    same = notebook(("code", "x = 1   \n"), ("markdown", "other text"), ("code", "fit()"), ("code", "later = 3"))
    assert checkpoints.code_hash(same, 2) == h
    changed = notebook(("code", "x = 2"), ("markdown", "text"), ("code", "fit()"), ("code", "later = 2"))
    assert checkpoints.code_hash(changed, 2) != h
    # cell boundaries count: joining two cells is a change
    assert checkpoints.code_hash(notebook(("code", "a"), ("code", "b")), 1) != \
        checkpoints.code_hash(notebook(("code", "a\nb")), 0)


@pytest.fixture
def repo(tmp_path, monkeypatch, mdir):
    """A fake repository with one notebook holding one site, and its checkpoint made."""
    monkeypatch.setattr(checkpoints, "ROOT", tmp_path)
    monkeypatch.setattr(checkpoints, "PROFILE", "smoke")
    path = tmp_path / "notebooks" / "day9" / "01_x.ipynb"
    path.parent.mkdir(parents=True)
    nb = notebook(("code", "m = build()"), ("code", 'h = cu.models.catch_up("day9_01_m", m, fit)'))
    nbformat.write(nb, path)
    entry = models.save_checkpoint("day9_01_m", dense(), {"loss": [1.0]}, mdir)
    entry.update(notebook="notebooks/day9/01_x.ipynb", cell=1, code_sha256=checkpoints.code_hash(nb, 1))
    (mdir / "day9_01_m.json").write_text(json.dumps(entry))
    return path


def test_check_passes_on_a_current_checkpoint(repo):
    assert checkpoints.check() == []


def test_check_names_the_make_command_when_earlier_code_changed(repo):
    nb = nbformat.read(repo, as_version=4)
    nb.cells[0].source = "m = build(units=64)"
    nbformat.write(nb, repo)
    [problem] = checkpoints.check()
    assert "code up to cell 1 changed" in problem and "make checkpoints NB=notebooks/day9/01_x.ipynb" in problem


def test_check_reports_missing_corrupt_orphan_and_duplicate(repo, mdir):
    (mdir / "day9_01_m.npz").write_bytes(b"not weights")
    assert "fails its checksum" in checkpoints.check()[0]
    (mdir / "day9_01_m.npz").unlink()
    assert "no checkpoint 'day9_01_m'" in checkpoints.check()[0]
    models.save_checkpoint("old_site", dense(), {}, mdir)
    assert any("'old_site' is used by no notebook" in p for p in checkpoints.check())
    assert not any("old_site" in p for p in checkpoints.check([repo]))  # one notebook: no orphan search
    twin = repo.parent / "02_y.ipynb"
    nbformat.write(nbformat.read(repo, as_version=4), twin)
    assert any("used by both" in p for p in checkpoints.check())


def test_shipped_checkpoints_are_current_intact_and_small():
    # The repository's own data/models/checkpoints against the notebooks as they are now.
    problems = checkpoints.check()
    assert problems == [], "\n".join(problems)
    sizes = [p.stat().st_size for p in models.checkpoints_dir().glob("*.npz")]
    assert sizes, "no catch-up checkpoint is shipped"
    assert max(sizes) < 8 * 2**20 and sum(sizes) < 40 * 2**20
