# Applied Deep Learning - one-command setup, tests and notebook tools.
# `make help` lists the targets. Everything runs inside .venv (created on demand).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
DATA   := data/cache/.fetched-stamp
NB     ?=
JOBS   ?= 2
LAB_ARGS ?= $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)
PYTEST_NB := --nbval --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg

.PHONY: help install data lab test test-unit test-notebooks test-student execute benchmark checkpoints test-catch-up selfcheck student slides clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 18

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; v=sys.version_info[:2]; sys.exit(0 if (3,10)<=v<=(3,12) else "Python %d.%d found: the course needs 3.10, 3.11 or 3.12 (set PYTHON=python3.11)" % v)'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

install: $(STAMP)  ## create .venv with the pinned packages and course_utils (editable)

$(DATA): $(STAMP) course_utils/datasets.py
	$(PY) -m course_utils fetch
	@touch $(DATA)

data: $(DATA)  ## pre-fetch every dataset into data/cache (run once online, e.g. before a venue without wifi)

lab: $(STAMP) $(DATA)  ## install if needed, then start JupyterLab on notebooks/
	$(VENV)/bin/jupyter lab $(LAB_ARGS) notebooks/

selfcheck: $(STAMP)  ## print [OK]/[FAIL] for packages, device and offline datasets
	$(PY) -c 'import course_utils.envcheck as e; e.run_self_check()'

test: $(STAMP) $(DATA)  ## unit tests + notebook hygiene + every notebook under nbval (smoke profile, offline)
	COURSE_PROFILE=smoke COURSE_OFFLINE=1 $(PY) -m pytest -n $(JOBS) --dist loadfile tests notebooks $(PYTEST_NB)

test-unit: $(STAMP)  ## only the unit and hygiene tests in tests/ (not the learner-copy runs: make test-student)
	COURSE_PROFILE=smoke COURSE_OFFLINE=1 $(PY) -m pytest -n $(JOBS) --dist loadfile -m "not student" tests

test-notebooks: $(STAMP) $(DATA)  ## only the notebooks under nbval (NB=path for one)
	COURSE_PROFILE=smoke COURSE_OFFLINE=1 $(PY) -m pytest -n $(JOBS) --dist loadfile $(PYTEST_NB) $(or $(NB),notebooks)

test-student: $(STAMP) $(DATA)  ## only the learner copies: each runs (smoke) and fails with "exercise not done" errors only
	COURSE_PROFILE=smoke COURSE_OFFLINE=1 $(PY) -m pytest -n $(JOBS) --dist load -m student tests/test_student.py

execute: $(STAMP) $(DATA)  ## re-run notebooks in `workshop` and store their outputs (NB=path for one)
	$(PY) tools/run_notebooks.py execute $(NB)

benchmark: $(STAMP) $(DATA)  ## time every notebook in `workshop`; writes benchmarks/REPORT.md (STORE=1 also stores outputs)
	$(PY) tools/run_notebooks.py benchmark $(if $(STORE),--store) $(NB)

test-browser: $(STAMP) $(DATA)  ## JupyterLab + headless Chromium: run the playground notebook, move a control (screenshots in build/browser)
	$(PY) -m pip install --quiet -r requirements-browser.txt
	@command -v chromium >/dev/null || test -x "$${CHROMIUM:-/nonexistent}" || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then apt-get install -y -q chromium >/dev/null; \
	  else echo "Chromium missing: sudo apt-get install chromium (or set CHROMIUM=/path/to/chrome)"; exit 1; fi; }
	$(PY) -m pytest -q -p no:cacheprovider browser_tests

checkpoints: $(STAMP) $(DATA)  ## retrain what data/models ships: the recipes, then each notebook's catch-up checkpoints (NB=path: that notebook only)
ifndef NB
	COURSE_PROFILE=workshop $(PY) -c 'import course_utils.recipes, course_utils.models as m; [print("[OK]", n, e["size_kb"], "KB", e["sha256"][:12]) for n, e in m.build_all()]'
endif
	$(PY) tools/checkpoints.py build $(NB)

test-catch-up: $(STAMP) $(DATA)  ## run the notebooks in `workshop` with every catch-up checkpoint loaded (NB=path for one)
	$(PY) tools/checkpoints.py check $(NB)
	$(PY) tools/checkpoints.py verify $(NB)

student: $(STAMP)  ## learner copies of the notebooks (solutions removed) into student/ (NB=path for one)
	$(PY) tools/make_student.py $(NB)

slides: $(STAMP)  ## reveal.js decks into build/slides/, no CDN (NB=path for one; the first run fetches reveal.js and MathJax with npm)
	$(PY) tools/slides.py build $(NB)

clean:  ## remove caches and test by-products (keeps .venv and data/cache)
	rm -rf .pytest_cache htmlcov .coverage build student *.egg-info
	find . -name __pycache__ -prune -exec rm -rf {} +
