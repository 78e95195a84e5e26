"""What every metadata file reader shares: the warnings collected while reading, the error
for a part that cannot be read, and decoding a file's bytes as UTF-8 text."""

from __future__ import annotations

from modelreg.domain.model_metadata.records import (
    MAX_METADATA_FILE_BYTES,
    METADATA_FILES,
    MetadataWarning,
    WarningCode,
)


class _Malformed(Exception):
    """Part of a file that cannot be read; it becomes a MALFORMED_FILE warning."""


_NOT_READ = object()


class _Warnings:
    """Warnings collected while reading, sorted by file (METADATA_FILES order) at the end."""

    def __init__(self) -> None:
        self._items: list[tuple[int, int, MetadataWarning]] = []

    def add(self, code: WarningCode, name: str, file: str | None, message: str) -> None:
        rank = METADATA_FILES.index(name)
        self._items.append((rank, len(self._items), MetadataWarning(code, file, message)))

    def malformed(self, name: str, path: str, message: str) -> None:
        self.add(WarningCode.MALFORMED_FILE, name, path, message)

    def sorted(self) -> tuple[MetadataWarning, ...]:
        return tuple(item[2] for item in sorted(self._items, key=lambda item: item[:2]))


def _decode(name: str, path: str, data: bytes | None, warnings: _Warnings) -> str | None:
    if data is None:
        warnings.malformed(
            name,
            path,
            f"{path} is larger than {MAX_METADATA_FILE_BYTES // 1024} KiB and was not read.",
        )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        warnings.malformed(
            name, path, f"{path} is not UTF-8 text (byte {error.start}) and was not read."
        )
        return None
    return text.removeprefix("\ufeff")
