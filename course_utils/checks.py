"""Exercise checks: a plain sentence for the attendee, a hard failure in CI.

Every check prints ``[PASS] ...`` or ``[FAIL] ...``. In the ``smoke`` profile a
failed check raises :class:`CheckFailed`, so a broken solution turns CI red;
in the other profiles it only prints, so an attendee can try again.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .profiles import is_smoke


class CheckFailed(AssertionError):
    """Raised by a failed check in the ``smoke`` profile."""


def report(passed: bool, what: str, hint: str = "") -> None:
    """Print the verdict for ``what``; raise :class:`CheckFailed` in ``smoke`` when it failed.

    Checks return None on purpose: a notebook cell that ends with a check shows the
    sentence and nothing else.
    """
    if passed:
        print(f"[PASS] {what}")
        return
    message = f"[FAIL] {what}" + (f" - {hint}" if hint else "")
    print(message)
    if is_smoke():
        raise CheckFailed(message)


def _fmt(value: Any) -> str:
    arr = np.asarray(value)
    if arr.ndim == 0:
        return f"{arr.item():.6g}" if np.issubdtype(arr.dtype, np.number) else repr(value)
    return np.array2string(arr, precision=4, threshold=12, suppress_small=True)


def check_close(name: str, actual, expected, *, rtol: float = 1e-5, atol: float = 1e-8) -> None:
    """Numbers or arrays equal within tolerance (shapes must match)."""
    if actual is None:
        return report(False, name, "the answer is still None: fill in the exercise cell")
    a, e = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    if a.shape != e.shape:
        return report(False, name, f"shape {a.shape}, expected {e.shape}")
    if not np.all(np.isfinite(a)):
        return report(False, name, "the answer contains nan or inf")
    ok = bool(np.allclose(a, e, rtol=rtol, atol=atol))
    return report(ok, name, "" if ok else f"got {_fmt(a)}, expected {_fmt(e)}")


def check_equal(name: str, actual, expected) -> None:
    """Exact equality (for ints, strings, shapes, tuples)."""
    if isinstance(actual, np.ndarray) or isinstance(expected, np.ndarray):
        ok = np.shape(actual) == np.shape(expected) and bool(np.all(np.asarray(actual) == np.asarray(expected)))
    else:
        ok = actual == expected
    return report(ok, name, "" if ok else f"got {actual!r}, expected {expected!r}")


def check_true(name: str, condition: bool, hint: str = "") -> None:
    """A condition the attendee's result must satisfy (e.g. ``loss < 0.1``)."""
    return report(bool(condition), name, hint)


def check_at_least(name: str, value: float, threshold: float, *, unit: str = "") -> None:
    """``value >= threshold``, e.g. an accuracy target."""
    if value is None:
        return report(False, name, "the answer is still None: fill in the exercise cell")
    ok = float(value) >= threshold
    return report(ok, f"{name}: {float(value):.4g}{unit} (target >= {threshold:g}{unit})",
                  "" if ok else "not there yet - train longer or revisit the model")


def check_at_most(name: str, value: float, threshold: float, *, unit: str = "") -> None:
    """``value <= threshold``, e.g. a loss target."""
    if value is None:
        return report(False, name, "the answer is still None: fill in the exercise cell")
    ok = float(value) <= threshold
    return report(ok, f"{name}: {float(value):.4g}{unit} (target <= {threshold:g}{unit})",
                  "" if ok else "not there yet")
