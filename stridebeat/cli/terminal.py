"""What the commands show on a terminal: progress bars and cue lists; SIGTERM as Ctrl-C."""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, NoReturn

import click

from stridebeat.units import format_clock

if TYPE_CHECKING:
    from stridebeat.cues.schedule import Cue


@contextlib.contextmanager
def progress(length: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal (stderr); nothing at all when piped."""
    if not sys.stderr.isatty():
        yield lambda done: None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr, show_eta=True) as bar:
        yield bar.update


def print_cues(cues: Sequence[Cue], rate: int) -> None:
    for cue in cues:
        click.echo(f"{format_clock(cue.frame / rate):>8}  {cue.text}")


class terminate_as_exit:
    """Let SIGTERM unwind like Ctrl-C, so temporary files are removed."""

    def __enter__(self) -> None:
        self._previous = signal.signal(signal.SIGTERM, self._raise)

    def __exit__(self, *exc: object) -> None:
        signal.signal(signal.SIGTERM, self._previous)

    @staticmethod
    def _raise(signum: int, frame: object) -> NoReturn:
        raise KeyboardInterrupt
