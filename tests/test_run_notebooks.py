"""tools/run_notebooks.py: execution with clean counts, no timing metadata, and the benchmark report."""
import json
from pathlib import Path

import nbformat
import pytest
from tool_modules import load_tool

ROOT = Path(__file__).resolve().parent.parent
runner = load_tool("run_notebooks")


@pytest.fixture
def tiny(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# t"),
                nbformat.v4.new_code_cell("import os\nprint(os.environ['COURSE_PROFILE'])"),
                nbformat.v4.new_code_cell("x = sum(range(10))\nx")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "t.ipynb"
    nbformat.write(nb, path)
    return path


def test_run_stores_clean_outputs_and_stats(tiny):
    nb, stats = runner.run(tiny, "workshop", timeout=60)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == [1, 2]
    assert code[0].outputs[0]["text"].strip() == "workshop"
    assert code[1].outputs[0]["data"]["text/plain"] == "45"
    assert all("execution" not in c.metadata for c in nb.cells)
    assert stats["profile"] == "workshop" and stats["wall_s"] > 0 and stats["peak_rss_mb"] > 10
    assert stats["cells_over_60s"] == 0 and stats["slowest_cell"] in (1, 2)


def test_report_merges_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "REPORT_MD", tmp_path / "REPORT.md")
    monkeypatch.setattr(runner, "REPORT_JSON", tmp_path / "report.json")
    row = {"notebook": "notebooks/a.ipynb", "profile": "workshop", "wall_s": 12.0, "slowest_cell": 3,
           "slowest_cell_s": 5.5, "cells_over_60s": 0, "peak_rss_mb": 900}
    runner.write_report([row])
    runner.write_report([dict(row, notebook="notebooks/b.ipynb", wall_s=48.0)])
    data = json.loads((tmp_path / "report.json").read_text())
    assert [r["notebook"] for r in data["notebooks"]] == ["notebooks/a.ipynb", "notebooks/b.ipynb"]
    md = (tmp_path / "REPORT.md").read_text()
    assert "| notebooks/a.ipynb | 12 s | 5.5 s (#3) | 0 | 900 MB |" in md
    assert "Total: 1.0 min for 2 notebooks." in md


def test_time_header_follows_the_measurement(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# T\n\n**Time**: ~4 min on a 2-core laptop CPU (make benchmark), ~1 min on a GPU.")]
    path = tmp_path / "t.ipynb"
    nbformat.write(nb, path)
    assert runner.header_minutes(14) == 1 and runner.header_minutes(61) == 2 and runner.header_minutes(120) == 2
    assert runner.sync_time_header(path, 75.0)
    assert "**Time**: ~2 min on a 2-core laptop CPU (make benchmark), ~1 min on a GPU." in nbformat.read(path, 4).cells[0].source
    assert not runner.sync_time_header(path, 100.0)  # already ~2 min: file untouched


def test_command_line_takes_store_before_the_notebooks(tiny, monkeypatch):
    # `make benchmark STORE=1 NB=a.ipynb` runs `run_notebooks.py benchmark --store a.ipynb`
    monkeypatch.setattr(runner, "write_report", lambda rows: None)
    monkeypatch.setattr(runner, "sync_time_header", lambda path, wall: False)
    assert runner.main(["benchmark", "--store", "--profile", "smoke", str(tiny)]) == 0
    nb = nbformat.read(tiny, as_version=4)
    assert [c.get("execution_count") for c in nb.cells if c.cell_type == "code"] == [1, 2]
