"""Maps and peers: the polygons are coloured by the values given, the province outlined, credit shown."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.assess import peers
from forecast.registry import boundaries, geo
from forecast.report.pages import maps, plots, views


def _by_gid(ax, gid):
    return [c for c in ax.get_children() if c.get_gid() == gid]


@pytest.mark.parametrize("scope,n", [("old", 63), ("merged", 34)])
def test_boundaries_are_the_scopes_provinces(scope, n):
    shapes = boundaries.boundaries(scope)
    assert len(shapes) == n and set(shapes["geo"]) == set(geo.provinces_in_scope(scope))


def test_choropleth_colours_each_province_by_its_value_and_outlines_one(shared_data):
    data = pd.read_csv(shared_data / "vn_provinces.csv")
    values = data[(data["indicator"] == "imr") & (data["year"] == 2016)][["geo", "value"]]
    values = values[values["geo"].isin(geo.provinces_in_scope("old"))]
    fig = maps.choropleth(
        values, "old", lang="vi", title="IMR", label="‰", highlight="Hà Nam", direction="lower"
    )
    ax = fig.axes[0]
    (polygons,) = _by_gid(ax, "provinces")
    colours = polygons.get_facecolor()
    order = boundaries.boundaries("old")["geo"].tolist()
    best, worst = values.loc[values["value"].idxmin(), "geo"], values.loc[values["value"].idxmax(), "geo"]
    assert colours[order.index(best)][1] > colours[order.index(best)][0]  # the lowest IMR is green
    assert colours[order.index(worst)][0] > colours[order.index(worst)][1]  # the highest red
    assert len(_by_gid(ax, "highlight")) == 1
    (credit,) = _by_gid(ax, "credit")
    assert "geoBoundaries (www.geoboundaries.org)" in credit.get_text() and credit.get_text().startswith(
        "Ranh giới"
    )
    bar = fig.axes[1]
    scale = plots.PRINT_WIDTH_IN / fig.get_figwidth()
    assert min(x.get_fontsize() for x in bar.get_xticklabels()) * scale >= 7.0


def test_a_province_without_a_value_is_grey_and_said_so():
    values = pd.DataFrame({"geo": ["Hà Nam", "Nam Định"], "value": [1.0, 2.0]})
    fig = maps.choropleth(values, "old", lang="vi")
    ax = fig.axes[0]
    colours = _by_gid(ax, "provinces")[0].get_facecolor()
    order = boundaries.boundaries("old")["geo"].tolist()
    np.testing.assert_allclose(colours[order.index("Lào Cai")][:3], [0xEC / 255, 0xEF / 255, 0xF1 / 255])
    assert [x.get_text() for x in ax.get_legend().get_texts()] == ["chưa có số liệu"]


def test_peers_section_of_an_old_and_a_merged_province(default_run):
    run, obs, _ = default_run
    for province, scope in (("Hà Nam", "old"), ("Ninh Bình (mới)", "merged")):
        view = views.province_view(run, obs, None, province)
        html = views.peers_section(view, obs, "vi")
        assert "Vị trí so với các tỉnh" in html and 'class="peers"' in html and 'class="figure map"' in html
        mine = peers.province_ranks(peers.peer_ranks(obs, scope), province)
        assert html.count("<tr data-series=") == len(mine) > 3


def test_verdict_maps_count_the_verdict_tier_of_every_brief(default_run):
    run, _, _ = default_run
    a = run.assessments[run.assessments["kind"] == "outcome"]
    fig = maps.verdict_maps(a, "vi")
    old, merged = fig.axes[0], fig.axes[1]
    counts = {x.get_gid(): x.get_text() for x in old.texts if str(x.get_gid()).startswith("count:")}
    shares = maps.verdict_shares(a).set_index("geo")
    assert counts["count:Hà Nam"] == f"{shares.loc['Hà Nam', 'met']}/{shares.loc['Hà Nam', 'n']}"
    assert any(str(x.get_gid()) == "count:Ninh Bình (mới)" for x in merged.texts)
    assert len(_by_gid(old, "provinces")[0].get_facecolor()) == 63
    assert len(_by_gid(merged, "provinces")[0].get_facecolor()) == 34
