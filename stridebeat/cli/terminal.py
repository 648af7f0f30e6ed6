"""What the commands show on a terminal: progress bars and cue lists; SIGTERM and SIGHUP as
Ctrl-C."""

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


# SIGTERM (kill, a shutdown) and SIGHUP (the terminal was closed); Windows has no SIGHUP
_STOPPING = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where Ctrl-C would be: everything that handles Ctrl-C (a fade
    and a record of the partial session, a render's temporary file removed) handles it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def interrupted_exit_code(stop: KeyboardInterrupt) -> int:
    """128 + the signal, as a shell reports it: 130 for Ctrl-C, 143 for SIGTERM (which the
    systemd unit counts as success), 129 for SIGHUP."""
    return 128 + (stop.signum if isinstance(stop, Terminated) else signal.SIGINT)


class terminate_as_exit:
    """Let SIGTERM and SIGHUP unwind like Ctrl-C (as ``Terminated``), so temporary files are
    removed and live play ends as it does on Ctrl-C."""

    def __enter__(self) -> None:
        self._previous = {number: signal.signal(number, self._raise) for number in _STOPPING}

    def __exit__(self, *exc: object) -> None:
        for number, previous in self._previous.items():
            signal.signal(number, previous)

    @staticmethod
    def _raise(signum: int, frame: object) -> NoReturn:
        raise Terminated(signum)
