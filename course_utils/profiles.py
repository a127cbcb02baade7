"""Run profiles: one environment variable, ``COURSE_PROFILE``, scales every notebook.

``smoke``     CI and nbval: tiny data, a few steps, pinned threads, deterministic ops.
``workshop``  the default: attendees on a 2-core laptop, real data, no cell over ~60 s.
``full``      a GPU box: full data sets and the headline accuracies.

Notebooks never hard-code epochs or sample counts; they ask
:func:`by_profile` (``epochs = cu.by_profile(smoke=1, workshop=3, full=12)``).
"""
from __future__ import annotations

import os
from typing import TypeVar

PROFILES: tuple[str, ...] = ("smoke", "workshop", "full")
DEFAULT_PROFILE = "workshop"
ENV_VAR = "COURSE_PROFILE"

T = TypeVar("T")
_UNSET: object = object()


class ProfileError(ValueError):
    """Raised for an unknown ``COURSE_PROFILE`` value."""


def get_profile() -> str:
    """Return the active profile name, read from ``COURSE_PROFILE`` (default ``workshop``).

    The value is case-insensitive and may carry surrounding spaces. An unknown
    value raises :class:`ProfileError` with the list of valid names, rather than
    silently falling back to a profile the user did not ask for.
    """
    raw = os.environ.get(ENV_VAR, "")
    name = raw.strip().lower() or DEFAULT_PROFILE
    if name not in PROFILES:
        raise ProfileError(
            f"COURSE_PROFILE={raw!r} is not a profile; use one of {', '.join(PROFILES)} "
            f"(e.g. `export COURSE_PROFILE=workshop`)."
        )
    return name


def by_profile(*, smoke: T, workshop: T, full: T = _UNSET) -> T:  # type: ignore[assignment]
    """Pick the value for the active profile; ``full`` defaults to ``workshop`` when omitted.

    ``None`` is a value like any other, so ``n_train=by_profile(smoke=2_000, workshop=20_000,
    full=None)`` means "all the data" in ``full``.

    >>> import os; os.environ["COURSE_PROFILE"] = "smoke"
    >>> by_profile(smoke=1, workshop=5, full=20)
    1
    """
    name = get_profile()
    if name == "smoke":
        return smoke
    if name == "full":
        return workshop if full is _UNSET else full
    return workshop


def is_smoke() -> bool:
    """True when running in the CI ``smoke`` profile."""
    return get_profile() == "smoke"
