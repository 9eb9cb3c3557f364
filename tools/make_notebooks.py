"""Write the report notebooks (notebooks/*.ipynb) and the test fixtures (tests/notebooks/{good,broken}).

The notebooks hold narrative and library calls only: no ``def``/``class``, exactly one cell tagged
``parameters`` written ``name: type = value  # help`` (so ``papermill --help-notebook`` documents
it), and no outputs. Cells tagged ``analyst-only`` are dropped from policy briefs by the renderer;
every word a reader of a brief sees is an output of :mod:`forecast.brief`.

Usage: ``python tools/make_notebooks.py`` (rewrites the files; run it after editing the cells here).
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
ANALYST_ONLY = "analyst-only"

SETUP = """\
from IPython.display import display

from forecast import brief, plots, runs
from forecast import store as store_db
from forecast import targets as registry"""

PROVINCE_BRIEF = [
    new_markdown_cell(
        "**Province policy brief / Bản tin chính sách tỉnh** (analyst notes, dropped from the brief).\n\n"
        "Reads the latest stored run (or `run_id`), the province's observations and its plan from the "
        "target registry. Every heading and sentence the reader sees is an output of `forecast.brief`, "
        "in `lang` (`vi` or `en`): the policy brief is rendered without code cells.",
        metadata={"tags": [ANALYST_ONLY]}),
    new_code_cell(
        'province: str = "Hà Nam"  # province as named in its plan\n'
        'quarter: str = "2026Q4"  # quarter of the report, e.g. 2026Q4\n'
        'lang: str = "vi"  # language of the brief: vi or en\n'
        'run_id: str = ""  # stored run to report (empty: the latest run)\n'
        'store: str = ""  # store file (empty: the default store)\n'
        'targets: str = ""  # target registry CSV (empty: data/targets.csv)',
        metadata={"tags": ["parameters"]}),
    new_code_cell(
        SETUP + "\n\n"
        "run = runs.load_run(store or None, run_id or None)\n"
        "observations = store_db.analysis_series(store or None)  # regional proxies need their region\n"
        "plan = registry.load_targets(targets or None)\n"
        "view = brief.province_view(run, observations, plan, province)"),
    new_code_cell("display(brief.title_html(view.province, quarter, lang), brief.run_info_html(run, lang))"),
    new_code_cell("display(brief.scorecard_section(view, lang))"),
    new_code_cell(
        "panels = brief.fan_panels(view, lang)\n"
        'display(brief.heading_html("fan_charts", lang, when=bool(panels)))\n'
        "for title, series_obs, series_fc, series_targets in panels:\n"
        "    display(brief.figure_html(plots.fan_chart(series_obs, series_fc, series_targets, lang=lang,\n"
        "                                              title=title)))"),
    new_code_cell('display(brief.list_section("what_it_takes", brief.what_it_takes(view.assessments, lang), lang))'),
    new_code_cell('display(brief.list_section("caveats", brief.caveats(view.plan, view.assessments, lang), lang))'),
]

INDICATOR = [
    new_markdown_cell(
        "# Deep dive: one indicator of one province\n\n"
        "Every model's forecast side by side, back-test errors and interval coverage, the "
        "sensitivity of the observed rate of change (AARR) to its window, and the data. Models are "
        "fitted by `forecast.models` / `forecast.backtest` on every province's series of the "
        "indicator, as in the quarterly run; this notebook only calls them.",
        metadata={"tags": [ANALYST_ONLY]}),
    new_code_cell(
        'province: str = "Hà Nam"  # province as named in its plan\n'
        'indicator: str = "imr"  # indicator code from data/indicators.csv\n'
        'quarter: str = "2026Q4"  # quarter of the report, e.g. 2026Q4\n'
        'run_id: str = ""  # stored run to report (empty: the latest run)\n'
        'store: str = ""  # store file (empty: the default store)\n'
        'lang: str = "vi"  # language of labels: vi or en\n'
        'compare: str = "naive,drift,aarr,trend,wtrend,theta,dholt,pooled,ensemble"  # models compared\n'
        'horizon: int = 5  # years held out in the back-test',
        metadata={"tags": ["parameters"]}),
    new_code_cell(
        SETUP.replace("from forecast import brief, plots, runs",
                      "from forecast import assess, backtest, brief, models, plots, runs") + "\n\n"
        "run = runs.load_run(store or None, run_id or None)\n"
        "view = brief.province_view(run, store_db.analysis_series(store or None), None, province)\n"
        "series, series_obs, series_fc, series_targets = brief.series_view(view, indicator)\n"
        "panel = store_db.analysis_series(store or None, indicator=series)\n"
        'model_names = compare.split(",")\n'
        "display(brief.indicator_title_html(view.province, indicator, quarter, lang), brief.run_info_html(run, lang))\n"
        "display(brief.scorecard_html(series_targets, lang) if len(series_targets) else "
        'brief.paragraph_html(series))'),
    new_code_cell(
        'display(brief.heading_html("models", lang))\n'
        "every_model = models.forecast_panel(panel, years=range(int(panel['year'].max()) + 1, 2036),\n"
        "                                    models=model_names)\n"
        "series_geo = series_obs['geo'].iloc[0]  # the region for a regional proxy\n"
        "mine = every_model[every_model['geo'] == series_geo]\n"
        "display(brief.figure_html(plots.model_comparison(series_obs, mine, series_targets, lang=lang)))\n"
        "mine[mine['year'].isin(series_targets['year'])].pivot_table(index='model', columns='year',\n"
        "                                                            values=['q10', 'q50', 'q90']).round(2)"),
    new_code_cell(
        'display(brief.heading_html("backtest", lang))\n'
        "origin = int(series_obs['year'].max()) - horizon\n"
        "held_out = backtest.backtest(panel, origin, horizon, model_names)\n"
        "mine_held_out = held_out[held_out['geo'] == series_geo]\n"
        "display(backtest.evaluate(mine_held_out, series_obs).round(3) if len(mine_held_out)\n"
        "        else brief.paragraph_html(brief.t('no_backtest', lang, origin=origin)))\n"
        "backtest.evaluate(held_out, panel).round(3)  # every province's series of the indicator"),
    new_code_cell(
        'display(brief.heading_html("sensitivity", lang))\n'
        "required = series_targets['rate_required'].dropna()\n"
        "rates = assess.rate_windows(series_obs, rate_required=required.iloc[0] if len(required) else float('nan'))\n"
        "display(brief.figure_html(plots.rate_sensitivity(rates, lang)))\n"
        "rates.round(2)"),
    new_code_cell(
        'display(brief.heading_html("data_table", lang))\n'
        "series_obs[['geo', 'indicator', 'year', 'value', 'unit', 'source', 'definition']]"),
]

OVERVIEW = [
    new_markdown_cell(
        "# Overview of the quarter\n\nCategories across provinces × indicators, the distribution of "
        "P(attain), the national series and what changed since the previous quarter's run.",
        metadata={"tags": [ANALYST_ONLY]}),
    new_code_cell(
        'quarter: str = "2026Q4"  # quarter of the report, e.g. 2026Q4\n'
        'run_id: str = ""  # stored run to report (empty: the latest run)\n'
        'store: str = ""  # store file (empty: the default store)\n'
        'lang: str = "vi"  # language of labels: vi or en',
        metadata={"tags": ["parameters"]}),
    new_code_cell(
        SETUP.replace("\nfrom forecast import targets as registry", "").replace(
            "from forecast import brief", "from forecast import brief, geo") + "\n\n"
        "run = runs.load_run(store or None, run_id or None)\n"
        "previous = runs.previous_run(store or None, run)\n"
        "changes = None if previous is None else runs.compare_runs(previous.assessments, run.assessments)\n"
        "display(brief.overview_title_html(quarter, lang), brief.run_info_html(run, lang))"),
    new_code_cell(
        'display(brief.heading_html("heatmap", lang), brief.figure_html(plots.category_heatmap(run.assessments, lang)))\n'
        'display(brief.heading_html("p_attain_dist", lang), brief.figure_html(plots.p_attain_hist(run.assessments, lang)))'),
    new_code_cell(
        'display(brief.heading_html("national", lang))\n'
        'national = geo.resolve_geo("VN")\n'
        "for title, series_obs, series_fc, series_targets in brief.series_panels(\n"
        "        store_db.analysis_series(store or None, geo=national), run.forecasts, national, lang):\n"
        "    display(brief.figure_html(plots.fan_chart(series_obs, series_fc, series_targets, lang=lang,\n"
        "                                              title=title)))"),
    new_code_cell(
        'display(brief.heading_html("changes", lang),\n'
        '        brief.changes_html(changes, lang, previous.run_id if previous is not None else ""))'),
]

GOOD = [
    new_code_cell('msg: str = "Xin chào"  # greeting to print\nrepeat: int = 2  # times to print it',
                  metadata={"tags": ["parameters"]}),
    new_code_cell("print(msg * repeat)"),
]

BROKEN = [
    new_code_cell('province: str = "Hà Nam"  # province as named in its plan',
                  metadata={"tags": ["parameters"]}),
    new_code_cell('print("starting")'),
    new_code_cell('raise ValueError(f"broken on purpose for {province}")'),
]

NOTEBOOKS = {
    ROOT / "notebooks" / "province_brief.ipynb": PROVINCE_BRIEF,
    ROOT / "notebooks" / "indicator.ipynb": INDICATOR,
    ROOT / "notebooks" / "overview.ipynb": OVERVIEW,
    ROOT / "tests" / "notebooks" / "good.ipynb": GOOD,
    ROOT / "tests" / "notebooks" / "broken.ipynb": BROKEN,
}


def write(path: Path, cells: list) -> None:
    """Write ``cells`` as a notebook with no outputs, stable cell ids and the python3 kernel."""
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    nbformat.validate(nb)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


if __name__ == "__main__":
    for target, notebook_cells in NOTEBOOKS.items():
        write(target, notebook_cells)
