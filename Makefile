# Two entry points for a fresh clone: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
CONSTRAINTS := requirements/constraints.txt
PYTEST := $(PY) -m pytest

.PHONY: demo test test-gpu lint format bench screenshots install chromium clean

$(VENV)/.installed: pyproject.toml $(CONSTRAINTS) package.json js/*.js js/components/*.js js/*.css
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	# The CPU wheel of torch: a bare `torch` would pull a multi-GB CUDA build.
	$(PIP) install --quiet -c $(CONSTRAINTS) torch==2.13.0 numpy
	$(PIP) install --quiet -c $(CONSTRAINTS) -e ".[test]"
	touch $@

install: $(VENV)/.installed

chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

# The demo runs on a copy of the example in .demo/ (ignored), so the tracked notebook stays as
# it is. Jupyter prints the URL to open, with its token; Ctrl+C twice stops it.
DEMO_ARGS ?=
demo: install .demo/tensor_basics.ipynb
	@echo "Starting JupyterLab on .demo/tensor_basics.ipynb: open the URL below (it carries the token); Ctrl+C twice stops it."
	@cd .demo && $(abspath $(VENV))/bin/jupyter lab tensor_basics.ipynb \
		--log-level=WARN --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
		$(if $(filter 0,$(shell id -u)),--allow-root) $(DEMO_ARGS)

.demo/tensor_basics.ipynb: examples/tensor_basics.ipynb
	@mkdir -p .demo
	@cp $< $@

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: install chromium lint
	node --test tests/js/
	$(PYTEST) -m "not cuda" -v

# The README's pictures (docs/*.png), taken by the browser tests; plain test runs leave them alone.
screenshots: install chromium
	TENSOR_INSPECTOR_SCREENSHOTS=1 $(PYTEST) -m browser tests/browser

test-gpu: install
	$(PYTEST) -m cuda -v

bench: install chromium
	$(PIP) install --quiet -c $(CONSTRAINTS) -e ".[bench]"
	$(PY) -m bench

clean:
	rm -rf $(VENV) node_modules tensor_inspector/static tests/artifacts
