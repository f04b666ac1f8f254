# The course's commands. A newcomer needs two: `make book` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
JB     := $(BIN)/jupyter-book build . --builder html -W -n --keep-going

.PHONY: book test bench serve clean

## book: set up (virtual environment, pip and npm packages), then build the site into _build/html
book: $(VENV)/.installed node_modules/.installed
	$(JB)

## test: every test (regkit, notebooks with nbval, parity, terminology, the strict build)
test: $(VENV)/.installed node_modules/.installed
	$(BIN)/python -m pytest

## bench: the speed of regkit and of the notebooks and the build, as tables (not a test)
bench: $(VENV)/.installed node_modules/.installed
	$(BIN)/python benchmarks/bench_regkit.py
	$(BIN)/python benchmarks/bench_book.py --tests

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

## serve: read the built site at http://127.0.0.1:8000 (search needs a server, not file://)
serve:
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory _build/html 8000

clean:
	rm -rf _build
