"""Build the course's two sites, Korean and English, with one command (``make book``).

    python _ext/build_book.py                      # the instructor edition into _build/html
    python _ext/build_book.py --edition student    # the student edition into _build/student/html
    python _ext/build_book.py --all                # re-read every page (after new notebook outputs)

Each language is its own Sphinx project with Sphinx's ``language`` set: ``chapters/ko`` becomes
``_build/html/ko/`` and ``chapters/en`` becomes ``_build/html/en/``. Both use the one
``_config.yml`` and the one ``_toc.yml`` (the same file names in both folders), so each site has
its own navigation, title, glossary, references, search index and 404 page, and its interface in
its own language (Sphinx's and the themes' message catalogs, with the course's own ``locale/`` in
front). The root (``_build/html/index.html``) lets the reader choose and goes to the language of
their browser.

The steps:

1. Every notebook the execution cache lacks (either language) is executed, as many at a time as
   there are cores, into the cache that myst-nb reads (it would run them one after another).
2. The two Sphinx builds run side by side, each in its own process (Sphinx keeps global state),
   strictly: ``-W -n --keep-going``, as Jupyter Book's ``build`` would run them.
3. The root's language chooser and 404 page are written from ``_templates/root/``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("ko", "en")
CONFIG = ROOT / "_config.yml"
TOC = ROOT / "_toc.yml"
ROOT_PAGES = ROOT / "_templates" / "root"


def source_dir(lang: str) -> Path:
    return ROOT / "chapters" / lang


def notebooks_in_toc(lang: str) -> list[Path]:
    toc = yaml.safe_load(TOC.read_text(encoding="utf-8"))
    files = [toc["root"]] + [entry["file"] for entry in toc.get("chapters", [])]
    return [path for name in files if (path := source_dir(lang) / f"{name}.ipynb").is_file()]


def execution_settings() -> tuple[Path, int]:
    execute = yaml.safe_load(CONFIG.read_text(encoding="utf-8")).get("execute", {})
    return ROOT / execute.get("cache", "_build/.jupyter_cache"), int(execute.get("timeout", 30))


# --- step 1: the notebooks the cache lacks, several at a time -----------------------------

# What a notebook's outputs depend on besides its own code. jupyter-cache matches a run by the
# notebook's code cells alone, so a run made with other regkit code would pass for current.
NOTEBOOK_INPUTS = ("regkit/**/*.py", "regkit/*.js", "regkit/*.txt")


def regkit_fingerprint() -> str:
    """A digest of the regkit source the notebooks import: its contents, not its files' times,
    so that every clone of one commit agrees."""
    import hashlib
    digest = hashlib.sha256()
    for path in sorted(p for pattern in NOTEBOOK_INPUTS for p in ROOT.glob(pattern)):
        digest.update(f"{path.relative_to(ROOT)}\n".encode() + path.read_bytes())
    return digest.hexdigest()


def needs_execution(cache, notebook, fingerprint: str) -> str | None:
    """Why the notebook must run ("missing", or "regkit changed" when the cache holds a run
    of its code made with other regkit code), or None when the cache's run is current."""
    try:
        record = cache.match_cache_notebook(notebook)
    except KeyError:
        return "missing"
    return None if (record.data or {}).get("regkit") == fingerprint else "regkit changed"


def _execute_notebook(path: str, timeout: int, threads: int) -> tuple[str | None, float, str | None]:
    """Run one notebook top to bottom in its own folder (in a worker process), as myst-nb does."""
    # Kernels running side by side share the cores: one that starts a thread per core makes
    # them all wait on each other (torch's tiny models here run 10-40x slower).
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution
    notebook = nbformat.read(path, as_version=4)
    result = single_nb_execution(notebook, cwd=str(Path(path).parent), timeout=timeout,
                                 allow_errors=False, meta_override=True)
    if result.err is not None:
        return None, result.time, result.exc_string
    return nbformat.writes(notebook), result.time, None


def execute_missing_notebooks() -> bool:
    """Fill the execution cache with every notebook of both sites that it lacks.

    What runs here is exactly what myst-nb would run (the notebook in its own folder); myst-nb
    then finds the outputs in the cache. A notebook that fails here is left to myst-nb, which
    runs it again and reports the error as usual. Returns whether a notebook whose file did
    not change got new outputs (regkit changed): Sphinx would not read its page again.
    """
    cache_path, timeout = execution_settings()
    notebooks = [path for lang in LANGUAGES for path in notebooks_in_toc(lang)]
    database = cache_path / "global.db"
    sources = notebooks + [p for pattern in NOTEBOOK_INPUTS for p in ROOT.glob(pattern)]
    if database.is_file() and all(path.stat().st_mtime < database.stat().st_mtime
                                  for path in sources):
        # nothing changed since the cache last took a notebook (a rebuild): no need to ask it
        # (a second on every rebuild); were one missing after all, myst-nb would run it
        return False
    import nbformat
    from concurrent.futures import ProcessPoolExecutor
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(str(cache_path))
    fingerprint = regkit_fingerprint()
    reasons = {path: needs_execution(cache, nbformat.read(path, as_version=4), fingerprint)
               for path in notebooks}
    missing = [path for path, reason in reasons.items() if reason]
    if not missing:
        return False
    cores = os.cpu_count() or 1
    workers = min(len(missing), cores)
    print(f"executing {len(missing)} notebooks, {workers} at a time", flush=True)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        runs = [(path, pool.submit(_execute_notebook, str(path), timeout,
                                   max(1, cores // workers)))
                for path in missing]
        for path, run in runs:
            text, seconds, error = run.result()
            if error is None:
                cache.cache_notebook_bundle(
                    CacheBundleIn(nbformat.reads(text, as_version=4), str(path),
                                  data={"execution_seconds": seconds,
                                        "regkit": fingerprint}),
                    check_validity=False, overwrite=True)
    return "regkit changed" in reasons.values()


# --- step 2: one Sphinx build per language -------------------------------------------------

def build_one_site(lang: str, output: Path, doctrees: Path, fresh: bool) -> int:
    """One language's site, strictly (what ``jupyter-book build -W -n --keep-going`` does)."""
    from jupyter_book.sphinx import build_sphinx
    result = build_sphinx(
        source_dir(lang), output / lang,
        noconfig=True, path_config=str(CONFIG), doctreedir=str(doctrees / lang),
        confoverrides={"external_toc_path": TOC.as_posix(), "nitpicky": True,
                       "latex_individualpages": False, "language": lang},
        builder="html", warningiserror=True, keep_going=True, freshenv=fresh)
    return result if isinstance(result, int) else 1


# What a site is built from, besides the installed packages (their lists: requirements.txt,
# package-lock.json) and the notebooks' outputs (the execution cache).
SITE_INPUTS = ("_config.yml", "_toc.yml", "references.bib", "glossary.yml", "requirements.txt",
               "package-lock.json", "_ext/*.py", "_static/**/*", "_templates/**/*",
               "locale/**/*.po") + NOTEBOOK_INPUTS


def inputs_fingerprint(lang: str, output: Path) -> str:
    """A fingerprint of every file the site is built from (name, size, time of change)."""
    import hashlib
    cache_path, _ = execution_settings()
    files = [p for pattern in SITE_INPUTS + (f"chapters/{lang}/**/*",) for p in ROOT.glob(pattern)]
    files.append(cache_path / "global.db")
    digest = hashlib.sha256(f"{output}|{os.environ['COURSE_EDITION']}".encode())
    for path in sorted(p for p in files if p.is_file()):
        stat = path.stat()
        digest.update(f"{path.relative_to(ROOT)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    # the other site's page names: each page links to its mirror when the mirror exists
    other = "en" if lang == "ko" else "ko"
    digest.update("|".join(sorted(p.name for p in source_dir(other).iterdir())).encode())
    return digest.hexdigest()


def build_sites(output: Path, doctrees: Path, fresh: bool) -> int:
    """Both sites at once, each in its own process; their logs are printed one after the other.

    A site none of whose inputs changed since its last successful build is left as it is: the
    same answer Sphinx would reach, without its few seconds of starting up (a rebuild with
    nothing changed takes well under a second). ``--all`` builds both whatever.
    """
    import tempfile
    runs = {}
    for lang in LANGUAGES:
        stamp = doctrees / f"{lang}.inputs"
        if (not fresh and (output / lang / "index.html").is_file() and stamp.is_file()
                and stamp.read_text() == inputs_fingerprint(lang, output)):
            print(f"--- the {lang} site: nothing changed ---")
            continue
        command = [sys.executable, __file__, "--only", lang, "--output", str(output),
                   "--doctrees", str(doctrees)] + (["--all"] if fresh else [])
        log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # a pipe could fill and block
        runs[lang] = (subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                       text=True), log)
    code = 0
    for lang, (run, log) in runs.items():
        run.wait()
        log.seek(0)
        print(f"--- the {lang} site ---\n{log.read()}", end="", flush=True)
        log.close()
        stamp = doctrees / f"{lang}.inputs"
        if run.returncode == 0:
            # taken after the build: reading the execution cache updates it (jupyter-cache notes
            # when each notebook was last read), and that is not a change of the site's inputs
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.write_text(inputs_fingerprint(lang, output))
        else:
            stamp.unlink(missing_ok=True)
        code = code or run.returncode
    return code


# --- step 3: the root, where a reader chooses a language ---------------------------------

def write_root_pages(output: Path) -> None:
    for page in ROOT_PAGES.iterdir():
        target = output / page.name
        text = page.read_text(encoding="utf-8")
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edition", choices=("instructor", "student"),
                        default=os.environ.get("COURSE_EDITION", "instructor"))
    parser.add_argument("--output", type=Path, help="default: _build/html (student: _build/student/html)")
    parser.add_argument("--all", action="store_true", help="re-read every page")
    parser.add_argument("--only", choices=LANGUAGES, help=argparse.SUPPRESS)
    parser.add_argument("--doctrees", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["COURSE_EDITION"] = args.edition  # read by _ext/course_ext.py
    build = ROOT / "_build"
    output = (args.output or (build / "html" if args.edition == "instructor"
                              else build / "student" / "html")).resolve()
    doctrees = (args.doctrees or build / ".doctrees" / args.edition).resolve()
    if args.only:
        return build_one_site(args.only, output, doctrees, args.all)
    started = time.monotonic()
    outputs_changed = execute_missing_notebooks()
    code = build_sites(output, doctrees, args.all or outputs_changed)
    if code == 0:
        write_root_pages(output)
    print(f"{'built' if code == 0 else 'FAILED:'} {output} ({time.monotonic() - started:.0f} s)")
    return code


if __name__ == "__main__":
    sys.exit(main())
