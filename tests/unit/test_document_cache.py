"""The parsed-document cache is bounded by the bytes it holds, not only by its entries."""

from __future__ import annotations

from graphql import parse

from modelreg.graphql.document_cache import DocumentCache, weigh


def query(i: int, padding: int = 0) -> str:
    return f'{{ project(path: "p{i}{"x" * padding}") {{ id name }} }}'


def test_weight_grows_with_text_and_tokens() -> None:
    small, long_literal, many_tokens = query(1), query(1, padding=100_000), "{" + " id" * 500 + "}"
    assert weigh(small, parse(small)) < 20_000
    assert weigh(long_literal, parse(long_literal)) > 200_000
    assert weigh(many_tokens, parse(many_tokens)) > 500 * 500


def test_least_recently_used_entries_go_when_the_bytes_would_exceed_the_budget() -> None:
    one = weigh(query(0), parse(query(0)))
    cache = DocumentCache(max_bytes=10 * one, max_entries=1000, max_entry_bytes=5 * one)
    for i in range(10):
        cache.put(query(i), parse(query(i)))
    assert cache.get(query(0)) is not None  # now the most recently used
    for i in range(10, 15):
        cache.put(query(i), parse(query(i)))
    assert cache.total_bytes <= 10 * one
    assert cache.get(query(0)) is not None
    assert cache.get(query(1)) is None
    assert cache.get(query(14)) is not None


def test_documents_heavier_than_an_entry_may_be_are_never_kept() -> None:
    cache = DocumentCache(max_bytes=1_000_000, max_entries=1000, max_entry_bytes=100_000)
    big = query(1, padding=200_000)
    entry = cache.put(big, parse(big))
    assert entry.document is not None
    assert cache.get(big) is None
    assert (len(cache), cache.total_bytes) == (0, 0)


def test_the_entry_count_is_bounded_too() -> None:
    cache = DocumentCache(max_bytes=10**9, max_entries=3, max_entry_bytes=10**9)
    for i in range(5):
        cache.put(query(i), parse(query(i)))
    assert len(cache) == 3
    assert [cache.get(query(i)) is not None for i in range(5)] == [False, False, True, True, True]


def test_putting_the_same_text_again_replaces_its_weight() -> None:
    cache = DocumentCache(max_bytes=10**9, max_entries=10, max_entry_bytes=10**9)
    cache.put(query(1), parse(query(1)))
    before = cache.total_bytes
    cache.put(query(1), parse(query(1)))
    assert (len(cache), cache.total_bytes) == (1, before)
