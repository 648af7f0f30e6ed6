"""A private D-Bus session bus for the tests, and a client that talks to it from outside.

``dbus-daemon --session`` runs for the test session; its address goes only to the processes
the tests start (and, through monkeypatch, to the in-process tests that want it), never to
the machine's own session bus.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.env import IS_CI

MPRIS = "org.mpris.MediaPlayer2.stridebeat"
PATH = "/org/mpris/MediaPlayer2"
PLAYER = "org.mpris.MediaPlayer2.Player"


@contextmanager
def private_bus() -> Iterator[str]:
    """A private ``dbus-daemon --session`` while the block runs: its address (shared by the
    tests and bench/remote.py)."""
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address"],
        stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert daemon.stdout is not None
    address = daemon.stdout.readline().strip()
    try:
        if not address:
            raise RuntimeError("dbus-daemon printed no address")
        yield address
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)


@pytest.fixture(scope="session")
def session_bus() -> Iterator[str]:
    """The address of a private session bus (``dbus-daemon --session``)."""
    if shutil.which("dbus-daemon") is None or shutil.which("dbus-send") is None:
        hint = "bash scripts/setup.sh --test installs dbus-daemon and dbus-bin"
        if IS_CI:
            pytest.fail(f"dbus-daemon is not installed: {hint}")
        pytest.skip(f"dbus-daemon is not installed ({hint})")
    try:
        with private_bus() as address:
            yield address
    except RuntimeError as exc:
        pytest.fail(str(exc))


def bus_env(address: str) -> dict[str, str]:
    """The environment of a process on the private bus."""
    return {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address}


def send(address: str, member: str, *args: str, interface: str = PLAYER) -> str:
    """Call ``interface.member`` on stridebeat's MPRIS object with ``dbus-send`` (a separate
    process, as a media key daemon or mpris-proxy would); its printed reply."""
    result = subprocess.run(
        ["dbus-send", "--session", "--print-reply", f"--dest={MPRIS}", PATH,
         f"{interface}.{member}", *args],
        capture_output=True, text=True, env=bus_env(address), timeout=10,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def get(address: str, name: str, interface: str = PLAYER) -> str:
    """A property's value as dbus-send prints it."""
    reply = send(
        address, "Get", f"string:{interface}", f"string:{name}",
        interface="org.freedesktop.DBus.Properties",
    )  # fmt: skip
    return reply.split("\n", 1)[1].strip()


def wait_for_status(address: str, wanted: str, timeout: float = 30.0) -> None:
    """Wait until stridebeat is on the bus with PlaybackStatus ``wanted``."""
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        owned = subprocess.run(
            ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
             "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", f"string:{MPRIS}"],
            capture_output=True, text=True, env=bus_env(address), timeout=10,
        )  # fmt: skip
        if "boolean true" in owned.stdout:
            seen = get(address, "PlaybackStatus")
            if f'"{wanted}"' in seen:
                return
        time.sleep(0.05)
    raise AssertionError(f"PlaybackStatus did not become {wanted} (last: {seen!r})")
