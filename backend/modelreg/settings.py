"""One typed settings object, read from flags or `MODELREG_*` environment variables.

Every field is documented in the settings table of README.md; a test keeps the two in step.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from modelreg import proxies

ENV_PREFIX = "MODELREG_"

# The web app's build output in a source checkout (`frontend/dist` next to `backend/`).
DEFAULT_UI_DIR = Path(__file__).resolve().parents[2] / "frontend" / "dist"


class SettingsError(Exception):
    """A setting is unknown or malformed; the message names it."""


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path = Field(default=Path(".modelreg"))
    database_url: str = ""
    artifacts_dir: Path | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # `json`: one JSON object per log line (README "Monitoring").
    log_format: Literal["text", "json"] = "text"
    # Prometheus metrics at /metrics (README "Monitoring"); with a token, only for its bearer.
    metrics: bool = True
    metrics_token: SecretStr = SecretStr("")
    graphiql: bool = True
    query_max_depth: int = Field(default=12, ge=1)
    query_max_aliases: int = Field(default=30, ge=1)
    query_max_tokens: int = Field(default=5000, ge=100)
    # Fields, fragment spreads and inline fragments of a GraphQL document, each fragment counted
    # again wherever it is spread.
    query_max_complexity: int = Field(default=1000, ge=10)
    # Largest /graphql request body; checkVersion's MLmodel argument may be up to 1 MiB.
    graphql_max_body_bytes: int = Field(default=2 * 1024**2, ge=1024)
    page_size_max: int = Field(default=100, ge=1)
    # The built single-page app (index.html + assets/); None serves no web app.
    ui_dir: Path | None = Field(default=DEFAULT_UI_DIR)
    max_file_size: int = Field(default=5 * 1024**3, ge=1)
    storage: Literal["local", "s3"] = "local"
    s3_bucket: str = ""
    s3_prefix: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: SecretStr = SecretStr("")
    # The first start of an empty database creates `admin` with this password (else a random
    # one, printed once).
    admin_password: SecretStr = SecretStr("")
    # Largest JSON body of an MLflow API call (artifact uploads have max_file_size instead).
    mlflow_max_body_bytes: int = Field(default=16 * 2**20, ge=1)
    # Reverse proxies (IP addresses and CIDR networks, comma-separated) whose X-Forwarded-For,
    # -Proto and -Host headers are believed; empty believes no one's.
    trusted_proxies: str = ""
    # E-mail notifications (README "E-mail notifications"): off while smtp_host is empty.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_tls: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    mail_from: str = "modelreg@localhost"
    # Mails a user gets per UTC day; past it one "limit reached" mail, the rest in a digest.
    mail_daily_cap: int = Field(default=100, ge=1)
    # The address people reach the registry at, for links in mail (no trailing slash).
    public_url: str = "http://127.0.0.1:8000"
    # Webhook delivery (README "Webhooks"). Off: no delivery worker runs in this process.
    webhooks_enabled: bool = True
    # Let webhooks reach loopback, private and link-local addresses (receivers on your own
    # network, tests); off, only public addresses are reached.
    webhook_allow_private_addresses: bool = False
    # The deadline of one delivery attempt, name resolution to the response's first 1 KiB.
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    # Deliveries one process sends at once.
    webhook_concurrency: int = Field(default=4, ge=1, le=256)
    # Finished deliveries (and their attempts) are removed after this many days.
    webhook_log_days: int = Field(default=30, ge=1)
    # Keep what `modelreg serve-model` processes report (README "Deployment records"); off, the
    # recordDeployment mutation refuses with DEPLOYMENT_RECORDS_DISABLED.
    deployment_records: bool = True
    # Server processes `modelreg serve` starts, each with its own connections and workers.
    workers: int = 1
    # The longest a subscription waits before it looks for events written by another process
    # (on PostgreSQL, LISTEN/NOTIFY normally wakes it at once: db/wakeup.py).
    event_poll_seconds: float = Field(default=0.5, gt=0, le=60)

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, url: str) -> str:
        """Plain `sqlite://` and `postgresql://` URLs get the async driver modelreg uses."""
        for plain, driver in (
            ("sqlite://", "sqlite+aiosqlite://"),
            ("postgresql://", "postgresql+asyncpg://"),
            ("postgres://", "postgresql+asyncpg://"),
        ):
            if url.startswith(plain):
                url = driver + url[len(plain) :]
        if url and not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "use a sqlite:// or postgresql:// URL, for example "
                "postgresql://user:password@host:5432/modelreg"
            )
        return url

    @field_validator("workers")
    @classmethod
    def _check_workers(cls, value: int) -> int:
        if not 1 <= value <= 64:
            raise ValueError("the number of server processes must be from 1 to 64")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_trusted_proxies(cls, value: str) -> str:
        proxies.parse_networks(value)
        return value.strip()

    @model_validator(mode="after")
    def _check_storage(self) -> Settings:
        if self.storage == "s3" and not self.s3_bucket:
            raise ValueError("MODELREG_S3_BUCKET is required when MODELREG_STORAGE is s3")
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'registry.db'}"

    @property
    def resolved_artifacts_dir(self) -> Path:
        return self.artifacts_dir if self.artifacts_dir is not None else self.data_dir / "artifacts"


def setting_names() -> list[str]:
    return [ENV_PREFIX + name.upper() for name in Settings.model_fields]


def load_settings(
    overrides: Mapping[str, Any] | None = None, *, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build settings from the environment plus explicit overrides (CLI flags win).

    Unknown `MODELREG_*` variables and malformed values raise SettingsError naming the setting.
    """
    env = os.environ if environ is None else environ
    known = set(setting_names())
    unknown = sorted(k for k in env if k.startswith(ENV_PREFIX) and k not in known)
    if unknown:
        raise SettingsError(
            f"Unknown setting {', '.join(unknown)}. Known settings: {', '.join(sorted(known))}."
        )
    # An empty variable counts as unset, as in most tools: `MODELREG_DATA_DIR=` is the default.
    values: dict[str, Any] = {
        k[len(ENV_PREFIX) :].lower(): v
        for k, v in env.items()
        if k.startswith(ENV_PREFIX) and v != ""
    }
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = err["loc"]
            message = str(err["msg"]).removeprefix("Value error, ")
            problems.append(f"{ENV_PREFIX}{str(loc[0]).upper()}: {message}" if loc else message)
        raise SettingsError("Invalid setting " + "; ".join(problems)) from None
