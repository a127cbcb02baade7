import numpy as np
import pytest

from course_utils import checks


def test_pass_prints_verdict(capsys, profile):
    profile("smoke")
    assert checks.check_close("the sum", 0.1 + 0.2, 0.3) is None
    assert capsys.readouterr().out.strip() == "[PASS] the sum"


def test_fail_raises_in_smoke_with_the_numbers(capsys, profile):
    profile("smoke")
    with pytest.raises(checks.CheckFailed, match=r"got 2, expected 3"):
        checks.check_close("x", 2.0, 3.0)
    assert capsys.readouterr().out.startswith("[FAIL] x")


def test_fail_only_prints_in_workshop(capsys, profile):
    profile("workshop")
    checks.check_equal("shape", (2, 3), (3, 2))
    out = capsys.readouterr().out
    assert out.startswith("[FAIL] shape") and "(3, 2)" in out


def test_check_close_shape_mismatch_and_none(capsys, profile):
    profile("workshop")
    checks.check_close("w", np.zeros(3), np.zeros(4))
    checks.check_close("w", None, 1.0)
    checks.check_close("w", np.array([np.nan]), np.array([1.0]))
    out = capsys.readouterr().out.splitlines()
    assert "shape (3,), expected (4,)" in out[0]
    assert "still None" in out[1]
    assert "nan" in out[2]


def test_check_close_respects_tolerance(capsys, profile):
    profile("workshop")
    checks.check_close("a", 1.001, 1.0, rtol=1e-2)
    checks.check_close("b", 1.001, 1.0, rtol=1e-5)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("[PASS]") and out[1].startswith("[FAIL]")


def test_check_equal_arrays(capsys, profile):
    profile("workshop")
    checks.check_equal("a", np.array([1, 2]), np.array([1, 2]))
    checks.check_equal("b", np.array([1, 2]), np.array([1, 2, 3]))
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("[PASS]") and out[1].startswith("[FAIL]")


def test_thresholds(capsys, profile):
    profile("workshop")
    checks.check_at_least("accuracy", 0.975, 0.97)
    checks.check_at_least("accuracy", 0.5, 0.97)
    checks.check_at_most("loss", 0.1, 0.2)
    checks.check_at_most("loss", 0.3, 0.2)
    checks.check_true("flag", False, hint="set it")
    out = capsys.readouterr().out.splitlines()
    assert [line[:6] for line in out] == ["[PASS]", "[FAIL]", "[PASS]", "[FAIL]", "[FAIL]"]
    assert "0.975" in out[0] and ">= 0.97" in out[0]
    assert out[4] == "[FAIL] flag - set it"


@pytest.mark.parametrize("profile_name", ["smoke", "workshop"])
def test_placeholder_answer_raises_exercise_not_done(profile_name, profile, capsys):
    """Learner copies keep `answer = cu.TODO` (or `...`): every check then says "not done yet", in every profile."""
    profile(profile_name)
    T = checks.TODO
    calls = [
        lambda: checks.check_close("theta", T, [1.0, 2.0]),
        lambda: checks.check_equal("pair", (T, T), (1, 2)),
        lambda: checks.check_at_least("accuracy", T, 0.9),
        lambda: checks.check_true("filled", T),
        lambda: checks.check_close("theta", ..., [1.0, 2.0]),
        lambda: checks.check_close("theta", np.asarray(...), [1.0, 2.0]),
        lambda: checks.check_equal("pair", (..., ...), (1, 2)),
        lambda: checks.check_equal("sizes", [1, ...], [1, 2]),
        lambda: checks.check_true("filled", ...),
        lambda: checks.check_at_least("accuracy", ..., 0.9),
        lambda: checks.check_at_most("loss", ..., 0.1),
    ]
    for call in calls:
        with pytest.raises(checks.ExerciseNotDone, match=r"still TODO - do the exercise above first"):
            call()
    assert issubclass(checks.ExerciseNotDone, NotImplementedError)
    assert capsys.readouterr().out == "", "no [PASS]/[FAIL] line for an exercise not done"


def test_none_is_still_a_failed_answer_not_a_placeholder(capsys, profile):
    profile("smoke")
    with pytest.raises(checks.CheckFailed, match="still None"):
        checks.check_close("theta", None, 1.0)
    checks.check_equal("object arrays without Ellipsis are fine", np.array([None, 1], dtype=object),
                       np.array([None, 1], dtype=object))
    assert "[PASS]" in capsys.readouterr().out


def test_any_use_of_todo_raises_exercise_not_done():
    """Cells downstream of an unsolved exercise fail with "not done yet", not TypeError/NameError."""
    T = checks.TODO
    assert repr(T) == str(T) == f"{T}" == "TODO" and T is not None
    uses = [lambda: T + 1, lambda: 1 - T, lambda: 0 <= T, lambda: T == 3, lambda: len(T), lambda: T[0],
            lambda: list(T), lambda: bool(T), lambda: float(T), lambda: round(T, 3), lambda: f"{T:.3f}",
            lambda: np.asarray(T), lambda: np.asarray(T, dtype=float), lambda: np.ones(2) * T, lambda: T.shape,
            lambda: T()]
    for use in uses:
        with pytest.raises(checks.ExerciseNotDone, match="still TODO"):
            use()
    with pytest.raises(AttributeError):  # optional hooks (IPython's _repr_html_, ...) are simply absent
        T._repr_html_
