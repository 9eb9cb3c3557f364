"""What a report run executes: one :class:`Job` per page, planned from the run's assessments.

A job names its notebook, parameters and page; :class:`JobResult` says how it went. Both are
plain picklable values: they cross into worker processes and Dask workers.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forecast import config
from forecast.errors import ReportError
from forecast.report.pages.text import LANGS, indicator_name, quarter_label

#: The quarter's manifest, at the top of its folder (parameters, data vintage, versions, failures).
MANIFEST = "manifest.json"
NOTEBOOKS = {"brief": "province_brief.ipynb", "indicator": "indicator.ipynb", "overview": "overview.ipynb"}

__all__ = ["Job", "JobResult", "NOTEBOOKS", "notebook_paths", "plan_jobs"]


@dataclass(frozen=True)
class Job:
    """One notebook to execute: ``kind`` (overview | brief | indicator), its page and parameters."""

    kind: str
    notebook: str
    parameters: dict
    html: str
    title: str
    analyst_html: str | None = None
    #: The store file the kernel reads (the run's snapshot of ``parameters["store"]``); empty: that
    #: store itself. ``parameters`` stay as the user gave them: the published pages and the manifest
    #: name the real store, so a page can be rerun from them.
    reads: str = ""

    @property
    def name(self) -> str:
        """A file-name stem unique within the run, e.g. ``analyst--ha-nam--life_expectancy``."""
        return self.html.removesuffix(".html").replace("/", "--")


@dataclass
class JobResult:
    """How one job went: ``ok``, wall ``seconds``, the ``error`` and saved ``failed`` notebook if not."""

    job: Job
    ok: bool
    seconds: float
    error: str = ""
    failed: str | None = None
    cell_seconds: float = 0.0  # time spent in the notebook's own cells (the rest is overhead)
    render_seconds: float = 0.0  # writing its HTML page(s) (nbconvert, in the worker)
    kernel_retries: list[str] = field(default_factory=list)  # kernel start-up failures, run again
    body: str = field(default="", repr=False)


def slugify(name: str) -> str:
    """Return an ASCII file name for a province: ``"Hà Nam"`` -> ``"ha-nam"``, ``"Đồng Nai"`` -> ``"dong-nai"``."""
    s = unicodedata.normalize("NFKD", name.replace("Đ", "D").replace("đ", "d"))
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-") or "unnamed"


def plan_jobs(
    run: Any, provinces: list[str], *, quarter: str, lang: str, store: str, notebooks: dict[str, Path]
) -> list[Job]:
    """Return one job per brief, per (province, indicator) deep dive with data, plus the overview.

    Deep dives come from ``run.assessments``: outcome targets whose series has an observation.
    """
    a = run.assessments
    keep = a["province"].isin(provinces) & a["latest_value"].notna() & (a["verdict"] != "no_data")
    if "kind" in a:
        keep &= a["kind"] == "outcome"
    pairs = a.loc[keep, ["province", "indicator"]].drop_duplicates().itertuples(index=False)
    common = {"quarter": quarter, "run_id": run.run_id, "store": store, "lang": lang}
    shown = quarter_label(quarter, lang if lang in LANGS else "en")  # page titles: "quý 4/2026"
    jobs = [Job("overview", str(notebooks["overview"]), dict(common), "index.html", shown)]
    for p in provinces:
        slug = slugify(p)
        jobs.append(
            Job(
                "brief",
                str(notebooks["brief"]),
                {"province": p, **common},
                f"briefs/{slug}.html",
                f"{p} · {shown}",
                analyst_html=f"analyst/{slug}/brief.html",
            )
        )
    for p, ind in sorted(pairs):
        jobs.append(
            Job(
                "indicator",
                str(notebooks["indicator"]),
                {"province": p, "indicator": ind, **common},
                f"analyst/{slugify(p)}/{ind}.html",
                f"{p} · {indicator_name(ind, lang if lang in LANGS else 'en')} · {shown}",
            )
        )
    return jobs


def notebook_paths(overrides: dict[str, str | os.PathLike] | None) -> dict[str, Path]:
    """Return the absolute notebook of each kind; raise :class:`ReportError` if one is missing."""
    given = {**{k: config.NOTEBOOKS_DIR / n for k, n in NOTEBOOKS.items()}, **(overrides or {})}
    nbs = {k: Path(v).resolve() for k, v in given.items()}
    missing = [str(p) for p in nbs.values() if not p.exists()]
    if missing:
        raise ReportError(
            f"notebook {missing[0]} does not exist; restore it from git or pass "
            "notebooks={'brief': ..., 'indicator': ..., 'overview': ...}"
        )
    return nbs
