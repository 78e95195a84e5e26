"""Unit tests for modelreg.settings: defaults, MODELREG_* variables, overrides and errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from modelreg.settings import ENV_PREFIX, Settings, SettingsError, load_settings, setting_names

README = Path(__file__).resolve().parents[2] / "README.md"

EXPECTED_NAMES = {
    "MODELREG_DATA_DIR",
    "MODELREG_DATABASE_URL",
    "MODELREG_ARTIFACTS_DIR",
    "MODELREG_HOST",
    "MODELREG_PORT",
    "MODELREG_LOG_LEVEL",
    "MODELREG_GRAPHIQL",
    "MODELREG_QUERY_MAX_DEPTH",
    "MODELREG_QUERY_MAX_ALIASES",
    "MODELREG_QUERY_MAX_TOKENS",
    "MODELREG_PAGE_SIZE_MAX",
}


# --------------------------------------------------------------------------------------------
# setting_names


def test_setting_names_are_prefixed_upper_case_and_unique() -> None:
    names = setting_names()
    assert len(names) == len(set(names))
    for name in names:
        assert name.startswith(ENV_PREFIX)
        assert re.fullmatch(r"MODELREG_[A-Z0-9_]+", name), name


def test_setting_names_cover_every_field() -> None:
    assert set(setting_names()) >= EXPECTED_NAMES
    assert {n[len(ENV_PREFIX) :].lower() for n in setting_names()} == set(Settings.model_fields)


# --------------------------------------------------------------------------------------------
# defaults


def test_defaults() -> None:
    s = load_settings(environ={})
    assert s.data_dir == Path(".modelreg")
    assert s.database_url == ""
    assert s.resolved_database_url == "sqlite+aiosqlite:///.modelreg/registry.db"
    assert s.artifacts_dir is None
    assert s.resolved_artifacts_dir == Path(".modelreg") / "artifacts"
    assert s.host == "127.0.0.1"
    assert s.port == 8000
    assert s.log_level == "info"
    assert s.graphiql is True
    assert s.query_max_depth == 12
    assert s.query_max_aliases == 30
    assert s.query_max_tokens == 5000
    assert s.page_size_max == 100


def test_defaults_with_no_overrides_are_the_same_as_empty_overrides() -> None:
    assert load_settings(None, environ={}) == load_settings({}, environ={})


def test_settings_are_frozen() -> None:
    s = load_settings(environ={})
    with pytest.raises(Exception, match="frozen"):
        s.port = 1  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# environment


def test_data_dir_moves_the_derived_database_and_artifacts() -> None:
    s = load_settings(environ={"MODELREG_DATA_DIR": "/srv/modelreg"})
    assert s.data_dir == Path("/srv/modelreg")
    assert s.resolved_database_url == "sqlite+aiosqlite:////srv/modelreg/registry.db"
    assert s.resolved_artifacts_dir == Path("/srv/modelreg/artifacts")


def test_explicit_database_url_and_artifacts_dir_win_over_data_dir() -> None:
    s = load_settings(
        environ={
            "MODELREG_DATA_DIR": "/srv/modelreg",
            "MODELREG_DATABASE_URL": "postgresql+asyncpg://reg:pw@db:5432/registry",
            "MODELREG_ARTIFACTS_DIR": "/mnt/blobs",
        }
    )
    assert s.resolved_database_url == "postgresql+asyncpg://reg:pw@db:5432/registry"
    assert s.resolved_artifacts_dir == Path("/mnt/blobs")


ENV_VALUES = [
    ("MODELREG_DATA_DIR", "data", "data_dir", Path("data")),
    (
        "MODELREG_DATABASE_URL",
        "sqlite+aiosqlite:///x.db",
        "database_url",
        "sqlite+aiosqlite:///x.db",
    ),
    (
        "MODELREG_DATABASE_URL",
        "postgresql+asyncpg://u@h/db",
        "database_url",
        "postgresql+asyncpg://u@h/db",
    ),
    ("MODELREG_ARTIFACTS_DIR", "/tmp/a", "artifacts_dir", Path("/tmp/a")),
    ("MODELREG_HOST", "0.0.0.0", "host", "0.0.0.0"),
    ("MODELREG_PORT", "9000", "port", 9000),
    ("MODELREG_PORT", "1", "port", 1),
    ("MODELREG_PORT", "65535", "port", 65535),
    ("MODELREG_LOG_LEVEL", "debug", "log_level", "debug"),
    ("MODELREG_LOG_LEVEL", "warning", "log_level", "warning"),
    ("MODELREG_LOG_LEVEL", "error", "log_level", "error"),
    ("MODELREG_GRAPHIQL", "false", "graphiql", False),
    ("MODELREG_GRAPHIQL", "0", "graphiql", False),
    ("MODELREG_GRAPHIQL", "true", "graphiql", True),
    ("MODELREG_GRAPHIQL", "1", "graphiql", True),
    ("MODELREG_QUERY_MAX_DEPTH", "5", "query_max_depth", 5),
    ("MODELREG_QUERY_MAX_ALIASES", "1", "query_max_aliases", 1),
    ("MODELREG_QUERY_MAX_TOKENS", "100", "query_max_tokens", 100),
    ("MODELREG_PAGE_SIZE_MAX", "500", "page_size_max", 500),
]


@pytest.mark.parametrize(
    ("var", "raw", "field", "expected"), ENV_VALUES, ids=[f"{v}={r}" for v, r, _, _ in ENV_VALUES]
)
def test_environment_variables_are_read_and_typed(
    var: str, raw: str, field: str, expected: Any
) -> None:
    s = load_settings(environ={var: raw})
    assert getattr(s, field) == expected
    assert type(getattr(s, field)) is type(expected) or isinstance(getattr(s, field), Path)


def test_other_environment_variables_are_ignored() -> None:
    s = load_settings(
        environ={"PATH": "/usr/bin", "PORT": "not-a-port", "MODELREGISTRY": "x", "HOME": "/root"}
    )
    assert s.port == 8000


def test_reads_os_environ_when_no_environ_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in [k for k in os.environ if k.startswith(ENV_PREFIX)]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("MODELREG_PORT", "9123")
    monkeypatch.setenv("MODELREG_LOG_LEVEL", "debug")
    s = load_settings()
    assert s.port == 9123
    assert s.log_level == "debug"


def test_explicit_environ_replaces_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELREG_PORT", "9123")
    monkeypatch.setenv("MODELREG_NOT_A_SETTING", "1")  # would raise if os.environ were read
    assert load_settings(environ={}).port == 8000


# --------------------------------------------------------------------------------------------
# overrides


def test_overrides_win_over_environment() -> None:
    env = {"MODELREG_PORT": "9000", "MODELREG_HOST": "0.0.0.0", "MODELREG_DATA_DIR": "/env"}
    s = load_settings({"port": 9001, "data_dir": Path("/flag")}, environ=env)
    assert s.port == 9001
    assert s.data_dir == Path("/flag")
    assert s.host == "0.0.0.0"  # not overridden: the environment still applies
    assert s.resolved_database_url == "sqlite+aiosqlite:////flag/registry.db"


def test_none_overrides_fall_back_to_environment_and_defaults() -> None:
    s = load_settings(
        {"port": None, "host": None, "log_level": None}, environ={"MODELREG_PORT": "9000"}
    )
    assert s.port == 9000
    assert s.host == "127.0.0.1"
    assert s.log_level == "info"


def test_overrides_accept_strings_like_the_environment() -> None:
    s = load_settings({"port": "7000", "graphiql": "false"}, environ={})
    assert s.port == 7000
    assert s.graphiql is False


def test_false_and_zero_like_overrides_are_not_dropped() -> None:
    s = load_settings({"graphiql": False, "host": ""}, environ={"MODELREG_GRAPHIQL": "true"})
    assert s.graphiql is False
    assert s.host == ""


# --------------------------------------------------------------------------------------------
# errors


def test_unknown_variable_is_named() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(environ={"MODELREG_FOO": "1"})
    message = str(caught.value)
    assert "Unknown setting MODELREG_FOO" in message
    # and the known ones are listed, so a typo is easy to fix
    for name in EXPECTED_NAMES:
        assert name in message


def test_all_unknown_variables_are_named() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(environ={"MODELREG_PROT": "1", "MODELREG_DATADIR": "x", "MODELREG_PORT": "1"})
    message = str(caught.value)
    assert "MODELREG_DATADIR" in message
    assert "MODELREG_PROT" in message


def test_unknown_variable_is_rejected_even_with_overrides() -> None:
    with pytest.raises(SettingsError, match="MODELREG_FOO"):
        load_settings({"port": 9000}, environ={"MODELREG_FOO": "1"})


def test_unknown_override_is_rejected() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"prot": 9000}, environ={})
    assert "PROT" in str(caught.value).upper()


MALFORMED = [
    ("MODELREG_PORT", "abc", "valid integer"),
    ("MODELREG_PORT", "0", "greater than or equal to 1"),
    ("MODELREG_PORT", "-1", "greater than or equal to 1"),
    ("MODELREG_PORT", "65536", "less than or equal to 65535"),
    ("MODELREG_PORT", "80.5", "integer"),
    ("MODELREG_LOG_LEVEL", "loud", "'debug', 'info', 'warning' or 'error'"),
    ("MODELREG_GRAPHIQL", "maybe", "valid boolean"),
    ("MODELREG_QUERY_MAX_DEPTH", "0", "greater than or equal to 1"),
    ("MODELREG_QUERY_MAX_ALIASES", "x", "valid integer"),
    ("MODELREG_QUERY_MAX_TOKENS", "99", "greater than or equal to 100"),
    ("MODELREG_PAGE_SIZE_MAX", "0", "greater than or equal to 1"),
]


@pytest.mark.parametrize(
    ("var", "raw", "problem"), MALFORMED, ids=[f"{v}={r}" for v, r, _ in MALFORMED]
)
def test_malformed_value_names_the_variable(var: str, raw: str, problem: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(environ={var: raw})
    message = str(caught.value)
    assert f"{var}:" in message
    assert problem in message
    assert caught.value.__cause__ is None  # no pydantic traceback noise


def test_several_malformed_values_are_all_named() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(environ={"MODELREG_PORT": "abc", "MODELREG_LOG_LEVEL": "loud"})
    message = str(caught.value)
    assert "MODELREG_PORT" in message
    assert "MODELREG_LOG_LEVEL" in message


def test_malformed_override_names_the_setting() -> None:
    with pytest.raises(SettingsError, match="MODELREG_PORT"):
        load_settings({"port": "abc"}, environ={})


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("sqlite+aiosqlite:////abs/x.db", "sqlite+aiosqlite:////abs/x.db"),
        ("postgresql+asyncpg://u:p@h:5432/db", "postgresql+asyncpg://u:p@h:5432/db"),
        # plain URLs get the async driver
        ("sqlite:///registry.db", "sqlite+aiosqlite:///registry.db"),
        (
            "sqlite:////var/lib/modelreg/registry.db",
            "sqlite+aiosqlite:////var/lib/modelreg/registry.db",
        ),
        ("postgresql://u:p@h:5432/db", "postgresql+asyncpg://u:p@h:5432/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        (
            "postgres://postgres@postgres/postgres",
            "postgresql+asyncpg://postgres@postgres/postgres",
        ),
    ],
)
def test_database_url_gets_the_async_driver(url: str, expected: str) -> None:
    s = load_settings(environ={"MODELREG_DATABASE_URL": url})
    assert s.database_url == expected
    assert s.resolved_database_url == expected
    assert load_settings({"database_url": url}, environ={}).database_url == expected


@pytest.mark.parametrize(
    "url",
    [
        "mysql://x",
        "mysql+aiomysql://u@h/db",
        "postgresql+psycopg://u@h/db",
        "sqlite+pysqlite:///x.db",
        "oracle://u@h/db",
        "registry.db",
        "/var/lib/modelreg/registry.db",
        " sqlite:///x.db",
    ],
)
def test_unsupported_database_url_names_the_variable(url: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(environ={"MODELREG_DATABASE_URL": url})
    message = str(caught.value)
    assert "MODELREG_DATABASE_URL:" in message
    assert "sqlite://" in message
    assert "postgresql://" in message
    assert caught.value.__cause__ is None


def test_unsupported_database_url_override_names_the_setting() -> None:
    with pytest.raises(SettingsError, match="MODELREG_DATABASE_URL"):
        load_settings({"database_url": "mysql://x"}, environ={})


@pytest.mark.parametrize("var", ["MODELREG_ARTIFACTS_DIR", "MODELREG_DATA_DIR"])
def test_empty_directory_variable_is_default_or_an_error(var: str) -> None:
    try:
        s = load_settings(environ={var: ""})
    except SettingsError as exc:
        assert var in str(exc)
    else:
        assert s.resolved_artifacts_dir == Path(".modelreg") / "artifacts"
        assert s.resolved_database_url == "sqlite+aiosqlite:///.modelreg/registry.db"


# --------------------------------------------------------------------------------------------
# README


def _readme_table_names() -> set[str]:
    text = README.read_text(encoding="utf-8")
    return set(re.findall(r"^\|\s*`(MODELREG_[A-Z0-9_]+)`\s*\|", text, flags=re.MULTILINE))


def test_every_setting_is_documented_in_the_readme_table() -> None:
    documented = _readme_table_names()
    missing = [name for name in setting_names() if name not in documented]
    assert not missing, f"README.md settings table lacks rows for: {', '.join(missing)}"


def test_readme_table_documents_no_unknown_settings() -> None:
    stale = sorted(_readme_table_names() - set(setting_names()))
    assert not stale, f"README.md documents settings that do not exist: {', '.join(stale)}"


def test_empty_variables_count_as_unset() -> None:
    s = load_settings(environ={"MODELREG_PORT": "", "MODELREG_LOG_LEVEL": "", "MODELREG_HOST": ""})
    assert (s.port, s.log_level, s.host) == (8000, "info", "127.0.0.1")
