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
from course import ROOT  # noqa: E402

sys.path.insert(0, str(ROOT / "slides"))
from build import serve  # noqa: E402,F401  (slides/build.py: the one local server)


# --- how two workers share the run (pytest-xdist) ---------------------------------------------
# Tests of one work unit run on one worker, one unit after another in the order below; the
# first unit goes to one worker, the next to the other, then each takes the next when free.
# - The build's unit comes first: the book build (about 2 minutes on 2 cores) and the slide decks
#   made from its execution cache. Only this worker waits for the build; meanwhile the other
#   runs the notebooks and regkit's tests.
# - A notebook's cells share one kernel: a unit per notebook.
# - The browser's tests of the built site come last, when the build is done: a unit per page
#   (its tests share one visit); each deck test is a unit of its own.
# (pytest-xdist's own `xdist_group` marks do not take effect under pytest 9.2, hence a scheduler.)
WITH_THE_BUILD = ("tests/test_book_build.py::",
                  "tests/test_slides.py::test_no_deck_needed_a_second_execution")
BUILT_SITE = ("tests/test_browser.py::", "tests/test_slides.py::")
PAGE = re.compile(r"\[(?:chapters/)?(ko|en)[-/](\d\d_\w+?)(?:\.html)?(?:-\w+)?\]"
                  r"|\[(index|glossary|references)\.html\]")


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
        if item.nodeid.startswith(WITH_THE_BUILD):
            return 0
        if item.nodeid.startswith(BUILT_SITE):
            return 3
        return 1 if item.path.suffix == ".ipynb" else 2
    items.sort(key=rank)  # stable: each file's tests keep their order


def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class CourseScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return work_unit(nodeid)
    return CourseScheduling(config, log)


def jupyter_book(*args, cwd=ROOT):
    """Run the Jupyter Book of this environment; return (exit code, everything it printed)."""
    exe = Path(sys.executable).parent / "jupyter-book"
    env = dict(os.environ, PYTHONUNBUFFERED="1", NO_COLOR="1")
    proc = subprocess.run([str(exe), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=900)
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


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium under Playwright (Playwright's own browser download is never used)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"])
        yield browser
        browser.close()


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


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """The book built strictly, exactly as `make book` builds it (execution cache reused)."""
    return once_per_run("built_book", tmp_path_factory, lambda: jupyter_book(
        "build", ".", "--builder", "html", "-W", "-n", "--keep-going"))
