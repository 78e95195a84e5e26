"""S3-compatible object storage (AWS S3, MinIO, Ceph RGW, ...) through aiobotocore.

aiobotocore, botocore and aiohttp are imported on first use, so importing modelreg stays cheap
when the local backend is configured.

- `put` buffers one part (8 MiB) at a time: objects smaller than a part go up with one
  PutObject; larger ones with a multipart upload (parts of exactly 8 MiB, the last one
  smaller), aborted on any failure, so memory stays flat and nothing is left behind.
- `open` sends GetObject with `Range: bytes=start-(end-1)` and streams the body in chunks of at
  most 1 MiB.
- One client (one connection pool) per storage, created on first use and closed by `close()`.
  The client belongs to the event loop that created it.
- Every backend failure becomes a StorageError whose message names the operation and the S3
  error code only (never credentials, never a traceback); the original exception is chained
  as `__cause__` for logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from modelreg.storage.base import ObjectNotFound, ObjectTooLarge, StorageError, StoredObject
from modelreg.storage.common import CHUNK_SIZE, check_key, check_range

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client
    from types_aiobotocore_s3.type_defs import CompletedPartTypeDef

PART_SIZE = 8 * 1024 * 1024
"""Multipart part size; S3 wants at least 5 MiB for every part but the last."""

_NOT_FOUND_CODES = frozenset({"NoSuchKey", "NotFound", "404"})


def _error_code(exc: Any) -> str:
    error = exc.response.get("Error", {}) if isinstance(exc.response, dict) else {}
    return str(error.get("Code") or "unknown error")


def _status(exc: Any) -> int | None:
    meta = exc.response.get("ResponseMetadata", {}) if isinstance(exc.response, dict) else {}
    status = meta.get("HTTPStatusCode")
    return status if isinstance(status, int) else None


@contextlib.contextmanager
def _s3_errors(action: str) -> Iterator[None]:
    """Turn a botocore/aiohttp/network failure into a StorageError with a short message."""
    import aiohttp
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        raise StorageError(f"S3 {action} failed: {_error_code(exc)}") from exc
    except (BotoCoreError, aiohttp.ClientError, OSError) as exc:
        raise StorageError(f"S3 {action} failed: {type(exc).__name__}") from exc


class S3Storage:
    """Objects under `prefix/` in `bucket`; see the module docstring for the details."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        *,
        max_connections: int = 64,
    ) -> None:
        """Empty `endpoint_url`/`region`/credentials mean botocore's defaults (AWS, the
        environment, the instance profile...). A custom endpoint uses path-style addressing,
        which every S3-compatible server understands."""
        if not bucket:
            raise ValueError("S3 storage needs a bucket name")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = endpoint_url or None
        self.region = region or None
        self._access_key_id = access_key_id or None
        self._secret_access_key = secret_access_key or None
        self._max_connections = max_connections
        self._client: S3Client | None = None
        self._exit_stack: contextlib.AsyncExitStack | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"S3Storage(bucket={self.bucket!r}, prefix={self.prefix!r})"

    def _name(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    async def client(self) -> S3Client:
        """The storage's S3 client, created on first use."""
        if self._client is not None:
            return self._client
        async with self._lock:
            if self._client is None:
                from aiobotocore.config import AioConfig
                from aiobotocore.session import get_session

                config = AioConfig(
                    signature_version="s3v4",
                    s3={"addressing_style": "path" if self.endpoint_url else "auto"},
                    retries={"max_attempts": 3, "mode": "standard"},
                    max_pool_connections=self._max_connections,
                    # Send/verify checksums only where S3 requires them: many S3-compatible
                    # servers reject the newer default checksum headers; sha256 is ours anyway.
                    request_checksum_calculation="when_required",
                    response_checksum_validation="when_required",
                )
                stack = contextlib.AsyncExitStack()
                with _s3_errors("client setup"):
                    self._client = await stack.enter_async_context(
                        get_session().create_client(
                            "s3",
                            region_name=self.region,
                            endpoint_url=self.endpoint_url,
                            aws_access_key_id=self._access_key_id,
                            aws_secret_access_key=self._secret_access_key,
                            config=config,
                        )
                    )
                self._exit_stack = stack
            return self._client

    async def put(
        self, key: str, chunks: AsyncIterable[bytes], *, max_size: int | None = None
    ) -> StoredObject:
        name = self._name(key)
        client = await self.client()
        hasher = hashlib.sha256()
        size = 0
        buffer = bytearray()
        upload_id: str | None = None
        parts: list[CompletedPartTypeDef] = []
        try:
            async for chunk in chunks:
                size += len(chunk)
                if max_size is not None and size > max_size:
                    raise ObjectTooLarge(max_size)
                hasher.update(chunk)
                buffer += chunk
                while len(buffer) >= PART_SIZE:
                    if upload_id is None:
                        with _s3_errors("upload"):
                            created = await client.create_multipart_upload(
                                Bucket=self.bucket, Key=name
                            )
                        upload_id = created["UploadId"]
                    body = bytes(buffer) if len(buffer) == PART_SIZE else bytes(buffer[:PART_SIZE])
                    del buffer[:PART_SIZE]
                    parts.append(await self._upload_part(client, name, upload_id, parts, body))
            if upload_id is None:
                with _s3_errors("upload"):
                    await client.put_object(Bucket=self.bucket, Key=name, Body=bytes(buffer))
            else:
                if buffer:
                    body = bytes(buffer)
                    buffer.clear()
                    parts.append(await self._upload_part(client, name, upload_id, parts, body))
                with _s3_errors("upload"):
                    await client.complete_multipart_upload(
                        Bucket=self.bucket,
                        Key=name,
                        UploadId=upload_id,
                        MultipartUpload={"Parts": parts},
                    )
        except BaseException:
            if upload_id is not None:
                await self._abort(client, name, upload_id)
            raise
        return StoredObject(size=size, sha256=hasher.hexdigest())

    async def _upload_part(
        self,
        client: S3Client,
        name: str,
        upload_id: str,
        parts: list[CompletedPartTypeDef],
        body: bytes,
    ) -> CompletedPartTypeDef:
        number = len(parts) + 1
        with _s3_errors("upload"):
            uploaded = await client.upload_part(
                Bucket=self.bucket, Key=name, UploadId=upload_id, PartNumber=number, Body=body
            )
        return {"PartNumber": number, "ETag": uploaded["ETag"]}

    async def _abort(self, client: S3Client, name: str, upload_id: str) -> None:
        # Best effort: the original exception matters more. A bucket lifecycle rule
        # (AbortIncompleteMultipartUpload) catches what a failed abort leaves behind.
        with contextlib.suppress(Exception):
            await client.abort_multipart_upload(Bucket=self.bucket, Key=name, UploadId=upload_id)

    async def open(
        self, key: str, *, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        from botocore.exceptions import ClientError

        name = self._name(key)
        check_range(start, end)
        client = await self.client()
        if end == start:
            # An empty range has no Range header spelling; still report a missing key.
            if not await self.exists(key):
                raise ObjectNotFound(f"object {key!r} not found")
            return
        try:
            with _s3_errors("download"):
                if start == 0 and end is None:
                    response = await client.get_object(Bucket=self.bucket, Key=name)
                else:
                    last = "" if end is None else str(end - 1)
                    response = await client.get_object(
                        Bucket=self.bucket, Key=name, Range=f"bytes={start}-{last}"
                    )
        except StorageError as exc:
            cause = exc.__cause__
            if isinstance(cause, ClientError):
                # Only NoSuchKey: a missing bucket (NoSuchBucket, also a 404) is a setup error.
                if _error_code(cause) in _NOT_FOUND_CODES:
                    raise ObjectNotFound(f"object {key!r} not found") from None
                if _error_code(cause) == "InvalidRange" or _status(cause) == 416:
                    return  # start is at or past the end of the object: no bytes
            raise
        body = response["Body"]
        try:
            while True:
                with _s3_errors("download"):
                    data = await body.read(CHUNK_SIZE)
                if not data:
                    return
                yield data
        finally:
            body.close()

    async def delete(self, key: str) -> None:
        name = self._name(key)
        client = await self.client()
        with _s3_errors("delete"):
            await client.delete_object(Bucket=self.bucket, Key=name)

    async def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        name = self._name(key)
        client = await self.client()
        try:
            with _s3_errors("lookup"):
                await client.head_object(Bucket=self.bucket, Key=name)
        except StorageError as exc:
            cause = exc.__cause__
            # A HEAD response has no body, so the code is just "404"; that includes a missing
            # bucket, which the next put or open reports as NoSuchBucket.
            if isinstance(cause, ClientError) and _error_code(cause) in _NOT_FOUND_CODES:
                return False
            raise
        return True

    async def close(self) -> None:
        stack, self._exit_stack, self._client = self._exit_stack, None, None
        if stack is not None:
            await stack.aclose()
