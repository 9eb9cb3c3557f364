"""Rendering without a kernel: policy pages drop code and analyst cells, pages are self-contained."""

from __future__ import annotations

import base64
import os

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from forecast.errors import ReportError
from forecast.report.pages import html as pages_html
from forecast.report.publish import folder, jobs, render

PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db40000000049454e44ae426082"
    )
).decode()


@pytest.fixture
def executed() -> nbformat.NotebookNode:
    """A notebook as papermill leaves it: injected parameters, a figure, warnings, an analyst cell."""
    cells = [
        new_code_cell('province = "Hà Nam"', metadata={"tags": ["injected-parameters"]}),
        new_markdown_cell("# Báo cáo: Hà Nam"),
        new_code_cell(
            "plot()",
            outputs=[
                new_output("display_data", data={"image/png": PNG}),
                new_output("stream", name="stderr", text="FutureWarning: x"),
            ],
        ),
        new_code_cell(
            "print('secret')",
            metadata={"tags": ["analyst-only"]},
            outputs=[new_output("stream", name="stdout", text="secret analyst detail")],
        ),
    ]
    return new_notebook(cells=cells)


def test_policy_body_has_no_code_no_warnings_no_analyst_cells(executed):
    body = render.render_body(executed, policy=True)
    for needle in (
        "input_area",
        'class="highlight"',
        "jp-InputArea",
        "plot()",
        "province =",
        "secret analyst detail",
        "FutureWarning",
    ):
        assert needle not in body
    assert "Báo cáo: Hà Nam" in body
    assert 'src="data:image/png;base64,' in body


def test_analyst_body_keeps_code(executed):
    body = render.render_body(executed, policy=False)
    assert 'class="highlight' in body and "plot" in body and "secret analyst detail" in body


def test_page_is_utf8_with_lang_font_and_footer():
    page = render.render_page(
        "<h1>Lâm Đồng</h1>",
        title="Lâm Đồng · 2026Q4",
        lang="vi",
        footer=[("Quý", "2026Q4"), ("Tham số", '{"a": "<b>"}')],
    )
    assert page.startswith("<!DOCTYPE html>") and '<html lang="vi">' in page
    assert '<meta charset="utf-8">' in page and "Noto Sans" in page
    assert "<title>Lâm Đồng · 2026Q4</title>" in page and "&lt;b&gt;" in page
    assert render.external_refs(page) == []


def test_markdown_image_beside_the_notebook_is_embedded(tmp_path):
    (tmp_path / "logo.png").write_bytes(base64.b64decode(PNG))
    nb = new_notebook(cells=[new_markdown_cell("![logo](logo.png)")])
    body = render.render_body(nb, policy=True, base_dir=tmp_path)
    assert 'src="data:image/png;base64,' in body and render.external_refs(body) == []


def test_external_refs_finds_network_and_local_files():
    html = (
        '<img src="data:image/png;base64,AA"><img src="http://x/a.png">'
        '<script src="https://cdn/require.js"></script><link rel="stylesheet" href="style.css">'
        '<a href="briefs/ha-nam.html">ok</a>'
    )
    assert render.external_refs(html) == ["http://x/a.png", "https://cdn/require.js", "style.css"]


@pytest.mark.parametrize(
    "name,slug",
    [
        ("Hà Nam", "ha-nam"),
        ("Đồng Nai", "dong-nai"),
        ("Lâm Đồng", "lam-dong"),
        ("TP. Hồ Chí Minh", "tp-ho-chi-minh"),
        ("Bà Rịa–Vũng Tàu", "ba-ria-vung-tau"),
    ],
)
def test_slugify_is_ascii(name, slug):
    assert jobs.slugify(name) == slug


def published(folder, text):
    folder.mkdir()
    (folder / "index.html").write_text(text)
    (folder / "manifest.json").write_text('{"generator": "forecast-workbench"}')


def test_publish_replaces_same_quarter_and_keeps_others(tmp_path):
    published(tmp_path / "2026Q3", "Q3")
    published(tmp_path / "2026Q4", "old")
    tmp = folder.temp_dir(tmp_path, "2026Q4")
    (tmp / "index.html").write_text("new")
    folder.publish(tmp, tmp_path / "2026Q4")
    assert (tmp_path / "2026Q4" / "index.html").read_text() == "new"
    assert (tmp_path / "2026Q3" / "index.html").read_text() == "Q3"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026Q3", "2026Q4"]


def test_publish_puts_the_old_quarter_back_if_the_move_fails(tmp_path, monkeypatch):
    published(tmp_path / "2026Q4", "old")
    tmp = folder.temp_dir(tmp_path, "2026Q4")
    real = os.replace

    def flaky(src, dst):
        if str(src) == str(tmp):
            raise KeyboardInterrupt
        real(src, dst)

    monkeypatch.setattr(folder.os, "replace", flaky)
    with pytest.raises(KeyboardInterrupt):
        folder.publish(tmp, tmp_path / "2026Q4")
    assert (tmp_path / "2026Q4" / "index.html").read_text() == "old"


def test_stale_work_folders_of_dead_runs_are_removed(tmp_path):
    dead = tmp_path / ".2026Q4.tmp-999999999"
    dead.mkdir()
    (dead / folder.WORK_MARKER).write_text("")
    mine = tmp_path / f".2026Q4.tmp-{os.getpid()}"
    mine.mkdir()
    users = tmp_path / ".2026Q4.tmp-999999998"  # named like a work folder, but not ours
    users.mkdir()
    (users / "thesis.docx").write_text("x")
    folder.remove_stale(tmp_path, "2026Q4")
    assert not dead.exists() and mine.exists() and (users / "thesis.docx").exists()


def test_a_user_folder_named_like_the_quarter_is_never_replaced(tmp_path):
    (tmp_path / "2026Q4").mkdir()
    (tmp_path / "2026Q4" / "thesis.docx").write_text("x")
    tmp = folder.temp_dir(tmp_path, "2026Q4")
    with pytest.raises(ReportError, match="2026Q4 exists and is not a report"):
        folder.publish(tmp, tmp_path / "2026Q4")
    assert (tmp_path / "2026Q4" / "thesis.docx").read_text() == "x"


def test_a_quarter_set_aside_by_a_killed_run_is_restored(tmp_path):
    published(tmp_path / ".2026Q4.old-999999999", "published")
    folder.remove_stale(tmp_path, "2026Q4")
    assert (tmp_path / "2026Q4" / "index.html").read_text() == "published"
    assert [p.name for p in tmp_path.iterdir()] == ["2026Q4"]


def test_printed_pages_carry_issuer_date_run_and_page_numbers_in_their_margins():
    from forecast.report.publish.execute import footer, print_marks

    common = {"quarter": "2026Q4", "run": "2026Q4-abc", "issued": "2026-12-03", "data": "d", "versions": "v"}
    marks = print_marks(common, "Hà Nam · quý 4/2026", "vi", "Hà Nam")
    page = render.render_page("<h1>x</h1>", title="x", lang="vi", footer=[], marks=marks)
    css = page[page.index("@page {\n") :]
    assert '@top-left { content: "Sở Y tế tỉnh Hà Nam · Liên hệ: [chưa khai báo' in css
    assert '@top-right { content: "Ngày phát hành: 03/12/2026"' in css
    assert '@bottom-left { content: "Hà Nam · quý 4/2026 · lượt chạy 2026Q4-abc"' in css
    assert '@bottom-right { content: "Trang " counter(page) "/" counter(pages)' in css
    english = print_marks(common, "Hà Nam · Q4 2026", "en", "Hà Nam")
    assert english.top_right == "Issued 3 December 2026" and english.page_label == "Page {page} of {pages}"
    rows = dict(footer(common, {"province": "Hà Nam", "quarter": "2026Q4"}, "vi"))
    assert (
        rows["Đơn vị phát hành"].startswith("Sở Y tế tỉnh Hà Nam") and rows["Ngày phát hành"] == "03/12/2026"
    )


def test_print_marks_cannot_end_the_stylesheet():
    marks = render.PrintMarks('a "quoted" </style><script>', "b\\c", "line\nbreak", "{page}")
    css = render.print_css(marks)
    assert "</style>" not in css and '\\"quoted\\"' in css and "b\\\\c" in css and "line break" in css
    assert render.print_css(None) == ""


BILINGUAL = (
    "# Phân tích sâu một chỉ tiêu / Deep dive: one indicator\n\n"
    "**Cách chạy:** đổi ô tiếp theo, rồi chọn **Run → Run All Cells**.\n\n"
    "Sổ này không ước lượng mô hình nào.\n\n"
    "*English:* *How to run:* change the next cell, then **Run → Run All Cells**.\n\n"
    "Nothing is fitted here."
)


def test_one_language_keeps_the_pages_language_of_a_bilingual_cell():
    nb = new_notebook(
        cells=[new_markdown_cell(BILINGUAL), new_markdown_cell("## Chỉ một ngôn ngữ"), new_code_cell("x = 1")]
    )
    vi, en = render.one_language(nb, "vi"), render.one_language(nb, "en")
    assert vi.cells[0].source == (
        "# Phân tích sâu một chỉ tiêu\n\n**Cách chạy:** đổi ô tiếp theo, rồi chọn **Run → Run All Cells**.\n\n"
        "Sổ này không ước lượng mô hình nào."
    )
    assert en.cells[0].source == (
        "# Deep dive: one indicator\n\n*How to run:* change the next cell, then **Run → Run All Cells**.\n\n"
        "Nothing is fitted here."
    )
    assert render.ENGLISH_MARK not in vi.cells[0].source + en.cells[0].source
    for out in (vi, en):  # other cells untouched, the notebook itself unchanged
        assert out.cells[1].source == "## Chỉ một ngôn ngữ" and out.cells[2].source == "x = 1"
    assert nb.cells[0].source == BILINGUAL


def test_one_language_without_a_heading_or_a_title_pair():
    nb = new_notebook(
        cells=[
            new_markdown_cell("Ghi chú.\n\n*English:* A note."),
            new_markdown_cell("# Tiêu đề\n\nA\n\n*English:* B"),
        ]
    )
    assert [c.source for c in render.one_language(nb, "vi").cells] == ["Ghi chú.", "# Tiêu đề\n\nA"]
    assert [c.source for c in render.one_language(nb, "en").cells] == ["A note.", "# Tiêu đề\n\nB"]


def test_the_scorecards_columns_are_stated_once_for_the_page_and_for_jupyterlab():
    """Both stylesheets write :data:`SCORECARD_COLUMNS_CSS`: a width changed there changes both."""
    css = render._stylesheet(False)
    assert render.SCORECARD_MARKER not in css and pages_html.scorecard_columns_css() in css
    assert pages_html.scorecard_columns_css(".jp-RenderedHTMLCommon ") in pages_html.LAB_STYLE
    assert (
        "min-width: 6rem" in pages_html.scorecard_columns_css()
    )  # the P column (JupyterLab test: P >= 6rem)
