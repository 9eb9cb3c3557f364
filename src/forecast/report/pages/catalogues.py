"""The gettext message catalogues of the reports: read, extracted from the code, updated, checked.

The catalogues are ``locale/<lang>/LC_MESSAGES/forecast.po`` beside this module, one per language
(``vi``, ``en``; a new language is a new folder). A message id is a key (``brief_title``,
``category.likely``, ``index.title``); its ``msgstr`` is the text in that language, with ``{fields}``
that :func:`forecast.report.pages.text.t` fills in. The ``.po`` files are read at run time (Babel's
``read_po``, cached), so an edited catalogue takes effect without a build step; compiled ``.mo``
files are by-products for other gettext tools (``make i18n``), never read here.

Maintenance (``make i18n`` runs ``python -m forecast.report.pages.catalogues update``, then
``pybabel compile --statistics``):

- ``update`` extracts with Babel the message ids the code and the notebooks name literally
  (``t("key", ...)``, ``heading_html("key", ...)``, ``list_section("key", ...)``, ``N_("key")``),
  writes the template ``forecast.pot`` (every id of the code and of any catalogue, the English text
  as a translator's note) and adds every id a catalogue lacks to it, empty, for a translator to fill.
  An id is never dropped: remove an unused message from every ``.po`` file by hand.
- ``check`` lists every problem that fails ``tests/report/pages/test_catalogues.py``: an id missing,
  empty or fuzzy in a language, ``{fields}`` that differ from the English text, a catalogue that
  does not compile.
"""

from __future__ import annotations

import ast
import io
import json
import re
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from forecast import config

LOCALE_DIR = Path(__file__).resolve().with_name("locale")
DOMAIN = "forecast"
#: The reference catalogue: its text is the fallback of an untranslated message and the
#: translator's note of the template.
SOURCE_LANG = "en"
#: Functions whose first argument is a message id (Babel keyword specs).
KEYWORDS: dict[str, Any] = {"t": None, "N_": None, "heading_html": None, "list_section": None}
_FIELD = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)[^{}]*\}")


def po_path(lang: str) -> Path:
    """The catalogue file of ``lang``."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalogue_langs() -> tuple[str, ...]:
    """The languages that have a catalogue: ``vi`` and ``en`` first, then the others by code."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    first = [lang for lang in ("vi", "en") if lang in found]
    return (*first, *(lang for lang in found if lang not in first))


def read(lang: str) -> Catalog:
    """The catalogue of ``lang`` as Babel reads it."""
    with po_path(lang).open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


@cache
def messages(lang: str) -> dict[str, str]:
    """Message id -> text of ``lang``'s catalogue; untranslated and fuzzy entries are left out."""
    return {str(m.id): str(m.string) for m in read(lang) if m.id and m.string and not m.fuzzy}


def fields(text: str) -> set[str]:
    """The ``{fields}`` of a message text (``"{name} ({year})"`` -> ``{"name", "year"}``)."""
    return set(_FIELD.findall(text))


def _literal_ids(node: ast.expr) -> list[str]:
    """The string constants an argument can be: ``"a"``, or both arms of ``"a" if c else "b"``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literal_ids(node.body) + _literal_ids(node.orelse)
    return []


def extract_ids(fileobj: Any, keywords: Any, comment_tags: Any, options: Any) -> Iterator[Any]:
    """Babel extraction method: the literal first argument of every call of a keyword function.

    Only a string constant (or both arms of a conditional) counts; an id built at run time
    (``t(f"kind_{kind}")``) is none. Python files and notebooks (their code cells) alike.
    """
    source = fileobj.read().decode("utf-8")
    if getattr(fileobj, "name", "").endswith(".ipynb"):
        cells = json.loads(source).get("cells", [])
        source = "\n".join("".join(c.get("source", "")) for c in cells if c.get("cell_type") == "code")
        source = re.sub(r"(?m)^\s*[%!].*$", "", source)  # magics and shell escapes are no Python
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in keywords:
                for key in _literal_ids(node.args[0]):
                    yield node.lineno, name, key, []


def code_ids(root: Path | None = None) -> set[str]:
    """The message ids the report code and the notebooks name literally (Babel's extraction)."""
    root = root or config.PROJ_ROOT
    method = f"{__name__}:extract_ids"
    found: set[str] = set()
    for folder in (root / "src" / "forecast" / "report", root / "notebooks"):
        if folder.is_dir():
            for _file, _line, message, _comments, _context in extract_from_dir(
                str(folder), [("**.py", method), ("**.ipynb", method)], keywords=KEYWORDS
            ):
                found.add(message if isinstance(message, str) else message[0])
    return found


def template(ids: set[str]) -> Catalog:
    """The template ``forecast.pot``: every id, the English text as a note for translators."""
    english = messages(SOURCE_LANG)
    pot = Catalog(domain=DOMAIN, project="forecast-workbench", fuzzy=False)
    for key in sorted(ids):
        pot.add(key, "", auto_comments=[english[key]] if key in english else [])
    return pot


def _write(catalog: Catalog, path: Path) -> None:
    # One line per message, sorted, no source locations: additions by several people rarely meet.
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, sort_output=True, no_location=True, omit_header=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def update(langs: tuple[str, ...] | None = None) -> dict[str, int]:
    """Write the template and add the ids a catalogue lacks to it (empty); return the ids added per language."""
    langs = langs or catalogue_langs()
    ids = code_ids() | {key for lang in langs for key in (str(m.id) for m in read(lang)) if key}
    _write(template(ids), LOCALE_DIR / f"{DOMAIN}.pot")
    added = {}
    for lang in langs:
        catalog = read(lang)
        missing = sorted(ids - {str(m.id) for m in catalog})
        for key in missing:
            catalog.add(key, "")
        added[lang] = len(missing)
        if missing:
            _write(catalog, po_path(lang))
    messages.cache_clear()
    return added


def problems(langs: tuple[str, ...] | None = None) -> list[str]:
    """Every problem of the catalogues: a missing, empty or fuzzy message, fields unlike the English."""
    langs = langs or catalogue_langs()
    english = messages(SOURCE_LANG)
    found = [f"the code uses {key!r}, which is in no catalogue" for key in sorted(code_ids() - set(english))]
    for lang in langs:
        catalog = read(lang)
        entries = {str(m.id): m for m in catalog if m.id}
        for key in sorted(set(english) | set(entries)):
            m = entries.get(key)
            if m is None or not m.string or m.fuzzy:
                what = "missing" if m is None else "fuzzy" if m.fuzzy else "empty"
                found.append(f"{po_path(lang)}: {key!r} is {what}; write its {lang} text")
            elif key in english and fields(str(m.string)) != fields(english[key]):
                found.append(
                    f"{po_path(lang)}: {key!r} has fields {sorted(fields(str(m.string)))}, "
                    f"the English text {sorted(fields(english[key]))}"
                )
        found += [f"{po_path(lang)}: {error}" for _m, errors in catalog.check() for error in map(str, errors)]
        write_mo(io.BytesIO(), catalog)  # compiles, or raises
    return found


def main(argv: list[str]) -> int:
    """``python -m forecast.report.pages.catalogues update|check``."""
    command = argv[0] if argv else "check"
    if command == "update":
        for lang, n in update().items():
            sys.stderr.write(f"{po_path(lang)}: {n} new message(s) to translate\n")
    found = problems()
    for line in found:
        sys.stderr.write(line + "\n")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
