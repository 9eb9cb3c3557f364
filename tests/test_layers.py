"""The house rules: imports run one way between the pipeline's stages, and no module cycles.

Counted are every import of a ``forecast`` module, including those inside functions, read from
the source with :mod:`ast` (nothing is imported).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "forecast"
# Rank of each stage; a module may import only modules of a lower rank, or of its own stage.
# data and engine share a rank but are separate stages: neither imports the other.
RANKS = {
    "errors": 0,
    "log": 0,
    "config": 1,
    "outputs": 1,
    "registry": 2,
    "data": 3,
    "engine": 3,
    "assess": 4,
    "report": 5,
    "pipeline": 6,
    "cli": 7,
}


def _module(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    mod = _module(path)
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("forecast")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base.startswith("forecast"):
                found |= {f"{base}.{a.name}" if _is_module(f"{base}.{a.name}") else base for a in node.names}
    return {m for m in found if m != mod}


def _is_module(name: str) -> bool:
    rel = Path(*name.split(".")[1:])
    return (SRC / rel).with_suffix(".py").exists() or (SRC / rel / "__init__.py").exists()


def _stage(mod: str) -> str:
    parts = mod.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


GRAPH = {_module(p): _imports(p) for p in SRC.rglob("*.py")}


def test_every_stage_has_a_rank():
    assert {_stage(m) for m in GRAPH} - {"__init__"} <= set(RANKS)


@pytest.mark.parametrize("mod", sorted(m for m in GRAPH if _stage(m) != "__init__"))
def test_imports_run_one_way(mod):
    here = _stage(mod)
    bad = [
        m
        for m in GRAPH[mod]
        if _stage(m) not in ("__init__", here)
        and (RANKS[_stage(m)] > RANKS[here] or RANKS[_stage(m)] == RANKS[here])
    ]
    assert not bad, f"{mod} (stage {here}) imports higher or sibling stages: {bad}"


def test_no_import_cycles():
    graph = {m: {d for d in deps if d in GRAPH and d != "forecast"} for m, deps in GRAPH.items()}
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for d in sorted(graph[m]):
            if state.get(d) == 1:
                raise AssertionError(" -> ".join([*path[path.index(d) :], d]))
            if d not in state:
                visit(d, [*path, d])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])


def test_a_lower_stage_importing_a_higher_one_is_caught(tmp_path):
    probe = SRC / "registry" / "_probe_layers.py"
    probe.write_text("from forecast.report.pages import text\n", encoding="utf-8")
    try:
        deps = _imports(probe)
        assert any(_stage(d) == "report" and RANKS["report"] > RANKS["registry"] for d in deps)
    finally:
        probe.unlink()


# The report stage has two rooms: what a page shows (pages) and how pages are produced (publish).
# publish may use pages; pages never use publish (a chart or a sentence knows nothing of kernels,
# folders or PDFs).
ROOMS = {"forecast.report.pages": 0, "forecast.report.publish": 1}


def _room(mod: str) -> str | None:
    return next((r for r in ROOMS if mod == r or mod.startswith(r + ".")), None)


def test_every_report_module_is_in_a_room():
    loose = [m for m in GRAPH if _stage(m) == "report" and m != "forecast.report" and _room(m) is None]
    assert not loose, f"report modules outside report/pages and report/publish: {loose}"


@pytest.mark.parametrize("mod", sorted(m for m in GRAPH if _room(m)))
def test_report_rooms_run_one_way(mod):
    here = ROOMS[_room(mod)]
    bad = [m for m in GRAPH[mod] if _room(m) and ROOMS[_room(m)] > here]
    assert not bad, f"{mod} imports the later room: {bad}"
