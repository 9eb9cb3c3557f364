"""`forecast data show`: stored rows with source, definition, quality and whether they are used."""

from __future__ import annotations

import io

import pandas as pd
from click.testing import CliRunner

from forecast import cli
from forecast.data import show, store


def test_show_names_use_quality_and_breaks(shared_data, store_file):
    store.import_files(
        [shared_data / "vn_provinces.csv", shared_data / "vn_observed_2017plus.csv"], store_file
    )
    got = show.show_observations(store_file, "Ha Nam", "doctors_per_10k")
    assert list(got.columns) == show.SHOW_COLUMNS
    shown = ["geo", "indicator", "year", "value", "unit", "source", "definition", "quality"]
    assert show.SHOW_COLUMNS == [*shown, "used", "why"]  # the store's columns, in its order
    assert {"doctors_per_10k", "doctors_per_10k_dohs"} <= set(got["indicator"])
    le = got[got["indicator"] == "doctors_per_10k_dohs"].set_index("year")
    assert not le.loc[2012, "used"] and "2012" in le.loc[2012, "why"] and le.loc[2011, "used"]
    allf = got[got["indicator"] == "doctors_per_10k"]
    assert (
        allf["quality"].str.contains("transcribed").any()
        and "departments of health" not in allf["definition"].iloc[0]
    )
    assert le["definition"].str.contains("departments of health").all()
    # Hòa Bình's 2018 life expectancy of 12.6 (flagged suspect by its source) is more than five
    # times off its neighbours: the import quarantines it, so it is never shown as data.
    hb = show.show_observations(store_file, "Hòa Bình", "life_expectancy").set_index("year")
    assert 2018 not in hb.index
    quarantine = pd.read_csv(store.quarantine_path(store_file))
    assert quarantine["reason"].str.contains("life_expectancy in Hòa Bình 2018 is implausible").any()


def test_cli_show_csv_and_no_store_created(store_file, tmp_path):
    runner = CliRunner()
    missing = tmp_path / "none.duckdb"
    got = runner.invoke(cli.cli, ["--store", str(missing), "data", "show", "--geo", "Hà Nam"])
    assert got.exit_code != 0 and "no store" in got.output and not missing.exists()
    tidy = tmp_path / "t.csv"
    tidy.write_text(
        "geo,indicator,year,value,note\nHà Nam,imr,2015,12.8,\nHà Nam,imr,2016,12.6,LOW confidence\n"
    )
    store.import_files([tidy], store_file)
    got = runner.invoke(
        cli.cli, ["--store", str(store_file), "data", "show", "--geo", "Ha Nam", "--format", "csv"]
    )
    assert got.exit_code == 0, got.output
    df = pd.read_csv(io.StringIO(got.output), keep_default_na=False)
    assert df["quality"].tolist() == ["", "low_confidence"] and df["used"].tolist() == [True, True]
