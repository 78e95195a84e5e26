"""Build the configured storage backend from settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from modelreg.settings import Settings
    from modelreg.storage.base import Storage


def create_storage(settings: Settings) -> Storage:
    """Local files under `resolved_artifacts_dir`, or S3 when `storage` is "s3".

    No I/O happens here: the local backend creates its folders on first write (call
    `LocalStorage.cleanup()` at start-up), the S3 backend connects on first use.
    """
    if settings.storage == "s3":
        from modelreg.storage.s3 import S3Storage

        return S3Storage(
            bucket=settings.s3_bucket,
            prefix=settings.s3_prefix,
            endpoint_url=settings.s3_endpoint_url or None,
            region=settings.s3_region or None,
            access_key_id=settings.s3_access_key_id or None,
            secret_access_key=settings.s3_secret_access_key.get_secret_value() or None,
        )
    from modelreg.storage.local import LocalStorage

    return LocalStorage(settings.resolved_artifacts_dir)
