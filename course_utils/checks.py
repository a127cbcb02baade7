"""Exercise checks: a plain sentence for the attendee, a hard failure in CI.

Every check prints ``[PASS] ...`` or ``[FAIL] ...``. In the ``smoke`` profile a
failed check raises :class:`CheckFailed`, so a broken solution turns CI red;
in the other profiles it only prints, so an attendee can try again.

Exercise placeholders. The skeleton of an exercise cell (the lines outside
``# BEGIN SOLUTION``/``# END SOLUTION``, kept in the learner copies that
``make student`` writes) assigns :data:`TODO` to each answer: ``answer = cu.TODO``.
A check given ``TODO`` (or ``...``, also inside a tuple, list or object array)
raises :class:`ExerciseNotDone`, a NotImplementedError, in every profile, and so
does any other use of ``TODO`` (arithmetic, comparison, ``len``, indexing,
iteration, ``float``, ``np.asarray``, a format spec): an unsolved learner
notebook fails with "not done yet" messages, never a NameError, a TypeError or a
[FAIL].
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .profiles import is_smoke


class CheckFailed(AssertionError):
    """Raised by a failed check in the ``smoke`` profile."""


class ExerciseNotDone(NotImplementedError):
    """Raised by a check whose answer is still a placeholder (``TODO`` or ``...``), and by any use of ``TODO``."""


_NOT_DONE = "a value this cell needs is still TODO: do the exercise above that computes it first"


def _not_done(self, *args, **kwargs):
    raise ExerciseNotDone(_NOT_DONE)


class _Todo:
    """The type of :data:`TODO`: every operation on it raises :class:`ExerciseNotDone`
    (printing it and ``is`` tests still work)."""

    __slots__ = ()
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return "TODO"

    def __format__(self, spec: str) -> str:
        if spec:
            _not_done(self)
        return "TODO"

    def __getattr__(self, name: str):
        if name.startswith("_"):  # IPython and NumPy probe optional hooks: say "no such hook"
            raise AttributeError(name)
        _not_done(self)

    for _name in ("bool len iter getitem setitem contains call eq ne lt le gt ge "
                  "add radd sub rsub mul rmul truediv rtruediv floordiv rfloordiv mod rmod pow rpow "
                  "matmul rmatmul neg pos abs invert float int index complex round array").split():
        locals()[f"__{_name}__"] = _not_done
    del _name


#: The placeholder of an exercise answer in a skeleton: ``answer = cu.TODO``.
TODO = _Todo()


def _is_placeholder(value: Any) -> bool:
    if value is Ellipsis or value is TODO:
        return True
    if isinstance(value, (list, tuple)):
        return any(_is_placeholder(v) for v in value)
    if isinstance(value, np.ndarray) and value.dtype == object:
        return any(v is Ellipsis or v is TODO for v in value.flat)
    return False


def require_answer(name: str, *values: Any) -> None:
    """Raise :class:`ExerciseNotDone` when one of ``values`` is still a placeholder (``TODO`` or ``...``)."""
    if any(_is_placeholder(v) for v in values):
        raise ExerciseNotDone(f"{name}: the answer is still TODO - do the exercise above first")


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
    require_answer(name, actual, expected)
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
    require_answer(name, actual, expected)
    if isinstance(actual, np.ndarray) or isinstance(expected, np.ndarray):
        ok = np.shape(actual) == np.shape(expected) and bool(np.all(np.asarray(actual) == np.asarray(expected)))
    else:
        ok = actual == expected
    return report(ok, name, "" if ok else f"got {actual!r}, expected {expected!r}")


def check_true(name: str, condition: bool, hint: str = "") -> None:
    """A condition the attendee's result must satisfy (e.g. ``loss < 0.1``)."""
    require_answer(name, condition)
    return report(bool(condition), name, hint)


def check_at_least(name: str, value: float, threshold: float, *, unit: str = "") -> None:
    """``value >= threshold``, e.g. an accuracy target."""
    require_answer(name, value)
    if value is None:
        return report(False, name, "the answer is still None: fill in the exercise cell")
    ok = float(value) >= threshold
    return report(ok, f"{name}: {float(value):.4g}{unit} (target >= {threshold:g}{unit})",
                  "" if ok else "not there yet - train longer or revisit the model")


def check_at_most(name: str, value: float, threshold: float, *, unit: str = "") -> None:
    """``value <= threshold``, e.g. a loss target."""
    require_answer(name, value)
    if value is None:
        return report(False, name, "the answer is still None: fill in the exercise cell")
    ok = float(value) <= threshold
    return report(ok, f"{name}: {float(value):.4g}{unit} (target <= {threshold:g}{unit})",
                  "" if ok else "not there yet")
