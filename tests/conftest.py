"""Shared fixtures: the repository root on sys.path and the home files the tests load."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

DEMO_HOME = REPO_ROOT / "demo" / "home.yaml"
COMMITTED_HA_FIXTURE = Path(__file__).resolve().parent / "data" / "ha_fixtures.yaml"
HA_FIXTURE_IN_SHARED_DATA = Path("ha_intents") / "tests" / "en" / "_fixtures.yaml"


def shared_data_dirs() -> list[Path]:
    """Where the shared data may be: $RESOLVER_SHARED_DATA, then ``<repo>/../shared/data``."""
    dirs = []
    if os.environ.get("RESOLVER_SHARED_DATA"):
        dirs.append(Path(os.environ["RESOLVER_SHARED_DATA"]))
    dirs.append(REPO_ROOT.parent / "shared" / "data")
    return dirs


def shared_ha_fixture() -> Path | None:
    """Home Assistant's own ``_fixtures.yaml`` in the shared data, when it is there."""
    for directory in shared_data_dirs():
        candidate = directory / HA_FIXTURE_IN_SHARED_DATA
        if candidate.is_file():
            return candidate
    return None


_NO_SHARED_DATA = (
    "Home Assistant's fixture home is not available: set RESOLVER_SHARED_DATA to the shared "
    f"data directory or check it out at {REPO_ROOT.parent / 'shared' / 'data'}"
)


@pytest.fixture(scope="session")
def demo_home_path() -> Path:
    """The demo home (demo/home.yaml)."""
    return DEMO_HOME


@pytest.fixture(scope="session")
def ha_fixture_path() -> Path:
    """Home Assistant's fixture home: the committed copy, else the shared original."""
    if COMMITTED_HA_FIXTURE.is_file():
        return COMMITTED_HA_FIXTURE
    shared = shared_ha_fixture()
    if shared is None:
        pytest.skip(_NO_SHARED_DATA)
    return shared


@pytest.fixture(scope="session")
def shared_ha_fixture_path() -> Path:
    """The original fixture home in the shared data; skips when the shared data is absent."""
    shared = shared_ha_fixture()
    if shared is None:
        pytest.skip(_NO_SHARED_DATA)
    return shared
