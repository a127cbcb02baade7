"""Learner copies (`make student`, tools/make_student.py): the transformation, the solution
cells of every notebook, and - marked `student` (`pytest -m student`, `make test-student`) -
a run of every learner copy in the smoke profile where the only errors allowed are
"exercise not done yet" ones (NotImplementedError and its subclasses)."""
import os
import re
import time
from pathlib import Path

import nbformat
import pytest
from tool_modules import load_tool
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
ms = load_tool("make_student")

NOTEBOOKS = ms.all_notebooks()
IDS = [str(p.relative_to(ROOT / "notebooks")) for p in NOTEBOOKS]


def _solution(source):
    return new_code_cell(source, metadata={"tags": ["solution"], "jupyter": {"source_hidden": True}})


def _synthetic():
    return new_notebook(cells=[
        new_markdown_cell("# Title"),
        new_markdown_cell("### Exercise 1 - add two numbers\nDo it."),
        _solution("total = ...  # a number\n# BEGIN SOLUTION\ntotal = 1 + 2\n# END SOLUTION\nprint(total)"),
        new_code_cell("cu.check_equal('total', total, 3)", execution_count=4,
                      outputs=[nbformat.v4.new_output("stream", text="[PASS] total\n")]),
        new_markdown_cell("### Exercise 2 - a function"),
        _solution("def f(x):\n    y = ...\n    # BEGIN SOLUTION\n    y = 2 * x\n    # END SOLUTION\n    return y\n"
                  "# BEGIN SOLUTION\nextra = f(1)\n# END SOLUTION"),
        new_code_cell("print('kept')", execution_count=6, outputs=[nbformat.v4.new_output("stream", text="kept\n")]),
    ])


def test_transformation_on_a_synthetic_notebook():
    source = _synthetic()
    before = nbformat.writes(source)
    learner = ms.to_student(source)
    assert nbformat.writes(source) == before, "the source notebook must not be modified"
    cells = learner.cells
    assert cells[2].source == ("total = ...  # a number\n"
                               "raise NotImplementedError('Exercise 1 - add two numbers: write your solution here')\n"
                               "print(total)")
    assert cells[5].source == ("def f(x):\n    y = ...\n"
                               "    raise NotImplementedError('Exercise 2 - a function: write your solution here')\n"
                               "    return y\n"
                               "raise NotImplementedError('Exercise 2 - a function: write your solution here')")
    compile(cells[5].source, "cell", "exec")  # indentation stays valid
    for cell in (cells[2], cells[5]):
        assert "tags" not in cell.metadata and "jupyter" not in cell.metadata
    assert cells[3].outputs == [] and cells[3].execution_count is None, "check outputs are cleared"
    assert cells[6].outputs and cells[6].execution_count == 6, "other outputs are kept"
    nbformat.validate(learner)


def test_source_hidden_alongside_other_jupyter_metadata_and_tags():
    cell = _solution("# BEGIN SOLUTION\nx = 1\n# END SOLUTION")
    cell.metadata["tags"].append("nbval-ignore-output")
    cell.metadata["jupyter"]["outputs_hidden"] = False
    out = ms.to_student(new_notebook(cells=[cell])).cells[0]
    assert out.metadata["tags"] == ["nbval-ignore-output"]
    assert out.metadata["jupyter"] == {"outputs_hidden": False}
    assert out.source == "raise NotImplementedError('Exercise: write your solution here')"


@pytest.mark.parametrize("source, message", [
    ("# BEGIN SOLUTION\nx = 1", "without a matching"),
    ("x = 1\n# END SOLUTION", "without a '# BEGIN SOLUTION'"),
    ("# BEGIN SOLUTION\n# BEGIN SOLUTION\nx = 1\n# END SOLUTION\n# END SOLUTION", "inside another"),
    ("def f():\n    # BEGIN SOLUTION\n    return 1\n# END SOLUTION", "not indented like"),
])
def test_unbalanced_markers_are_errors(source, message):
    with pytest.raises(ms.MarkerError, match=re.escape(message)):
        ms.to_student(new_notebook(cells=[_solution(source)]))


def test_markers_in_an_untagged_cell_are_an_error():
    with pytest.raises(ms.MarkerError, match="not tagged"):
        ms.to_student(new_notebook(cells=[new_code_cell("# BEGIN SOLUTION\nx = 1\n# END SOLUTION")]))


def _code_lines(lines):
    return [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_solution_cells_are_balanced_and_learner_copy_has_no_solution(path):
    nb = nbformat.read(path, as_version=4)
    learner = ms.to_student(nb)  # raises MarkerError on unbalanced markers
    assert len(learner.cells) == len(nb.cells)
    for i, (cell, mine) in enumerate(zip(nb.cells, learner.cells)):
        if not ms.is_solution(cell):
            if cell.cell_type == "code" and not ms.is_check(cell):
                assert mine.source == cell.source and mine.outputs == cell.outputs, f"cell {i} changed"
            continue
        chunks = ms.split_solution(cell.source)
        solution = [ln for kind, lines, _ in chunks if kind == "solution" for ln in lines]
        skeleton = [ln for kind, lines, _ in chunks if kind == "skeleton" for ln in lines]
        assert _code_lines(solution), f"cell {i}: empty solution block"
        assert ms.exercise_title(nb.cells, i) != "Exercise", f"cell {i}: no '### Exercise N - ...' heading above it"
        leaked = [ln for ln in _code_lines(solution) if ln in _code_lines(mine.source.splitlines())
                  and ln not in _code_lines(skeleton)]
        assert not leaked, f"cell {i}: solution lines in the learner copy: {leaked}"
        assert "SOLUTION" not in mine.source and mine.outputs == []
        compile(mine.source.replace("await ", ""), f"cell {i}", "exec")


# --- learner copies run: only "not done yet" errors --------------------------------------

def _not_done_names():
    from course_utils import checks

    names, todo = {"NotImplementedError"}, [NotImplementedError]
    while todo:
        for sub in todo.pop().__subclasses__():
            names.add(sub.__name__)
            todo.append(sub)
    assert "ExerciseNotDone" in names, checks.ExerciseNotDone
    return names


@pytest.mark.student
@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_learner_copy_fails_only_with_not_implemented(path, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("COURSE_PROFILE", "smoke")
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # as for nbval: the kernel draws inline
    learner = ms.to_student(nbformat.read(path, as_version=4))
    env = dict(os.environ)
    client = NotebookClient(learner, timeout=300, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}},  # same cwd as the source
                            extra_arguments=["--IPKernelApp.capture_fd_output=False"], env=env)
    start = time.perf_counter()
    client.execute()
    allowed = _not_done_names()
    errors = [(i, out.ename, out.evalue) for i, cell in enumerate(learner.cells) if cell.cell_type == "code"
              for out in cell.outputs if out.output_type == "error"]
    bad = [e for e in errors if e[1] not in allowed and "raises-exception" not in learner.cells[e[0]].metadata.get("tags", [])]
    n_exercises = sum(ms.is_solution(c) for c in nbformat.read(path, as_version=4).cells)
    print(f"{path.name}: {time.perf_counter() - start:.1f} s, {len(errors)} not-done errors, {n_exercises} exercises")
    assert not bad, "learner copy raises errors other than NotImplementedError: " + "; ".join(
        f"cell {i} {name}: {value[:200]}" for i, name, value in bad)
    assert len(errors) >= n_exercises, "every exercise cell of the learner copy raises NotImplementedError"


def test_todo_placeholders_rewrite():
    source = ("fan_in = 256\nhe_std = None  # a float\na, b = None, None\nc = d = None\nacc = []\n"
              "def f(x):\n    y = None\n    # BEGIN SOLUTION\n    y = x\n    # END SOLUTION\n    return y\n"
              "# BEGIN SOLUTION\nacc.append(1)\nhe_std = 0.1\n# END SOLUTION\nz = None")
    assert ms.todo_placeholders(source) == (
        "fan_in = 256\nhe_std = cu.TODO  # a float\na, b = cu.TODO, cu.TODO\nc = d = cu.TODO\nacc = cu.TODO\n"
        "def f(x):\n    y = None\n    # BEGIN SOLUTION\n    y = x\n    # END SOLUTION\n    return y\n"
        "# BEGIN SOLUTION\nacc = []\nacc.append(1)\nhe_std = 0.1\n# END SOLUTION\nz = None")
    assert ms.todo_placeholders(ms.todo_placeholders(source)) == ms.todo_placeholders(source)
