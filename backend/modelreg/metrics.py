"""Prometheus metrics of this process (README "Monitoring").

A neutral module: every layer may count here (services count stored upload bytes, interfaces
name the route of a request), and it imports no interface. Metrics never carry a project,
model or user name: requests are labelled by route TEMPLATE (`/projects/{project}/mlflow/...`,
never the path asked), GraphQL requests by operation type (never the client-chosen operation
name, which would let any client add label values without bound).

Several processes (`modelreg serve --workers N`): when PROMETHEUS_MULTIPROC_DIR is set before
this module is first imported, each process writes its counters to files in that directory and
a scrape of any process adds up all of them (prometheus_client's multiprocess mode); `serve`
sets it to a fresh directory for the processes it starts.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Keys in the ASGI scope where the endpoint that answered names what it was.
ROUTE_KEY = "modelreg.metrics.route"
OPERATION_KEY = "modelreg.metrics.operation"
# The route label of a request no route answered (404s of any path): one value for all.
UNMATCHED = "(unmatched)"

# Seconds: API calls take milliseconds; file transfers can take minutes.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 120.0)

_registry = CollectorRegistry()
if MULTIPROC_ENV not in os.environ:
    # CPU seconds, memory and open files of this process (not available per process in
    # multiprocess mode).
    ProcessCollector(registry=_registry, namespace="modelreg")

REQUESTS = Counter(
    "modelreg_http_requests",
    "HTTP requests answered, by method, route template, GraphQL operation type and status.",
    ["method", "route", "operation", "status"],
    registry=_registry,
)
LATENCY = Histogram(
    "modelreg_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response, by route template and "
    "GraphQL operation type.",
    ["route", "operation"],
    buckets=LATENCY_BUCKETS,
    registry=_registry,
)
RESPONSE_BYTES = Counter(
    "modelreg_http_response_body_bytes",
    "Bytes of response bodies sent (after compression), by method and route template: file "
    "downloads are the GET lines of the file and artifact routes.",
    ["method", "route"],
    registry=_registry,
)
UPLOAD_BYTES = Counter(
    "modelreg_upload_bytes",
    "Bytes of uploaded files stored (GraphQL and files API uploads, MLflow artifacts), counted "
    "once when the storage has them.",
    registry=_registry,
)
UPLOADS = Counter(
    "modelreg_uploads",
    "Uploaded files stored (as counted in modelreg_upload_bytes).",
    registry=_registry,
)


def label_route(scope: MutableMapping[str, Any], route: str) -> None:
    """An endpoint that dispatches further (MLflow) names the route TEMPLATE it answered."""
    scope[ROUTE_KEY] = route


def label_operation(scope: MutableMapping[str, Any], operation: str) -> None:
    """GraphQL names the type of the operation it ran: query, mutation or subscription."""
    scope[OPERATION_KEY] = operation


# The series of each label combination seen, found once: `labels()` costs a lock and a few
# microseconds per call. Bounded: routes, methods, statuses and operation types are finite.
_series: dict[tuple[str, str, str, int], tuple[Any, Any, Any]] = {}


def observe_request(
    method: str, route: str, operation: str, status: int, seconds: float, body_bytes: int = 0
) -> None:
    key = (method, route, operation, status)
    series = _series.get(key)
    if series is None:
        series = (
            REQUESTS.labels(method, route, operation, str(status)),
            LATENCY.labels(route, operation),
            RESPONSE_BYTES.labels(method, route),
        )
        _series[key] = series
    series[0].inc()
    series[1].observe(seconds)
    if body_bytes:
        series[2].inc(body_bytes)


def count_upload(size: int) -> None:
    """A file of `size` bytes was stored."""
    UPLOADS.inc()
    UPLOAD_BYTES.inc(size)


@dataclass(frozen=True, slots=True)
class Gauge:
    """A value computed at scrape time (the outbox backlog from the database)."""

    name: str
    help: str
    value: float


class _Snapshot:
    """A collector of gauges computed just before one scrape."""

    def __init__(self, gauges: Sequence[Gauge]) -> None:
        self._gauges = gauges

    def collect(self) -> list[Metric]:
        return [GaugeMetricFamily(g.name, g.help, value=g.value) for g in self._gauges]


def render(gauges: Sequence[Gauge] = ()) -> bytes:
    """The text exposition of this process's metrics (of all processes in multiprocess mode),
    plus `gauges`."""
    directory = os.environ.get(MULTIPROC_ENV)
    if directory:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    else:
        registry = _registry
    snapshot = CollectorRegistry()
    snapshot.register(_Snapshot(gauges))
    return generate_latest(registry) + generate_latest(snapshot)
