"""setup() runs in a fresh interpreter each time: it must act before TensorFlow's first import."""
import json
import os
import subprocess
import sys

import pytest

SCRIPT = r"""
import json, sys, io, contextlib
import course_utils as cu
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    cu.setup(seed=7)
import numpy as np, tensorflow as tf, matplotlib as mpl
from course_utils.setup import last_setup
info = last_setup()
out = {
    "printed": buf.getvalue(),
    "profile": info.profile,
    "deterministic": info.deterministic,
    "intra": tf.config.threading.get_intra_op_parallelism_threads(),
    "inter": tf.config.threading.get_inter_op_parallelism_threads(),
    "np": float(np.random.rand()),
    "tf": float(tf.random.uniform(())),
    "dpi": mpl.rcParams["figure.dpi"],
    "log_level": __import__("os").environ.get("TF_CPP_MIN_LOG_LEVEL"),
}
if "--again" in sys.argv:
    buf2 = io.StringIO()
    with contextlib.redirect_stdout(buf2):
        cu.setup(seed=7)
    out["again"] = buf2.getvalue()
print("JSON" + json.dumps(out))
"""


def run_setup(profile, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "COURSE_"))}
    env["COURSE_PROFILE"] = profile
    proc = subprocess.run([sys.executable, "-c", SCRIPT, *args], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("JSON")][0]
    return json.loads(line[4:]), proc.stderr


@pytest.fixture(scope="module")
def smoke_run():
    return run_setup("smoke", "--again")


def test_smoke_pins_threads_and_determinism(smoke_run):
    out, _ = smoke_run
    assert out["profile"] == "smoke" and out["deterministic"]
    assert (out["intra"], out["inter"]) == (2, 1)


def test_one_line_with_profile_versions_device(smoke_run):
    out, _ = smoke_run
    lines = out["printed"].strip().splitlines()
    assert len(lines) == 1
    line = lines[0]
    for part in ("profile=smoke", "Python 3.", "TensorFlow 2.", "Keras 3.", "CPU", "seed 7"):
        assert part in line


def test_seeds_make_runs_identical(smoke_run):
    out, _ = smoke_run
    again, _ = run_setup("smoke")
    assert (out["np"], out["tf"]) == (again["np"], again["tf"])


def test_tensorflow_log_noise_is_silenced(smoke_run):
    out, stderr = smoke_run
    assert out["log_level"] == "3"
    assert "cpu_feature_guard" not in stderr and "oneDNN custom operations" not in stderr


def test_plot_defaults(smoke_run):
    assert smoke_run[0]["dpi"] == 80


def test_second_call_says_threads_unchanged_without_failing(smoke_run):
    # setup() twice in one kernel (an attendee re-running the first cell) must not raise
    assert "profile=smoke" in smoke_run[0]["again"]


def test_workshop_leaves_threads_to_tensorflow():
    out, _ = run_setup("workshop")
    assert out["profile"] == "workshop" and not out["deterministic"]
    assert out["intra"] == 0  # 0 = TensorFlow's default: all cores
