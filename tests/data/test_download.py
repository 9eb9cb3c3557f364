"""Online clients replay recorded responses through fake sessions: never the network."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import requests

from forecast.data import download, store
from forecast.errors import DataFileError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "data"
TABLE = "Dan so va lao dong/V02.24.px"


class FakeResponse:
    def __init__(self, status: int, content: bytes = b"") -> None:
        self.status_code, self.content = status, content

    def json(self):
        return json.loads(self.content)


class FakeSession:
    """Answers from a script: a list of responses or exceptions, in order."""

    def __init__(self, script: list) -> None:
        self.script, self.calls = list(script), []

    def request(self, method, url, json=None, timeout=None):
        self.calls.append((method, url, json))
        answer = self.script.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def recorded() -> list:
    return [
        FakeResponse(200, (FIXTURES / "pxweb_V02.24_meta.json").read_bytes()),
        FakeResponse(200, (FIXTURES / "pxweb_V02.24_data.csv").read_bytes()),
    ]


def test_fetch_gso_imports_the_table(store_file):
    session = FakeSession(recorded())
    summary = download.fetch_gso(TABLE, store_file, session=session, sleep=lambda s: None)
    assert summary.loc[0, "imported"] == 5 and summary.loc[0, "missing"] == 1
    (get, url, _), (post, _, query) = session.calls
    assert (get, post) == ("GET", "POST") and url.endswith("/pxweb/api/v1/en/" + TABLE)
    assert query["response"] == {"format": "csv"} and len(query["query"]) == 2
    obs = store.load_observations(store_file, geo="Ha Noi")
    assert obs[["indicator", "year", "value"]].values.tolist() == [
        ["life_expectancy", 2019, 76.1],
        ["life_expectancy", 2020, 76.2],
    ]
    assert list(download.download_dir(store_file).glob("gso_*.csv"))


def test_fetch_gso_retries_then_falls_back_to_second_host(store_file):
    waits = []
    script = [FakeResponse(403), requests.Timeout("slow"), *recorded()]
    session = FakeSession(script)
    download.fetch_gso(
        TABLE, store_file, session=session, sleep=waits.append, retry=download.Retry(tries=2, backoff=1.0)
    )
    hosts = [url.split("/pxweb/api")[0] for _, url, _ in session.calls]
    # two tries on the first host, then the second host, which is then asked for the table
    assert hosts == [
        download.GSO_HOSTS[0],
        download.GSO_HOSTS[0],
        download.GSO_HOSTS[1],
        download.GSO_HOSTS[1],
    ]
    assert waits == [1.0]


def test_fetch_gso_gives_up_with_what_happened(store_file):
    session = FakeSession([FakeResponse(403)] * 2 + [requests.ConnectionError("down")] * 2)
    with pytest.raises(DataFileError, match="HTTP 403 from https://pxweb.gso.gov.vn.*ConnectionError"):
        download.fetch_gso(
            TABLE, store_file, session=session, sleep=lambda s: None, retry=download.Retry(tries=2)
        )
    with pytest.raises(DataFileError, match="HTTP 404"):
        download.fetch_gso(TABLE, store_file, session=FakeSession([FakeResponse(404)]))


class FakeWbgapi:
    """Mimics ``wbgapi.data.DataFrame`` (series in rows, years in columns)."""

    class data:  # noqa: N801 - same attribute name as wbgapi
        @staticmethod
        def DataFrame(series, economy, **kwargs):  # noqa: N802
            assert economy == "VNM"
            return pd.DataFrame(
                {2014: [2.5, 17.0], 2015: [2.6, None]},
                index=pd.Index(["SH.MED.BEDS.ZS", "SP.DYN.IMRT.IN"], name="series"),
            )


def test_fetch_worldbank(store_file):
    summary = download.fetch_worldbank(store_file, ("SH.MED.BEDS.ZS", "SP.DYN.IMRT.IN"), client=FakeWbgapi)
    assert summary["imported"].sum() == 3
    obs = store.load_observations(store_file).set_index(["indicator", "year"])["value"]
    assert obs[("beds_per_10k", 2015)] == pytest.approx(26.0) and obs[("imr", 2014)] == 17.0
