"""Shipped models: checksum-verified loading, the manifest, and catch-up checkpoints."""
import json

import numpy as np
import pytest

from course_utils import models


@pytest.fixture
def mdir(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.delenv("COURSE_CATCH_UP", raising=False)
    return tmp_path / "models"


def tiny_model(seed=0):
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    return model


def test_save_then_load_gives_identical_predictions(mdir, capsys):
    model = tiny_model()
    entry = models.save_course_model("tiny", model, "a test model", "smoke")
    manifest = json.loads((mdir / "MANIFEST.json").read_text())
    assert manifest["tiny"]["sha256"] == entry["sha256"] and entry["params"] == 8
    loaded = models.load_course_model("tiny")
    x = np.ones((4, 3), np.float32)
    np.testing.assert_array_equal(model.predict(x, verbose=0), loaded.predict(x, verbose=0))
    assert "loaded the course's model 'tiny'" in capsys.readouterr().out


def test_corrupt_model_is_refused_with_the_fix(mdir):
    models.save_course_model("tiny", tiny_model(), "a test model", "smoke")
    with open(mdir / "tiny.keras", "ab") as fh:
        fh.write(b"tampered")
    with pytest.raises(models.ModelError, match="fails its checksum.*git checkout data/models/tiny.keras"):
        models.load_course_model("tiny")


def test_missing_model_names_what_is_shipped(mdir):
    with pytest.raises(models.ModelError, match=r"no shipped model 'nope' \(shipped: none\).*make checkpoints"):
        models.load_course_model("nope")


def test_shipped_models_match_their_manifest():
    # Runs against the repository's own data/models: every shipped file verifies.
    manifest = models.read_manifest()
    for name, entry in manifest.items():
        path = models.model_path(name)
        assert path.exists(), f"{name} listed in MANIFEST.json but data/models/{name}.keras is missing"
        assert models.sha256_file(path) == entry["sha256"], f"{name}: checksum differs from MANIFEST.json"
