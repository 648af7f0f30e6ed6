from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.env import IS_CI, REPO  # noqa: F401  (tests import them from here too)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(autouse=True)
def _app_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep every test's app folder (config, cache, history) out of the real home."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("STRIDEBEAT_HOME", str(home))
    for name in (
        "STRIDEBEAT_SOUND",
        "STRIDEBEAT_VOLUME",
        "STRIDEBEAT_SAMPLE_RATE",
        "STRIDEBEAT_MUSIC",
    ):
        monkeypatch.delenv(name, raising=False)
    # the tests that want a session bus start their own (tests/dbus.py)
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    return home


from tests.dbus import session_bus  # noqa: E402, F401  (a private D-Bus session bus)
from tests.jack import jack_server  # noqa: E402, F401  (a fixture for the live tests)
