"""Shared fixtures: every test runs offline, in the smoke profile, with private caches."""
import os

import pytest

os.environ.setdefault("COURSE_PROFILE", "smoke")
os.environ["COURSE_OFFLINE"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture
def caches(tmp_path, monkeypatch):
    """Empty course data cache and Keras cache under tmp_path; offline; returns (data_dir, keras_dir)."""
    data = tmp_path / "data"
    keras_home = tmp_path / "keras"
    monkeypatch.setenv("COURSE_DATA_DIR", str(data))
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    return data, keras_home / "datasets"


@pytest.fixture
def profile(monkeypatch):
    """Set COURSE_PROFILE for one test: profile("workshop")."""
    def _set(name):
        monkeypatch.setenv("COURSE_PROFILE", name)
    return _set
