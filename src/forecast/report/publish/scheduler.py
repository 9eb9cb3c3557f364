"""A Dask scheduler address, checked before anything waits on it.

:func:`check_scheduler` parses ``--scheduler`` (``local``, or ``tcp://``, ``tls://``, ``ucx://``,
``inproc://`` with a host and an optional port) and asks the scheduler who it is (Dask's
handshake, then the ``identity`` call) within a bounded time (:data:`TIMEOUT` seconds, or
``--scheduler-timeout``). A malformed address, nothing listening, or a service that is not a Dask
scheduler (a web server on that port) each give one :class:`~forecast.errors.ReportError` line,
before any forecasting, and leave nothing running: the probe runs in its own short event loop.
"""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urlsplit

from forecast.errors import ReportError

__all__ = ["SCHEMES", "TIMEOUT", "check_scheduler", "parse_scheduler"]

#: The Dask comm schemes a scheduler address may use.
SCHEMES = ("tcp", "tls", "ucx", "inproc")
#: Seconds a scheduler has to complete the handshake (``--scheduler-timeout``).
TIMEOUT = 30.0
_HOW = "write tcp://HOST:PORT (or tls://, ucx://, inproc://), or `local` for a cluster on this machine"


def parse_scheduler(address: str | None) -> str | None:
    """Return the address, checked: None or ``""`` (no Dask), ``local`` or ``scheme://host[:port]``.

    Raises
    ------
    ReportError
        If the address is not one Dask could connect to (unknown scheme, no host, bad port).
    """
    if not address or address == "local":
        return address or None
    text = str(address).strip()
    bad = f"--scheduler {address!r} is not a Dask scheduler address: {_HOW}"
    if not re.fullmatch(r"[a-z]+://\S+", text):
        raise ReportError(bad)
    try:
        parts = urlsplit(text)
        port = parts.port  # raises on a port that is not a number in 0-65535
    except ValueError as e:
        raise ReportError(f"{bad} ({e})") from None
    if parts.scheme not in SCHEMES:
        raise ReportError(f"{bad} (scheme {parts.scheme}:// is not one of {', '.join(SCHEMES)})")
    if parts.scheme != "inproc" and (not parts.hostname or parts.path not in ("", "/") or port == 0):
        raise ReportError(f"{bad} (it needs a host and at most a port)")
    return text


def check_scheduler(address: str | None, timeout: float = TIMEOUT) -> str | None:
    """Parse ``address`` (:func:`parse_scheduler`) and, for a remote one, check a Dask scheduler answers.

    Raises
    ------
    ReportError
        One line naming the address: malformed, nothing listening, or no Dask handshake within
        ``timeout`` seconds.
    """
    checked = parse_scheduler(address)
    if not checked or checked == "local":
        return checked
    if not timeout > 0:
        raise ReportError(f"--scheduler-timeout {timeout} must be a positive number of seconds, e.g. 30")
    try:
        import distributed.comm.tcp  # noqa: F401 - imported before the clock starts
        import distributed.security  # noqa: F401
    except ImportError as e:
        raise ReportError(
            f"--scheduler {checked} needs Dask distributed ({e}); `pip install distributed`"
        ) from e
    try:
        # Dask's own connect gives up at ``timeout`` when nothing accepts the connection; the outer
        # bound, a little later, ends a handshake that never completes (a web server on the port).
        kind = asyncio.run(asyncio.wait_for(_identity(checked, float(timeout)), 1.2 * timeout + 0.5))
    except TimeoutError:
        raise ReportError(
            f"no Dask scheduler answered at {checked} within {timeout:g} s: something listens there but "
            "did not complete Dask's handshake; check the address and that `dask scheduler` runs there, "
            "or raise --scheduler-timeout"
        ) from None
    except Exception as e:  # noqa: BLE001 - refused, reset, bad TLS, a garbled reply: all one line
        raise ReportError(
            f"no Dask scheduler answers at {checked} ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}); "
            "start one with `dask scheduler` or use --scheduler local"
        ) from None
    if kind != "Scheduler":
        raise ReportError(
            f"{checked} answered as a Dask {kind or 'service'}, not a scheduler: pass the scheduler's address"
        )
    return checked


async def _identity(address: str, timeout: float) -> str:
    """Connect, handshake and ask ``identity``; return the peer's type (the caller bounds the time)."""
    from distributed.comm import connect
    from distributed.security import Security

    comm = await connect(address, timeout=timeout, **Security().get_connection_args("client"))
    try:
        await comm.write({"op": "identity", "reply": True})
        reply = await comm.read()
    finally:
        comm.abort()
    return str(reply.get("type", "")) if isinstance(reply, dict) else ""
