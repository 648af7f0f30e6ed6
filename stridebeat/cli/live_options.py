"""The live-play options, shared by play, today, session and standby: where and how to
play (device, latency, block size, how long to wait for an output that dropped out) and what
steers it (media Next/Previous, GPIO buttons)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from stridebeat.cli.options import converter, env_option
from stridebeat.cli.sources import device_callback
from stridebeat.controls.remote import NEXT_ACTIONS
from stridebeat.units import parse_duration


def _latency(text: str) -> float | str:
    if text in ("low", "high"):
        return text
    try:
        seconds = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a latency: give seconds (0.05) or low or high") from None
    if not 0 < seconds <= 2:
        raise ValueError(f"{text!r}: give a latency above 0 and at most 2 seconds")
    return seconds


def _buttons(text: str) -> dict[int, str]:
    from stridebeat.controls.buttons import parse_buttons

    return parse_buttons(text)


@dataclass(frozen=True)
class Live:
    """Where and how to play live: --start-at, --device, --latency, --blocksize,
    --device-wait; and what steers it: --next-action, --buttons."""

    start_at: float | None
    device: str | None
    latency: float | str
    blocksize: int
    next_action: str = "spm"
    buttons: dict[int, str] | None = None
    device_wait: float = 300.0  # seconds to wait for an output that dropped out


def live_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The live-play options, handed to the command as one ``live``."""

    @click.option(
        "--start-at",
        callback=converter(parse_duration),
        metavar="TIME",
        help="Start part-way, e.g. 12:30 to resume an interrupted run (on the next step).",
    )
    @env_option(
        "--device",
        envvar="STRIDEBEAT_DEVICE",
        callback=device_callback,
        help="Output device from 'stridebeat devices': its number, its \"name, host API\", "
        "or words of those in order (as sounddevice matches them).",
    )
    @env_option(
        "--latency",
        default="0.05",
        show_default=True,
        envvar="STRIDEBEAT_LATENCY",
        callback=converter(_latency),
        help="Output latency in seconds, or low/high (0.05 plays smoothly on a Raspberry Pi).",
    )
    @env_option(
        "--blocksize",
        type=click.IntRange(0, 8192),
        default=0,
        show_default=True,
        envvar="STRIDEBEAT_BLOCKSIZE",
        help="Frames per audio callback (0: let the device choose).",
    )
    @env_option(
        "--device-wait",
        default="5m",
        show_default=True,
        envvar="STRIDEBEAT_DEVICE_WAIT",
        callback=converter(parse_duration),
        metavar="TIME",
        help="If the output drops out (earbuds out of range), pause and wait this long for it.",
    )
    @env_option(
        "--next-action",
        type=click.Choice(NEXT_ACTIONS),
        default="spm",
        show_default=True,
        envvar="STRIDEBEAT_NEXT_ACTION",
        help="What a media Next/Previous press does: +1/-1 spm, skip to the next block, or "
        "speak the status.",
    )
    @env_option(
        "--buttons",
        callback=converter(_buttons),
        metavar="PIN:ACTION,...",
        envvar="STRIDEBEAT_BUTTONS",
        help="Raspberry Pi GPIO buttons (BCM pins, to ground), e.g. 17:play-pause,27:faster,"
        "22:slower,23:status (also stop, next-block, cues). Needs stridebeat[pi].",
    )
    @functools.wraps(func)
    def wrapper(
        *args: Any,
        start_at: float | None,
        device: str | None,
        latency: float | str,
        blocksize: int,
        device_wait: float,
        next_action: str,
        buttons: dict[int, str] | None,
        **kwargs: Any,
    ) -> Any:
        live = Live(start_at, device, latency, blocksize, next_action, buttons, device_wait)
        return func(*args, live=live, **kwargs)

    return wrapper
