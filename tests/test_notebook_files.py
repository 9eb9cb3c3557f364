"""Notebooks as files: committed the way JupyterLab writes them, so opening and saving leaves git clean.

JupyterLab saves a notebook with ``nbformat.writes`` (one-space indent, sorted keys, a final
newline) and, once its kernel has started, the kernel's ``kernelspec`` and ``language_info``.
A committed notebook that differs in any of these shows as modified (and the tab as unsaved)
as soon as it is opened. The browser test (tests/test_jupyterlab.py) opens and saves each one
through a real JupyterLab; these checks need no server.
"""

from __future__ import annotations

import copy

import nbformat
import pytest

from forecast import config

NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_byte_identical_to_what_jupyter_writes(path):
    text = path.read_text(encoding="utf-8")
    assert nbformat.writes(nbformat.reads(text, as_version=4)) + "\n" == text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_metadata_is_the_kernels(path):
    from ipykernel.ipkernel import IPythonKernel
    from jupyter_client.kernelspec import KernelSpecManager

    meta = nbformat.read(path, as_version=4).metadata
    spec = KernelSpecManager().get_kernel_spec("python3")
    assert meta.kernelspec == {"display_name": spec.display_name, "language": "python", "name": "python3"}
    expected = {k: v for k, v in IPythonKernel.language_info.items() if k != "version"}
    # the Python version is the kernel's: the JupyterLab test checks it on this machine
    assert {k: v for k, v in meta.language_info.items() if k != "version"} == expected
    assert set(meta) == {"kernelspec", "language_info"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_nbstripout_leaves_a_committed_notebook_unchanged(path):
    """The pre-commit hook (.pre-commit-config.yaml) never rewrites a clean notebook."""
    from nbstripout import strip_output

    nb = nbformat.read(path, as_version=4)
    stripped = strip_output(copy.deepcopy(nb), keep_output=False, keep_count=False, keep_id=True)
    assert nbformat.writes(stripped) == nbformat.writes(nb)


def test_the_hook_runs_nbstripout_keeping_cell_ids():
    import yaml

    hooks = yaml.safe_load((config.PROJ_ROOT / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]
    (hook,) = [h for h in hooks if h["id"] == "nbstripout"]
    assert hook["entry"].split() == ["nbstripout", "--keep-id"] and hook["files"] == r"\.ipynb$"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_cell_says_what_to_change_and_how_to_run(path):
    first = nbformat.read(path, as_version=4).cells[0]
    assert first.cell_type == "markdown"
    assert "đổi ô tiếp theo" in first.source and "Run All" in first.source
    assert "change the next cell" in first.source
