#!/usr/bin/env python
"""Catch-up checkpoints: produce them from the notebooks' own code, and check they are current.

    python tools/checkpoints.py build [NOTEBOOK ...]  # run notebooks in `workshop`, keep each catch_up's weights
    python tools/checkpoints.py check                 # every catch_up site has a current, intact checkpoint
    python tools/checkpoints.py verify [NOTEBOOK ...] # run notebooks in `workshop` loading every checkpoint

A *site* is a code cell calling ``cu.models.catch_up("<name>", model, fit)`` (or passing
``checkpoint="<name>"`` to a helper that calls it). ``build``
executes a notebook top to bottom (outputs are not stored) with ``COURSE_SAVE_CHECKPOINTS``
set, so each site trains exactly as in class and saves ``<name>.npz`` + ``<name>.json``; the
record gains the notebook, the cell and a hash of the code cells up to that cell. ``check``
recomputes the hash: when the code that builds or trains a model changed, its checkpoint is
stale and the check says which ``make checkpoints NB=...`` to run. ``verify`` executes with
``COURSE_CATCH_UP=strict``: every site must load its checkpoint and every later cell must pass.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

#: ``catch_up("name", ...)``, or ``checkpoint="name"`` passed to a notebook's own train() helper
#: that calls ``catch_up(checkpoint, ...)``: names are literals, so they can be found here.
SITE = re.compile(r"""(?:catch_up\(\s*|checkpoint\s*=\s*)["']([A-Za-z0-9_.-]+)["']""")
PROFILE = "workshop"


def find_sites(nb) -> list[tuple[str, int]]:
    """``[(name, cell index), ...]`` of the ``catch_up("name", ...)`` calls in the code cells."""
    sites = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            sites.extend((name, index) for name in SITE.findall(cell.source))
    return sites


def code_hash(nb, upto: int) -> str:
    """sha256 of the code cells ``0..upto`` (inclusive), trailing spaces ignored.

    Markdown, outputs, metadata and later cells do not count: only code that runs before the
    model is trained can change what the checkpoint should hold.
    """
    digest = hashlib.sha256()
    for cell in nb.cells[: upto + 1]:
        if cell.cell_type == "code":
            text = "\n".join(line.rstrip() for line in cell.source.strip().splitlines())
            digest.update(text.encode() + b"\n\x00")
    return digest.hexdigest()


def _rel(path: Path) -> str:
    return str(Path(path).resolve().relative_to(ROOT))


def site_notebooks() -> list[Path]:
    paths = sorted((ROOT / "notebooks").glob("day*/*.ipynb"))
    return [p for p in paths if find_sites(nbformat.read(p, as_version=4))]


def build(paths: list[Path], timeout: int = 900) -> int:
    from course_utils import models
    from run_notebooks import run

    failed = 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        sites = find_sites(nb)
        if not sites:
            print(f"--> {_rel(path)}: no catch_up site, skipped")
            continue
        print(f"--> {_rel(path)}: training {', '.join(n for n, _ in sites)} (profile {PROFILE})", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            os.environ[models.SAVE_ENV] = tmp
            os.environ.pop(models.CATCH_UP_ENV, None)
            try:
                _, stats = run(path, PROFILE, timeout)
            except Exception as exc:  # noqa: BLE001 - report, keep the old checkpoints, go on
                print(f"    FAILED, old checkpoints kept: {type(exc).__name__}: {str(exc).strip()[-300:]}")
                failed += 1
                continue
            finally:
                os.environ.pop(models.SAVE_ENV, None)
            dest = models.checkpoints_dir()
            dest.mkdir(parents=True, exist_ok=True)
            for name, index in sites:
                record = Path(tmp) / f"{name}.json"
                if not record.exists():
                    print(f"    FAILED: the run did not save {name!r} (is catch_up's first argument a literal?)")
                    failed += 1
                    continue
                entry = json.loads(record.read_text())
                entry.update(notebook=_rel(path), cell=index, code_sha256=code_hash(nb, index))
                shutil.copyfile(Path(tmp) / f"{name}.npz", dest / f"{name}.npz")
                (dest / f"{name}.json").write_text(json.dumps(entry, indent=1) + "\n")
                print(f"    [OK] {name}: {entry['size_kb']} KB, {entry['params']} weights, "
                      f"sha256 {entry['sha256'][:12]}", flush=True)
        print(f"    notebook ran in {stats['wall_s']:.0f} s", flush=True)
    return 1 if failed else 0


def check(paths: list[Path] | None = None) -> list[str]:
    """Problems with the shipped checkpoints, each a sentence saying what to do (empty: all good).

    With ``paths``, only those notebooks' sites are checked (no search for unused checkpoints)."""
    from course_utils import models
    from course_utils.datasets import sha256_file

    problems, seen = [], {}
    for path in paths or sorted((ROOT / "notebooks").glob("day*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for name, index in find_sites(nb):
            rel = _rel(path)
            fix = f"run `make checkpoints NB={rel}`"
            if name in seen:
                problems.append(f"{name!r} is used by both {seen[name]} and {rel}: give each site its own name")
                continue
            seen[name] = rel
            entry = models.read_checkpoint_entry(name)
            npz = models.checkpoints_dir() / f"{name}.npz"
            if entry is None or not npz.exists():
                problems.append(f"{rel} cell {index}: no checkpoint {name!r}; {fix}")
            elif sha256_file(npz) != entry["sha256"]:
                problems.append(f"{name}.npz fails its checksum; {fix} or `git checkout data/models/checkpoints`")
            elif entry.get("notebook") != rel:
                problems.append(f"{name!r} was made by {entry.get('notebook')}, but {rel} uses it; {fix}")
            elif entry.get("profile") != PROFILE:
                problems.append(f"{name!r} was made in the {entry.get('profile')!r} profile, not {PROFILE!r}; {fix}")
            elif entry.get("code_sha256") != code_hash(nb, index):
                problems.append(f"{rel}: the code up to cell {index} changed since checkpoint {name!r} was made; {fix}")
    directory = models.checkpoints_dir()
    for record in sorted(directory.glob("*.json")) if directory.exists() and not paths else []:
        if record.stem not in seen:
            problems.append(f"checkpoint {record.stem!r} is used by no notebook; delete "
                            f"data/models/checkpoints/{record.stem}.json and .npz")
    return problems


def verify(paths: list[Path], timeout: int = 900) -> int:
    from course_utils import models
    from run_notebooks import run

    os.environ[models.CATCH_UP_ENV] = "strict"
    os.environ.pop(models.SAVE_ENV, None)
    failed = 0
    for path in paths:
        print(f"--> {_rel(path)} (profile {PROFILE}, every catch_up loads its checkpoint)", flush=True)
        try:
            nb, stats = run(path, PROFILE, timeout)
        except Exception as exc:  # noqa: BLE001
            print(f"    FAILED: {type(exc).__name__}: {str(exc).strip()[-400:]}")
            failed += 1
            continue
        loaded = sum("catch-up: loaded the course's checkpoint" in o.get("text", "")
                     for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
        expected = len(find_sites(nb))
        status = "OK" if loaded == expected else "FAILED"
        failed += status != "OK"
        print(f"    [{status}] {loaded}/{expected} checkpoints loaded, notebook ran in {stats['wall_s']:.0f} s", flush=True)
    return 1 if failed else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["build", "check", "verify"])
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    chosen = [p.resolve() for p in args.notebooks]
    paths = chosen or site_notebooks()
    if args.mode == "build":
        return build(paths)
    if args.mode == "verify":
        return verify(paths)
    problems = check(chosen)
    for problem in problems:
        print(f"[STALE] {problem}")
    if not problems:
        print(f"[OK] every catch_up site in {len(paths)} notebook(s) has a current checkpoint")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
