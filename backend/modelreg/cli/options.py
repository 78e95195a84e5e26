"""Settings from the command line: the options every database command shares, and the one
place they become a `Settings` (MODELREG_* and flags, as the server reads them)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from modelreg.settings import Settings, SettingsError, load_settings

TOKEN_ENV = "MODELREG_TOKEN"
"""The token `modelreg files` sends: a client variable, not a server setting."""


def _settings(**overrides: Any) -> Settings:
    # A shell that exports MODELREG_TOKEN for `modelreg files` may also run the server.
    environ = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
    try:
        return load_settings(overrides, environ=environ)
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None


_data_dir = click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Data directory [MODELREG_DATA_DIR, default ./.modelreg].",
)
_database_url_option = click.option(
    "--database-url",
    default=None,
    help="SQLAlchemy URL [MODELREG_DATABASE_URL, default SQLite in the data directory].",
)
