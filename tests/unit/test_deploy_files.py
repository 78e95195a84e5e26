"""deploy/: the compose file, Dockerfile, nginx config and bucket script a user runs as they are.

Docker is not run here; these check what can be checked without it: the compose file parses,
names only settings modelreg knows with values it accepts, keeps secrets in the env file, has
health checks and a data volume; the Dockerfile runs the Makefile's build commands and a serve
command the CLI accepts; the proxy passes WebSocket upgrades and uploads up to the file limit.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import re
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from moto import mock_aws

from modelreg.cli.server import serve
from modelreg.settings import Settings, load_settings, setting_names

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
INTERPOLATION = re.compile(r"\$\{(\w+)(?::?[-?][^}]*)?\}")


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def env_example() -> dict[str, str]:
    pairs = {}
    for line in (DEPLOY / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def service_environment(name: str) -> dict[str, str]:
    """The service's environment as the container gets it with .env.example as deploy/.env:
    its env_file, then `environment` with ${VAR} interpolated from the env file."""
    service, values = compose()["services"][name], env_example()
    env = dict(values) if service.get("env_file") == ".env" else {}
    for key, value in (service.get("environment") or {}).items():
        env[key] = INTERPOLATION.sub(lambda m: values[m.group(1)], str(value))
    return env


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if not line.startswith("#")
    ]


def test_every_modelreg_variable_in_deploy_is_a_known_setting() -> None:
    known = set(setting_names())
    texts = {p.name: p.read_text() for p in DEPLOY.iterdir() if p.is_file()}
    named = {(file, n) for file, t in texts.items() for n in re.findall(r"MODELREG_\w+", t)}
    assert {n for _, n in named} >= {"MODELREG_DATABASE_URL", "MODELREG_STORAGE"}
    assert sorted((f, n) for f, n in named if n not in known) == []


def test_the_modelreg_service_settings_load_and_use_postgres_and_s3() -> None:
    env = service_environment("modelreg")
    settings = load_settings(environ=env)
    assert settings.resolved_database_url.startswith("postgresql+asyncpg://modelreg:")
    assert "@postgres:5432/modelreg" in settings.resolved_database_url
    assert settings.storage == "s3"
    assert settings.s3_bucket == "modelreg"
    assert settings.s3_endpoint_url == "http://minio:9000"
    assert settings.s3_access_key_id == env_example()["MINIO_ROOT_USER"]
    assert settings.admin_password.get_secret_value() == env_example()["MODELREG_ADMIN_PASSWORD"]
    # The bucket script gets the same S3 settings as the server.
    s3 = {k: v for k, v in env.items() if k.startswith(("MODELREG_S3_", "MODELREG_STORAGE"))}
    assert s3.items() <= service_environment("create-bucket").items()


def test_only_the_proxy_is_trusted_and_it_has_that_address() -> None:
    doc = compose()
    proxy = doc["services"]["proxy"]["networks"]["default"]["ipv4_address"]
    subnet = doc["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert ipaddress.ip_address(proxy) in ipaddress.ip_network(subnet)
    assert service_environment("modelreg")["MODELREG_TRUSTED_PROXIES"] == proxy


def test_secrets_come_from_the_env_file_which_git_ignores() -> None:
    doc = compose()
    for name, service in doc["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if re.search("PASSWORD|SECRET", key) or "PASSWORD" in str(value):
                assert INTERPOLATION.search(str(value)), f"{name}: {key} is written in the file"
    for key, value in env_example().items():
        if re.search("PASSWORD|SECRET", key):
            assert value.startswith("change-me"), f".env.example holds a real-looking {key}"
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "deploy/.env"], cwd=ROOT, check=False
    ).returncode
    assert ignored == 0


def test_services_have_health_checks_and_postgres_a_volume() -> None:
    doc = compose()
    services = doc["services"]
    one_shot = {"create-bucket"}
    for name, service in services.items():
        assert name in one_shot or "healthcheck" in service, f"{name} has no healthcheck"
    for name in ("modelreg", "proxy"):
        assert "/healthz" in str(services[name]["healthcheck"]["test"])
    volume, _, target = services["postgres"]["volumes"][0].partition(":")
    assert target == "/var/lib/postgresql/data"
    assert volume in doc["volumes"]
    waits = services["modelreg"]["depends_on"]
    assert waits["postgres"]["condition"] == "service_healthy"
    assert waits["create-bucket"]["condition"] == "service_completed_successfully"


def test_dockerfile_runs_the_makefile_build_commands() -> None:
    makefile = (ROOT / "Makefile").read_text().replace("--silent ", "")
    runs = [args for op, args in dockerfile_instructions() if op == "RUN"]
    npm = [c.strip() for r in runs for c in r.split("&&") if c.strip().startswith("npm")]
    assert [c.split()[:3] for c in npm] == [
        ["npm", "ci", "--no-audit"],
        ["npm", "run", "codegen"],
        ["npm", "run", "build"],
    ]
    for command in npm:
        assert command in makefile
    # codegen reads ../schema.graphql; the web app is where MODELREG_UI_DIR says.
    copies = [args for op, args in dockerfile_instructions() if op == "COPY"]
    assert "schema.graphql ./" in copies
    assert "--from=web /src/frontend/dist /app/frontend/dist" in copies
    env = " ".join(args for op, args in dockerfile_instructions() if op == "ENV")
    assert "MODELREG_UI_DIR=/app/frontend/dist" in env
    assert any(re.search(r"pip install --no-cache-dir \.(\s|$)", r) for r in runs)


def serve_args(command: list[str]) -> dict[str, Any]:
    assert command[:2] == ["modelreg", "serve"]
    return dict(serve.make_context("serve", command[2:]).params)


def test_the_serve_commands_are_accepted_by_the_cli() -> None:
    cmd = next(args for op, args in dockerfile_instructions() if op == "CMD")
    for command in (yaml.safe_load(cmd), compose()["services"]["modelreg"]["command"]):
        params = serve_args(command)
        assert params["host"] == "0.0.0.0"
        assert params["workers"] == 4
    healthcheck = next(args for op, args in dockerfile_instructions() if op == "HEALTHCHECK")
    assert "http://127.0.0.1:8000/healthz" in healthcheck


def test_nginx_passes_websockets_and_uploads_up_to_the_file_limit() -> None:
    conf = (DEPLOY / "nginx.conf").read_text()
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_set_header Connection $connection_upgrade;" in conf
    assert "proxy_http_version 1.1;" in conf
    size = re.search(r"client_max_body_size (\d+)([kmg]?);", conf)
    assert size is not None
    limit = int(size.group(1)) * 1024 ** " kmg".index(size.group(2) or " ")
    assert limit >= Settings().max_file_size
    assert "server modelreg:8000;" in conf
    mounted = compose()["services"]["proxy"]["volumes"]
    assert "./nginx.conf:/etc/nginx/conf.d/default.conf:ro" in mounted
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"):
        assert f"proxy_set_header {header} " in conf


def bucket_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("create_bucket", DEPLOY / "create_bucket.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_bucket_script_creates_the_bucket_once(capsys: pytest.CaptureFixture[str]) -> None:
    script = bucket_script()
    env = {
        k: v
        for k, v in service_environment("create-bucket").items()
        if k != "MODELREG_S3_ENDPOINT_URL"
    }
    with mock_aws():
        assert script.main(env) == 0
        assert script.main(env) == 0
        names = [b["Name"] for b in script.client(env).list_buckets()["Buckets"]]
    assert names == ["modelreg"]
    out = capsys.readouterr().out
    assert "'modelreg' created" in out
    assert "'modelreg' already exists" in out
    assert script.main({}) == 2
