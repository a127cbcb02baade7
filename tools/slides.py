#!/usr/bin/env python
"""Slide metadata and reveal.js decks of the course notebooks (``make slides``).

    python tools/slides.py tag [NOTEBOOK ...]      # set metadata.slideshow.slide_type on every cell
    python tools/slides.py check [NOTEBOOK ...]    # exit 1 if `tag` would change a notebook
    python tools/slides.py build [NOTEBOOK ...]    # decks into build/slides/ (works offline)

``tag`` is idempotent. Rules, in order:

* the title cell (first cell) and markdown cells that start with a ``## `` heading -> "slide"
* markdown cells that start with a ``### `` heading -> "subslide"
* ``solution`` cells -> "skip" (the deck shows the exercise, not its answer)
* markdown cells that start with ``**Instructor note**`` -> "notes" (speaker view, key ``s``)
* any other cell -> "-" (continue the current slide), unless it already has a slide type
  (so a hand-set "fragment" or "skip" stays).

``build`` converts each notebook with nbconvert's reveal template into
``build/slides/<day>/<name>.slides.html``. nbconvert's template loads reveal.js
(unpkg), require.js, jQuery, MathJax 2 and mermaid (cdnjs) from CDNs; here every
one of them comes from ``build/slides/_static/``, filled from the npm tarballs
pinned in ``VENDOR`` (fetched once with ``npm pack`` into ``data/cache/npm/``, so
run ``make slides`` once online, like ``make data``), and the course template
(tools/slides_template) drops mermaid and the widget manager. The whole
``build/slides`` folder can be copied to a laptop without network and opened in
a browser. For live slides inside JupyterLab use RISE (``jupyterlab_rise``).
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "build" / "slides"
NPM_CACHE = ROOT / "data" / "cache" / "npm"
TEMPLATE_DIR = Path(__file__).resolve().parent / "slides_template"
TEMPLATE = "course_reveal"

THEME = "white"  # nbconvert's default, "simple", imports Google fonts; white's fonts ship with reveal.js
SLIDE_TYPES = ("slide", "subslide", "fragment", "skip", "notes", "-")

#: npm package -> (version, sha512 integrity of the tarball, files copied into _static/<name>/).
#: reveal.js 4.0.2 is the version nbconvert 7.17's template is written for; MathJax 2.7.7 the one
#: its slide-change hook (MathJax.Hub) expects. Licences: reveal.js, require.js, jQuery MIT;
#: MathJax Apache-2.0 (each package's LICENSE is copied along).
VENDOR = {
    "reveal.js": ("4.0.2", "sha512-LWZSUenufF1gpD7npxJ7KfoQQFKgc1D6XrLTFgKlwWNP1BQ74hT48KONFWMAw+8R/QUeaScCLCLrBVHDfFIEiw==", [
        "LICENSE", "dist/reveal.js", "dist/reveal.css", "dist/theme/white.css", "dist/theme/black.css",
        "dist/theme/fonts/source-sans-pro/**/*",
        "plugin/notes/notes.js",
    ]),
    "requirejs": ("2.3.7", "sha512-DouTG8T1WanGok6Qjg2SXuCMzszOo0eHeH9hDZ5Y4x8Je+9JB38HdTLT4/VA8OaUhBa0JPVHJ0pyBkM1z+pDsw==", ["README.md", "require.js"]),
    "jquery": ("2.2.4", "sha512-lBHj60ezci2u1v2FqnZIraShGgEXq35qCzMv4lITyHGppTnA13rwR0MgwyNJh9TnDs3aXUvd1xjAotfraMHX/Q==", ["LICENSE.txt", "dist/jquery.min.js"]),
    "mathjax": ("2.7.7", "sha512-OOl0B2/0tSJAtAZarXnQuLDBLgTNRqiI9VqHTQzPsxf4okT2iIpDrvaklK9x2QEMD1sDj4yRn11Ygci41DxMAQ==", [
        "LICENSE", "MathJax.js", "config/TeX-AMS_CHTML-full.js", "extensions/**/*.js",
        "jax/input/TeX/**/*", "jax/element/**/*", "jax/output/CommonHTML/**/*",
        "fonts/HTML-CSS/TeX/woff/**/*",
    ]),
}


# --- tag ---------------------------------------------------------------------------------

def _first_line(cell) -> str:
    for line in cell.source.splitlines():
        if line.strip():
            return line.strip()
    return ""


def slide_type_for(cell, index: int) -> str | None:
    """The slide type the rules give a cell, or None when no rule applies."""
    first = _first_line(cell)
    if cell.cell_type == "markdown":
        if index == 0 or first.startswith("## "):
            return "slide"
        if first.startswith("### "):
            return "subslide"
        if first.startswith("**Instructor note**"):
            return "notes"
    if cell.cell_type == "code" and "solution" in cell.metadata.get("tags", []):
        return "skip"
    return None


def tag_notebook(nb) -> int:
    """Set every cell's metadata.slideshow.slide_type; returns the number of cells changed."""
    changed = 0
    for i, cell in enumerate(nb.cells):
        current = cell.metadata.get("slideshow", {}).get("slide_type")
        wanted = slide_type_for(cell, i) or (current if current in SLIDE_TYPES else "-")
        if current != wanted:
            cell.metadata.setdefault("slideshow", {})["slide_type"] = wanted
            changed += 1
    return changed


def untagged_cells(nb) -> list[int]:
    """Indices of cells without a valid slide type."""
    return [i for i, c in enumerate(nb.cells) if c.metadata.get("slideshow", {}).get("slide_type") not in SLIDE_TYPES]


# --- vendor (offline reveal.js, require.js, jQuery, MathJax) -------------------------------

def _integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def fetch_tarball(name: str, cache: Path = NPM_CACHE) -> Path:
    """The npm tarball of a VENDOR package, from the cache or from `npm pack` (checked against the pin)."""
    version, integrity, _ = VENDOR[name]
    tgz = cache / f"{name.replace('.', '_')}-{version}.tgz"
    if not tgz.exists():
        if not shutil.which("npm"):
            raise SystemExit(f"{tgz.relative_to(ROOT)} missing and npm not found: install Node.js (npm) and run "
                             "`make slides` once online")
        cache.mkdir(parents=True, exist_ok=True)
        tmp = cache / "tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        print(f"npm pack {name}@{version}", flush=True)
        subprocess.run(["npm", "pack", "--silent", f"{name}@{version}"], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        (packed,) = tmp.glob("*.tgz")
        got = _integrity(packed)
        if got != integrity:
            raise SystemExit(f"{name}@{version}: integrity {got[:30]}... does not match the pin {integrity[:30]}...")
        packed.replace(tgz)
        shutil.rmtree(tmp)
    return tgz


def _wanted(member: str, patterns: list[str]) -> bool:
    rel = member.split("/", 1)[1] if "/" in member else member  # drop the tarball's "package/"
    return any(Path(rel).match(p) or (p.endswith("/**/*") and rel.startswith(p[:-5] + "/")) for p in patterns)


def install_static(static: Path, cache: Path = NPM_CACHE) -> Path:
    """Unpack the VENDOR files into ``static`` (skipped when already there); returns ``static``."""
    stamp = static / ".vendor"
    want = repr(sorted((k, v[0], tuple(v[2])) for k, v in VENDOR.items()))
    if stamp.exists() and stamp.read_text() == want:
        return static
    shutil.rmtree(static, ignore_errors=True)
    for name, (_, _, patterns) in VENDOR.items():
        with tarfile.open(fetch_tarball(name, cache)) as tar:
            members = [m for m in tar.getmembers() if m.isfile() and _wanted(m.name, patterns)]
            for m in members:
                target = static / name / m.name.split("/", 1)[1]
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(m) as src:
                    target.write_bytes(src.read())
    stamp.write_text(want)
    return static


# --- build -------------------------------------------------------------------------------

CDN = re.compile(
    r"""<script\b[^>]*\bsrc\s*=\s*["']\s*((?:https?:)?//[^"']+)"""  # <script src="https://...">
    r"""|<link\b[^>]*\bhref\s*=\s*["']\s*((?:https?:)?//[^"']+)"""  # <link href="https://...">
    r"""|\bimport\b[^;'"]*\bfrom\s*["']((?:https?:)?//[^"']+)"""  # import x from "https://..."
    r"""|["']((?:https?:)?//[^"'\s]+\.(?:m?js|css)(?:\?[^"']*)?)["']"""  # "https://.../x.js" (require([...]))
    r"""|(?:@import\s+|url\(\s*["']?)((?:https?:)?//[^)"'\s]+)""",  # CSS @import / url()
    re.I)


def cdn_references(text: str) -> list[str]:
    """The scripts, style sheets, modules and fonts an HTML page or a CSS file would fetch from
    the network (links a reader may click, <a href="https://...">, are not counted)."""
    return [next(g for g in m.groups() if g) for m in CDN.finditer(text)]


def exporter_for(depth: int):
    """A SlidesExporter whose assets come from ``_static/`` ``depth`` folders up."""
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    up = "../" * depth + "_static"
    c = Config()
    c.TemplateExporter.extra_template_basedirs = [str(TEMPLATE_DIR)]
    c.SlidesExporter.template_name = TEMPLATE
    c.SlidesExporter.reveal_url_prefix = f"{up}/reveal.js"
    c.SlidesExporter.reveal_theme = THEME
    c.SlidesExporter.reveal_scroll = True  # long cells scroll instead of running off the slide (uses jQuery)
    c.SlidesExporter.require_js_url = f"{up}/requirejs/require.js"
    c.SlidesExporter.jquery_url = f"{up}/jquery/dist/jquery.min.js"
    c.SlidesExporter.mathjax_url = f"{up}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
    c.SlidesExporter.mermaid_js_url = ""  # the course template never loads mermaid
    c.SlidesExporter.exclude_input_prompt = True
    c.SlidesExporter.exclude_output_prompt = True
    return SlidesExporter(config=c)


def build_deck(path: Path, out: Path = OUT) -> Path:
    """Write one notebook's deck; returns the HTML path (assets: see install_static)."""
    rel = path.resolve().relative_to(NOTEBOOKS) if path.resolve().is_relative_to(NOTEBOOKS) else Path(path.name)
    target = out / rel.with_suffix(".slides.html")
    nb = nbformat.read(path, as_version=4)
    tag_notebook(nb)  # a notebook not tagged yet still gives a sensible deck (the file is not written)
    html, _ = exporter_for(len(rel.parts) - 1).from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    return target


def all_notebooks() -> list[Path]:
    return sorted(p for p in NOTEBOOKS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def _rel(p: Path) -> str:
    try:
        return str(p.resolve().relative_to(ROOT))
    except ValueError:
        return str(p)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["tag", "check", "build"])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-static", action="store_true", help="build: HTML only, do not fetch or copy the assets")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or all_notebooks()
    start = time.perf_counter()
    if args.mode in ("tag", "check"):
        stale = []
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            n = tag_notebook(nb)
            if n:
                stale.append(path)
                print(f"{_rel(path)}: {n} cell(s) {'retagged' if args.mode == 'tag' else 'untagged or mistagged'}")
                if args.mode == "tag":
                    nbformat.write(nb, path)
        if args.mode == "check" and stale:
            print("run `python tools/slides.py tag` on them")
            return 1
        return 0
    out = args.out.resolve()
    if not args.no_static:
        install_static(out / "_static")
    bad = 0
    if not args.no_static:
        for css in ("reveal.css", f"theme/{THEME}.css"):
            refs = cdn_references((out / "_static" / "reveal.js" / "dist" / css).read_text(encoding="utf-8"))
            if refs:
                bad += 1
                print(f"_static/reveal.js/dist/{css} loads from the network: {refs[:3]}")
    for path in paths:
        deck = build_deck(path, out)
        refs = cdn_references(deck.read_text(encoding="utf-8"))
        if refs:
            bad += 1
            print(f"{_rel(deck)}: loads from the network: {refs[:3]}")
    print(f"{len(paths)} deck(s) in {_rel(out)} ({time.perf_counter() - start:.1f} s); open {_rel(out)}/<day>/<name>.slides.html")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
