import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import filelock
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/course.py
from course import BUILD_HTML, ROOT  # noqa: E402

sys.path.insert(0, str(ROOT / "slides"))
from build import EXECUTION_CACHE, serve  # noqa: E402,F401  (slides/build.py: the book's cache, the one local server)
sys.path.insert(0, str(ROOT / "_ext"))
from build_book import regkit_fingerprint  # noqa: E402  (what the cache's runs were made with)


# --- how two workers share the run (pytest-xdist) ---------------------------------------------
# Tests of one work unit run on one worker, one unit after another in the order below; the
# first unit goes to one worker, the next to the other, then each takes the next when free.
# - The notebooks come first, on both workers: a unit per notebook (its cells share one kernel).
#   nbval's run of each notebook goes into the book's execution cache (below), so every
#   notebook executes once per test run.
# - Then the build's unit: the book build, which finds every notebook executed (it waits for the
#   last ones still running), and the slide decks made from its pages and cache. Meanwhile the
#   other worker runs regkit's tests.
# - The browser's tests of the built site come last, when the build is done: a unit per page
#   (its tests share one visit); each deck test is a unit of its own.
# (pytest-xdist's own `xdist_group` marks do not take effect under pytest 9.2, hence a scheduler.)
WITH_THE_BUILD = ("tests/test_book_build.py::",
                  "tests/test_slides.py::test_no_deck_needed_a_second_execution")
BUILT_SITE = ("tests/test_browser.py::", "tests/test_slides.py::", "tests/test_fonts.py::",
              "tests/test_pdf.py::", "tests/test_explorers_on_site.py::")
PAGE = re.compile(r"\[(ko|en)[-/](\d\d_\w+?|index|glossary|references|search|404)"
                  r"(?:\.html)?(?:-[\w.]+)?\]")


def work_unit(nodeid: str) -> str:
    if nodeid.startswith(WITH_THE_BUILD):
        return "the build"
    path, _, name = nodeid.partition("::")
    if path.endswith(".ipynb"):
        return path
    if nodeid.startswith(BUILT_SITE[0]) and (page := PAGE.search(name)):
        return "page " + "/".join(filter(None, page.groups()))
    return nodeid if nodeid.startswith(BUILT_SITE) else path


def pytest_collection_modifyitems(items):
    def rank(item):
        if item.path.suffix == ".ipynb":
            return 0
        if item.nodeid.startswith(WITH_THE_BUILD):
            return 1
        return 3 if item.nodeid.startswith(BUILT_SITE) else 2
    items.sort(key=rank)  # stable: each file's tests keep their order


def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class CourseScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return work_unit(nodeid)
    return CourseScheduling(config, log)


def build_book(*args, script=ROOT / "_ext" / "build_book.py", cwd=ROOT):
    """Run the book's build (what `make book` runs); return (exit code, everything it printed)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", NO_COLOR="1")
    proc = subprocess.run([sys.executable, str(script), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=900)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def one_torch_thread():
    """The tensors of the regkit tests are tiny: handing them between threads costs more than
    the arithmetic (on a busy 2-core machine, 100x more)."""
    import torch
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def require_chromium(what):
    """Skip a browser test module without Chromium, with a clear message; on CI, fail."""
    if CHROMIUM is not None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"Chromium is missing, so {what} cannot run: CI must install it "
                    "(.ci/run: apt-get install chromium fonts-nanum)", pytrace=False)
    pytest.skip(f"Chromium is not installed (apt-get install chromium fonts-nanum); {what} "
                "need it", allow_module_level=True)


def _chromium(system_fonts):
    from playwright.sync_api import sync_playwright
    from build import launch_chromium  # slides/build.py: the one way the course starts Chromium
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, system_fonts=system_fonts)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def browser():
    """Chromium that sees no system font at all: what the layout tests measure (pages at phone
    and desktop width, slides that fit) must come out the same on a machine with no fonts."""
    yield from _chromium(system_fonts=False)


@pytest.fixture(scope="module")
def reader_browser():
    """Chromium with the machine's fonts (DejaVu, Nanum on CI), like a reader's: the font
    tests check that none of them draws a glyph."""
    yield from _chromium(system_fonts=True)


def once_per_run(name, tmp_path_factory, make):
    """`make()` once per test run, even under pytest-xdist (`-n 2`): the first worker makes it,
    the others wait for it and read its result (a JSON value) instead of making it again."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        return make()
    shared = tmp_path_factory.getbasetemp().parent / f"{name}.json"
    with filelock.FileLock(str(shared) + ".lock"):
        if shared.is_file():
            return json.loads(shared.read_text())
        result = make()
        shared.write_text(json.dumps(result))
        return result


# --- each notebook executes once per test run --------------------------------------------
# nbval runs every notebook, a test per code cell. When a notebook has run without an error,
# its outputs go into the book's execution cache, exactly as the book's own executor would
# store them; the book build then finds it there and does not run it again.
_FAILED = pytest.StashKey[bool]()
_OUTPUTS = pytest.StashKey[dict]()


def _is_notebook_cell(item) -> bool:
    return type(item).__name__ == "IPyNbCell"  # nbval's item: one code cell


def _finished_folder(config) -> Path:
    """Where each worker notes the notebooks it has finished (shared by the workers)."""
    base = config._tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / "notebooks-finished"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _notebook_key(path: Path) -> str:
    return path.relative_to(ROOT).as_posix().replace("/", "__")


class NotebookRunsIntoTheCache:
    """The hooks, registered for the whole run: a conftest's own hooks would see only the
    tests below tests/, and the notebooks are in chapters/."""

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        if _is_notebook_cell(item):
            if report.failed:
                item.parent.stash[_FAILED] = True
            if call.when == "call" and item.test_outputs is not None:
                item.parent.stash.setdefault(_OUTPUTS, {})[item.cell_num] = (
                    [dict(output) for output in item.test_outputs])
        return report

    def pytest_runtest_teardown(self, item, nextitem):
        if not _is_notebook_cell(item) or (nextitem is not None
                                           and nextitem.parent is item.parent):
            return
        notebook = item.parent
        outputs = notebook.stash.get(_OUTPUTS, {})
        code_cells = [cell for cell in notebook.nb.cells if cell.cell_type == "code"]
        path = Path(str(notebook.path))
        if not notebook.stash.get(_FAILED, False) and len(outputs) == len(code_cells):
            _cache_executed(path, outputs)
        (_finished_folder(item.config) / _notebook_key(path)).touch()


def pytest_configure(config):
    config.pluginmanager.register(NotebookRunsIntoTheCache(), "course-notebook-cache")


def _cache_executed(path: Path, outputs) -> None:
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    executed = nbformat.read(path, as_version=4)
    cells = [cell for cell in executed.cells if cell.cell_type == "code"]
    for number, cell in enumerate(cells):
        cell.execution_count = number + 1
        cell.outputs = [nbformat.from_dict(output) for output in outputs[number]]
        for output in cell.outputs:
            if output.output_type == "execute_result":
                output.execution_count = number + 1
    EXECUTION_CACHE.parent.mkdir(parents=True, exist_ok=True)
    with filelock.FileLock(str(EXECUTION_CACHE) + ".lock"):
        get_cache(str(EXECUTION_CACHE)).cache_notebook_bundle(
            CacheBundleIn(executed, str(path),
                          data={"executed_by": "nbval", "regkit": regkit_fingerprint()}),
            check_validity=False, overwrite=True)


def wait_for_notebooks(session, timeout=900) -> None:
    """Until every notebook of this run has finished (on whichever worker runs it)."""
    import time
    keys = {_notebook_key(Path(str(item.parent.path)))
            for item in session.items if _is_notebook_cell(item)}
    folder = _finished_folder(session.config)
    deadline = time.monotonic() + timeout
    while not all((folder / key).exists() for key in keys):
        if time.monotonic() > deadline:
            missing = sorted(k for k in keys if not (folder / k).exists())
            pytest.fail(f"notebooks still running after {timeout} s: {missing}")
        time.sleep(0.5)


@pytest.fixture(scope="session")
def built_book(request, tmp_path_factory):
    """The book built strictly, exactly as `make book` builds it, once nbval has put this run's
    notebooks into the execution cache."""
    def build():
        wait_for_notebooks(request.session)
        # Sphinx re-reads a notebook only when its file changed, not when its outputs in the
        # cache did: after nbval's run every page is written again from the new outputs
        fresh = ["--all"] if any(_is_notebook_cell(i) for i in request.session.items) else []
        return build_book(*fresh)
    return once_per_run("built_book", tmp_path_factory, build)


@pytest.fixture(scope="session")
def built_decks(built_book, tmp_path_factory):
    """`make slides` (once per run), after the book build whose pages and executed notebooks it
    reuses."""
    def build():
        result = subprocess.run([sys.executable, str(ROOT / "slides" / "build.py")], cwd=ROOT,
                                capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
        return result.stdout
    return once_per_run("built_decks", tmp_path_factory, build)


@pytest.fixture(scope="session")
def built_pdfs(built_book, tmp_path_factory):
    """`make pdf` (once per run): the whole book per language, printed from the built site."""
    def build():
        result = subprocess.run([sys.executable, str(ROOT / "_ext" / "build_pdf.py")], cwd=ROOT,
                                capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
        return result.stdout
    return once_per_run("built_pdfs", tmp_path_factory, build)


@pytest.fixture(scope="module")
def site(built_book):
    """The built book, served on 127.0.0.1 (its base URL)."""
    code, _ = built_book
    assert code == 0, "the book did not build; see test_book_build"
    with serve(BUILD_HTML) as url:
        yield url


@pytest.fixture(scope="module")
def deck_server(built_decks):
    """The built decks, served on 127.0.0.1 (their base URL)."""
    with serve(ROOT / "_build" / "slides") as url:
        yield url


# true once MathJax (when the page has it) has typeset the page
MATH_DONE_JS = ("!window.MathJax || (window.MathJax.startup && window.MathJax.startup.promise"
                " && (window.MathJax.startup.promise.then(() => window.__mathDone = true),"
                " window.__mathDone === true))")
