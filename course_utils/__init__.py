"""course_utils: the plumbing of the Applied Deep Learning course.

The lesson code stays in the notebooks; this package holds what is not the
lesson: run profiles and setup, offline data, plots, exercise checks.

TensorFlow is imported lazily (by :func:`setup` and the functions that need
it), so ``import course_utils`` is fast and ``setup()`` can set TensorFlow's
environment switches before TensorFlow loads.
"""
from .checks import TODO, CheckFailed, check_at_least, check_at_most, check_close, check_equal, check_true
from .datasets import DatasetError, available, load_arrays, load_dataset, make_pipeline
from .plots import plot_confusion_matrix, plot_decision_boundary, plot_history, show_images
from .profiles import PROFILES, by_profile, get_profile, is_smoke
from .setup import setup

__version__ = "0.1.0"

#: Topic modules, imported on first use (``cu.detection.iou``, ``cu.kernels.KERNELS``,
#: ``cu.playground.Playground``, ``cu.models.catch_up``) so ``import course_utils`` stays light.
_SUBMODULES = ("app", "autoencoders", "checks", "datasets", "detection", "envcheck", "gans", "kernels", "models",
               "playground", "plots", "profiles", "recipes", "text", "textclf")


def __getattr__(name: str):
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'course_utils' has no attribute {name!r}")

__all__ = [
    "PROFILES",
    "CheckFailed",
    "TODO",
    "DatasetError",
    "available",
    "by_profile",
    "check_at_least",
    "check_at_most",
    "check_close",
    "check_equal",
    "check_true",
    "get_profile",
    "is_smoke",
    "load_arrays",
    "load_dataset",
    "make_pipeline",
    "plot_confusion_matrix",
    "plot_decision_boundary",
    "plot_history",
    "setup",
    "show_images",
]
