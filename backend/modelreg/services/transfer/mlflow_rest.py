"""A small client of an MLflow tracking server's REST API, for `modelreg import-mlflow`.

Synchronous (httpx): the import runs it in a worker thread, off the event loop. Every failure
is an ArchiveError with a stable code and a sentence naming the server by its URL without
credentials; the credentials come from the environment (MLFLOW_TRACKING_TOKEN, or
MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, as the MLflow client reads them) and
never appear in a message.
"""

from __future__ import annotations

import json
import os
from collections.abc import Generator, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from modelreg.domain.transfer import ArchiveError

API = "/api/2.0/mlflow"
ARTIFACTS_API = "/api/2.0/mlflow-artifacts/artifacts"
# A JSON answer larger than this is not a page of the registry.
MAX_JSON_BYTES = 16 * 1024 * 1024
PIECE = 1024 * 1024


def server_url(tracking_uri: str) -> str:
    """The server's base URL (no trailing slash), or ArchiveError mlflow.bad_uri."""
    parts = urlsplit(tracking_uri.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ArchiveError(
            "mlflow.bad_uri",
            "the tracking URI must be the http(s) URL of a running MLflow server, such as "
            "http://mlflow.example:5000.",
        )
    if parts.username is not None or parts.password is not None:
        raise ArchiveError(
            "mlflow.bad_uri",
            "the tracking URI holds credentials; remove them from the URL and set "
            "MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD.",
        )
    if parts.query or parts.fragment:
        raise ArchiveError("mlflow.bad_uri", "the tracking URI must not have a query or fragment.")
    return f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")


def auth_from_env(env: Mapping[str, str] | None = None) -> httpx.Auth | None:
    """Bearer token or basic auth from the MLflow client's environment variables."""
    env = os.environ if env is None else env
    token = env.get("MLFLOW_TRACKING_TOKEN")
    if token:
        return _Bearer(token)
    username, password = env.get("MLFLOW_TRACKING_USERNAME"), env.get("MLFLOW_TRACKING_PASSWORD")
    if username and password is not None:
        return httpx.BasicAuth(username, password)
    return None


class _Bearer(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def __repr__(self) -> str:  # never the token
        return "_Bearer(***)"


class MlflowRest:
    """GET requests against one server; JSON answers capped, files streamed in pieces."""

    def __init__(
        self,
        tracking_uri: str,
        *,
        auth: httpx.Auth | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = server_url(tracking_uri)
        self._client = httpx.Client(
            auth=auth, timeout=timeout, transport=transport, follow_redirects=False
        )

    def close(self) -> None:
        self._client.close()

    @contextmanager
    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[httpx.Response]:
        try:
            with self._client.stream("GET", self.url + path, params=params) as response:
                yield response
        except httpx.TransportError as exc:
            raise ArchiveError(
                "mlflow.unreachable",
                f"cannot reach the MLflow server at {self.url} ({type(exc).__name__}); check "
                "the tracking URI and that the server is running.",
            ) from None

    def _refuse(self, response: httpx.Response, body: dict[str, Any] | None) -> ArchiveError:
        status = response.status_code
        if status in (401, 403):
            return ArchiveError(
                "mlflow.unauthorized",
                f"the MLflow server at {self.url} refused the credentials (HTTP {status}); set "
                "MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and "
                "MLFLOW_TRACKING_PASSWORD, to an account that may read the registry.",
            )
        if body is None or "error_code" not in body:
            return ArchiveError(
                "mlflow.not_mlflow",
                f"{self.url} does not answer as an MLflow tracking server (HTTP {status} to "
                f"{response.url.path}); pass the URL the MLflow client uses as tracking URI.",
            )
        return ArchiveError(
            "mlflow.error",
            f"the MLflow server at {self.url} answered {body['error_code']} (HTTP {status}) to "
            f"{response.url.path}: {str(body.get('message', ''))[:200]}",
        )

    def _read_json(self, response: httpx.Response) -> dict[str, Any] | None:
        buffer = bytearray()
        for piece in response.iter_bytes():
            buffer += piece
            if len(buffer) > MAX_JSON_BYTES:
                return None
        try:
            body = json.loads(buffer)
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def get(
        self, path: str, params: Mapping[str, Any] | None = None, *, missing_ok: bool = False
    ) -> dict[str, Any] | None:
        """The JSON object answered to GET `path`; None for RESOURCE_DOES_NOT_EXIST when
        `missing_ok`."""
        with self._get(path, params) as response:
            body = self._read_json(response)
            if response.status_code == 200 and body is not None:
                return body
            if (
                missing_ok
                and body is not None
                and body.get("error_code") == "RESOURCE_DOES_NOT_EXIST"
            ):
                return None
            raise self._refuse(response, body)

    def pages(self, path: str, params: Mapping[str, Any], key: str) -> Iterator[dict[str, Any]]:
        """Every item of a paged search (`next_page_token`)."""
        token: str | None = None
        while True:
            query = dict(params) if token is None else {**params, "page_token": token}
            body = self.get(API + path, query)
            assert body is not None
            items = body.get(key, [])
            if not isinstance(items, list):
                raise self._refuse(httpx.Response(200, request=httpx.Request("GET", path)), None)
            yield from (item for item in items if isinstance(item, dict))
            token = body.get("next_page_token") or None
            if token is None:
                return

    def list_proxied(self, path: str) -> list[dict[str, Any]] | None:
        """The entries of a directory of the artifact proxy; None when it does not exist."""
        with self._get(ARTIFACTS_API, {"path": path}) as response:
            body = self._read_json(response)
            if response.status_code == 404:
                return None
            if response.status_code != 200 or body is None:
                raise self._refuse(response, body)
        files = body.get("files", [])
        return [f for f in files if isinstance(f, dict)] if isinstance(files, list) else []

    @contextmanager
    def download_proxied(self, path: str) -> Iterator[Iterator[bytes] | None]:
        """The bytes of a file of the artifact proxy in pieces; None when it is missing."""
        with self._get(f"{ARTIFACTS_API}/{quote(path)}") as response:
            if response.status_code == 404:
                yield None
                return
            if response.status_code != 200:
                raise self._refuse(response, self._read_json(response))
            yield response.iter_bytes(PIECE)
