"""Shared by the fuzz suites: hostile JSON values and a tally printed at the end of the run."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st


def fuzz_settings(default_examples: int) -> settings:
    """Reproducible (a fixed seed, no example database) and bounded for `make test`;
    MODELREG_FUZZ_EXAMPLES sets how many examples each property tries."""
    return settings(
        max_examples=int(os.environ.get("MODELREG_FUZZ_EXAMPLES", str(default_examples))),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
    )


# Values a JSON parser accepts that code often does not expect.
AWKWARD_TEXT = st.sampled_from(
    ["", " ", "\x00", "\ud800", "a\udfffb", "\u202e", "../../etc/passwd", "%00", "' OR 1=1 --"]
)


def json_values(max_leaves: int = 30) -> st.SearchStrategy[object]:
    """Any JSON value: wrong types, nesting, lone surrogates, huge and non-finite numbers."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=2**63, max_value=2**200),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=50),
        AWKWARD_TEXT,
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=5),
            st.dictionaries(st.one_of(st.text(max_size=20), AWKWARD_TEXT), inner, max_size=5),
        ),
        max_leaves=max_leaves,
    )


@dataclass
class FuzzStats:
    """Requests sent per suite and how many answered with each status class."""

    requests: Counter[str] = field(default_factory=Counter)
    server_errors: Counter[str] = field(default_factory=Counter)

    def record(self, suite: str, status: int) -> None:
        self.requests[suite] += 1
        if status >= 500:
            self.server_errors[suite] += 1

    def lines(self) -> list[str]:
        return [
            f"fuzz {suite}: {count} requests, {self.server_errors[suite]} answered 5xx"
            for suite, count in sorted(self.requests.items())
        ]


FUZZ_STATS = FuzzStats()
