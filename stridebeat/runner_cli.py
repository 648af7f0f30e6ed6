"""Commands about the runner: ``baseline`` (from an activity file, a tap test or a count).

Part of the command-line layer with cli.py and plan_cli.py.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import click

from stridebeat.cli import cli
from stridebeat.errors import InputError

TAP_SECONDS = 30.0


def baseline_path() -> Path:
    from stridebeat.paths import app_dir

    return app_dir() / "baseline.toml"


def save_baseline(spm: float, source: str) -> Path:
    """Write the baseline 'plan init' uses when --baseline is not given."""
    from stridebeat.sinks.wav import write_text_atomically

    path = baseline_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    escaped = source.replace("\\", "\\\\").replace('"', '\\"')
    text = (
        "# Your baseline cadence, used by 'stridebeat plan init' without --baseline.\n"
        f"spm = {spm:.1f}\n"
        f'source = "{escaped}"\n'
        f"date = {dt.date.today().isoformat()}\n"
    )
    write_text_atomically(path, text)
    return path


@cli.command()
@click.argument("activity", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--tap", is_flag=True, help="Tap any key on every step for 30 seconds.")
@click.option("--spm", type=click.FloatRange(100, 260), help="A cadence you counted by hand.")
@click.option("--save", is_flag=True, help="Keep it as the baseline for 'stridebeat plan init'.")
def baseline(activity: Path | None, tap: bool, spm: float | None, save: bool) -> None:
    """Your cadence now: from a run's FIT/GPX/TCX file, a tap test, or a count.

    \b
    Examples:
      stridebeat baseline morning-run.fit --save
      stridebeat baseline --tap --save        tap on every step for 30 s while running in place
      stridebeat baseline --spm 162 --save    counted 81 steps in 30 s, doubled
    """
    given = [name for name, on in (("a file", activity), ("--tap", tap), ("--spm", spm)) if on]
    if len(given) != 1:
        raise click.UsageError("give one of: an activity file, --tap, or --spm 162")
    if spm is not None:
        cadence, source = spm, "counted by hand"
    elif tap:
        cadence, source = _tap_test(), "tap test"
    else:
        assert activity is not None
        cadence, source = _from_activity(activity), activity.name
    click.echo(f"Baseline: {cadence:.0f} steps per minute ({source}).")
    if save:
        path = save_baseline(cadence, source)
        click.echo(f"Saved to {path}: 'stridebeat plan init' will start from it.")


def _from_activity(path: Path) -> float:
    from stridebeat.activity import read_activity

    found = read_activity(path)
    distance = f"{found.distance_m / 1000:.1f} km, " if found.distance_m else ""
    click.echo(
        f"{path.name} ({found.format}): {distance}{found.duration_s / 60:.0f} min; "
        f"{found.usable_share:.0%} of it usable running.\n"
        f"Cadence while running: median {found.median_spm:.0f} spm "
        f"(middle half {found.q1_spm:.0f}-{found.q3_spm:.0f}). {found.unit_note}."
    )
    return found.median_spm


def _tap_test() -> float:
    from stridebeat.keys import KeyReader
    from stridebeat.tap import cadence_from_taps

    if not sys.stdin.isatty():
        raise InputError("the tap test needs a terminal to read key presses: run it in one")
    taps: list[float] = []
    click.echo("Tap any key on every step (both feet). It starts at your first tap; 30 s.")
    with KeyReader(lambda key: taps.append(time.monotonic())):
        while not taps:
            time.sleep(0.05)
        while time.monotonic() - taps[0] < TAP_SECONDS:
            left = TAP_SECONDS - (time.monotonic() - taps[0])
            click.echo(f"\r{len(taps):>3} taps, {left:4.0f} s left ", nl=False)
            time.sleep(0.1)
    click.echo("")
    result = cadence_from_taps(taps)
    if result.missed or result.doubled:
        click.echo(f"(counted {result.missed} missed and ignored {result.doubled} doubled taps)")
    return result.cadence_spm
