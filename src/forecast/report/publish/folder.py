"""The output folder of a quarter: names, the index page, the manifest and the atomic publish.

A run writes into ``<reports>/.<quarter>.tmp-<pid>`` and :func:`publish` renames it to
``<reports>/<quarter>`` only when everything is written, so an interrupted run never leaves a
half-written quarter and other quarters are never touched.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from forecast.errors import ReportError, io_error
from forecast.log import logger
from forecast.report.pages.text import labels, quarter_label
from forecast.report.publish import render
from forecast.report.publish.execute import footer, print_marks
from forecast.report.publish.jobs import MANIFEST, JobResult

WORK_FOLDERS = ("_work", "briefs", "analyst", "failed", "indicators")
#: ``manifest.json["generator"]`` of every folder this project publishes: only such a folder is replaced.
GENERATOR = "forecast-workbench"
#: File inside every work folder this project creates: only such a folder is ever cleaned up.
WORK_MARKER = ".forecast-work"
_LEGACY_KEYS = {"quarter", "run_id", "data_fingerprint", "notebooks"}  # manifests written before GENERATOR


def is_report(folder: Path) -> bool:
    """Return whether ``folder`` is a quarter this project published (its ``manifest.json`` says so)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(manifest, dict):
        return False
    return manifest.get("generator") == GENERATOR or _LEGACY_KEYS <= set(manifest)


def check_replaceable(final: Path) -> None:
    """Raise :class:`ReportError` unless ``final`` is absent or a report this project published.

    The workbench never deletes a folder it did not create: a user's folder named like a quarter
    is refused with the fix.
    """
    if final.exists() and not (final.is_dir() and is_report(final)):
        raise ReportError(
            f"{final} exists and is not a report of this workbench (no manifest.json with "
            f'"generator": "{GENERATOR}"); nothing was changed: move or rename it, or pass another --out'
        )


def _is_work(folder: Path) -> bool:
    return (folder / WORK_MARKER).is_file()


def make_folders(root: Path) -> list[Path]:
    """Create ``root`` and its missing parents; return the folders made here, outermost first."""
    missing = [p for p in (root, *root.parents) if not p.exists()][::-1]
    root.mkdir(parents=True, exist_ok=True)
    return missing


def remove_made(made: list[Path]) -> None:
    """Remove the folders :func:`make_folders` made, innermost first, each only while empty.

    Never a folder this run did not make, never one holding anything (``rmdir``, not a tree).
    """
    for folder in reversed(made):
        try:
            folder.rmdir()
        except OSError:
            return  # not empty (something else was put there): it and its parents stay


def temp_dir(root: Path, quarter: str) -> Path:
    """Create and return this process's hidden work folder beside ``root/quarter``."""
    tmp = root / f".{quarter}.tmp-{os.getpid()}"
    if tmp.exists() and not _is_work(tmp):
        raise ReportError(f"{tmp} exists and was not made by this workbench; move it away and run again")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
        (tmp / WORK_MARKER).write_text(f"{GENERATOR} work folder of pid {os.getpid()}\n", encoding="utf-8")
        for sub in WORK_FOLDERS:  # workers create nothing above these, so a deleted tmp stays deleted
            (tmp / sub).mkdir()
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise io_error(e, root, "creating the report's work folder") or ReportError(
            f"cannot create the work folder {tmp} ({e}); pass a writable --out"
        ) from e
    return tmp


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(root: Path, quarter: str) -> None:
    """Clean up after runs of ``quarter`` that were killed (their process is gone).

    Their work folders are deleted; a published quarter set aside by a run killed in the middle of
    :func:`publish` is put back if no quarter folder took its place. Only folders this project
    made are touched: a work folder carries :data:`WORK_MARKER`, a set-aside quarter a manifest
    (:func:`is_report`); anything else that merely looks like one is left alone.
    """
    for p in sorted(root.glob(f".{quarter}.*-*")):
        pid = p.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)) or not p.is_dir():
            continue
        old = p.name.startswith(f".{quarter}.old-")
        if not (is_report(p) if old else _is_work(p)):
            logger.warning(
                "leaving %s alone: it looks like a work folder but was not made by this workbench", p
            )
            continue
        if old and not (root / quarter).exists():
            logger.warning("restoring %s set aside by an interrupted run", root / quarter)
            os.replace(p, root / quarter)
        elif old:
            logger.info("removing %s, an old copy of %s left by an interrupted run", p, root / quarter)
            shutil.rmtree(p, ignore_errors=True)
        else:
            logger.info("removing %s left by an interrupted run", p)
            shutil.rmtree(p, ignore_errors=True)


def publish(tmp: Path, final: Path) -> Path:
    """Move the finished ``tmp`` folder to ``final``, replacing an earlier run of the same quarter.

    The old folder is renamed aside first, the new one renamed in, then the old one deleted; if the
    second rename fails the old folder is put back. Both renames stay within one file system.

    Raises
    ------
    ReportError
        If ``final`` exists but is not a report of this workbench (:func:`check_replaceable`).
    """
    check_replaceable(final)
    shutil.rmtree(tmp / "_work", ignore_errors=True)
    (tmp / WORK_MARKER).unlink(missing_ok=True)
    for sub in WORK_FOLDERS[1:]:
        if (tmp / sub).is_dir() and not any((tmp / sub).iterdir()):
            (tmp / sub).rmdir()
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    if final.exists():
        os.replace(final, old)
    try:
        os.replace(tmp, final)
    except BaseException:
        if old.exists() and not final.exists():
            os.replace(old, final)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return final


def _a(href: str, text: str) -> str:
    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'


def _indicator_name(code: str, lang: str) -> str:
    from forecast.registry import indicators

    try:
        return str(indicators.indicator(code)[f"name_{lang}" if lang in ("vi", "en") else "name_en"])
    except Exception:  # noqa: BLE001 - a code missing from the catalogue is shown as is
        return code


def _links(results: list[JobResult], t: dict[str, str], lang: str) -> str:
    ok = [r.job for r in results if r.ok]
    parts = [f"<h2>{t['briefs']}</h2>", '<ul class="links">']
    parts += [
        f"<li>{_a(j.html, j.parameters['province'])} · {_a(j.analyst_html or '', t['analyst'])}</li>"
        for j in ok
        if j.kind == "brief"
    ]
    parts += ["</ul>", f"<h2>{t['deep']}</h2>"]
    deep: dict[str, list] = {}
    for j in ok:
        if j.kind == "indicator":
            deep.setdefault(j.parameters["province"], []).append(j)
    for province, jobs in deep.items():
        parts += [f"<h3>{html.escape(province)}</h3>", '<ul class="links">']
        parts += [f"<li>{_a(j.html, _indicator_name(j.parameters['indicator'], lang))}</li>" for j in jobs]
        parts.append("</ul>")
    return "\n".join(parts)


def _failures(results: list[JobResult], t: dict[str, str]) -> str:
    bad = [r for r in results if not r.ok]
    if not bad:
        return ""
    items = []
    for r in bad:
        links = ""
        if r.failed:
            links = f" ({_a(r.failed, t['notebook'])} · {_a(r.failed[:-6] + '.html', t['view'])})"
        items.append(
            f"<li><strong>{html.escape(r.job.title)}</strong>{links}<code>{html.escape(r.error)}</code></li>"
        )
    return (
        f'<h2 id="failures">{t["failures"]} ({len(bad)})</h2>\n<ul class="failures">\n'
        + "\n".join(items)
        + "\n</ul>"
    )


def write_index(
    tmp: Path, results: list[JobResult], common: dict[str, str], *, lang: str, quarter: str, extra: str = ""
) -> Path:
    """Write ``index.html``: the national scorecard (overview notebook), links, failures, ``extra`` HTML."""
    t = labels("index", lang)
    overview = next((r for r in results if r.job.kind == "overview"), None)
    scorecard = overview.body if overview and overview.ok else f"<p>{t['no_overview']}</p>"
    body = "\n".join([scorecard, _failures(results, t), _links(results, t, lang), extra])
    params = overview.job.parameters if overview else {"quarter": quarter}
    title = t["title"].format(q=quarter_label(quarter, lang if lang in ("vi", "en") else "en"))
    page = render.render_page(
        body,
        title=title,
        lang=lang,
        footer=footer(common, params, lang),
        kind="index",
        marks=print_marks(common, title, lang),
    )
    path = tmp / "index.html"
    render.write_page(path, page)
    return path


def write_manifest(
    tmp: Path,
    run: Any,
    results: list[JobResult],
    settings: dict,
    common: dict[str, str],
    started: float,
    extra: dict | None = None,
) -> Path:
    """Write ``manifest.json``: parameters, data vintage, versions, durations, failures, ``extra`` keys."""
    entries = [
        {
            "kind": r.job.kind,
            "page": r.job.html if r.ok else None,
            "notebook": r.job.notebook,
            "parameters": r.job.parameters,
            "ok": r.ok,
            "seconds": round(r.seconds, 2),
            "cell_seconds": round(r.cell_seconds, 2),
            "render_seconds": round(r.render_seconds, 2),
            "error": r.error or None,
            "failed_notebook": r.failed,
        }
        for r in results
    ]
    manifest = {
        "generator": GENERATOR,
        "quarter": common["quarter"],
        "run_id": str(run.run_id),
        "as_of": str(run.as_of),
        "created": str(run.created),
        "data_fingerprint": str(run.data_fingerprint),
        "data_vintage": common["data"],
        "versions": common["versions"],
        "settings": settings,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "wall_seconds": round(time.time() - started, 2),
        "notebooks": entries,
        "failures": [e for e in entries if not e["ok"]],
        **(extra or {}),
    }
    path = tmp / MANIFEST
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return path
