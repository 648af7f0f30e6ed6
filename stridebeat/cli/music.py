"""The --music options every command that makes audio shares."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from stridebeat.cli.options import converter, env_option
from stridebeat.music.settings import DEFAULT_MUSIC_VOLUME, MusicSettings


def _music_volume(value: float) -> float:
    if not math.isfinite(value) or not 0 <= value <= 100:
        raise ValueError(f"{value:g} is not a volume: give a percentage from 0 to 100")
    return float(value)


def music_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--music, --music-volume and --no-music-match, handed to the command as ``music``
    (its ``source`` is None without --music)."""

    @env_option(
        "--music",
        type=click.Path(path_type=Path),
        envvar="STRIDEBEAT_MUSIC",
        metavar="PATH",
        help="Your music under the click: a file (MP3, FLAC, OGG, WAV), a folder (its "
        "tracks in name order) or an .m3u playlist; stretched so its beats land on the steps.",
    )
    @env_option(
        "--music-volume",
        type=float,
        default=DEFAULT_MUSIC_VOLUME,
        show_default=True,
        envvar="STRIDEBEAT_MUSIC_VOLUME",
        callback=converter(_music_volume),
        help="Music level in percent (every track is loudness-normalised first).",
    )
    @click.option(
        "--no-music-match",
        is_flag=True,
        help="Play each track at its own tempo instead of on the steps.",
    )
    @functools.wraps(func)
    def wrapper(
        *args: Any, music: Path | None, music_volume: float, no_music_match: bool, **kwargs: Any
    ) -> Any:
        return func(*args, music=MusicSettings(music, music_volume, not no_music_match), **kwargs)

    return wrapper


plan_music_option = click.option(
    "--music",
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="A music folder or playlist that today, session and plan export play under the click.",
)


def remembered_music(music: Path | None) -> str | None:
    """The absolute path a plan remembers, once it is known to name at least one track."""
    if music is None:
        return None
    from stridebeat.music.sources import music_tracks

    music_tracks(music)
    return str(music.expanduser().resolve())
