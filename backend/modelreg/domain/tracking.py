"""MLflow tracking rules: experiment ids, key names and limits, run and logged-model statuses,
metric values, artifact locations, and the source URIs a version may be registered from. Pure.

Experiment ids: MLflow shows experiment ids as strings and every client starts in experiment
"0". Each project has its own experiment named "Default", created on first use; it is shown as
"0". Every other experiment is shown as its row id ("12"). An id always resolves inside the
project of the tracking URI, so another project's experiment is as absent as a missing one.

Artifact locations: every project has one artifact root, served by the MLflow artifact proxy
of its tracking URI. A run's files are under `<experiment id>/<run id>/artifacts/`, a logged
model's under `<experiment id>/models/<model id>/artifacts/`, as MLflow's own server lays
them out, so the client's `mlflow-artifacts:/...` URIs name paths in that root.
"""

from __future__ import annotations

import math
import mimetypes
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import unquote, urlparse

from modelreg.domain.filters import And, Comparison, Filter, Op, Or, Value
from modelreg.errors import InvalidArgument

DEFAULT_EXPERIMENT_ID = "0"
DEFAULT_EXPERIMENT_NAME = "Default"

# MLflow's limits (mlflow/utils/validation.py), so a client gets the same answer as from MLflow.
KEY_MAX = 250
PARAM_VALUE_MAX = 6000
TAG_VALUE_MAX = 8000
EXPERIMENT_NAME_MAX = 500
EXPERIMENT_TAG_VALUE_MAX = 20_000
RUN_NAME_MAX = 250
LOGGED_MODEL_NAME_MAX = 500
MODEL_TYPE_MAX = 255
USER_MAX = 255
BATCH_PARAMS_MAX = 100
BATCH_TAGS_MAX = 100
BATCH_METRICS_MAX = 1000
BATCH_ENTITIES_MAX = 1000
INPUTS_MAX = 1000
INPUT_TAG_VALUE_MAX = 500
DATASET_FIELD_MAX = {
    "name": 500,
    "digest": 36,
    "source_type": 36,
    "source": 65_535,
    "schema": 1_048_575,
    "profile": 16_777_215,
}
INT64_MAX = 2**63 - 1

ARTIFACTS_SCHEME = "mlflow-artifacts"
# `mlflow-artifacts:/_registry/<version id>/...`: a model version's files, served read-only by
# the proxy (what the registry's get-download-uri answers). No experiment id starts with `_`.
REGISTRY_ROOT = "_registry"
# The proxy's path under a tracking URI (`.../mlflow` + this + `/<path>`).
ARTIFACTS_API = "api/2.0/mlflow-artifacts/artifacts"

RUN_UUID = re.compile(r"[0-9a-f]{32}")
LOGGED_MODEL_ID = re.compile(r"m-[0-9a-f]{32}")
_KEY_CHARS = re.compile(r"[/\w.\- :]*")
_RUN_PATH = re.compile(r"[^/]+/(?P<run>[0-9a-f]{32})/artifacts(?:/.*)?")
_MODEL_PATH = re.compile(r"[^/]+/models/(?P<model>m-[0-9a-f]{32})/artifacts(?:/.*)?")
# `http(s)://host[/prefix]/projects/<path>/mlflow/api/2.0/mlflow-artifacts/artifacts/<path>`
_PROXY_URL = re.compile(
    r"/projects/(?P<project>[^/]+)/mlflow/api/2\.0/mlflow-artifacts/artifacts(?:/(?P<path>.*))?"
)


class RunStatus(StrEnum):
    RUNNING = "RUNNING"
    SCHEDULED = "SCHEDULED"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    KILLED = "KILLED"


# Proto enum numbers: protobuf's JSON accepts either the name or the number.
_RUN_STATUS_NUMBERS = {1: "RUNNING", 2: "SCHEDULED", 3: "FINISHED", 4: "FAILED", 5: "KILLED"}


class LoggedModelStatus(StrEnum):
    PENDING = "LOGGED_MODEL_PENDING"
    READY = "LOGGED_MODEL_READY"
    UPLOAD_FAILED = "LOGGED_MODEL_UPLOAD_FAILED"


_MODEL_STATUS_NUMBERS = {
    1: "LOGGED_MODEL_PENDING",
    2: "LOGGED_MODEL_READY",
    3: "LOGGED_MODEL_UPLOAD_FAILED",
}


class LifecycleStage(StrEnum):
    ACTIVE = "active"
    DELETED = "deleted"


def _enum_value(value: object, numbers: Mapping[int, str]) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return numbers.get(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) < 10:
            return numbers.get(int(text))
        return text.upper()
    return None


def parse_run_status(value: object, *, field: str = "status") -> RunStatus:
    name = _enum_value(value, _RUN_STATUS_NUMBERS)
    try:
        return RunStatus(name or "")
    except ValueError:
        raise InvalidArgument(
            f"Invalid run status {value!r}; use one of {', '.join(RunStatus)}.", field=field
        ) from None


def parse_logged_model_status(value: object, *, field: str = "status") -> LoggedModelStatus:
    name = _enum_value(value, _MODEL_STATUS_NUMBERS)
    try:
        return LoggedModelStatus(name or "")
    except ValueError:
        raise InvalidArgument(
            f"Invalid logged model status {value!r}; use one of {', '.join(LoggedModelStatus)}.",
            field=field,
        ) from None


def validate_key(key: object, *, what: str, field: str = "key") -> str:
    """A param, metric or tag name as MLflow accepts it: `lr`, `eval/acc`, `mlflow.runName`."""
    if not isinstance(key, str) or key == "":
        raise InvalidArgument(f"Missing value for required parameter '{field}'.", field=field)
    if len(key) > KEY_MAX:
        raise InvalidArgument(
            f"{what} '{key[:40]}…' is {len(key)} characters long; the limit is {KEY_MAX}.",
            field=field,
        )
    if not _KEY_CHARS.fullmatch(key):
        raise InvalidArgument(
            f"Invalid {what.lower()} '{key}': names may only contain alphanumerics, "
            "underscores (_), dashes (-), periods (.), spaces ( ), colons (:) and slashes (/).",
            field=field,
        )
    normalized = posixpath.normpath(key)
    if normalized != key or normalized == "." or key.startswith(("..", "/")):
        raise InvalidArgument(
            f"Invalid {what.lower()} '{key}': names may be treated as file paths and must not "
            f"resolve to another name (this one would be '{normalized}').",
            field=field,
        )
    return key


def validate_text(value: object, *, what: str, limit: int, field: str = "value") -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidArgument(f"{what} must be a string.", field=field)
    text = str(value)
    if len(text) > limit:
        raise InvalidArgument(
            f"{what} is {len(text)} characters long; the limit is {limit}.", field=field
        )
    if "\x00" in text:
        raise InvalidArgument(f"{what} must not contain NUL characters.", field=field)
    return text


def validate_experiment_name(name: object, *, field: str = "name") -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidArgument("An experiment needs a non-empty name.", field=field)
    return validate_text(name, what="Experiment name", limit=EXPERIMENT_NAME_MAX, field=field)


_SPECIAL_FLOATS = {"nan": math.nan, "infinity": math.inf, "-infinity": -math.inf, "inf": math.inf}


def parse_metric_value(value: object, *, field: str = "value") -> float:
    """A double as protobuf's JSON writes it: a number, a numeric string, or "NaN",
    "Infinity", "-Infinity" (how the MLflow client sends non-finite values)."""
    if isinstance(value, bool):
        raise InvalidArgument(f"Metric value must be a number; got {value!r}.", field=field)
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        special = _SPECIAL_FLOATS.get(value.strip().lower())
        if special is not None:
            return special
        try:
            number = float(value)
        except ValueError:
            raise InvalidArgument(
                f"Metric value must be a number; got {value!r}.", field=field
            ) from None
    else:
        raise InvalidArgument(f"Metric value must be a number; got {value!r}.", field=field)
    return number


def metric_value_json(value: float) -> float | str:
    """The inverse: JSON has no NaN or infinities, protobuf writes them as strings."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def parse_int64(
    value: object, *, field: str, minimum: int = -INT64_MAX - 1, default: int | None = None
) -> int:
    if value is None or value == "":
        if default is None:
            raise InvalidArgument(f"Missing value for required parameter '{field}'.", field=field)
        return default
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,19}", value.strip()):
        number = int(value.strip())
    if number is None or not (minimum <= number <= INT64_MAX):
        limit = "a non-negative " if minimum == 0 else "a "
        raise InvalidArgument(
            f"'{field}' must be {limit}64-bit integer; got {value!r}.", field=field
        )
    return number


def run_artifact_path(experiment_id: str, run_uuid: str) -> str:
    return f"{experiment_id}/{run_uuid}/artifacts"


def logged_model_artifact_path(experiment_id: str, model_id: str) -> str:
    return f"{experiment_id}/models/{model_id}/artifacts"


def validate_logged_model_name(name: object, *, field: str = "name") -> str:
    if not isinstance(name, str) or not name or any(c in name for c in "/:.%\"'"):
        raise InvalidArgument(
            f"Invalid model name {name!r}: it must be non-empty and must not contain "
            "/ : . % \" or '.",
            field=field,
        )
    return validate_text(name, what="Model name", limit=LOGGED_MODEL_NAME_MAX, field=field)


def artifact_uri(path: str) -> str:
    return f"{ARTIFACTS_SCHEME}:/{path}"


def normalize_artifact_path(path: str, *, field: str = "path") -> str:
    """A path in the project's artifact root: `a/b/c`, with no leading or trailing slash.
    Empty means the root. `..`, `.` and backslashes are refused."""
    if "\\" in path or "\x00" in path:
        raise InvalidArgument(f"Invalid artifact path '{path}'.", field=field)
    segments = [s for s in path.split("/") if s != ""]
    if any(s in (".", "..") for s in segments):
        raise InvalidArgument(
            f"Invalid artifact path '{path}': it must not contain '.' or '..'.", field=field
        )
    return "/".join(segments)


def owner_of_artifact_path(path: str) -> tuple[str | None, str | None]:
    """(run id, logged model id) whose artifacts `path` is in, as far as the path says."""
    if found := _RUN_PATH.fullmatch(path):
        return found["run"], None
    if found := _MODEL_PATH.fullmatch(path):
        return None, found["model"]
    return None, None


_TYPES = {"MLmodel": "application/yaml", ".yaml": "application/yaml", ".yml": "application/yaml"}


def guess_content_type(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    if name in _TYPES:
        return _TYPES[name]
    extension = posixpath.splitext(name)[1].lower()
    if extension in _TYPES:
        return _TYPES[extension]
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


@dataclass(frozen=True, slots=True)
class ListedFile:
    """An entry of a folder listing: a file with its size, or a folder (size None)."""

    name: str
    is_dir: bool
    size: int | None


def children(files: Mapping[str, int], folder: str) -> list[ListedFile]:
    """What is directly inside `folder` (empty: the root), given every file path and its size
    at or below it. A path naming a file, not a folder, lists nothing (as MLflow's servers)."""
    prefix = f"{folder}/" if folder else ""
    found: dict[str, ListedFile] = {}
    for path, size in files.items():
        if not path.startswith(prefix):
            continue
        name, slash, _ = path[len(prefix) :].partition("/")
        if not name:
            continue
        if slash:
            found[name] = ListedFile(name, True, None)
        elif name not in found:
            found[name] = ListedFile(name, False, size)
    return [found[k] for k in sorted(found)]


# --- the sources a model version may be registered from -----------------------------------


@dataclass(frozen=True, slots=True)
class ArtifactSource:
    """A path in a project's artifact root; `project` None means the tracking URI's project."""

    path: str
    project: str | None = None


@dataclass(frozen=True, slots=True)
class RunSource:
    """`runs:/<run id>/<path in the run's artifacts>`."""

    run_uuid: str
    path: str


@dataclass(frozen=True, slots=True)
class LoggedModelSource:
    """`models:/m-<hex>[/<path>]`: an MLflow 3 logged model."""

    model_id: str
    path: str


Source = ArtifactSource | RunSource | LoggedModelSource


def parse_source(source: str) -> Source | None:
    """What a version's `source` URI names in this registry; None for anything else (s3://,
    file://, `models:/<name>/<version>` of the registry...), whose files are not ours."""
    text = (source or "").strip()
    if not text:
        return None
    if "\x00" in unquote(text):
        raise InvalidArgument("The source must not contain NUL characters.", field="source")
    parsed = urlparse(text)
    scheme = parsed.scheme.lower()
    if scheme == ARTIFACTS_SCHEME:
        return ArtifactSource(normalize_artifact_path(unquote(parsed.path), field="source"))
    if scheme == "runs":
        parts = normalize_artifact_path(unquote(parsed.path), field="source").split("/", 1)
        if not parts[0]:
            raise InvalidArgument(
                f"'{source}' is not a runs URI; write runs:/<run id>/<path>.", field="source"
            )
        return RunSource(parts[0], parts[1] if len(parts) > 1 else "")
    if scheme == "models":
        parts = normalize_artifact_path(unquote(parsed.path), field="source").split("/", 1)
        if LOGGED_MODEL_ID.fullmatch(parts[0]):
            return LoggedModelSource(parts[0], parts[1] if len(parts) > 1 else "")
        return None
    if scheme in ("http", "https"):
        found = _PROXY_URL.search(parsed.path)
        if found is None or not parsed.path.endswith(found.group(0)):
            return None
        path = normalize_artifact_path(unquote(found["path"] or ""), field="source")
        return ArtifactSource(path, project=unquote(found["project"]))
    return None


# --- search filters evaluated on rows already loaded (experiments, logged models) ----------


def _like(pattern: str, *, ignore_case: bool) -> re.Pattern[str]:
    out: list[str] = []
    escaped = False
    for char in pattern:
        if escaped:
            out.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    return re.compile("".join(out), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _compare(actual: Value | None, op: Op, expected: Value | tuple[Value, ...]) -> bool:
    if actual is None:
        return False
    if op is Op.IN:
        return isinstance(expected, tuple) and actual in expected
    if op is Op.NOT_IN:
        return isinstance(expected, tuple) and actual not in expected
    assert not isinstance(expected, tuple)
    if op in (Op.LIKE, Op.ILIKE):
        pattern = _like(str(expected), ignore_case=op is Op.ILIKE)
        return pattern.fullmatch(str(actual)) is not None
    if op is Op.EQ:
        return actual == expected
    if op is Op.NE:
        return actual != expected
    if isinstance(actual, str) != isinstance(expected, str):
        return False
    if op is Op.LT:
        return actual < expected  # type: ignore[operator]
    if op is Op.LE:
        return actual <= expected  # type: ignore[operator]
    if op is Op.GT:
        return actual > expected  # type: ignore[operator]
    return actual >= expected  # type: ignore[operator]


def matches(
    node: Filter | None, *, fields: Mapping[str, Value | None], tags: Mapping[str, str]
) -> bool:
    """Whether an object with these field values and tags satisfies the filter."""
    if node is None:
        return True
    if isinstance(node, And):
        return all(matches(i, fields=fields, tags=tags) for i in node.items)
    if isinstance(node, Or):
        return any(matches(i, fields=fields, tags=tags) for i in node.items)
    assert isinstance(node, Comparison)
    if node.field.tag is not None:
        return _compare(tags.get(node.field.tag), node.op, node.value)
    return _compare(fields.get(node.field.name), node.op, node.value)
