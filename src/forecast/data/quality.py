"""The quality flag of an observation, read once from its note and source where data enters.

A source says how far to trust a number in its own words ("LOW confidence", "SUSPECT: implausible",
"Prel. 2016", "MID-YEAR", "TRANSCRIBED by the repository authors"). :func:`quality_flags` turns
those words into the ``quality`` column of the store: empty for a final, official figure, else
the flags joined by ``;`` from the worst (:data:`FLAGS`). :func:`quality_rank` orders rows for
the source-priority rule (:mod:`forecast.data.priority`: lower is better); rows flagged
``suspect`` are left out of the analysis altogether.
"""

from __future__ import annotations

import re

import pandas as pd

# flag -> (severity, pattern in note or source); worst first.
FLAGS = {
    "suspect": (4, r"\bsuspect\b|implausible"),
    "low_confidence": (3, r"\blow(?:-medium)?[- ]confidence\b"),
    "mid_year": (2, r"mid-year|\bas of (?!(?:the )?end)"),
    "preliminary": (2, r"prelim|sơ bộ|\bprel\.|\bpre\. ?\d{4}"),
    "transcribed": (1, r"\btranscribed\b"),
}
_COMPILED = {flag: re.compile(pattern, re.IGNORECASE) for flag, (_, pattern) in FLAGS.items()}


def quality_flags(text: str) -> str:
    """Return the quality flags a note or source names, worst first ("" = none).

    >>> quality_flags("TRANSCRIBED ... SUSPECT: implausible")
    'suspect;transcribed'
    """
    return ";".join(flag for flag, rx in _COMPILED.items() if rx.search(str(text or "")))


def quality_rank(quality: str) -> int:
    """Return the severity of the worst flag of a ``quality`` value (0 = none)."""
    return max((FLAGS[f][0] for f in str(quality or "").split(";") if f in FLAGS), default=0)


def quality_column(notes: pd.Series, sources: pd.Series) -> pd.Series:
    """Return the ``quality`` column of rows given their notes and sources (one regex pass per text)."""
    text = notes.fillna("").astype(str) + " " + sources.fillna("").astype(str)
    uniques = text.unique()
    return text.map(dict(zip(uniques, map(quality_flags, uniques)))).astype(str)
