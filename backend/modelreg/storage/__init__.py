"""Blob backends behind one small interface: local disk, S3-compatible, in-memory (tests).

Importing this package is cheap: the S3 backend loads aiobotocore only when it is first used.
"""

from modelreg.storage.base import (
    ObjectNotFound,
    ObjectTooLarge,
    Storage,
    StorageError,
    StoredObject,
)
from modelreg.storage.common import CHUNK_SIZE
from modelreg.storage.factory import create_storage
from modelreg.storage.local import LocalStorage
from modelreg.storage.memory import MemoryStorage
from modelreg.storage.s3 import S3Storage

__all__ = [
    "CHUNK_SIZE",
    "LocalStorage",
    "MemoryStorage",
    "ObjectNotFound",
    "ObjectTooLarge",
    "S3Storage",
    "Storage",
    "StorageError",
    "StoredObject",
    "create_storage",
]
