"""What every course widget shares: errors from a click are shown in the widget, not lost."""
from __future__ import annotations

from typing import Callable


class ShowsErrors:
    """Mixin for a widget with a ``status`` HTML line: run actions through :meth:`_safely`.

    An exception raised by a button or slider callback would otherwise vanish into the
    browser console; here it is kept in ``last_error`` and shown in red.
    """

    status: object
    last_error: str | None = None

    def _safely(self, action: Callable[[], object]) -> None:
        """Run a button/slider action; show an error in the widget instead of losing it."""
        try:
            action()
            self.last_error = None
        except Exception as exc:  # noqa: BLE001 - shown to the user in the widget
            self.last_error = f"{type(exc).__name__}: {exc}"
            self.status.value = f"<span style='color:#b00'>{self.last_error}</span>"
