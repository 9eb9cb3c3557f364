"""Quality flags read from notes and sources, and the priority rule that prefers better rows."""

from __future__ import annotations

import pandas as pd

from forecast.data.priority import pick_sources
from forecast.data.quality import quality_column, quality_flags, quality_rank


def test_flags_from_real_notes():
    assert quality_flags("TRANSCRIBED by repo authors ... SUSPECT: implausible") == "suspect;transcribed"
    assert quality_flags("LOW-MEDIUM confidence: see Hà Nội 2019 row") == "low_confidence"
    assert quality_flags("LOW confidence (thesis)") == "low_confidence"
    assert quality_flags("MID-YEAR: 'At the end of May [2019]'") == "mid_year"
    assert quality_flags("estimate as of 31 May 2018") == "mid_year"
    assert quality_flags("'As of the end of 2018, the number was 953,284'") == ""
    assert quality_flags("GSO PX-Web: Average population; x.csv [preliminary]") == "preliminary"
    assert quality_flags("GSO yearbook 2023 prelim") == "preliminary"
    assert quality_flags("GSO column 'Total 2018'") == ""
    assert quality_rank("suspect;transcribed") == 4 and quality_rank("") == 0
    assert quality_column(pd.Series(["", None]), pd.Series(["a [preliminary]", "b"])).tolist() == [
        "preliminary",
        "",
    ]


def test_priority_prefers_better_quality():
    base = {"geo": "Hà Nam", "indicator": "doctors_per_10k", "year": 2018, "unit": "per_10k", "note": ""}
    obs = pd.DataFrame(
        [
            {**base, "value": 6.7, "source": "page", "import_id": 2, "quality": "low_confidence"},
            {**base, "value": 7.0, "source": "yearbook", "import_id": 1, "quality": "transcribed"},
            {
                **base,
                "year": 2017,
                "value": 6.5,
                "source": "page",
                "import_id": 2,
                "quality": "low_confidence",
            },
        ]
    )
    got = pick_sources(obs).set_index("year")
    assert got.loc[2018, "source"] == "yearbook" and got.loc[2017, "value"] == 6.5
