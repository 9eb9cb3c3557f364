"""A worker's warm kernel: notebooks one after another in one kernel, each as from a fresh one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from papermill.exceptions import PapermillExecutionError

from forecast.report.publish import kernels

NB = Path(__file__).resolve().parents[2] / "notebooks"


def _notebook(tmp_path: Path, name: str, *cells: str) -> Path:
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {"tags": ["parameters"]},
                "source": "x = 0",
                "outputs": [],
                "execution_count": None,
            },
            *[
                {"cell_type": "code", "metadata": {}, "source": c, "outputs": [], "execution_count": None}
                for c in cells
            ],
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 4,
    }
    path = tmp_path / name
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


@pytest.fixture
def warm():
    kernel = kernels.WarmKernel(extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
    yield kernel
    kernel.shutdown()


def _text(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


def test_notebooks_share_one_kernel_but_never_a_namespace(warm, tmp_path):
    first = _notebook(tmp_path, "a.ipynb", "left_over = x * 2\nimport os\nprint(os.getpid())")
    second = _notebook(tmp_path, "b.ipynb", "import os\nprint(os.getpid(), 'left_over' in dir())")
    a = warm.execute(first, {"x": 21}, execution_timeout=60)
    b = warm.execute(second, {"x": 1}, execution_timeout=60)
    pid_a, (pid_b, seen) = _text(a).split()[0], _text(b).split()
    assert pid_a == pid_b and seen == "False" and warm.started == 1 and warm.notebooks == 2


def test_a_page_looks_as_from_a_fresh_kernel(warm, tmp_path):
    path = _notebook(tmp_path, "c.ipynb", "y = x + 1", "y")
    for _ in range(2):
        nb = warm.execute(path, {"x": 41}, execution_timeout=60)
        counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1))  # "In [1]" … as papermill's fresh kernel
        assert nb.cells[-1].outputs[0]["data"]["text/plain"] == "42"
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1 and "x = 41" in injected[0].source
        assert all("duration" in c.metadata.papermill for c in nb.cells)  # papermill's cell timings


def test_what_outlives_the_reset_is_frozen_and_a_notebooks_garbage_still_collected(warm, tmp_path):
    # a cycle made by the page is freed by a collection; the imported modules are no longer walked
    cells = "import gc, weakref\nclass C: ...\nc = C()\nc.me = c\nref = weakref.ref(c)\ndel c\ngc.collect()"
    path = _notebook(tmp_path, "g.ipynb", cells, "print(gc.get_freeze_count() > 1000, ref() is None)")
    for _ in range(2):
        assert _text(warm.execute(path, {"x": 0}, execution_timeout=60)).split() == ["True", "True"]


def test_a_failed_notebook_keeps_its_error_and_the_next_gets_a_new_kernel(warm, tmp_path):
    with pytest.raises(PapermillExecutionError) as err:
        warm.execute(NB / "broken.ipynb", {"province": "Lào Cai"}, execution_timeout=60)
    assert err.value.ename == "ValueError" and "Lào Cai" in err.value.evalue
    assert any("papermill-error-cell-tag" in c.metadata.get("tags", []) for c in warm.last.cells)
    assert warm.kc is None  # stopped: whatever the notebook left behind goes with it
    nb = warm.execute(NB / "good.ipynb", {"msg": "a", "repeat": 3}, execution_timeout=60)
    assert _text(nb).strip() == "aaa" and warm.started == 2


def test_the_worker_kernel_is_made_once(monkeypatch):
    monkeypatch.setattr(kernels, "_WARM", None)
    assert not kernels.enabled()
    first = kernels.warm_kernel([])
    assert kernels.warm_kernel([]) is first and kernels.enabled()
