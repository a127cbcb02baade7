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
