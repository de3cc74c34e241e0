"""The deployment files say what the README promises (the image itself is proven by
scripts/container-smoke, which CI runs after the test suite)."""

import re

import yaml

from api.settings import PROJECT_ROOT, Settings


def _setting_names() -> set[str]:
    return {f"QUELLEN_{name.upper()}" for name in Settings.model_fields}


def test_env_example_lists_every_setting_and_loads() -> None:
    path = PROJECT_ROOT / ".env.example"
    listed = set(re.findall(r"^#? ?(QUELLEN_[A-Z_]+)=", path.read_text(), flags=re.MULTILINE))
    assert _setting_names() - listed == set(), "settings missing from .env.example"
    settings = Settings(_env_file=path)  # type: ignore[call-arg]
    assert settings.load_seed and settings.host == "0.0.0.0"


def _container_values() -> dict[str, str]:
    """What the image sets (Dockerfile ENV) and compose sets over it, by variable."""
    values: dict[str, str] = {}
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    final_stage = re.split(r"^FROM ", dockerfile, flags=re.MULTILINE)[-1]
    values.update(re.findall(r"(QUELLEN_[A-Z_]+)=(\S+)", final_stage))
    compose = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text())
    for name, value in compose["services"]["api"]["environment"].items():
        default = re.fullmatch(r"\$\{[A-Z_]+:-(.*)\}", str(value))
        if name != "QUELLEN_DATABASE_URL":
            values[name] = default.group(1) if default else str(value)
    return values


def test_env_example_says_what_the_container_uses() -> None:
    """Each value in .env.example is the one the container runs with when it is not set:
    compose's, else the image's, else the code's default — and no note meant for us."""
    text = (PROJECT_ROOT / ".env.example").read_text()
    listed = dict(re.findall(r"^(QUELLEN_[A-Z_]+)=(.*)$", text, flags=re.MULTILINE))
    container = _container_values()
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    for variable, value in listed.items():
        name = variable.removeprefix("QUELLEN_").lower()
        if variable in container:
            assert value == container[variable], (variable, value, container[variable])
            continue
        expected = getattr(defaults, name)
        shown = Settings.model_validate({name: value}) if value else None
        got = getattr(shown, name) if shown is not None else type(expected)()
        assert got == expected, f"{variable}={value!r} but the default is {expected!r}"
    assert not re.search(r"issue \d|TODO|FIXME", text, flags=re.IGNORECASE), "internal notes"


def test_compose_runs_the_api_on_a_healthy_postgresql_16() -> None:
    compose = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text())
    db, api = compose["services"]["db"], compose["services"]["api"]
    assert db["image"].startswith("postgres:16")
    assert "pgdata" in compose["volumes"]
    assert any(volume.startswith("pgdata:") for volume in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert api["depends_on"]["db"]["condition"] == "service_healthy"
    assert "/health" in " ".join(api["healthcheck"]["test"])
    assert any(str(port).endswith(":8000") for port in api["ports"])
    # published on this machine only unless told otherwise
    assert all(str(port).startswith("${API_BIND:-127.0.0.1}:") for port in api["ports"])
    assert api["environment"]["QUELLEN_LOAD_SEED"] == "${QUELLEN_LOAD_SEED:-1}"


def test_dockerfile_is_multi_stage_non_root_and_checks_health() -> None:
    text = (PROJECT_ROOT / "Dockerfile").read_text()
    assert re.search(r"^ARG BASE_IMAGE=python:3[.\d]*-slim", text, flags=re.MULTILINE)
    stages = re.split(r"^FROM ", text, flags=re.MULTILINE)[1:]
    assert len(stages) == 2 and stages[0].startswith("${BASE_IMAGE} AS build")
    final = stages[1]
    assert "COPY --from=build /opt/venv /opt/venv" in final
    assert not re.search(r"gcc|build-essential|apt-get install", final)
    user = re.search(r"^USER (\S+)", final, flags=re.MULTILINE)
    assert user and user.group(1).split(":")[0] not in ("root", "0")
    assert "HEALTHCHECK" in final and "/health" in final
    assert 'ENTRYPOINT ["quellen"]' in final and 'CMD ["serve"]' in final


def test_dockerignore_keeps_local_state_out_of_the_build() -> None:
    ignored = set((PROJECT_ROOT / ".dockerignore").read_text().split())
    assert {".venv", "var", "tests", ".git", ".env", ".pytest_cache", "**/__pycache__"} <= ignored


def test_compose_profile_scale_runs_replicas_behind_a_checking_proxy() -> None:
    """Profile `scale`: primary + streaming replica, Redis, two API replicas, HAProxy."""
    compose = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text())
    services = compose["services"]
    scaled = {name for name, service in services.items() if "scale" in service.get("profiles", [])}
    assert scaled == {"db-replica", "redis", "api-a", "api-b", "proxy"}
    assert "profiles" not in services["db"] and "profiles" not in services["api"]
    for name in ("api-a", "api-b"):
        api = services[name]
        env = api["environment"]
        assert "@db:5432/" in env["QUELLEN_DATABASE_URL"]
        assert "@db-replica:5432/" in env["QUELLEN_DATABASE_REPLICA_URLS"]
        assert env["QUELLEN_RATE_LIMIT_STORAGE"].startswith("redis://redis:6379/")
        assert "ports" not in api  # only the proxy is published
        assert {"db", "db-replica", "redis"} <= set(api["depends_on"])
    replica = services["db-replica"]
    entrypoint = (PROJECT_ROOT / "deploy/replica-entrypoint.sh").read_text()
    assert "pg_basebackup" in entrypoint and " -R " in entrypoint
    assert any("replica-entrypoint.sh" in volume for volume in replica["volumes"])
    assert any("docker-entrypoint-initdb.d" in volume for volume in services["db"]["volumes"])
    proxy = services["proxy"]
    assert all(str(port).startswith("${API_BIND:-127.0.0.1}:") for port in proxy["ports"])
    haproxy = (PROJECT_ROOT / "deploy/haproxy.cfg").read_text()
    assert "option httpchk GET /ready" in haproxy
    assert re.search(r"^\s*server api-a api-a:8000 check$", haproxy, flags=re.MULTILINE)
    assert re.search(r"^\s*server api-b api-b:8000 check$", haproxy, flags=re.MULTILINE)
    assert "deny" in haproxy and "/metrics" in haproxy
