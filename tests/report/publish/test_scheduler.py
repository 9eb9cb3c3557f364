"""The scheduler address check: parsed before use, a Dask handshake within a bounded time."""

from __future__ import annotations

import time

import pytest

from forecast.errors import ReportError
from forecast.report.publish.scheduler import check_scheduler, parse_scheduler


@pytest.mark.parametrize(
    "address",
    [
        "tcp://10.0.0.5:8786",
        "tls://scheduler.example:8786",
        "tcp://[::1]:8786",
        "ucx://host:13337",
        "tcp://host",
    ],
)
def test_dask_addresses_parse(address):
    assert parse_scheduler(address) == address


@pytest.mark.parametrize("address", [None, "", "local"])
def test_no_scheduler_and_local_need_no_network(address):
    assert check_scheduler(address, 0.001) == (address or None)


@pytest.mark.parametrize(
    "address, words",
    [
        ("foo://x", "scheme foo:// is not one of"),
        ("file:///etc/passwd", "scheme file://"),
        ("tcp://[::1", "Invalid IPv6"),
        ("tcp://host:99999", "Port out of range"),
        ("tcp://host:87x6", "Port could not be cast"),
        ("tcp://", "not a Dask scheduler address"),
        ("tcp://host:8786/path", "a host and at most a port"),
        ("127.0.0.1:8786", "not a Dask scheduler address"),
    ],
)
def test_malformed_addresses_are_refused_at_once(address, words):
    start = time.monotonic()
    with pytest.raises(ReportError, match="is not a Dask scheduler address") as e:
        check_scheduler(address, 30)
    assert words in str(e.value) and "\n" not in str(e.value)
    assert time.monotonic() - start < 1


def test_a_live_scheduler_answers_and_a_worker_is_not_one():
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        address = cluster.scheduler_address
        assert check_scheduler(address, 20) == address
        worker = next(iter(cluster.scheduler_info["workers"]))
        with pytest.raises(ReportError, match="answered as a Dask Worker, not a scheduler"):
            check_scheduler(worker, 20)
