#!/usr/bin/env python
"""Execute course notebooks: regenerate stored outputs, or benchmark them.

    python tools/run_notebooks.py execute [NOTEBOOK ...]   # store outputs (workshop profile)
    python tools/run_notebooks.py benchmark [NOTEBOOK ...] # time each notebook, write the report

Both run each notebook top to bottom in a fresh kernel with
``--IPKernelApp.capture_fd_output=False`` semantics, so TensorFlow's C++ log
lines go to this terminal and never into a stored output.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import platform
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
REPORT_MD = ROOT / "benchmarks" / "REPORT.md"
REPORT_JSON = ROOT / "benchmarks" / "report.json"


def all_notebooks() -> list[Path]:
    return sorted(p for p in NOTEBOOKS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


class PeakRSS:
    """Polls the kernel process tree's resident memory and keeps the peak."""

    def __init__(self, client: NotebookClient, interval: float = 0.2):
        self.client, self.interval, self.peak = client, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        import psutil

        proc = None
        while not self._stop.is_set():
            if proc is None:
                km = getattr(self.client, "km", None)
                pid = getattr(getattr(km, "provisioner", None), "pid", None) if km else None
                if pid:
                    try:
                        proc = psutil.Process(pid)
                    except psutil.Error:
                        proc = None
            if proc is not None:
                try:
                    rss = proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(recursive=True))
                    self.peak = max(self.peak, rss)
                except psutil.Error:
                    pass
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=2)


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return path.name


def _cell_seconds(cell) -> float:
    meta = cell.get("metadata", {}).get("execution", {})
    start, end = meta.get("iopub.execute_input"), meta.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def run(path: Path, profile: str, timeout: int) -> tuple[nbformat.NotebookNode, dict]:
    nb = nbformat.read(path, as_version=4)
    env = dict(os.environ, COURSE_PROFILE=profile, PYDEVD_DISABLE_FILE_VALIDATION="1")
    os.environ.update(COURSE_PROFILE=profile)  # the kernel inherits this process's environment
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=True,
        extra_arguments=["--IPKernelApp.capture_fd_output=False"],
        env=env,
    )
    start = time.perf_counter()
    with PeakRSS(client) as mem:
        client.execute()
    wall = time.perf_counter() - start
    cells = [(i, _cell_seconds(c)) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    slow_i, slow_s = max(cells, key=lambda t: t[1]) if cells else (-1, 0.0)
    for cell in nb.cells:  # timestamps churn diffs and say nothing to a reader
        cell.get("metadata", {}).pop("execution", None)
    stats = {
        "notebook": _rel(path),
        "profile": profile,
        "wall_s": round(wall, 1),
        "slowest_cell": slow_i,
        "slowest_cell_s": round(slow_s, 1),
        "cells_over_60s": sum(1 for _, s in cells if s > 60),
        "peak_rss_mb": round(mem.peak / 2**20),
    }
    return nb, stats


TIME_HEADER = re.compile(r"(\*\*Time\*\*: ~)(\d+)( min on a 2-core laptop CPU)")


def header_minutes(wall_s: float) -> int:
    """The CPU figure a title cell states for a measured wall time: whole minutes, rounded up."""
    return max(1, math.ceil(wall_s / 60))


def sync_time_header(path: Path, wall_s: float) -> bool:
    """Set the '**Time**: ~N min on a 2-core laptop CPU' figure of a notebook's title cell
    to the measured time (markdown only: outputs and execution counts are untouched).
    Returns True when the file changed."""
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    new = TIME_HEADER.sub(lambda m: f"{m.group(1)}{header_minutes(wall_s)}{m.group(3)}", first.source, count=1)
    if new == first.source:
        return False
    first.source = new
    nbformat.write(nb, path)
    return True


def write_report(rows: list[dict]) -> None:
    REPORT_MD.parent.mkdir(exist_ok=True)
    old = {}
    if REPORT_JSON.exists():
        old = {r["notebook"]: r for r in json.loads(REPORT_JSON.read_text())["notebooks"]}
    old.update({r["notebook"]: r for r in rows})
    merged = [old[k] for k in sorted(old)]
    meta = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    REPORT_JSON.write_text(json.dumps({"meta": meta, "notebooks": merged}, indent=1) + "\n")
    lines = [
        "# Notebook benchmark (`make benchmark`)",
        "",
        f"Profile `workshop`, measured {meta['date']} on {meta['machine']}, no GPU.",
        "Wall time includes kernel start and imports; peak RSS is the kernel's resident memory.",
        "",
        "| notebook | wall time | slowest cell (#index, markdown cells counted) | cells over 60 s | peak RSS |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in merged:
        lines.append(f"| {r['notebook']} | {r['wall_s']:.0f} s | {r['slowest_cell_s']:.1f} s (#{r['slowest_cell']}) "
                     f"| {r['cells_over_60s']} | {r['peak_rss_mb']} MB |")
    total = sum(r["wall_s"] for r in merged)
    lines += ["", f"Total: {total / 60:.1f} min for {len(merged)} notebooks.", ""]
    REPORT_MD.write_text("\n".join(lines))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["execute", "benchmark"])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--profile", default="workshop")
    parser.add_argument("--timeout", type=int, default=600, help="per-cell timeout in seconds")
    parser.add_argument("--store", action="store_true",
                        help="benchmark: also store the run's outputs (one clean run serves both)")
    args = parser.parse_intermixed_args(argv)  # `benchmark --store NB ...` (what make writes) parses too
    paths = [p.resolve() for p in args.notebooks] or all_notebooks()
    rows, failed = [], []
    for path in paths:
        print(f"--> {_rel(path)} ({args.mode}, profile {args.profile})", flush=True)
        try:
            nb, stats = run(path, args.profile, args.timeout)
        except Exception as exc:  # noqa: BLE001 - report and go on with the others
            print(f"    FAILED: {type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}")
            failed.append(path)
            continue
        print(f"    {stats['wall_s']:.0f} s, slowest cell #{stats['slowest_cell']} {stats['slowest_cell_s']:.1f} s, "
              f"peak RSS {stats['peak_rss_mb']} MB", flush=True)
        if args.mode == "execute" or args.store:
            nbformat.write(nb, path)
        rows.append(stats)
    if args.mode == "benchmark" and rows:
        write_report(rows)
        print(f"report: {REPORT_MD.relative_to(ROOT)}")
        for row in rows:
            if sync_time_header(ROOT / row["notebook"], row["wall_s"]):
                print(f"    time header of {row['notebook']} set to ~{header_minutes(row['wall_s'])} min")
    if failed:
        print(f"{len(failed)} notebook(s) failed: " + ", ".join(_rel(p) for p in failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
