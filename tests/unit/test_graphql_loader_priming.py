"""`loaders.prime` fills a loader's cache as `prime_many` does, but makes a value's future only
when the value is asked for (`PrimedCache`): a list page primes ~200 values and reads few."""

from __future__ import annotations

import asyncio

from strawberry.dataloader import DataLoader

from modelreg.graphql.loaders import PrimedCache, prime


def _loader(fetched: list[list[int]]) -> DataLoader[int, str]:
    async def load(keys: list[int]) -> list[str]:
        fetched.append(keys)
        return [f"loaded {k}" for k in keys]

    return DataLoader(load_fn=load, cache_map=PrimedCache())


def test_primed_values_are_loaded_from_the_cache_and_futures_made_on_demand() -> None:
    async def run() -> None:
        fetched: list[list[int]] = []
        loader = _loader(fetched)
        prime(loader, {1: "one", 2: "two"})
        cache = loader.cache_map
        assert isinstance(cache, PrimedCache)
        assert cache.cache_map == {}  # no future yet
        assert await loader.load(1) == "one"
        assert list(cache.cache_map) == [1]
        assert await loader.load_many([2, 3]) == ["two", "loaded 3"]
        assert fetched == [[3]]

    asyncio.run(run())


def test_a_value_already_there_is_kept_and_a_cleared_one_is_loaded_again() -> None:
    async def run() -> None:
        fetched: list[list[int]] = []
        loader = _loader(fetched)
        assert await loader.load(1) == "loaded 1"
        prime(loader, {1: "primed", 2: "two"})
        prime(loader, {2: "later"})
        assert await loader.load_many([1, 2]) == ["loaded 1", "two"]
        loader.clear(2)
        loader.clear(7)  # never cached: nothing to forget
        assert await loader.load(2) == "loaded 2"
        prime(loader, {4: "four"})
        loader.clear_all()
        assert await loader.load(4) == "loaded 4"
        assert fetched == [[1], [2], [4]]

    asyncio.run(run())


def test_a_key_waiting_in_a_batch_gets_the_primed_value() -> None:
    async def run() -> None:
        fetched: list[list[int]] = []
        loader = _loader(fetched)
        waiting = asyncio.ensure_future(loader.load_many([5, 6]))
        await asyncio.sleep(0)  # the loads are queued; the batch is not dispatched yet
        prime(loader, {5: "five"})
        assert await waiting == ["five", "loaded 6"]
        assert fetched == [[6]]

    asyncio.run(run())
