from types import SimpleNamespace

from course_utils.widgets import ShowsErrors


class Dummy(ShowsErrors):
    def __init__(self):
        self.status = SimpleNamespace(value="")


def test_error_is_kept_and_shown_then_cleared():
    d = Dummy()
    d._safely(lambda: 1 / 0)
    assert d.last_error == "ZeroDivisionError: division by zero"
    assert "color:#b00" in d.status.value and "ZeroDivisionError" in d.status.value
    d._safely(lambda: None)
    assert d.last_error is None
