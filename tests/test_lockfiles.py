"""The lock files pin what pyproject.toml asks for, every pin with its hashes.

``make serve``, ``make test``, CI and the Dockerfile install from requirements.lock and
requirements-dev.lock with ``--require-hashes``, so two installs a month apart get the same
packages. After changing a dependency in pyproject.toml, ``make lock`` writes them again;
this test says so when it has not been run.
"""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from api.settings import PROJECT_ROOT

PROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
MAIN = PROJECT["project"]["dependencies"]
DEV = PROJECT["project"]["optional-dependencies"]["dev"]
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", flags=re.MULTILINE)


def _pins(path: Path) -> dict[str, str]:
    return {canonicalize_name(name): version for name, version in PIN.findall(path.read_text())}


@pytest.mark.parametrize(
    ("lock", "wanted"),
    [("requirements.lock", MAIN), ("requirements-dev.lock", [*MAIN, *DEV])],
)
def test_the_lock_pins_every_dependency(lock: str, wanted: list[str]) -> None:
    path = PROJECT_ROOT / lock
    pins = _pins(path)
    for line in wanted:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in {lock}: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{lock} pins {name}=={pins[name]}, outside {requirement.specifier}: run `make lock`"
        )
    # every pin carries the hashes `pip install --require-hashes` checks
    entries = re.split(r"\n(?=[A-Za-z0-9._-]+==)", path.read_text())
    unhashed = [e.split()[0] for e in entries if "==" in e.split()[0] and "--hash=" not in e]
    assert not unhashed, f"pins without a hash in {lock}: {unhashed}"


def test_both_locks_pin_the_same_versions() -> None:
    """`make serve` after `make test` (or the image beside CI) installs the same versions."""
    main, dev = (
        _pins(PROJECT_ROOT / "requirements.lock"),
        _pins(PROJECT_ROOT / "requirements-dev.lock"),
    )
    differ = {
        name: (main[name], dev[name])
        for name in main.keys() & dev.keys()
        if main[name] != dev[name]
    }
    assert not differ, f"the locks disagree (run `make lock`): {differ}"


def test_the_image_and_make_install_from_the_locks() -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    assert "--require-hashes" in dockerfile and "requirements.lock" in dockerfile
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements.lock" in makefile
    assert "--require-hashes -r requirements-dev.lock" in makefile
