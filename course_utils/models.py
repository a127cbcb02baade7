"""Models the course trains itself and ships in ``data/models/``, with checksums.

Two uses:

* **transfer learning offline**: a base network pretrained by the course on a
  source task stands in for ImageNet weights when there is no network;
* **catch-up checkpoints**: an attendee who fell behind (or has a slow laptop)
  loads the course's trained model and continues at once.

Every model has a recipe in :data:`RECIPES` (a function that builds and trains
it, in this package, so the shipped file can always be reproduced) and an
entry in ``data/models/MANIFEST.json`` (sha256, size, the recipe, the profile it
was trained in). ``make checkpoints`` retrains every recipe and rewrites the
manifest; :func:`load_course_model` refuses a file whose checksum differs.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .datasets import DatasetError, repo_root, sha256_file


class ModelError(DatasetError):
    """A shipped model is missing or corrupt; the message says what to do."""


def models_dir() -> Path:
    """``$COURSE_MODELS_DIR`` or ``<repo>/data/models``."""
    env = os.environ.get("COURSE_MODELS_DIR")
    return Path(env).expanduser() if env else repo_root() / "data" / "models"


def manifest_path() -> Path:
    return models_dir() / "MANIFEST.json"


def read_manifest() -> dict[str, dict]:
    path = manifest_path()
    if not path.exists():
        return {}
    return json.loads(path.read_text())


@dataclass(frozen=True)
class Recipe:
    """How the course produces one shipped model."""

    name: str
    description: str
    train: Callable[[], "object"]  # returns a trained keras.Model


RECIPES: dict[str, Recipe] = {}


def register_recipe(recipe: Recipe) -> Recipe:
    RECIPES[recipe.name] = recipe
    return recipe


def model_path(name: str) -> Path:
    return models_dir() / f"{name}.keras"


def load_course_model(name: str, *, verbose: bool = True):
    """Load ``data/models/<name>.keras`` after checking its sha256 against the manifest."""
    import keras

    entry = read_manifest().get(name)
    path = model_path(name)
    if entry is None or not path.exists():
        known = ", ".join(sorted(read_manifest())) or "none"
        raise ModelError(f"no shipped model {name!r} (shipped: {known}); run `make checkpoints` to produce it.")
    actual = sha256_file(path)
    if actual != entry["sha256"]:
        raise ModelError(f"data/models/{name}.keras fails its checksum (corrupt or edited); "
                         f"restore it with `git checkout data/models/{name}.keras` or rebuild with `make checkpoints`.")
    model = keras.models.load_model(path)
    if verbose:
        print(f"loaded the course's model {name!r} ({entry['size_kb']} KB, trained by the recipe "
              f"in course_utils, profile {entry['profile']}; {entry['description']})")
    return model


def save_course_model(name: str, model, description: str, profile: str) -> dict:
    """Save a trained model into data/models and record it in the manifest."""
    models_dir().mkdir(parents=True, exist_ok=True)
    path = model_path(name)
    model.save(path)
    entry = {
        "sha256": sha256_file(path),
        "size_kb": round(path.stat().st_size / 1024),
        "description": description,
        "profile": profile,
        "params": int(model.count_params()),
    }
    manifest = read_manifest()
    manifest[name] = entry
    manifest_path().write_text(json.dumps(dict(sorted(manifest.items())), indent=1) + "\n")
    return entry


def catch_up(name: str, train: Callable[[], "object"], *, use_checkpoint: bool | None = None, verbose: bool = True):
    """Train a model in the notebook, or load the course's checkpoint of it instead.

    ``use_checkpoint`` defaults to the environment variable ``COURSE_CATCH_UP=1``
    (an attendee who fell behind sets it, or passes ``use_checkpoint=True``).
    Says in one line which it did. Falls back to training when no checkpoint is shipped.
    """
    if use_checkpoint is None:
        use_checkpoint = os.environ.get("COURSE_CATCH_UP", "").strip().lower() in {"1", "true", "yes"}
    if use_checkpoint:
        try:
            return load_course_model(name, verbose=verbose)
        except ModelError as exc:
            if verbose:
                print(f"catch-up checkpoint unavailable ({exc}); training instead.")
    model = train()
    if verbose:
        print(f"trained {name!r} in this notebook (set COURSE_CATCH_UP=1 to load the course's checkpoint instead).")
    return model


def build_all(names: list[str] | None = None, *, profile: str | None = None) -> list[tuple[str, dict]]:
    """Run the recipes (``make checkpoints``) and record the results."""
    from .profiles import get_profile

    profile = profile or get_profile()
    done = []
    for name in names or sorted(RECIPES):
        recipe = RECIPES[name]
        model = recipe.train()
        done.append((name, save_course_model(name, model, recipe.description, profile)))
    return done
