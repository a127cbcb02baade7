"""Notebook hygiene: every notebook is a clean, stored, top-to-bottom run that follows CONTRIBUTING.md.

(nbval itself runs the notebooks: `make test-notebooks`.)
"""
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
MACHINE_PATH = re.compile(r"(/work/|/root/|/home/\w+/|/Users/\w+/|/tmp/ipykernel_|[A-Z]:\\\\Users)")
TF_LOG = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:\d\d|cpu_feature_guard|oneDNN custom operations|absl::InitializeLog", re.M)
PROGRESS_BAR = re.compile(r"\d+/\d+ \u2501")  # Keras' progress-bar glyph


def ids(paths):
    return [str(p.relative_to(ROOT / "notebooks")) for p in paths]


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found under notebooks/"


@pytest.fixture(params=NOTEBOOKS, ids=ids(NOTEBOOKS))
def nb(request):
    path = request.param
    notebook = nbformat.read(path, as_version=4)
    return path, notebook


def _code(nb):
    return [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]


def _text(out):
    return out.get("text", "") + str(out.get("data", {}).get("text/plain", ""))


def test_valid_nbformat(nb):
    nbformat.validate(nb[1])


def test_title_objectives_and_time_first(nb):
    path, nb = nb
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "first cell must be a '# Title' markdown cell"
    assert re.search(r"\*\*What you will", first.source), "title cell lacks 'What you will learn/check'"
    assert re.search(r"\*\*Time\*\*:.*\d+ min.*CPU", first.source), "title cell lacks '**Time**: ~N min on a ... CPU'"


def test_setup_call_comes_first(nb):
    path, nb = nb
    code = _code(nb)
    assert code and "cu.setup(" in code[0].source, "the first code cell must call cu.setup()"
    assert "import course_utils as cu" in code[0].source
    assert "nbval-ignore-output" in code[0].metadata.get("tags", []), "the setup cell prints the profile: ignore its output"
    for cell in code[:1]:
        assert "import tensorflow" not in cell.source.split("cu.setup(")[0], "import TensorFlow after cu.setup()"


def test_outputs_from_a_clean_run(nb):
    path, nb = nb
    counts = [c.execution_count for c in _code(nb)]
    assert counts == list(range(1, len(counts) + 1)), "execution counts must be 1..n: run `make execute NB=...`"
    for cell in nb.cells:
        assert "execution" not in cell.metadata, "timing metadata left in the notebook"


def test_no_errors_paths_or_log_noise(nb):
    path, nb = nb
    for i, cell in enumerate(_code(nb)):
        tags = cell.metadata.get("tags", [])
        for out in cell.outputs:
            if out.output_type == "error":
                assert "raises-exception" in tags, f"code cell {i} stored an error ({out.ename}) without the raises-exception tag"
            text = _text(out)
            assert not MACHINE_PATH.search(text), f"code cell {i} shows a machine path: {MACHINE_PATH.search(text).group()}"
            if out.get("name") == "stderr":
                assert not TF_LOG.search(text), f"code cell {i} stored TensorFlow log noise"
            assert not PROGRESS_BAR.search(text), f"code cell {i} stored a Keras progress bar (use verbose=0 or 2)"


def test_figures_are_shown_not_returned(nb):
    path, nb = nb
    for i, cell in enumerate(_code(nb)):
        for out in cell.outputs:
            if out.output_type == "execute_result":
                plain = str(out.get("data", {}).get("text/plain", ""))
                assert not re.search(r"<(Figure|Axes|matplotlib)", plain), f"code cell {i} returns a figure repr: end it with plt.show()"


def test_solution_cells_are_marked_and_collapsed(nb):
    path, nb = nb
    solutions = [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
    for cell in solutions:
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, "solution cells are collapsed"
        assert "# BEGIN SOLUTION" in cell.source and "# END SOLUTION" in cell.source
    if "day0" not in path.parts:
        assert len(solutions) >= 2, "each lesson notebook has at least two exercises with solutions"
        assert any(re.search(r"^#+ *Summary", c.source, re.M) for c in nb.cells if c.cell_type == "markdown"), "no Summary section"


def test_size_is_reasonable(nb):
    path, nb = nb
    size_kb = path.stat().st_size / 1024
    assert size_kb < 3000, f"{size_kb:.0f} KB: shrink figures (dpi) or outputs"


def test_time_header_matches_the_benchmark(nb):
    """The CPU time a title cell promises stays within 50 % of `make benchmark`'s measurement."""
    import json

    path, nb = nb
    report = ROOT / "benchmarks" / "report.json"
    rows = {r["notebook"]: r for r in json.loads(report.read_text())["notebooks"]} if report.exists() else {}
    row = rows.get(str(path.relative_to(ROOT)))
    if row is None:
        pytest.skip("not in benchmarks/report.json yet: run `make benchmark NB=...`")
    match = re.search(r"\*\*Time\*\*: ~(\d+) min on a 2-core laptop CPU", nb.cells[0].source)
    assert match, "title cell lacks '**Time**: ~N min on a 2-core laptop CPU'"
    stated, measured = int(match.group(1)) * 60, row["wall_s"]
    rounded_up = max(1, -(-measured // 60)) * 60  # what `make benchmark` writes: whole minutes, at least 1
    assert stated == rounded_up or abs(stated - measured) <= 0.5 * measured, (
        f"header says ~{stated // 60} min, make benchmark measured {measured:.0f} s: rerun `make benchmark`")
