"""One call at the top of every notebook: ``course_utils.setup()``.

It must run before TensorFlow is imported, because TensorFlow reads its
logging and oneDNN switches from the environment at import time, and thread
counts can only be set before the first operation runs.
"""
from __future__ import annotations

import logging
import os
import platform
import random
import sys
import warnings
from dataclasses import dataclass

from .profiles import get_profile

#: Thread counts pinned in the ``smoke`` profile, so CI runs the same
#: arithmetic on any machine (TensorFlow's results depend on the thread split).
SMOKE_THREADS = {"intra_op": 2, "inter_op": 1}


@dataclass(frozen=True)
class SetupInfo:
    """What :func:`setup` did, for tests and for the environment self-check."""

    profile: str
    seed: int
    python: str
    tensorflow: str
    keras: str
    device: str
    deterministic: bool
    threads: str

    def line(self) -> str:
        return (
            f"profile={self.profile} | Python {self.python} | TensorFlow {self.tensorflow} | "
            f"Keras {self.keras} | {self.device} | seed {self.seed}"
        )


_LAST: SetupInfo | None = None


def quiet_tensorflow_env() -> None:
    """Set the environment variables that keep TensorFlow's C++ log lines out of notebooks.

    Safe to call more than once; values the user already set are kept.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # C++ INFO/WARNING/ERROR lines
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    os.environ.setdefault("ABSL_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def _silence_python_loggers() -> None:
    import tensorflow as tf

    tf.get_logger().setLevel(logging.ERROR)
    try:
        from absl import logging as absl_logging

        absl_logging.set_verbosity(absl_logging.ERROR)
    except ImportError:  # absl ships with TensorFlow; keep going if it ever does not
        pass
    # Python-level warnings that say nothing actionable to an attendee.
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", message=".*input_shape.*input_dim.*")
    warnings.filterwarnings("ignore", message=".*Do not pass an `input_shape`.*")
    warnings.filterwarnings("ignore", message=".*PyDataset class should call.*")
    warnings.filterwarnings("ignore", message=".*your `PyDataset` class should call.*")
    # fit(dataset) with Keras' default shuffle=True: the tf.data pipeline already shuffles.
    warnings.filterwarnings("ignore", message=".*`shuffle=True` was passed, but will be ignored.*")


def _describe_device(tf) -> str:
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        names = []
        for gpu in gpus:
            try:
                names.append(tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name))
            except Exception:  # noqa: BLE001 - details are cosmetic
                names.append(gpu.name)
        return f"GPU x{len(gpus)} ({', '.join(sorted(set(names)))})"
    return f"CPU ({os.cpu_count()} cores)"


def set_plot_defaults() -> None:
    """Small, readable figures that keep stored notebooks light."""
    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "figure.figsize": (6.0, 4.0),
            "figure.dpi": 80,
            "savefig.dpi": 80,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 10,
            "image.cmap": "viridis",
        }
    )


def setup(seed: int = 42, *, verbose: bool = True) -> None:
    """Prepare a notebook: profile, quiet logs, threads, determinism, seeds, plot defaults.

    Prints one line (profile, versions, device, seed). Returns nothing, so the
    cell that calls it shows only that line.
    """
    global _LAST
    profile = get_profile()
    quiet_tensorflow_env()
    tf_already_loaded = "tensorflow" in sys.modules
    if profile == "smoke":
        # oneDNN's fused kernels change float rounding with the CPU; turn them off in CI.
        os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
        os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")
    os.environ["PYTHONHASHSEED"] = str(seed)

    import tensorflow as tf
    import keras

    _silence_python_loggers()
    threads = "default (all cores)"
    deterministic = False
    if profile == "smoke":
        try:
            tf.config.threading.set_intra_op_parallelism_threads(SMOKE_THREADS["intra_op"])
            tf.config.threading.set_inter_op_parallelism_threads(SMOKE_THREADS["inter_op"])
            threads = f"intra={SMOKE_THREADS['intra_op']}, inter={SMOKE_THREADS['inter_op']}"
        except RuntimeError:
            # TensorFlow already ran an op (setup() called twice, or after TF code).
            threads = "unchanged (TensorFlow was already initialised)"
        tf.config.experimental.enable_op_determinism()
        deterministic = True
    random.seed(seed)
    keras.utils.set_random_seed(seed)  # Python, NumPy and TensorFlow generators
    set_plot_defaults()

    _LAST = SetupInfo(
        profile=profile,
        seed=seed,
        python=platform.python_version(),
        tensorflow=tf.__version__,
        keras=keras.__version__,
        device=_describe_device(tf),
        deterministic=deterministic,
        threads=threads,
    )
    if verbose:
        note = " (TensorFlow was imported before setup(); restart the kernel for quiet logs)" if (
            tf_already_loaded and _LAST.threads.startswith("unchanged")
        ) else ""
        print(f"Course setup: {_LAST.line()}{note}")


def last_setup() -> SetupInfo | None:
    """The :class:`SetupInfo` of the most recent :func:`setup` call, or None."""
    return _LAST
