"""Unit tests for modelreg.domain.versions: parsing, precedence keys, bumps and "latest"."""

from __future__ import annotations

import functools
import itertools
import random

import pytest
import semver

from modelreg.domain.versions import (
    VERSION_MAX,
    Bump,
    ParsedVersion,
    bump,
    latest,
    parse_version,
    precedence_key,
)
from modelreg.errors import ErrorCode, InvalidArgument

# --------------------------------------------------------------------------------------------
# helpers


def _key(text: str) -> str:
    return precedence_key(semver.Version.parse(text))


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)


def _str_cmp(a: str, b: str) -> int:
    return (a > b) - (a < b)


# A small alphabet makes shared prefixes, case differences and '-' collisions likely.
_ALNUM_CHARS = "aabzAZ--0019"
_SMALL_NUMBERS = (0, 1, 2, 9, 10, 11, 99, 100, 101, 999, 1000)


def _random_number(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.6:
        return rng.choice(_SMALL_NUMBERS)
    if roll < 0.85:
        return rng.randrange(0, 10_000)
    # big numbers, up to 30 digits, including exact powers of ten and their neighbours
    digits = rng.randrange(5, 31)
    base = 10**digits
    return rng.choice((base - 1, base, base + 1, rng.randrange(base // 10, base)))


def _random_core_number(rng: random.Random) -> int:
    # Mostly tiny numbers, so that many versions share a core and differ only in prerelease.
    return rng.choice((0, 1, 2, 10)) if rng.random() < 0.85 else _random_number(rng)


def _random_identifier(rng: random.Random) -> str:
    if rng.random() < 0.45:
        return str(_random_number(rng))
    ident = "".join(rng.choice(_ALNUM_CHARS) for _ in range(rng.randrange(1, 5)))
    if ident.isdigit():  # an all-digit identifier would be numeric; make it alphanumeric
        ident = rng.choice("aZ-") + ident if rng.random() < 0.5 else ident + rng.choice("aZ-")
    return ident


def _random_version_text(rng: random.Random) -> str:
    while True:
        core = ".".join(str(_random_core_number(rng)) for _ in range(3))
        text = core
        if rng.random() < 0.7:
            count = rng.randrange(1, 5)
            text += "-" + ".".join(_random_identifier(rng) for _ in range(count))
        if rng.random() < 0.25:
            build_parts = rng.randrange(1, 3)
            text += "+" + ".".join(
                "".join(rng.choice("0a1Z-") for _ in range(rng.randrange(1, 4)))
                for _ in range(build_parts)
            )
        if len(text) <= VERSION_MAX:
            return text


def _random_versions(seed: int, count: int) -> list[semver.Version]:
    rng = random.Random(seed)
    texts: set[str] = set()
    while len(texts) < count:
        texts.add(_random_version_text(rng))
    return [parse_version(t).semver for t in sorted(texts)]


# --------------------------------------------------------------------------------------------
# parse_version: valid input


VALID_VERSIONS = [
    # (text, major, minor, patch, prerelease, build)
    ("0.0.0", 0, 0, 0, None, None),
    ("0.0.4", 0, 0, 4, None, None),
    ("1.2.3", 1, 2, 3, None, None),
    ("10.20.30", 10, 20, 30, None, None),
    ("1.1.2-prerelease+meta", 1, 1, 2, "prerelease", "meta"),
    ("1.1.2+meta", 1, 1, 2, None, "meta"),
    ("1.1.2+meta-valid", 1, 1, 2, None, "meta-valid"),
    ("1.0.0-alpha", 1, 0, 0, "alpha", None),
    ("1.0.0-beta", 1, 0, 0, "beta", None),
    ("1.0.0-alpha.beta", 1, 0, 0, "alpha.beta", None),
    ("1.0.0-alpha.beta.1", 1, 0, 0, "alpha.beta.1", None),
    ("1.0.0-alpha.1", 1, 0, 0, "alpha.1", None),
    ("1.0.0-alpha0.valid", 1, 0, 0, "alpha0.valid", None),
    ("1.0.0-alpha.0valid", 1, 0, 0, "alpha.0valid", None),
    (
        "1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay",
        1,
        0,
        0,
        "alpha-a.b-c-somethinglong",
        "build.1-aef.1-its-okay",
    ),
    ("1.0.0-rc.1+build.1", 1, 0, 0, "rc.1", "build.1"),
    ("2.0.0-rc.1+build.123", 2, 0, 0, "rc.1", "build.123"),
    ("1.2.3-beta", 1, 2, 3, "beta", None),
    ("10.2.3-DEV-SNAPSHOT", 10, 2, 3, "DEV-SNAPSHOT", None),
    ("1.2.3-SNAPSHOT-123", 1, 2, 3, "SNAPSHOT-123", None),
    ("2.0.0+build.1848", 2, 0, 0, None, "build.1848"),
    ("2.0.1-alpha.1227", 2, 0, 1, "alpha.1227", None),
    ("1.0.0-alpha+beta", 1, 0, 0, "alpha", "beta"),
    ("1.2.3----RC-SNAPSHOT.12.9.1--.12+788", 1, 2, 3, "---RC-SNAPSHOT.12.9.1--.12", "788"),
    ("1.2.3----R-S.12.9.1--.12+meta", 1, 2, 3, "---R-S.12.9.1--.12", "meta"),
    ("1.2.3----RC-SNAPSHOT.12.9.1--.12", 1, 2, 3, "---RC-SNAPSHOT.12.9.1--.12", None),
    ("1.0.0+0.build.1-rc.10000aaa-kk-0.1", 1, 0, 0, None, "0.build.1-rc.10000aaa-kk-0.1"),
    (
        "99999999999999999999999.999999999999999999.99999999999999999",
        99999999999999999999999,
        999999999999999999,
        99999999999999999,
        None,
        None,
    ),
    ("1.0.0-0A.is.legal", 1, 0, 0, "0A.is.legal", None),
    ("2.0.1-rc2", 2, 0, 1, "rc2", None),
    ("1.0.0-0", 1, 0, 0, "0", None),
    ("1.0.0--", 1, 0, 0, "-", None),
    ("1.0.0-01a", 1, 0, 0, "01a", None),  # leading zero is fine in an alphanumeric identifier
    ("1.0.0+001", 1, 0, 0, None, "001"),  # ... and anywhere in build metadata
]


@pytest.mark.parametrize(
    ("text", "major", "minor", "patch", "prerelease", "build"),
    VALID_VERSIONS,
    ids=[case[0][:40] for case in VALID_VERSIONS],
)
def test_parse_version_accepts_valid_semver(
    text: str, major: int, minor: int, patch: int, prerelease: str | None, build: str | None
) -> None:
    parsed = parse_version(text)
    assert isinstance(parsed, ParsedVersion)
    assert parsed.text == text
    assert (parsed.semver.major, parsed.semver.minor, parsed.semver.patch) == (
        major,
        minor,
        patch,
    )
    assert parsed.semver.prerelease == prerelease
    assert parsed.semver.build == build
    assert parsed.is_prerelease is (prerelease is not None)
    assert str(parsed.semver) == text


def test_parsed_version_sort_key_is_the_precedence_key() -> None:
    parsed = parse_version("1.0.0-rc.1+build.7")
    assert parsed.sort_key == precedence_key(parsed.semver)
    assert parsed.sort_key == _key("1.0.0-rc.1")


def test_parse_version_accepts_exactly_the_maximum_length() -> None:
    text = "1.0.0-" + "a" * (VERSION_MAX - len("1.0.0-"))
    assert len(text) == VERSION_MAX
    assert parse_version(text).text == text


# --------------------------------------------------------------------------------------------
# parse_version: invalid input


INVALID_VERSIONS = [
    "1",
    "1.2",
    "1.0",
    "v1.2.3",
    "V1.2.3",
    "01.2.3",
    "1.01.1",
    "1.1.01",
    "1.2.3-01",
    "1.2.3-0123",
    "1.2.3-0123.0123",
    "1.1.2+.123",
    "+invalid",
    "-invalid",
    "-invalid+invalid",
    "-invalid.01",
    "alpha",
    "alpha.beta",
    "alpha.beta.1",
    "alpha.1",
    "alpha+beta",
    "alpha_beta",
    "alpha.",
    "alpha..",
    "beta",
    "1.0.0-alpha_beta",
    "-alpha.",
    "1.0.0-alpha..",
    "1.0.0-alpha..1",
    "1.0.0-alpha...1",
    "1.0.0-alpha.......1",
    "1.2.3.DEV",
    "1.2.3.4",
    "1.2-SNAPSHOT",
    "1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788",
    "1.2-RC-SNAPSHOT",
    "-1.0.3-gamma+b7718",
    "+justmeta",
    "9.8.7+meta+meta",
    "9.8.7-whatever+meta+meta",
    "1.2.3-",
    "1.2.3+",
    "1.2.3-rc.",
    "1.2.3-.rc",
    "1.2.3-é",
    "1.2.3+é",
    "1.2.3-rc 1",
    " 1.2.3",
    "1.2.3 ",
    "1 .2.3",
    "1.2 .3",
    "1.2.3\n",
    "\t1.2.3",
    "1.2.3\x00",
    "\u0661.\u0662.\u0663",  # Arabic-Indic digits are decimal digits to Python, not to SemVer
    "1.0.0-1\u0661",
    "\uff11.\uff12.\uff13",  # fullwidth digits
    "-1.2.3",
    "1.-2.3",
    "a.b.c",
    "latest",
    ".",
    "..",
]


@pytest.mark.parametrize("text", INVALID_VERSIONS, ids=[repr(t) for t in INVALID_VERSIONS])
def test_parse_version_rejects_invalid_input(text: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse_version(text)
    err = caught.value
    assert err.field == "version"
    assert err.code is ErrorCode.INVALID_ARGUMENT
    assert f"'{text}' is not a semantic version" in err.message
    assert "MAJOR.MINOR.PATCH" in err.message
    assert str(err) == err.message


def test_parse_version_rejects_empty_string() -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse_version("")
    assert caught.value.field == "version"
    assert "must not be empty" in caught.value.message
    assert "1.0.0" in caught.value.message  # shows an example


@pytest.mark.parametrize("length", [VERSION_MAX + 1, VERSION_MAX + 50, 10_000])
def test_parse_version_rejects_overlong_input(length: int) -> None:
    # Otherwise valid: the length limit must apply before parsing.
    text = "1.0.0-" + "a" * (length - len("1.0.0-"))
    assert len(text) == length
    with pytest.raises(InvalidArgument) as caught:
        parse_version(text)
    assert caught.value.field == "version"
    assert f"{length} characters long" in caught.value.message
    assert f"limit is {VERSION_MAX}" in caught.value.message
    # The message must not echo a 10k-character input back.
    assert len(caught.value.message) < 200


def test_parse_version_overlong_numeric_version_is_rejected() -> None:
    text = "1" * 60 + "." + "2" * 60 + "." + "3" * 10
    assert len(text) == VERSION_MAX + 4
    with pytest.raises(InvalidArgument, match="limit is 128"):
        parse_version(text)


@pytest.mark.parametrize("field", ["fromVersion", "input.version", "to"])
def test_parse_version_reports_the_given_field(field: str) -> None:
    for text in ("", "1.0", "x" * (VERSION_MAX + 1)):
        with pytest.raises(InvalidArgument) as caught:
            parse_version(text, field=field)
        assert caught.value.field == field


HINTS = [
    ("1.0", "Did you mean '1.0.0'?"),
    ("1.2", "Did you mean '1.2.0'?"),
    ("1", "Did you mean '1.0.0'?"),
    ("7", "Did you mean '7.0.0'?"),
    ("1.2-rc.1", "Did you mean '1.2.0-rc.1'?"),
    ("1.0 ", "Did you mean '1.0.0'?"),
    ("v1.2.3", "Drop the leading 'v': use '1.2.3'."),
    ("V1.2.3", "Drop the leading 'V': use '1.2.3'."),
    ("v2.0.0-rc.1+b.5", "Drop the leading 'v': use '2.0.0-rc.1+b.5'."),
    (" v1.2.3", "Drop the leading 'v': use '1.2.3'."),
]


@pytest.mark.parametrize(("text", "hint"), HINTS, ids=[repr(h[0]) for h in HINTS])
def test_parse_version_error_carries_a_hint(text: str, hint: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse_version(text)
    assert hint in caught.value.message
    assert caught.value.message.endswith(hint)


@pytest.mark.parametrize(
    "text", ["01.2.3", "1.2.3-01", "1.2.3.4", "alpha", "v1.0", "1.2.3-", "9.8.7+meta+meta"]
)
def test_parse_version_gives_no_misleading_hint(text: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse_version(text)
    assert "Did you mean" not in caught.value.message
    assert "Drop the leading" not in caught.value.message


@pytest.mark.parametrize("text", [" 1.2.3", "1.2.3 ", "1.2.3\n"])
def test_parse_version_hints_at_surrounding_whitespace(text: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse_version(text)
    assert "'1.2.3'" in caught.value.message


# --------------------------------------------------------------------------------------------
# precedence_key


SPEC_CHAIN = [
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
]


@pytest.mark.parametrize(("lower", "higher"), list(itertools.pairwise(SPEC_CHAIN)), ids=lambda v: v)
def test_precedence_key_follows_the_semver_spec_chain(lower: str, higher: str) -> None:
    assert _key(lower) < _key(higher)
    assert semver.Version.parse(lower).compare(higher) == -1


def test_precedence_key_sorts_the_spec_chain_from_any_order() -> None:
    rng = random.Random(11)
    for _ in range(50):
        shuffled = SPEC_CHAIN[:]
        rng.shuffle(shuffled)
        assert sorted(shuffled, key=_key) == SPEC_CHAIN


ORDERED_PAIRS = [
    # (lower, higher): cases where plain string order of the version text is wrong
    ("0.0.1", "0.1.0"),
    ("0.1.0", "1.0.0"),
    ("1.9.0", "1.10.0"),
    ("1.0.9", "1.0.10"),
    ("2.0.0", "10.0.0"),
    ("9.99.99", "10.0.0"),
    ("1.0.0-rc.1", "1.0.0"),
    ("1.0.0-9", "1.0.0-10"),
    ("1.0.0-2", "1.0.0-10"),
    ("1.0.0-alpha.9", "1.0.0-alpha.10"),
    ("1.0.0-0", "1.0.0-0.0"),
    ("1.0.0-0", "1.0.0-1"),
    ("1.0.0-999", "1.0.0-a"),  # numeric below alphanumeric
    ("1.0.0-99999999999999999999", "1.0.0--"),
    ("1.0.0-0", "1.0.0--"),
    ("1.0.0--", "1.0.0-0a"),  # '-' sorts below digits in ASCII
    ("1.0.0-A", "1.0.0-a"),  # ASCII: uppercase below lowercase
    ("1.0.0-Z", "1.0.0-a"),
    ("1.0.0-a", "1.0.0-a.0"),  # fewer identifiers first
    ("1.0.0-a.b", "1.0.0-a-b"),  # 'a' < 'a-b' decides before the second identifier
    ("1.0.0-a.zzz", "1.0.0-a-"),
    ("1.0.0-a.1", "1.0.0-a.a"),
    ("1.0.0-a", "1.0.0-aa"),
    ("1.0.0-rc1", "1.0.0-rc10"),
    ("1.0.0-rc10", "1.0.0-rc2"),  # alphanumeric identifiers compare lexically
    ("1.0.0-alpha.beta", "1.0.0-alpha.beta.0"),
    ("1.0.0-1.2.3", "1.0.0-1.2.3.4"),
    ("1.0.0-1.10", "1.0.0-2"),
    ("1.0.0", "1.0.1-0"),
    ("1.0.0", "1.0.1-alpha"),
    ("1.999.999", "2.0.0-0"),
    ("2.0.0-rc.1", "2.0.0"),
    ("99999999999999999999.0.0", "100000000000000000000.0.0"),
    ("1.0.0-99999999999999999999", "1.0.0-100000000000000000000"),
]


@pytest.mark.parametrize(("lower", "higher"), ORDERED_PAIRS, ids=lambda v: v)
def test_precedence_key_orders_tricky_pairs(lower: str, higher: str) -> None:
    assert semver.Version.parse(lower).compare(higher) == -1, "test case itself is wrong"
    assert _key(lower) < _key(higher)
    # and the encoding is C-collation safe: byte order agrees with code-point order
    assert _key(lower).encode() < _key(higher).encode()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("1.0.0", "1.0.0+build"),
        ("1.0.0+a", "1.0.0+b.2"),
        ("1.0.0-rc.1", "1.0.0-rc.1+exp.sha.5114f85"),
        ("2.0.0-alpha.1+001", "2.0.0-alpha.1+20130313144700"),
    ],
)
def test_build_metadata_does_not_change_the_key(a: str, b: str) -> None:
    assert _key(a) == _key(b)
    assert semver.Version.parse(a).compare(b) == 0


def test_equal_versions_have_equal_keys_and_different_ones_differ() -> None:
    versions = ["1.0.0", "1.0.0-0", "1.0.0-00a", "1.0.0-0a", "1.0.0-a", "1.0.0-a.0", "1.0.1"]
    keys = [_key(v) for v in versions]
    assert len(set(keys)) == len(versions)
    assert [_key(v) for v in versions] == keys  # deterministic


def test_precedence_key_is_ascii() -> None:
    for version in _random_versions(seed=5, count=300):
        assert precedence_key(version).isascii()


@pytest.fixture(scope="module")
def random_versions() -> list[semver.Version]:
    return _random_versions(seed=20240501, count=3000)


def test_random_versions_cover_interesting_shapes(random_versions: list[semver.Version]) -> None:
    # Guard against a generator that silently stops producing the hard cases.
    assert sum(v.prerelease is None for v in random_versions) > 300
    assert sum(v.build is not None for v in random_versions) > 300
    assert any(v.major >= 10**20 for v in random_versions)
    assert any(v.prerelease and "." in v.prerelease for v in random_versions)
    prerelease_idents = [
        ident for v in random_versions if v.prerelease for ident in v.prerelease.split(".")
    ]
    assert any(i.isdigit() and len(i) > 10 for i in prerelease_idents)
    assert any(not i.isdigit() for i in prerelease_idents)
    assert any("-" in i for i in prerelease_idents)
    # many versions share a core, so prerelease ordering is really exercised
    cores = {(v.major, v.minor, v.patch) for v in random_versions}
    assert len(cores) < len(random_versions) / 2


def test_precedence_key_sort_matches_semver_sort(random_versions: list[semver.Version]) -> None:
    rng = random.Random(3)
    shuffled = random_versions[:]
    rng.shuffle(shuffled)
    by_semver = sorted(shuffled, key=functools.cmp_to_key(lambda a, b: a.compare(b)))
    by_key = sorted(shuffled, key=precedence_key)
    # Build metadata makes some versions equal in precedence; compare what is observable.
    assert [precedence_key(v) for v in by_semver] == [precedence_key(v) for v in by_key]
    for a, b in zip(by_semver, by_key, strict=True):
        assert a.compare(b) == 0, (str(a), str(b))


def test_precedence_key_adjacent_pairs_match_semver(random_versions: list[semver.Version]) -> None:
    ordered = sorted(random_versions, key=functools.cmp_to_key(lambda a, b: a.compare(b)))
    for a, b in itertools.pairwise(ordered):
        expected = a.compare(b)
        assert expected in (-1, 0)
        assert _str_cmp(precedence_key(a), precedence_key(b)) == expected, (str(a), str(b))


def test_precedence_key_random_pairs_match_semver(random_versions: list[semver.Version]) -> None:
    rng = random.Random(99)
    for _ in range(30_000):
        a = rng.choice(random_versions)
        b = rng.choice(random_versions)
        expected = _sign(a.compare(b))
        assert _str_cmp(precedence_key(a), precedence_key(b)) == expected, (str(a), str(b))


def test_precedence_key_same_core_pairs_match_semver(random_versions: list[semver.Version]) -> None:
    # Exhaustive pairwise comparison inside each group of versions sharing a core.
    groups: dict[tuple[int, int, int], list[semver.Version]] = {}
    for v in random_versions:
        groups.setdefault((v.major, v.minor, v.patch), []).append(v)
    compared = 0
    for group in groups.values():
        for a, b in itertools.combinations(group, 2):
            assert _str_cmp(precedence_key(a), precedence_key(b)) == _sign(a.compare(b)), (
                str(a),
                str(b),
            )
            compared += 1
    assert compared > 10_000


def test_precedence_key_ignores_build_on_random_versions(
    random_versions: list[semver.Version],
) -> None:
    for v in random_versions:
        assert precedence_key(v) == precedence_key(v.replace(build=None))
        assert precedence_key(v) == precedence_key(v.replace(build="x.1-y"))


# --------------------------------------------------------------------------------------------
# bump


BUMPS = [
    # (current, part, expected)
    (None, Bump.MAJOR, "1.0.0"),
    (None, Bump.MINOR, "0.1.0"),
    (None, Bump.PATCH, "0.1.0"),
    ("1.2.3", Bump.MAJOR, "2.0.0"),
    ("1.2.3", Bump.MINOR, "1.3.0"),
    ("1.2.3", Bump.PATCH, "1.2.4"),
    ("0.0.0", Bump.MAJOR, "1.0.0"),
    ("0.0.0", Bump.MINOR, "0.1.0"),
    ("0.0.0", Bump.PATCH, "0.0.1"),
    ("9.9.9", Bump.PATCH, "9.9.10"),
    ("9.9.9", Bump.MINOR, "9.10.0"),
    ("9.9.9", Bump.MAJOR, "10.0.0"),
    ("1.2.3+build.5", Bump.PATCH, "1.2.4"),  # build metadata is dropped
    ("1.2.3+build.5", Bump.MAJOR, "2.0.0"),
    # prereleases: finish the release when it already is the bump
    ("2.0.0-rc1", Bump.MAJOR, "2.0.0"),
    ("1.3.0-rc1", Bump.MINOR, "1.3.0"),
    ("1.2.4-rc1", Bump.PATCH, "1.2.4"),
    ("1.2.4-rc1", Bump.MINOR, "1.3.0"),
    ("1.2.4-rc1", Bump.MAJOR, "2.0.0"),
    ("1.3.0-rc1", Bump.PATCH, "1.3.0"),
    ("1.3.0-rc1", Bump.MAJOR, "2.0.0"),
    ("2.0.0-rc1", Bump.MINOR, "2.0.0"),
    ("2.0.0-rc1", Bump.PATCH, "2.0.0"),
    ("0.1.0-alpha", Bump.MAJOR, "1.0.0"),
    ("0.0.1-alpha", Bump.MINOR, "0.1.0"),
    ("1.0.0-0", Bump.MAJOR, "1.0.0"),
    ("1.0.0-rc.1+build.9", Bump.PATCH, "1.0.0"),
]


@pytest.mark.parametrize(
    ("current", "part", "expected"),
    BUMPS,
    ids=[f"{c}+{p.value}" for c, p, _ in BUMPS],
)
def test_bump(current: str | None, part: Bump, expected: str) -> None:
    version = None if current is None else semver.Version.parse(current)
    result = bump(version, part)
    assert result == expected
    assert isinstance(result, str)
    if version is not None:
        assert semver.Version.parse(result) > version


def test_bump_result_is_always_higher_and_a_release(random_versions: list[semver.Version]) -> None:
    for version in random_versions[:1000]:
        for part in Bump:
            result = parse_version(bump(version, part))
            assert not result.is_prerelease
            assert result.semver.build is None
            assert result.semver.compare(version) == 1, (str(version), part)


def test_bump_agrees_with_semver_next_version(random_versions: list[semver.Version]) -> None:
    for version in random_versions[:1000]:
        for part in Bump:
            expected = str(version.next_version(part.value.lower()))
            assert bump(version, part) == expected, (str(version), part)


def test_bump_accepts_plain_strings_as_enum_values() -> None:
    assert Bump("MAJOR") is Bump.MAJOR
    assert [b.value for b in Bump] == ["MAJOR", "MINOR", "PATCH"]


# --------------------------------------------------------------------------------------------
# latest


LATEST = [
    ([], None),
    (["1.0.0"], "1.0.0"),
    (
        ["1.0.0", "1.1.0", "1.1.1", "2.0.0", "2.0.1-alpha1", "2.0.1-rc2", "2.1.0", "10.0.0"],
        "10.0.0",
    ),
    (["9.0.0", "10.0.0"], "10.0.0"),
    (["1.10.0", "1.9.0"], "1.10.0"),
    (["1.0.0", "2.0.0-rc.1"], "1.0.0"),  # a release wins over a higher prerelease
    (["0.0.1", "5.0.0-beta", "4.0.0-rc.9"], "0.0.1"),
    (["1.0.0-rc.9", "1.0.0-rc.10"], "1.0.0-rc.10"),  # only prereleases: highest one
    (["1.0.0-alpha", "1.0.0-beta", "0.9.0-rc.1"], "1.0.0-beta"),
    (["2.0.0-alpha.beta", "2.0.0-alpha.1"], "2.0.0-alpha.beta"),
    (["1.0.0+build.5"], "1.0.0+build.5"),
    (["1.0.0", "1.0.0-rc.1", "0.9.0"], "1.0.0"),
]


@pytest.mark.parametrize(("versions", "expected"), LATEST, ids=lambda v: repr(v)[:50])
def test_latest(versions: list[str], expected: str | None) -> None:
    assert latest(versions) == expected
    assert latest(reversed(versions)) == expected
    assert latest(iter(versions)) == expected  # any iterable, consumed once


def test_latest_is_order_independent() -> None:
    versions = [
        "1.0.0",
        "1.1.0",
        "1.1.1",
        "2.0.0",
        "2.0.1-alpha1",
        "2.0.1-rc2",
        "2.1.0",
        "10.0.0",
    ]
    rng = random.Random(7)
    for _ in range(100):
        rng.shuffle(versions)
        assert latest(versions) == "10.0.0"


def test_latest_matches_semver_max_on_random_sets(random_versions: list[semver.Version]) -> None:
    rng = random.Random(17)
    for _ in range(300):
        sample = rng.sample(random_versions, rng.randrange(1, 30))
        releases = [v for v in sample if v.prerelease is None]
        pool = releases or sample
        result = latest(str(v) for v in sample)
        assert result is not None
        best = semver.Version.parse(result)
        assert (best.prerelease is None) == bool(releases)
        assert all(best.compare(v) >= 0 for v in pool)
        assert result in {str(v) for v in pool}
