"""Executed notebooks to single-file HTML pages: policy briefs without code, analyst pages with it.

One :class:`nbconvert.HTMLExporter` per process and flavour (built once, reused for every page).
The exporter uses nbconvert's lean ``basic`` template, which gives the cells only; :func:`render_page`
wraps them in the workbench's own page (``templates/page.html.j2``: UTF-8, ``lang``, a font stack with
Vietnamese diacritics, one small stylesheet, a provenance footer). Nothing is loaded from the network:
figures are ``data:`` URIs and no script, stylesheet or font is fetched.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from forecast.log import logger
from forecast.report.pages.html import scorecard_columns_css

if TYPE_CHECKING:
    import nbformat
    from nbconvert import HTMLExporter

#: Cells dropped from policy briefs besides every input (papermill's parameters and analyst notes).
POLICY_REMOVE_TAGS = frozenset({"analyst-only", "injected-parameters", "parameters"})

# src/href that would reach outside the file (anything but data:, fragments and relative links).
_REF = re.compile(
    r"<(img|script|link|iframe|source|video|audio)\b[^>]*?\b(src|href)\s*=\s*[\"']([^\"']*)[\"']",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)
def clean_html(element: str | bytes) -> str:
    """nbconvert's ``clean_html`` filter (bleach), remembered: a page's code cells are its siblings'.

    The template cleans every highlighted code cell and markdown cell with bleach, a third of an
    analyst page's rendering; the 67 deep dives of a quarter share all their cells but the
    parameters, so a worker cleans each cell once. The same text gives the same HTML.
    """
    from nbconvert.filters import clean_html as clean

    return clean(element)


@lru_cache(maxsize=2)
def exporter(policy: bool) -> HTMLExporter:
    """Return this process's exporter for policy (``True``) or analyst (``False``) pages.

    Policy pages exclude every input and the cells tagged :data:`POLICY_REMOVE_TAGS`; analyst pages
    keep the code (syntax-highlighted) but no prompts.
    """
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exp = HTMLExporter(
        filters={"clean_html": clean_html},
        template_name="basic",
        embed_images=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_input=policy,
        exclude_anchor_links=True,
    )
    if policy:
        exp.register_preprocessor(
            TagRemovePreprocessor(remove_cell_tags=set(POLICY_REMOVE_TAGS)), enabled=True
        )
    return exp


def policy_outputs(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of ``nb`` without stderr streams and error outputs (warnings are for analysts)."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell.outputs = [
                o
                for o in cell.get("outputs", [])
                if o.get("output_type") != "error"
                and not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
    return nb


#: The paragraph that starts a markdown cell's English part (the Vietnamese comes first).
ENGLISH_MARK = "*English:*"


def one_language(nb: nbformat.NotebookNode, lang: str) -> nbformat.NotebookNode:
    """Return a copy of ``nb`` whose bilingual markdown cells keep only ``lang``'s part.

    A bilingual cell is written ``# Tiêu đề / Title``, the Vietnamese paragraphs, then the English
    ones from a paragraph starting with :data:`ENGLISH_MARK`. A Vietnamese page keeps the first
    part and the heading's Vietnamese half, any other page the English. Other cells are untouched.
    """
    out = copy.deepcopy(nb)
    for cell in out.cells:
        if cell.get("cell_type") == "markdown" and ENGLISH_MARK in cell.source:
            cell.source = _one_language(cell.source, lang)
    return out


def _one_language(source: str, lang: str) -> str:
    vi, en = source.split(ENGLISH_MARK, 1)
    lines = vi.rstrip().splitlines()
    heading = lines[0] if lines and lines[0].startswith("#") else ""
    body = "\n".join(lines[1:] if heading else lines).strip()
    if heading and " / " in heading:
        hashes, title = heading.split(" ", 1)
        vi_title, en_title = title.split(" / ", 1)
        heading = f"{hashes} {vi_title.strip() if lang == 'vi' else en_title.strip()}"
    part = body if lang == "vi" else en.strip()
    return f"{heading}\n\n{part}".strip() if heading else part


def render_body(nb: nbformat.NotebookNode, *, policy: bool, base_dir: str | Path | None = None) -> str:
    """Return the cells of executed notebook ``nb`` as an HTML fragment.

    Parameters
    ----------
    nb
        An executed notebook.
    policy
        ``True`` for a policy brief (no code, no analyst-only cells, no warnings).
    base_dir
        Folder that relative image links in markdown cells are read from (they are embedded).
    """
    if policy:
        nb = policy_outputs(nb)
    meta = {"metadata": {"path": str(base_dir)}} if base_dir else {}
    body, _ = exporter(policy).from_notebook_node(nb, resources=meta)
    return body


#: Where ``style.css`` takes the scorecard's columns (:data:`forecast.report.pages.html.SCORECARD_COLUMNS_CSS`).
SCORECARD_MARKER = "/* @scorecard-columns */"


@lru_cache(maxsize=2)
def _stylesheet(code: bool) -> str:
    folder = resources.files("forecast.report.publish") / "templates"
    css = (folder / "style.css").read_text(encoding="utf-8")
    # the scorecard's columns are stated once, where JupyterLab's copy of them is made too
    css = css.replace(SCORECARD_MARKER, scorecard_columns_css())
    if code:  # policy pages carry no code, so no code styles either
        from pygments.formatters import HtmlFormatter

        css += (folder / "code.css").read_text(encoding="utf-8")
        css += HtmlFormatter(style="default").get_style_defs(".highlight")
    return css


@lru_cache(maxsize=1)
def _page_template():
    import jinja2

    text = (resources.files("forecast.report.publish") / "templates" / "page.html.j2").read_text(
        encoding="utf-8"
    )
    return jinja2.Environment(autoescape=True, keep_trailing_newline=True).from_string(text)


@dataclass(frozen=True)
class PrintMarks:
    """What every printed page carries in its margins (CSS paged media, ``@page`` margin boxes).

    Headless Chromium (131 and later) lays out ``@top-left`` … ``@bottom-right`` boxes with the
    ``page`` and ``pages`` counters, whatever prints the page (``--print-to-pdf`` or the DevTools
    protocol), so the marks travel with the page itself, not with the printer's options.
    ``page_label`` holds ``{page}`` and ``{pages}`` (``"Trang {page}/{pages}"``).
    """

    top_left: str
    top_right: str
    bottom_left: str
    page_label: str


#: The page's font stack (``style.css``), for the margin boxes, which do not inherit from ``<html>``.
FONTS = '"Noto Sans", "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal: quotes and backslashes escaped, no line break, no ``<``
    (a ``</style>`` inside it would end the stylesheet)."""
    clean = re.sub(r"[\r\n\t]+", " ", str(text)).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + clean.replace("<", "\\3C ") + '"'


def _counters(label: str) -> str:
    """``"Trang {page}/{pages}"`` -> ``"Trang " counter(page) "/" counter(pages)`` (CSS ``content``)."""
    parts = re.split(r"(\{page\}|\{pages\})", label)
    out = [f"counter({p[1:-1]})" if p in ("{page}", "{pages}") else _css_string(p) for p in parts if p]
    return " ".join(out)


def print_css(marks: PrintMarks | None) -> str:
    """The ``@page`` rules that print ``marks`` in the page margins ("" without marks)."""
    if marks is None:
        return ""
    box = f"font-family: {FONTS}; font-size: 7pt; color: #5b6775;"
    return (
        "@page {\n"
        f"  @top-left {{ content: {_css_string(marks.top_left)}; {box} vertical-align: bottom; }}\n"
        f"  @top-right {{ content: {_css_string(marks.top_right)}; {box} vertical-align: bottom; }}\n"
        f"  @bottom-left {{ content: {_css_string(marks.bottom_left)}; {box} vertical-align: top; }}\n"
        f"  @bottom-right {{ content: {_counters(marks.page_label)}; {box} vertical-align: top; "
        "white-space: nowrap; }\n"
        "}\n"
    )


def render_page(
    body: str,
    *,
    title: str,
    lang: str,
    footer: list[tuple[str, str]],
    code: bool = False,
    kind: str = "brief",
    marks: PrintMarks | None = None,
) -> str:
    """Wrap an HTML fragment into a complete, self-contained page.

    Parameters
    ----------
    body
        Trusted HTML (the exporter's output or the index built by :mod:`forecast.report`).
    title, lang
        The page title (any Unicode) and its language code (``vi`` or ``en``).
    footer
        ``(label, value)`` pairs shown at the bottom (escaped).
    code
        Include the syntax-highlighting styles (analyst pages).
    kind
        CSS class of ``<body>``: ``brief``, ``analyst`` or ``index``.
    marks
        The issuing unit, issue date, run id and page numbers printed on every page (:class:`PrintMarks`).
    """
    from markupsafe import Markup

    from forecast import __version__

    return _page_template().render(
        body=Markup(body),
        title=title,
        lang=lang,
        footer=footer,
        css=Markup(_stylesheet(code) + print_css(marks)),
        kind=kind,
        version=__version__,
    )


def external_refs(html: str) -> list[str]:
    """Return every ``src``/``href`` of an image, script, stylesheet or frame that leaves the file.

    ``data:`` URIs and in-page ``#`` anchors are self-contained; anything else (``http://``, a file
    beside the page) would break once the page is e-mailed.
    """
    return [m.group(3) for m in _REF.finditer(html) if not m.group(3).startswith(("data:", "#"))]


def write_page(path: Path, html: str) -> None:
    """Write ``html`` as UTF-8 to ``path`` (creating its folder) and warn about external references."""
    refs = external_refs(html)
    if refs:
        logger.warning(
            "%s refers to %d external resource(s), e.g. %s; it will not work offline",
            path.name,
            len(refs),
            refs[0],
        )
    # Only the last folder is created: a page never resurrects a deleted work folder above it.
    path.parent.mkdir(exist_ok=True)
    path.write_text(html, encoding="utf-8")
