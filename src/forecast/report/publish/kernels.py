"""A warm kernel per worker: notebooks run one after another in one kernel, each in a clean namespace.

Starting a kernel costs about a second and importing the library into it as much again; a report
runs dozens of notebooks per worker. :class:`WarmKernel` starts one kernel (with
:func:`~forecast.report.publish.execute.kernel_manager_class`), and for every notebook clears the
user namespace (``%reset -f``), closes the figures and sets the execution counter back to 1, so
a page comes out as from a fresh kernel, only without the start-up: modules stay imported.

The notebook is parameterised in memory and executed by papermill's own client
(``PapermillNotebookClient``, with papermill's cell timings and error markers), so its cells,
metadata and errors are those ``papermill.execute_notebook`` gives; nothing is read from or
written to disk. A kernel that died, timed out or failed a notebook is shut down and the next
notebook starts a new one.
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import functools
from pathlib import Path
from typing import Any

from forecast.log import logger

__all__ = ["WarmKernel", "kernel_manager_class", "warm_kernel"]

#: Run silently before each notebook: a fresh namespace, no figure left open, counter at 1. The
#: objects that outlive the reset (imported modules, the library's caches) are then moved out of
#: the garbage collector's sight (:func:`gc.freeze`): ``%reset`` ends with a full collection, which
#: otherwise walks every object of pandas, statsmodels and matplotlib again before each notebook
#: (0.19 s of a deep dive's 0.65 s), and so does every automatic full collection during its cells.
RESET = (
    "get_ipython().run_line_magic('reset', '-f')\n"
    "import gc as _gc, sys as _sys\n"
    "if 'matplotlib.pyplot' in _sys.modules:\n"
    "    _sys.modules['matplotlib.pyplot'].close('all')\n"
    "_gc.freeze()\n"
    "del _gc, _sys\n"
    "get_ipython().execution_count = 1\n"
)


@functools.cache
def kernel_manager_class() -> type:
    """jupyter_client's ``AsyncKernelManager``, but a kernel that did not finish starting is stopped.

    nbclient stops the kernel when its *client* cannot connect (``start_new_kernel_client``), but
    not when ``start_kernel`` itself fails after launching the process (e.g. in
    ``post_start_kernel``): that kernel would live on beside the next attempt. Here it is killed
    and its connection file and sockets are removed before the error goes on.
    """
    from jupyter_client import AsyncKernelManager

    class CleanStartKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]
            try:
                await super().start_kernel(**kw)
            except Exception:
                await self._discard()
                raise

        async def _discard(self) -> None:
            try:
                await self.shutdown_kernel(now=True)
            except Exception as e:  # noqa: BLE001 - the start-up error is the one to report
                logger.warning("could not stop a kernel that did not start: %s", e)
                with contextlib.suppress(Exception):
                    await self.cleanup_resources()

    return CleanStartKernelManager


@functools.cache
def _source(path: str, mtime: float) -> Any:
    """The notebook at ``path`` as papermill reads it, once per worker (again when the file changes)."""
    from papermill.iorw import load_notebook_node

    return load_notebook_node(path)


@functools.cache
def _engine() -> Any:
    """papermill's nbclient engine, its client given the started kernel client to use."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine
    from papermill.log import logger as pm_logger

    class WarmClient(PapermillNotebookClient):
        def __init__(self, nb_man: Any, km: Any, kc: Any, **kw: Any) -> None:
            super().__init__(nb_man, km=km, **kw)
            self.kc = kc  # nbclient then neither starts a kernel nor stops this one

    class WarmEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(  # type: ignore[override]
            cls,
            nb_man: Any,
            kernel_name: str,
            *,
            km: Any,
            kc: Any,
            start_timeout: float,
            execution_timeout: float,
            **_: Any,
        ) -> Any:
            client = WarmClient(
                nb_man,
                km,
                kc,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=pm_logger,
                log_output=False,
            )
            return client.execute()

    return WarmEngine


class WarmKernel:
    """One kernel kept for a worker's notebooks (see the module notes)."""

    def __init__(self, kernel_name: str = "python3", extra_arguments: list[str] | None = None) -> None:
        self.kernel_name = kernel_name
        self.extra_arguments = list(extra_arguments or [])
        self.km: Any = None
        self.kc: Any = None
        self.started = 0  # kernels started by this worker (1 when none had to be replaced)
        self.notebooks = 0
        self.last: Any = None  # the notebook last executed, as far as it ran (kept on failure)

    def _start(self, startup_timeout: float) -> None:
        from nbclient import NotebookClient
        from nbformat.v4 import new_notebook

        starter = NotebookClient(
            new_notebook(),
            kernel_name=self.kernel_name,
            startup_timeout=startup_timeout,
            kernel_manager_class=kernel_manager_class(),
            extra_arguments=self.extra_arguments,
        )
        starter.km = starter.create_kernel_manager()
        starter.start_new_kernel()
        try:
            self.kc = starter.start_new_kernel_client()
        except BaseException:
            self.km = starter.km
            self.shutdown()
            raise
        self.km = starter.km
        self.started += 1

    def shutdown(self) -> None:
        """Stop the kernel (the next notebook starts a new one)."""
        from jupyter_core.utils import run_sync

        kc, km, self.kc, self.km = self.kc, self.km, None, None
        if kc is not None:
            try:
                kc.stop_channels()
            except Exception as e:  # noqa: BLE001 - the kernel is stopped below anyway
                logger.debug("could not stop the kernel's channels: %s", e)
        if km is not None and km.has_kernel:
            try:
                run_sync(km.shutdown_kernel)(now=True)
            except Exception as e:  # noqa: BLE001 - nothing more to do for a kernel that will not stop
                logger.warning("could not stop a kernel: %s", e)

    def _reset(self, timeout: float) -> None:
        from jupyter_core.utils import run_sync

        reply = run_sync(self.kc.execute_interactive)(
            RESET, silent=True, store_history=False, timeout=timeout
        )
        if reply["content"].get("status") != "ok":
            raise RuntimeError(f"the kernel could not be reset: {reply['content'].get('evalue', '')}")

    def execute(
        self,
        notebook: str | Path,
        parameters: dict,
        *,
        execution_timeout: float,
        start_timeout: float = 60.0,
    ) -> Any:
        """Execute ``notebook`` with ``parameters`` in this worker's kernel; return the executed notebook.

        Raises what ``papermill.execute_notebook`` raises: ``PapermillExecutionError`` for a cell's
        error (the returned notebook is then lost; :attr:`last` holds it, with papermill's error
        marker), nbclient's errors for a dead or hung kernel, ``RuntimeError`` when the kernel does
        not start. After any of them the kernel is stopped.
        """
        from papermill.execute import (
            prepare_notebook_metadata,
            raise_for_execution_errors,
            remove_error_markers,
        )
        from papermill.parameterize import parameterize_notebook

        path = str(notebook)
        nb = copy.deepcopy(_source(path, Path(path).stat().st_mtime))
        nb = parameterize_notebook(nb, parameters, kernel_name=self.kernel_name)
        nb = remove_error_markers(prepare_notebook_metadata(nb, path, None))
        self.last = nb
        try:
            if self.kc is None:
                self._start(start_timeout)
            self._reset(execution_timeout)
            nb = _engine().execute_notebook(
                nb,
                self.kernel_name,
                output_path=None,
                progress_bar=False,
                log_output=False,
                autosave_cell_every=0,
                execution_timeout=execution_timeout,
                start_timeout=start_timeout,
                km=self.km,
                kc=self.kc,
            )
            self.last = nb
            raise_for_execution_errors(nb, None)
        except BaseException:
            self.shutdown()  # a failed notebook may leave anything behind: start afresh
            raise
        self.notebooks += 1
        return nb


_WARM: WarmKernel | None = None


def warm_kernel(extra_arguments: list[str] | None = None) -> WarmKernel:
    """This worker's warm kernel (made on first use, stopped when the worker exits)."""
    global _WARM
    if _WARM is None:
        _WARM = WarmKernel(extra_arguments=extra_arguments)
        atexit.register(_WARM.shutdown)
    return _WARM


def enabled() -> bool:
    """Whether this process runs its notebooks in a warm kernel (a report's pool worker does)."""
    return _WARM is not None
