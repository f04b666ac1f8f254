# The course's commands. A newcomer needs two: `make book` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
BUILD  := $(BIN)/python _ext/build_book.py

# The course's models are tiny: one torch thread per notebook is as fast as several, and the
# build and the tests run two notebooks at once on 2 cores, where more threads fight each other.
OMP_NUM_THREADS ?= 1
export OMP_NUM_THREADS

.PHONY: book student slides pdf install-cells test bench serve clean

## book: set up (virtual environment, pip and npm packages), then build the Korean and English
## sites into _build/html/ko and _build/html/en (the root, _build/html/index.html, chooses)
book: $(VENV)/.installed node_modules/.installed
	$(BUILD)

## student: the student edition (exercise solutions left out) into _build/student/html
student: $(VENV)/.installed node_modules/.installed
	$(BUILD) --edition student

## slides: a reveal.js deck and a PDF handout per chapter and language, into _build/slides
slides: book
	$(BIN)/python slides/build.py

## pdf: the whole book as one PDF per language, into _build/pdf/course-{ko,en}.pdf
pdf: book
	$(BIN)/python _ext/build_pdf.py

## install-cells: write the repository (_config.yml's repository.url and branch) into the
## cell at the top of every chapter that installs regkit on Colab or Binder
install-cells: $(VENV)/.installed
	$(BIN)/python _ext/install_cell.py

## test: every test (regkit, notebooks with nbval, parity, terminology, the strict build)
test: $(VENV)/.installed node_modules/.installed
	$(BIN)/python -m pytest

## bench: the speed of regkit and of the notebooks and the build, as tables (not a test)
bench: $(VENV)/.installed node_modules/.installed
	$(BIN)/python benchmarks/bench_regkit.py
	$(BIN)/python benchmarks/bench_explorers.py
	env -u OMP_NUM_THREADS $(BIN)/python benchmarks/bench_book.py --tests  # notebooks timed as a student runs them

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@# matplotlib builds its font cache on first import and says so on stderr, which would
	@# fail the first notebook of the strict build: build it here, once.
	$(BIN)/python -c "import matplotlib.pyplot"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

## serve: read the built site at http://127.0.0.1:8000 (search needs a server, not file://)
serve:
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory _build/html 8000

clean:
	rm -rf _build
