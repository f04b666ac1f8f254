import json
import os
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
