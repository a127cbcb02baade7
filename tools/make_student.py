#!/usr/bin/env python
"""Write the learner copies of the course notebooks (``make student``).

    python tools/make_student.py [NOTEBOOK ...] [--out student]

The notebooks under ``notebooks/`` are the *instructor* copies: each exercise's
answer sits in a code cell tagged ``solution`` (collapsed in JupyterLab) between a
``# BEGIN SOLUTION`` and a ``# END SOLUTION`` line. The learner copy, written to
``student/`` with the same layout (so relative paths keep working), differs only in
those cells and in the checks that follow them:

* every solution block is replaced by one line, at the marker's indentation,
  ``raise NotImplementedError("Exercise N - title: write your solution here")``
  (the title is the nearest ``### Exercise N - ...`` heading above the cell);
  the lines outside the markers (the *skeleton*: placeholders such as
  ``answer = ...``, a ``def`` line, a trailing ``return``) are kept as they are;
* the ``solution`` tag goes, the cell is shown (not collapsed), and the outputs
  and execution counts of solution cells and of check cells (cells calling
  ``cu.check_*``) are cleared.

A check given the placeholder ``...`` raises ``cu.checks.ExerciseNotDone`` (a
NotImplementedError), so an unsolved learner notebook fails with "not done yet"
messages only: tests/test_student.py runs every learner copy to make sure.
"""
from __future__ import annotations

import argparse
import copy
import re
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
STUDENT = ROOT / "student"

BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"
SOLUTION_TAG = "solution"
EXERCISE_HEADING = re.compile(r"^#{2,6}\s*(Exercise\b.*?)\s*$", re.M)
CHECK_CALL = re.compile(r"\bcu\.check_\w+\(|\bcu\.checks\.check_\w+\(")


class MarkerError(ValueError):
    """A solution cell whose BEGIN/END SOLUTION markers do not pair up."""


def _marker(line: str) -> str | None:
    stripped = line.strip()
    if stripped == BEGIN or stripped.startswith(BEGIN + " "):
        return "begin"
    if stripped == END or stripped.startswith(END + " "):
        return "end"
    return None


def split_solution(source: str) -> list[tuple[str, list[str], str]]:
    """Parse a solution cell into ``(kind, lines, indent)`` chunks, kind "skeleton" or
    "solution" (the lines between a pair of markers, markers excluded).
    Raises MarkerError for unbalanced or nested markers or an END indented
    differently from its BEGIN."""
    chunks: list[tuple[str, list[str], str]] = []
    current: list[str] = []
    indent = None
    for n, line in enumerate(source.splitlines(), 1):
        kind = _marker(line)
        if kind == "begin":
            if indent is not None:
                raise MarkerError(f"line {n}: '{BEGIN}' inside another solution block")
            chunks.append(("skeleton", current, ""))
            current, indent = [], line[: len(line) - len(line.lstrip())]
        elif kind == "end":
            if indent is None:
                raise MarkerError(f"line {n}: '{END}' without a '{BEGIN}' above it")
            if line[: len(line) - len(line.lstrip())] != indent:
                raise MarkerError(f"line {n}: '{END}' is not indented like its '{BEGIN}'")
            chunks.append(("solution", current, indent))
            current, indent = [], None
        else:
            current.append(line)
    if indent is not None:
        raise MarkerError(f"'{BEGIN}' without a matching '{END}'")
    chunks.append(("skeleton", current, ""))
    return [c for c in chunks if c[0] == "solution" or c[1]]


def strip_solution(source: str, title: str) -> str:
    """The learner's version of a solution cell's source."""
    out: list[str] = []
    message = f"{title}: write your solution here"
    for kind, lines, indent in split_solution(source):
        if kind == "skeleton":
            out.extend(lines)
        else:
            out.append(f"{indent}raise NotImplementedError({message!r})")
    return "\n".join(out)


def exercise_title(cells, index: int) -> str:
    """The nearest '### Exercise N - ...' heading above cell ``index`` ("Exercise" if none)."""
    for cell in reversed(cells[:index]):
        if cell.cell_type == "markdown":
            found = EXERCISE_HEADING.findall(cell.source)
            if found:
                return found[-1]
    return "Exercise"


def is_solution(cell) -> bool:
    return cell.cell_type == "code" and SOLUTION_TAG in cell.metadata.get("tags", [])


def is_check(cell) -> bool:
    return cell.cell_type == "code" and bool(CHECK_CALL.search(cell.source))


def _clear(cell) -> None:
    cell.outputs = []
    cell.execution_count = None


def to_student(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return the learner copy of a notebook (the argument is not modified)."""
    nb = copy.deepcopy(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and not is_solution(cell) and (BEGIN in cell.source or END in cell.source):
            raise MarkerError(f"cell {i} holds solution markers but is not tagged '{SOLUTION_TAG}'")
        if is_solution(cell):
            try:
                cell.source = strip_solution(cell.source, exercise_title(nb.cells, i))
            except MarkerError as exc:
                raise MarkerError(f"cell {i}: {exc}") from None
            tags = [t for t in cell.metadata.get("tags", []) if t != SOLUTION_TAG]
            if tags:
                cell.metadata["tags"] = tags
            else:
                cell.metadata.pop("tags", None)
            jupyter = cell.metadata.get("jupyter", {})
            jupyter.pop("source_hidden", None)
            if not jupyter:
                cell.metadata.pop("jupyter", None)
            if cell.metadata.get("slideshow", {}).get("slide_type") == "skip":
                cell.metadata["slideshow"]["slide_type"] = "-"  # the learner's deck shows the exercise cell
            _clear(cell)
        elif is_check(cell):
            _clear(cell)
    return nb


ASSIGN_NONE = re.compile(r"^(?P<targets>[A-Za-z_][\w, =]*?)\s*=\s*(?P<value>None(?:\s*,\s*None)*)(?P<rest>\s*(#.*)?)$")
ASSIGN_LIST = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*=\s*\[\](?P<rest>\s*(#.*)?)$")


def todo_placeholders(source: str) -> str:
    """A solution cell's source with its top-level skeleton placeholders before the first
    unindented BEGIN SOLUTION rewritten for the learner copy: ``x = None`` -> ``x = cu.TODO`` and
    ``x = []`` -> ``x = cu.TODO`` with ``x = []`` moved to the top of the solution."""
    out, moved, before_begin = [], [], True
    for line in source.split("\n"):
        if before_begin and _marker(line) == "begin" and not line.startswith((" ", "\t")):
            out.append(line)
            out.extend(moved)
            before_begin = False
            continue
        if before_begin and not line.startswith((" ", "\t")):
            m = ASSIGN_NONE.match(line)
            if m:
                n = m.group("value").count("None")
                line = f"{m.group('targets')} = {', '.join(['cu.TODO'] * n)}{m.group('rest')}"
            m = ASSIGN_LIST.match(line)
            if m:
                moved.append(f"{m.group('name')} = []")
                line = f"{m.group('name')} = cu.TODO{m.group('rest')}"
        out.append(line)
    return "\n".join(out)


def all_notebooks() -> list[Path]:
    return sorted(p for p in NOTEBOOKS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def student_path(path: Path, out: Path = STUDENT) -> Path:
    return out / path.resolve().relative_to(NOTEBOOKS)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=STUDENT, help="output folder (default: student/)")
    parser.add_argument("--todo", action="store_true",
                        help="rewrite the SOURCE notebooks' skeleton placeholders (x = None, x = []) to cu.TODO, then stop")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    paths = [p.resolve() for p in args.notebooks] or all_notebooks()
    if args.todo:
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            changed = 0
            for cell in nb.cells:
                if is_solution(cell) and todo_placeholders(cell.source) != cell.source:
                    cell.source, changed = todo_placeholders(cell.source), changed + 1
            if changed:
                nbformat.write(nb, path)
                print(f"{path.relative_to(ROOT)}: {changed} solution cell(s) now use cu.TODO (re-run `make execute NB=...`)")
        return 0
    failed = 0
    for path in paths:
        target = student_path(path, args.out.resolve())
        try:
            learner = to_student(nbformat.read(path, as_version=4))
        except MarkerError as exc:
            print(f"FAILED {path.relative_to(ROOT)}: {exc}")
            failed += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(learner, target)
    out = args.out.resolve()
    shown = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    print(f"{len(paths) - failed} learner notebook(s) in {shown}/ ({time.perf_counter() - start:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
