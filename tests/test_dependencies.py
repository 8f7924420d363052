"""The lock files under requirements/ match pyproject.toml's pins and can be installed hash-checked.

scripts/lock writes them; scripts/install installs one with `pip install --require-hashes`. A pin
changed in pyproject.toml without running scripts/lock fails here, not on someone's machine.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
LOCKS = ("runtime", "dev", "test")
# Which lock files must carry each group of pins: the runtime pins are in all three.
GROUPS = {"runtime": LOCKS, "dev": ("dev",), "test": ("test",)}
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(?P<version>[^\s;]+)$")
SHA256 = re.compile(r"^--hash=sha256:[0-9a-f]{64}$")


def canonical(name: str) -> str:
    """A package name as the index compares them (PEP 503): Flask-WTF, flask_wtf -> flask-wtf."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_pins(group: str) -> dict[str, str]:
    """The pins of one group of pyproject.toml: its dependencies or one optional extra."""
    requirements = PROJECT["dependencies"] if group == "runtime" else PROJECT["optional-dependencies"][group]
    pins = {}
    for requirement in requirements:
        match = PIN.match(requirement.replace(" ", ""))
        assert match, f"pyproject.toml pins every dependency to one version with ==, not {requirement!r}"
        pins[canonical(match["name"])] = match["version"]
    return pins


def read_lock(name: str) -> dict[str, tuple[str, list[str]]]:
    """A lock file as {package: (version, [its --hash options])}, continuation lines joined."""
    text = (ROOT / "requirements" / f"{name}.txt").read_text()
    entries = {}
    for line in re.sub(r"\\\n", " ", text).splitlines():
        line = line.split("#", 1)[0].strip()  # pip-compile's "# via" notes and headers
        if not line:
            continue
        requirement, *options = line.split()
        match = PIN.match(requirement)
        assert match, f"requirements/{name}.txt: {requirement!r} is not pinned with =="
        entries[canonical(match["name"])] = (match["version"], options)
    return entries


@pytest.mark.parametrize("group", GROUPS)
def test_every_pin_in_pyproject_is_locked_at_the_same_version_with_hashes(group):
    for lock_name in GROUPS[group]:
        lock = read_lock(lock_name)
        for package, version in pyproject_pins(group).items():
            where = f"{package} ({group} pin) in requirements/{lock_name}.txt; run scripts/lock"
            assert package in lock, f"missing: {where}"
            locked_version, options = lock[package]
            assert locked_version == version, f"{locked_version} instead of {version}: {where}"
            assert any(SHA256.match(option) for option in options), f"no --hash=sha256: {where}"


@pytest.mark.parametrize("lock_name", LOCKS)
def test_every_locked_package_has_only_sha256_hashes_so_pip_can_require_them(lock_name):
    lock = read_lock(lock_name)
    assert lock, f"requirements/{lock_name}.txt pins nothing"
    for package, (_version, options) in lock.items():
        assert options, f"{package} has no hash in requirements/{lock_name}.txt"
        assert all(SHA256.match(option) for option in options), (package, options)


def test_the_lock_files_agree_on_every_version_they_share():
    versions: dict[str, dict[str, str]] = {}
    for lock_name in LOCKS:
        for package, (version, _options) in read_lock(lock_name).items():
            versions.setdefault(package, {})[lock_name] = version
    disagreements = {package: found for package, found in versions.items() if len(set(found.values())) > 1}
    assert not disagreements


def test_dev_and_test_locks_hold_the_whole_runtime_lock():
    runtime = read_lock("runtime")
    for lock_name in ("dev", "test"):
        assert set(runtime) <= set(read_lock(lock_name)), lock_name


def test_honcho_is_for_development_not_a_runtime_dependency():
    assert "honcho" not in pyproject_pins("runtime")
    assert "honcho" not in read_lock("runtime")
    assert "honcho" in pyproject_pins("dev")
    assert "honcho" in read_lock("dev")


@pytest.mark.parametrize(
    "script, lock_name",
    [
        ("scripts/dev", "dev"),
        ("scripts/test", "test"),
        ("bench/run", "runtime"),
        ("bench/run-dispatch", "runtime"),
        ("bench/run-inbound", "runtime"),
    ],
)
def test_scripts_install_only_through_a_lock_file(script, lock_name):
    source = (ROOT / script).read_text()
    assert re.search(rf"^\s*bash scripts/install {lock_name}\b", source, re.MULTILINE)
    assert "pip install" not in source


def test_the_installer_requires_hashes_and_resolves_nothing_itself():
    source = (ROOT / "scripts" / "install").read_text()
    assert '--require-hashes -r "$lock"' in source
    assert "--no-deps --no-build-isolation -e ." in source
