"""``stridebeat service``: a systemd unit that starts ``stridebeat standby`` at boot.

A user unit (``~/.config/systemd/user``, or under ``XDG_CONFIG_HOME``) by default; with
``--system`` a system unit in ``/etc/systemd/system`` that runs as a named user. The unit runs
the stridebeat executable that installed it, by its absolute path, so a venv needs no
activation. A stop (SIGTERM) fades out, records the partial session and exits 143, which the
unit counts as success; anything else that ends it restarts it.
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from stridebeat.errors import InputError, OutputError

UNIT_NAME = "stridebeat.service"
SYSTEM_UNITS = Path("/etc/systemd/system")
EXIT_TERMINATED = 143  # 128 + SIGTERM: how a stopped session exits
# start after the sound server: a user's PipeWire or PulseAudio; the system's ALSA and BlueZ
USER_AFTER = "pipewire-pulse.service pulseaudio.service wireplumber.service"
SYSTEM_AFTER = "sound.target bluetooth.target"


@dataclass(frozen=True)
class Target:
    """Where a unit goes and how systemctl reaches it."""

    folder: Path
    system: bool

    @property
    def path(self) -> Path:
        return self.folder / UNIT_NAME

    @property
    def wanted_by(self) -> str:
        return "multi-user.target" if self.system else "default.target"

    @property
    def enabled_link(self) -> Path:
        """The link ``systemctl enable`` makes: while it is there, the unit is enabled."""
        return self.folder / f"{self.wanted_by}.wants" / UNIT_NAME

    def systemctl(self, *args: str) -> str:
        return shlex.join(["sudo", "systemctl", *args] if self.system else
                          ["systemctl", "--user", *args])  # fmt: skip


def user_units() -> Path:
    """The systemd user unit folder: ``$XDG_CONFIG_HOME/systemd/user`` (``~/.config``)."""
    config = os.environ.get("XDG_CONFIG_HOME", "")
    base = Path(config) if os.path.isabs(config) else Path.home() / ".config"
    return base / "systemd" / "user"


def stridebeat_command() -> list[str]:
    """How to run this very stridebeat from anywhere: its executable's absolute path (the
    one running, or the one installed beside this Python), else this Python with ``-m``."""
    running = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if running is not None and running.name == "stridebeat" and os.access(running, os.X_OK):
        return [str(running.absolute())]
    beside = Path(sys.executable).parent / "stridebeat"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside.absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "stridebeat"]


def _systemd_word(word: str) -> str:
    """One ExecStart argument, quoted the way systemd reads it (``%`` is a specifier there)."""
    word = word.replace("%", "%%")
    if word and not any(c.isspace() or c in "\"'\\;$" for c in word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"').replace("$", "$$") + '"'


def unit_text(
    command: list[str], user: str | None, environment: dict[str, str], wanted_by: str
) -> str:
    """The unit file: run ``command`` (standby and its options), restart it on failure."""
    lines = [
        "[Unit]",
        "Description=stridebeat: waits for play on the earbuds, then plays today's run",
        f"After={SYSTEM_AFTER if user else USER_AFTER}",
        "",
        "[Service]",
        "Type=simple",
        f"ExecStart={' '.join(_systemd_word(w) for w in command)}",
        "Restart=on-failure",
        "RestartSec=10",
        f"SuccessExitStatus={EXIT_TERMINATED}",
        "TimeoutStopSec=10",
    ]
    if user is not None:
        import pwd

        uid = pwd.getpwnam(user).pw_uid
        # the user's sound server and session bus (there while they are logged in or lingering)
        lines += [
            f"User={user}",
            f"Environment=XDG_RUNTIME_DIR=/run/user/{uid}",
            f"Environment=DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/{uid}/bus",
        ]
    lines += [f"Environment={_systemd_word(f'{k}={v}')}" for k, v in sorted(environment.items())]
    lines += ["", "[Install]", f"WantedBy={wanted_by}"]
    return "\n".join(lines) + "\n"


def _carried_environment() -> dict[str, str]:
    """What the service must share with this shell: the app folder (history, plan, config)."""
    home = os.environ.get("STRIDEBEAT_HOME")
    return {"STRIDEBEAT_HOME": str(Path(home).absolute())} if home else {}


def _target(system: bool, user: str | None) -> Target:
    if system:
        if not user:
            raise click.UsageError("--system needs --user NAME: the account the service runs as")
        import pwd

        try:
            pwd.getpwnam(user)
        except KeyError:
            raise click.BadParameter(f"no user named {user!r} on this machine",
                                     param_hint="--user") from None  # fmt: skip
        return Target(SYSTEM_UNITS, system=True)
    if user:
        raise click.UsageError("--user goes with --system (a user unit runs as you)")
    return Target(user_units(), system=False)


def _unit_for(target: Target, user: str | None, standby_args: tuple[str, ...]) -> str:
    command = [*stridebeat_command(), "standby", *standby_args]
    user = user if target.system else None
    return unit_text(command, user, _carried_environment(), target.wanted_by)


def _system_options(func: click.decorators.FC) -> click.decorators.FC:
    func = click.option("--user", "user", metavar="NAME",
                        help="With --system: the account the service runs as.")(func)  # fmt: skip
    return click.option(
        "--system", is_flag=True, help="A system unit in /etc/systemd/system (needs root)."
    )(func)


@click.group()
def service() -> None:
    """Start 'stridebeat standby' at boot with systemd (e.g. on a Raspberry Pi).

    \b
    Examples:
      stridebeat service install                 a user unit; then enable it as printed
      stridebeat service install -- --device bluez   options for standby after --
      stridebeat service show                    the unit install would write
      stridebeat service remove
      sudo stridebeat service install --system --user pi
    """


@service.command("install")
@_system_options
@click.option("--force", is_flag=True, help="Replace a different stridebeat unit already there.")
@click.argument("standby_args", nargs=-1, metavar="[-- STANDBY OPTIONS]")
def service_install(
    system: bool, user: str | None, force: bool, standby_args: tuple[str, ...]
) -> None:
    """Write the systemd unit that runs 'stridebeat standby', and say how to start it.

    The unit runs this stridebeat by its absolute path. systemctl stop fades out, records
    the partial session and exits 143, which the unit counts as a clean stop.

    \b
    Examples:
      stridebeat service install
      stridebeat service install -- --device bluez --latency high
      sudo stridebeat service install --system --user pi
    """
    target = _target(system, user)
    text = _unit_for(target, user, standby_args)
    path = target.path
    if path.is_file() and path.read_text(encoding="utf-8", errors="replace") == text:
        click.echo(f"{path} is already installed as it should be.")
    else:
        if path.exists() and not force:
            raise InputError(
                f"{path} already exists and differs from the unit stridebeat would write; "
                "'stridebeat service show' prints the new one, --force replaces the old"
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create {path.parent}: {exc.strerror}"
                              + ("; run it with sudo" if system else "")) from None  # fmt: skip
        from stridebeat.files import write_text_atomically

        write_text_atomically(path, text)
        click.echo(f"Wrote {path}.")
    click.echo("Now run:")
    click.echo(f"  {target.systemctl('daemon-reload')}")
    click.echo(f"  {target.systemctl('enable', '--now', 'stridebeat')}")
    if not system:
        click.echo("  loginctl enable-linger $USER    # start at boot, before anyone logs in")
    click.echo(f"Its log: journalctl {'' if system else '--user '}-u stridebeat -f")


@service.command("show")
@_system_options
@click.argument("standby_args", nargs=-1, metavar="[-- STANDBY OPTIONS]")
def service_show(system: bool, user: str | None, standby_args: tuple[str, ...]) -> None:
    """Print the unit 'service install' would write, and where (nothing is written).

    \b
    Examples:
      stridebeat service show
      stridebeat service show --system --user pi
    """
    target = _target(system, user)
    click.echo(f"# {target.path}")
    click.echo(_unit_for(target, user, standby_args), nl=False)


@service.command("remove")
@_system_options
def service_remove(system: bool, user: str | None) -> None:
    """Remove the unit 'service install' wrote (disable it first, as it tells you).

    \b
    Examples:
      systemctl --user disable --now stridebeat && stridebeat service remove
      sudo stridebeat service remove --system --user pi
    """
    target = _target(system, user)
    path = target.path
    if not path.exists():
        click.echo(f"No stridebeat unit at {path}; nothing to remove.")
        return
    if target.enabled_link.is_symlink() or target.enabled_link.exists():
        raise InputError(
            f"the service is still enabled ({target.enabled_link}); stop and disable it first: "
            f"{target.systemctl('disable', '--now', 'stridebeat')}"
        )
    try:
        path.unlink()
    except OSError as exc:
        raise OutputError(f"cannot remove {path}: {exc.strerror}"
                          + ("; run it with sudo" if system else "")) from None  # fmt: skip
    click.echo(f"Removed {path}. Then: {target.systemctl('daemon-reload')}")
