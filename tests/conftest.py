import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/course.py
from course import ROOT  # noqa: E402


def jupyter_book(*args, cwd=ROOT):
    """Run the Jupyter Book of this environment; return (exit code, everything it printed)."""
    exe = Path(sys.executable).parent / "jupyter-book"
    env = dict(os.environ, PYTHONUNBUFFERED="1", NO_COLOR="1")
    proc = subprocess.run([str(exe), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=900)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture(scope="session")
def built_book():
    """The book built strictly, exactly as `make book` builds it (execution cache reused)."""
    code, log = jupyter_book("build", ".", "--builder", "html", "-W", "-n", "--keep-going")
    return code, log
