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
    assert all(i.ok for i in items), out
    assert out.strip().splitlines()[-1] == f"{len(items)}/{len(items)} OK"
