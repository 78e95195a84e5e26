"""Parsed documents and their validation results, bounded by the memory they hold.

Clients send the same few documents again and again, so each is parsed and validated once. A
count of entries alone does not bound memory: sixty distinct 2 MiB documents are 60 entries.
Here each entry is weighed (its text plus its tokens, which the syntax tree keeps), documents
heavier than a share of the budget are never kept, and the least recently used entries go
first when the total would exceed the budget.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from dataclasses import dataclass, field

from graphql import DocumentNode, GraphQLError

# What one token costs in a parsed document (the token, its node and location), measured on
# graphql-core 3.3 with tracemalloc: 350-620 bytes.
TOKEN_BYTES = 640


def weigh(query: str, document: DocumentNode) -> int:
    """Approximate bytes a cached document holds: its text (kept by the tree's locations and
    its string values) and its tokens."""
    tokens = 0
    token = document.loc.start_token if document.loc is not None else None
    while token is not None:
        tokens += 1
        token = token.next
    return 2 * sys.getsizeof(query) + TOKEN_BYTES * tokens


@dataclass
class Entry:
    document: DocumentNode
    weight: int
    # Validation errors (limits and graphql-core's rules) once validated; never mutated.
    errors: tuple[GraphQLError, ...] | None = field(default=None)


class DocumentCache:
    def __init__(self, *, max_bytes: int, max_entries: int, max_entry_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self.max_entry_bytes = max_entry_bytes
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._bytes = 0

    @property
    def total_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, query: str) -> Entry | None:
        entry = self._entries.get(query)
        if entry is not None:
            self._entries.move_to_end(query)
        return entry

    def put(self, query: str, document: DocumentNode) -> Entry:
        """The entry for this document; kept only if it is light enough."""
        entry = Entry(document=document, weight=weigh(query, document))
        if entry.weight > self.max_entry_bytes:
            return entry
        previous = self._entries.pop(query, None)
        if previous is not None:
            self._bytes -= previous.weight
        self._entries[query] = entry
        self._bytes += entry.weight
        while self._bytes > self.max_bytes or len(self._entries) > self.max_entries:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= evicted.weight
        return entry
