"""Models the course trains itself and ships in ``data/models/``, with checksums.

Two uses:

* **transfer learning offline**: a base network pretrained by the course on a
  source task stands in for ImageNet weights when there is no network;
* **catch-up checkpoints**: an attendee who fell behind (or has a slow laptop)
  loads the weights the course trained with the notebook's own code, and continues
  at once (:func:`catch_up`; ``data/models/checkpoints``, written by ``make checkpoints``,
  which runs the notebooks in ``workshop``).

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


# ---------------------------------------------------------------- catch-up checkpoints
#: ``COURSE_CATCH_UP=1`` (or ``true``/``yes``): every :func:`catch_up` loads the course's
#: checkpoint instead of training; ``strict`` also refuses to fall back to training (tests).
CATCH_UP_ENV = "COURSE_CATCH_UP"
#: Set by ``make checkpoints`` to a directory: every :func:`catch_up` trains, then saves there.
SAVE_ENV = "COURSE_SAVE_CHECKPOINTS"
_ON = {"1", "true", "yes", "on"}


class CheckpointError(ModelError):
    """A catch-up checkpoint is missing, corrupt, from another profile, or does not fit the model."""


def checkpoints_dir() -> Path:
    """``data/models/checkpoints``: ``<name>.npz`` (the weights) and ``<name>.json`` (its record)."""
    return models_dir() / "checkpoints"


def set_catch_up(on: bool = True) -> None:
    """Switch catch-up on (or off) for the rest of this kernel's life.

    An attendee who fell behind runs ``cu.models.set_catch_up(True)`` and re-runs the training
    cell: it loads the course's trained weights instead of training. Same as starting Jupyter
    with ``COURSE_CATCH_UP=1``.
    """
    os.environ[CATCH_UP_ENV] = "1" if on else "0"


def catch_up_mode() -> str:
    """``"off"``, ``"on"`` or ``"strict"``, from ``COURSE_CATCH_UP``."""
    raw = os.environ.get(CATCH_UP_ENV, "").strip().lower()
    if raw == "strict":
        return "strict"
    return "on" if raw in _ON else "off"


def _models_of(model) -> dict:
    return dict(model) if isinstance(model, dict) else {"model": model}


def _weight_arrays(model) -> dict:
    """Every weight (trainable or not, e.g. batch-norm statistics) keyed ``<part>/<index>``."""
    arrays = {}
    for part, m in _models_of(model).items():
        for i, w in enumerate(m.get_weights()):
            arrays[f"{part}/{i:03d}"] = w
    return arrays


def _assign_weights(model, arrays: dict, name: str) -> None:
    """Check every key and shape first, then assign: a checkpoint that does not fit changes nothing."""
    parts = _models_of(model)
    current = {part: m.get_weights() for part, m in parts.items()}
    expected = {f"{part}/{i:03d}": w.shape for part, ws in current.items() for i, w in enumerate(ws)}
    if set(arrays) != set(expected) or any(arrays[k].shape != shape for k, shape in expected.items()):
        raise CheckpointError(
            f"the checkpoint {name!r} does not fit this model (was the model changed?); "
            f"train it here, or rebuild the checkpoints with `make checkpoints`.")
    for part, m in parts.items():
        m.set_weights([arrays[f"{part}/{i:03d}"] for i in range(len(current[part]))])


def _history_dict(result) -> dict:
    history = getattr(result, "history", result)
    if not isinstance(history, dict):
        return {}
    return {str(k): [float(v) for v in vals] for k, vals in history.items()}


def _as_history(history: dict):
    """A ``keras.callbacks.History`` holding a stored history, for the cells that plot it."""
    import keras

    result = keras.callbacks.History()
    result.history = {k: list(v) for k, v in history.items()}
    result.epoch = list(range(max((len(v) for v in history.values()), default=0)))
    return result


def _summary(history: dict) -> str:
    if not history:
        return "no history"
    epochs = max(len(v) for v in history.values())
    last = ", ".join(f"{k} {v[-1]:.4g}" for k, v in history.items() if v)
    return f"{epochs} epoch{'s' * (epochs != 1)}, final {last}"


def save_checkpoint(name: str, model, history, directory: Path | str | None = None) -> dict:
    """Write ``<name>.npz`` (all weights, no optimizer state) and ``<name>.json`` (its record)."""
    import numpy as np

    from .profiles import get_profile

    directory = Path(directory) if directory else checkpoints_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.npz"
    arrays = _weight_arrays(model)
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)
    import keras

    entry = {
        "name": name,
        "sha256": sha256_file(path),
        "size_kb": round(path.stat().st_size / 1024),
        "profile": get_profile(),
        "parts": sorted(_models_of(model)),
        "params": int(sum(a.size for a in arrays.values())),
        "history": _history_dict(history),
        "keras": keras.__version__,
    }
    (directory / f"{name}.json").write_text(json.dumps(entry, indent=1) + "\n")
    return entry


def read_checkpoint_entry(name: str) -> dict | None:
    path = checkpoints_dir() / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def shipped_checkpoints() -> list[dict]:
    """The catch-up checkpoints in ``data/models/checkpoints``, each record with ``intact``
    (its ``.npz`` exists and matches the recorded sha256), sorted by notebook and cell."""
    directory = checkpoints_dir()
    entries = []
    for record in sorted(directory.glob("*.json")) if directory.exists() else []:
        entry = json.loads(record.read_text())
        npz = directory / f"{record.stem}.npz"
        entry["intact"] = npz.exists() and sha256_file(npz) == entry.get("sha256")
        entries.append(entry)
    return sorted(entries, key=lambda e: (e.get("notebook", ""), e.get("cell", 0), e["name"]))


def load_checkpoint(name: str, model) -> dict:
    """Load the course's checkpoint ``name`` into ``model`` (built, same architecture).

    Refuses, with a message that says what to do, a checkpoint that is not shipped, was trained
    in another profile, fails its sha256, or does not fit the model; the model is then unchanged.
    Returns the checkpoint's record (``history``, ``profile``, ...).
    """
    import numpy as np

    from .profiles import get_profile

    entry = read_checkpoint_entry(name)
    path = checkpoints_dir() / f"{name}.npz"
    if entry is None or not path.exists():
        raise CheckpointError(f"no checkpoint {name!r} is shipped in data/models/checkpoints; "
                              f"produce it with `make checkpoints`.")
    profile = get_profile()
    if entry["profile"] != profile:
        raise CheckpointError(f"the checkpoint {name!r} was trained in the {entry['profile']!r} profile and this "
                              f"run uses {profile!r}; use COURSE_PROFILE={entry['profile']} to load it.")
    if sha256_file(path) != entry["sha256"]:
        raise CheckpointError(f"data/models/checkpoints/{name}.npz fails its checksum (corrupt or edited); restore it "
                              f"with `git checkout data/models/checkpoints` or rebuild it with `make checkpoints`.")
    with np.load(path, allow_pickle=False) as stored:
        arrays = {key: stored[key] for key in stored.files}
    _assign_weights(model, arrays, name)
    return entry


def replay_epochs(callbacks, history: dict, epochs=None, model=None) -> None:
    """Call the callbacks' epoch hooks with stored metrics, as ``fit`` would have called them.

    After a checkpoint was loaded no epoch ran, so callbacks that log or save per epoch
    (``ModelCheckpoint``, ``TensorBoard``, a picture per epoch) would have nothing to show.
    ``epochs`` are the epoch numbers to replay (default: one per history entry), matched to the
    *last* entries of ``history``. The weights are the loaded (final) ones at every replayed
    epoch, so replay only the last epoch to callbacks that look at the weights each epoch.
    ``model`` (a Keras model) is handed to the callbacks; its optimizer is built first, as
    ``fit`` would, so a saved model holds a complete (fresh) optimizer.
    """
    import keras

    n = max((len(v) for v in history.values()), default=0)
    epochs = list(range(n)) if epochs is None else list(epochs)
    if len(epochs) > n:
        raise ValueError(f"asked to replay {len(epochs)} epochs, but the history holds {n}")
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and not optimizer.built:
        optimizer.build(model.trainable_variables)
    hooks = keras.callbacks.CallbackList(list(callbacks), model=model)
    hooks.on_train_begin()
    for j, epoch in enumerate(epochs):
        logs = {key: values[n - len(epochs) + j] for key, values in history.items() if len(values) == n}
        hooks.on_epoch_begin(epoch)
        hooks.on_epoch_end(epoch, logs)
    hooks.on_train_end()


def catch_up(name: str, model, fit: Callable[[], "object"], *, callbacks=(), epochs=None,
             use_checkpoint: bool | None = None, verbose: bool = True):
    """Train ``model`` with ``fit()`` here, or load the weights the course trained with the same code.

    ``model`` is a built Keras model, or a dict of them (``{"generator": g, "discriminator": d}``);
    ``fit`` is the notebook's own training code wrapped in a function, returning a ``History``
    (or a history dict). The checkpoint is what this very cell produced when ``make checkpoints``
    ran the notebook in the ``workshop`` profile, checked by sha256.

    ``use_checkpoint`` defaults to ``COURSE_CATCH_UP`` (see :func:`set_catch_up`). When the
    checkpoint cannot be used (not shipped, other profile, corrupt, does not fit) it says why and
    trains instead (``COURSE_CATCH_UP=strict`` raises). Prints one line saying which it did, and
    returns the history: the stored one when it loaded, so later cells can plot it.

    ``callbacks`` (the ones ``fit`` passes to Keras) are replayed after a load with the stored
    metrics of ``epochs`` (see :func:`replay_epochs`), so their files and pictures exist either way.
    """
    mode = catch_up_mode()
    if use_checkpoint is None:
        use_checkpoint = mode != "off"
    if use_checkpoint:
        try:
            entry = load_checkpoint(name, model)
        except CheckpointError as exc:
            if mode == "strict":
                raise
            if verbose:
                print(f"catch-up: could not use the course's checkpoint ({exc}) - training here instead.")
        else:
            if verbose:
                print(f"catch-up: loaded the course's checkpoint {name!r} instead of training "
                      f"({_summary(entry['history'])}; made by this code in `make checkpoints`, "
                      f"profile {entry['profile']}, sha256 verified).")
            if callbacks:
                replay_epochs(callbacks, entry["history"], epochs,
                              model=None if isinstance(model, dict) else model)
            return _as_history(entry["history"])
    result = fit()
    save_dir = os.environ.get(SAVE_ENV, "").strip()
    if save_dir:
        entry = save_checkpoint(name, model, result, save_dir)
        if verbose:
            print(f"checkpoint {name!r} saved ({entry['size_kb']} KB).")
    if verbose:
        print(f"trained {name!r} here. Behind, or on a slow laptop? Run `cu.models.set_catch_up(True)` and "
              f"re-run this cell to load the course's trained weights instead.")
    return result


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
