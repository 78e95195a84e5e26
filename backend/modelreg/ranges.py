"""Downloads of stored files: HTTP Range for one byte range (what download managers and
`curl -C -` send), ETag and conditional requests. Shared by the file routes (http/) and the
MLflow artifact proxy (mlflow/), which never import each other."""

from __future__ import annotations

import re
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from modelreg.storage import Storage

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


class Unsatisfiable(Exception):
    pass


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, end exclusive) for a single satisfiable range; None means "send it all".

    Multi-range and malformed headers are ignored (the whole file is a valid answer); a range that
    starts past the end raises Unsatisfiable (416).
    """
    if not header:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        suffix = int(last)
        if suffix == 0:
            raise Unsatisfiable
        return max(size - suffix, 0), size
    start = int(first)
    if last != "" and int(last) < start:
        return None  # not a valid range: ignored, as RFC 9110 says
    if start >= size:
        raise Unsatisfiable
    end = size if last == "" else min(int(last) + 1, size)
    return start, end


def file_response(
    request: Request,
    storage: Storage,
    *,
    storage_key: str,
    size: int,
    sha256: str,
    content_type: str,
    filename: str,
) -> Response:
    """A stored file as a download: ETag (its SHA-256), If-None-Match, Range with If-Range,
    HEAD, and the body streamed from storage one chunk at a time."""
    etag = f'"{sha256}"'
    headers = {
        "etag": etag,
        "accept-ranges": "bytes",
        "content-type": content_type,
        "content-disposition": f"attachment; filename*=UTF-8''{quote(filename, safe='')}",
        "x-checksum-sha256": sha256,
        "cache-control": "private, no-cache",
    }
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers={"etag": etag})
    wanted = request.headers.get("range")
    if request.headers.get("if-range") not in (None, etag):
        wanted = None  # the file changed since the client's partial copy: send it whole
    try:
        byte_range = parse_range(wanted, size)
    except Unsatisfiable:
        return Response(status_code=416, headers={"content-range": f"bytes */{size}"})
    start, end = byte_range or (0, size)
    headers["content-length"] = str(end - start)
    status = 200
    if byte_range is not None:
        status = 206
        headers["content-range"] = f"bytes {start}-{end - 1}/{size}"
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers)
    body = storage.open(storage_key, start=start, end=end)
    return StreamingResponse(body, status_code=status, headers=headers)
