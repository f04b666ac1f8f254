"""The first code cell of every chapter: install the course's package where it is missing.

On Colab, Binder or a classmate's laptop, ``import regkit`` fails. Each chapter therefore starts
with a small cell (hidden on the site, skipped on the slides) that installs regkit when it is
not importable, from the course's repository at the branch the launch buttons open, so the
package matches the notebook. It installs ``regkit[course]``, whose requirements carry no
pinned versions: Colab's own torch, NumPy and matplotlib stay as they are.

The install source is written into the notebooks from ``_config.yml`` (``repository.url`` and
``repository.branch``)::

    python _ext/install_cell.py          # (make install-cells) rewrite the cell in every chapter

While the repository's address is not set, the cell says how to install regkit from a clone.
``REGKIT_SOURCE`` in the environment overrides the source (the tests point it at a checkout).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
TAG = "install-course"

COMMENT = {
    "en": ("# Where the course's package is missing (Colab, Binder): install it. No versions are\n"
           "# pinned, so Colab's own torch stays; the source is the course's repository."),
    "ko": ("# 과정 패키지가 없는 곳(Colab, Binder)에서는 먼저 설치합니다. 버전을 고정하지 않으므로\n"
           "# Colab에 깔린 torch는 그대로 둡니다. 설치 원본은 과정 저장소입니다."),
}
MISSING = {
    "en": "regkit is not installed: in a clone of the course, run pip install -e .",
    "ko": "regkit이 설치되어 있지 않습니다. 과정 저장소를 클론한 폴더에서 pip install -e . 를 실행하세요",
}


def install_source(config_path: Path = ROOT / "_config.yml") -> str:
    """``regkit[course] @ git+URL@BRANCH`` from ``_config.yml``; empty while the URL is unset."""
    repository = yaml.safe_load(config_path.read_text(encoding="utf-8")).get("repository", {})
    url = (repository.get("url") or "").strip().rstrip("/")
    if not url:
        return ""
    url = url.removesuffix(".git")
    return f"regkit[course] @ git+{url}.git@{repository.get('branch') or 'main'}"


def cell_source(lang: str, source: str) -> str:
    return (f"{COMMENT[lang]}\n"
            "import importlib, importlib.util, os, subprocess, sys\n"
            f"REGKIT_SOURCE = os.environ.get(\"REGKIT_SOURCE\", {source!r})\n"
            "if importlib.util.find_spec(\"regkit\") is None:\n"
            "    if not REGKIT_SOURCE:\n"
            f"        raise ModuleNotFoundError({MISSING[lang]!r})\n"
            "    subprocess.run([sys.executable, \"-m\", \"pip\", \"install\", \"--quiet\", REGKIT_SOURCE],\n"
            "                   check=True)\n"
            "    importlib.invalidate_caches()")


def install_cell(lang: str, source: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(cell_source(lang, source))
    cell.metadata = {"slideshow": {"slide_type": "skip"}, "tags": ["remove-cell", TAG]}
    return cell


def write_install_cells(source: str | None = None) -> list[Path]:
    """Put the install cell before the first code cell of every chapter; the notebooks changed."""
    source = install_source() if source is None else source
    changed = []
    for lang in ("ko", "en"):
        for path in sorted((ROOT / "chapters" / lang).glob("*.ipynb")):
            notebook = nbformat.read(path, as_version=4)
            wanted = cell_source(lang, source)
            existing = [c for c in notebook.cells if TAG in c.metadata.get("tags", [])]
            if existing:
                if existing[0].source == wanted:
                    continue
                existing[0].source = wanted
            else:
                first_code = next(i for i, c in enumerate(notebook.cells) if c.cell_type == "code")
                notebook.cells.insert(first_code, install_cell(lang, source))
            nbformat.write(notebook, path)
            changed.append(path)
    return changed


if __name__ == "__main__":
    for path in write_install_cells():
        print(f"install cell written: {path.relative_to(ROOT)}")
    sys.exit(0)
