"""``stridebeat service``: the systemd unit that runs ``stridebeat standby`` at boot."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from stridebeat.cli import service
from stridebeat.cli.app import cli


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private XDG_CONFIG_HOME, and /etc/systemd/system moved into the temp folder."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(service, "SYSTEM_UNITS", tmp_path / "etc")
    return tmp_path


def _unit(path: Path) -> dict[str, list[str]]:
    """The unit's keys and their values (a key may repeat)."""
    keys: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            keys.setdefault(key, []).append(value)
    return keys


def _verify(path: Path) -> None:
    """systemd's own check of the unit (the syntax and that ExecStart's program exists)."""
    if shutil.which("systemd-analyze") is None:
        return
    result = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True,
                            text=True)  # fmt: skip
    if "Failed to initialize manager" in result.stderr:
        return  # a container without systemd's runtime: nothing to check against
    assert result.returncode == 0, result.stderr


def test_install_writes_a_user_unit_that_runs_standby(runner: CliRunner, config: Path) -> None:
    result = runner.invoke(cli, ["service", "install"])
    assert result.exit_code == 0, result.output
    path = config / "config" / "systemd" / "user" / "stridebeat.service"
    keys = _unit(path)
    program, *arguments = shlex.split(keys["ExecStart"][0])
    assert Path(program).is_absolute() and Path(program).name == "stridebeat"
    assert os.access(program, os.X_OK) and Path(program).parent == Path(sys.executable).parent
    assert arguments == ["standby"]
    assert keys["Restart"] == ["on-failure"] and keys["SuccessExitStatus"] == ["143"]
    assert keys["WantedBy"] == ["default.target"] and "User" not in keys
    # the service keeps the history and plan of the shell that installed it
    assert keys["Environment"] == [f"STRIDEBEAT_HOME={os.environ['STRIDEBEAT_HOME']}"]
    for step in ("systemctl --user daemon-reload", "systemctl --user enable --now stridebeat",
                 "loginctl enable-linger"):  # fmt: skip
        assert step in result.output
    _verify(path)
    again = runner.invoke(cli, ["service", "install"])
    assert again.exit_code == 0 and "already installed" in again.output


def test_options_after_a_double_dash_go_to_standby_quoted_for_systemd(
    runner: CliRunner, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = config / "my apps" / "stridebeat"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\nexit 0\n")
    program.chmod(0o755)
    monkeypatch.setattr(sys, "argv", [str(program), "service", "install"])
    result = runner.invoke(cli, ["service", "install", "--", "--device", "Jabra 50%"])
    assert result.exit_code == 0, result.output
    path = config / "config" / "systemd" / "user" / "stridebeat.service"
    line = _unit(path)["ExecStart"][0]
    assert line == f'"{program}" standby --device "Jabra 50%%"'  # % is a systemd specifier
    _verify(path)


def test_a_different_unit_is_replaced_only_with_force(runner: CliRunner, config: Path) -> None:
    path = config / "config" / "systemd" / "user" / "stridebeat.service"
    path.parent.mkdir(parents=True)
    path.write_text("[Service]\nExecStart=/usr/bin/true\n")
    result = runner.invoke(cli, ["service", "install"])
    assert result.exit_code == 2 and "--force" in result.output
    assert path.read_text() == "[Service]\nExecStart=/usr/bin/true\n"
    forced = runner.invoke(cli, ["service", "install", "--force"])
    assert forced.exit_code == 0, forced.output
    assert "standby" in _unit(path)["ExecStart"][0]
    assert sorted(p.name for p in path.parent.iterdir()) == ["stridebeat.service"]  # no parts


def test_show_prints_the_unit_and_writes_nothing(runner: CliRunner, config: Path) -> None:
    result = runner.invoke(cli, ["service", "show"])
    assert result.exit_code == 0, result.output
    assert "ExecStart=" in result.output and "stridebeat.service" in result.output
    assert not (config / "config").exists()


def test_remove_asks_to_disable_first_then_removes(runner: CliRunner, config: Path) -> None:
    assert runner.invoke(cli, ["service", "install"]).exit_code == 0
    folder = config / "config" / "systemd" / "user"
    link = folder / "default.target.wants" / "stridebeat.service"
    link.parent.mkdir()
    link.symlink_to(folder / "stridebeat.service")  # what systemctl --user enable makes
    refused = runner.invoke(cli, ["service", "remove"])
    assert refused.exit_code == 2
    assert "systemctl --user disable --now stridebeat" in refused.output
    assert (folder / "stridebeat.service").exists()
    link.unlink()
    removed = runner.invoke(cli, ["service", "remove"])
    assert removed.exit_code == 0 and "daemon-reload" in removed.output
    assert not (folder / "stridebeat.service").exists()
    nothing = runner.invoke(cli, ["service", "remove"])
    assert nothing.exit_code == 0 and "nothing to remove" in nothing.output


def test_a_system_unit_runs_as_the_named_user(runner: CliRunner, config: Path) -> None:
    result = runner.invoke(cli, ["service", "install", "--system", "--user", "root"])
    assert result.exit_code == 0, result.output
    keys = _unit(config / "etc" / "stridebeat.service")
    assert keys["User"] == ["root"] and keys["WantedBy"] == ["multi-user.target"]
    assert "XDG_RUNTIME_DIR=/run/user/0" in keys["Environment"]  # the user's sound and bus
    assert "sudo systemctl enable --now stridebeat" in result.output
    _verify(config / "etc" / "stridebeat.service")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--system"], "--system needs --user"),
        (["--system", "--user", "no-such-runner-here"], "no user named"),
        (["--user", "root"], "--user goes with --system"),
    ],
)
def test_bad_system_options_are_bad_input(
    runner: CliRunner, config: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(cli, ["service", "install", *args])
    assert result.exit_code == 2 and message in result.output
    assert not (config / "etc").exists()
