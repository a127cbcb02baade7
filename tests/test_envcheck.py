import pytest

from course_utils import envcheck


def test_python_range():
    assert envcheck.check_python((3, 11)).ok
    assert envcheck.check_python((3, 10)).ok and envcheck.check_python((3, 12)).ok
    item = envcheck.check_python((3, 9))
    assert not item.ok and "3.10 to 3.12" in item.detail


def test_missing_package_is_a_fail_line_with_the_fix():
    item = envcheck.check_package("surely_not_installed_pkg", "surely-not", "testing")
    assert not item.ok
    assert item.line().startswith("[FAIL] surely-not: cannot import") and "make install" in item.line()


def test_installed_package_reports_version():
    item = envcheck.check_package("numpy", "numpy", "arrays")
    import numpy

    assert item.ok and item.detail == numpy.__version__


def test_full_self_check_offline(caches, capsys):
    items = envcheck.run_self_check()
    out = capsys.readouterr().out
    names = [i.name for i in items]
    assert "tensorflow op" in names and "device" in names
    assert {"dataset mnist", "dataset digits", "dataset mnist_5k", "sample images", "time series"} <= set(names)
    # With empty caches everything is still there offline except the text set, which has no
    # package fallback: the self-check says so and says what to do.
    failed = [i for i in items if not i.ok]
    assert [i.name for i in failed] == ["dataset bbc_news"], out
    assert "run `make data`" in failed[0].detail
    assert out.strip().splitlines()[-1].startswith(f"{len(items) - 1}/{len(items)} OK")


def test_full_self_check_with_the_course_data(capsys):
    from course_utils import datasets

    if not datasets.REGISTRY["bbc_news"].cache_path.exists():
        pytest.skip("data/cache not filled (run `make data`)")
    items = envcheck.run_self_check()
    out = capsys.readouterr().out
    assert all(i.ok for i in items), out
    assert out.strip().splitlines()[-1] == f"{len(items)}/{len(items)} OK"


def test_speed_verdict_recommends_catch_up_only_on_a_slow_machine():
    fast = envcheck.speed_verdict(0.5, reference_s=1.0)
    same = envcheck.speed_verdict(1.2, reference_s=1.0)
    slow = envcheck.speed_verdict(3.0, reference_s=1.0)
    assert fast.ok and same.ok and slow.ok  # slow is advice, never a FAIL
    assert "2.0x faster" in fast.detail and "hold here" in fast.detail
    assert "about as fast" in same.detail and "set_catch_up" not in same.detail
    assert "3.0x slower" in slow.detail and "cu.models.set_catch_up(True)" in slow.detail
    assert "set_catch_up" in envcheck.speed_verdict(2.0, reference_s=1.0).detail  # the threshold itself


def test_training_workload_really_trains():
    seconds = envcheck.training_workload()
    assert 0 < seconds < 60
    item = envcheck.check_speed()
    assert item.ok and item.name == "speed" and "training workload" in item.detail
