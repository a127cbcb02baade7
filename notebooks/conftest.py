"""nbval settings for the course notebooks (see ../tests and ../Makefile)."""
import os
import time

os.environ.setdefault("COURSE_PROFILE", "smoke")
os.environ.setdefault("COURSE_OFFLINE", "1")
# Kernels inherit this process's environment: a non-inline backend (e.g. MPLBACKEND=Agg set
# for the unit tests) would make plt.show() draw nothing and every figure cell fail.
os.environ.pop("MPLBACKEND", None)

_START: dict[str, float] = {}
_WALL: dict[str, float] = {}


def pytest_collectstart(collector):
    # TensorFlow's C++ log lines reach stderr under Jupyter but not under nbval,
    # so stored stderr can never match: compare stdout and results only.
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr",)


def pytest_runtest_logstart(nodeid, location):
    _START.setdefault(nodeid.split("::")[0], time.perf_counter())


def pytest_runtest_logfinish(nodeid, location):
    path = nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _WALL[path] = time.perf_counter() - _START[path]


def pytest_terminal_summary(terminalreporter):
    if not _WALL:
        return
    terminalreporter.section("notebook wall time (smoke)")
    for path, seconds in sorted(_WALL.items(), key=lambda kv: -kv[1]):
        terminalreporter.write_line(f"{seconds:7.1f} s  {path}")
