"""The cell at the top of every chapter that installs regkit where it is missing (Colab, Binder),
and a chapter run to its end in a fresh environment without regkit, offline, with the install
source pointed at a copy of this checkout."""

import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import tomllib
from pathlib import Path

import pytest

from course import LANGUAGES, ROOT, notebooks, read

sys.path.insert(0, str(ROOT / "_ext"))
from install_cell import TAG, cell_source, install_source  # noqa: E402


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_chapter_installs_regkit_first_hidden_and_skipped(lang):
    wanted = cell_source(lang, install_source())
    for path in notebooks(lang):
        first_code = next(c for c in read(path).cells if c.cell_type == "code")
        assert TAG in first_code.metadata.get("tags", []), f"{path.name}: no install cell first"
        assert "remove-cell" in first_code.metadata["tags"], f"{path.name}: shown on the site"
        assert first_code.metadata["slideshow"]["slide_type"] == "skip", path.name
        assert first_code.source == wanted, (
            f"{path.name}: the install cell does not follow _config.yml; run `make install-cells`")


def test_the_source_follows_the_configured_repository(tmp_path):
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: ''\n  branch: main\n")
    assert install_source(config) == ""
    config.write_text("repository:\n  url: https://github.com/someone/course/\n  branch: v2\n")
    assert install_source(config) == "regkit[course] @ git+https://github.com/someone/course.git@v2"


def test_the_package_pins_nothing_that_would_fight_colab():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["course"]
    assert requirements and not any(op in r for r in requirements for op in ("==", "<", "~="))


RUN_NOTEBOOK = textwrap.dedent("""
    import sys, nbformat
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    for cell in nbformat.read(sys.argv[1], as_version=4).cells:
        if cell.cell_type == "code":
            result = shell.run_cell(cell.source)
            if not result.success:
                sys.exit(f"cell failed: {cell.source[:200]!r}")
    import regkit
    print("regkit from", regkit.__file__)
""")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_chapter_runs_to_the_end_where_regkit_is_not_installed(lang, tmp_path):
    # A fresh environment that sees this one's packages (torch, matplotlib, pip, ...) but not
    # regkit: a path in a .pth file is added to sys.path, its own .pth files (regkit's editable
    # install) are not read. No pip or setuptools of its own, which would shadow these.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "course-packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    missing = subprocess.run([str(python), "-c", "import importlib.util as u; print(u.find_spec('regkit'))"],
                             capture_output=True, text=True, check=True, cwd=tmp_path).stdout
    assert missing.strip() == "None"
    # the install source: a copy of the checkout's package (an in-tree build would write into it)
    source = tmp_path / "course"
    shutil.copytree(ROOT / "regkit", source / "regkit", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "pyproject.toml", source)
    env = {**os.environ, "REGKIT_SOURCE": f"regkit[course] @ {source.as_uri()}", "MPLBACKEND": "Agg",
           "PIP_NO_INDEX": "1", "PYTHONPATH": "",
           "PIP_NO_BUILD_ISOLATION": "0"}  # pip reads "0" as --no-build-isolation
    chapter = ROOT / "chapters" / lang / "00_introduction.ipynb"
    run = subprocess.run([str(python), "-c", RUN_NOTEBOOK, str(chapter)], capture_output=True,
                         text=True, env=env, cwd=chapter.parent, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert f"regkit from {site}" in run.stdout, run.stdout[-500:]
