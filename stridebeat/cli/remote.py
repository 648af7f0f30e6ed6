"""The controls of live play, open while ``play``, ``today``, ``session`` or ``standby`` runs:
MPRIS on the session bus, GPIO buttons (``--buttons``) and, on a terminal, the keys."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

import click

from stridebeat.cli.live_options import Live
from stridebeat.controls.remote import Remote
from stridebeat.errors import ControlUnavailable


def terminal() -> bool:
    """Whether live play has a terminal to show a status line and read keys from."""
    return sys.stdin.isatty() and sys.stdout.isatty()


@contextmanager
def remote_controls(
    live: Live,
    start: Callable[[], None] | None = None,
    quit: Callable[[], None] | None = None,
) -> Iterator[Remote]:
    """A ``Remote`` steered by every control there is; without a session bus, play goes on
    and says so in one line. ``start`` and ``quit``: what Play and q do when nothing plays
    (standby); standby with no control at all is ControlUnavailable, not a wait for ever."""
    from stridebeat.controls.mpris import MprisPlayer

    remote = Remote(live.next_action, start, quit)
    with ExitStack() as stack:
        try:
            stack.enter_context(MprisPlayer(remote))
            bus = ""
        except ControlUnavailable as exc:
            bus = str(exc)
        if live.buttons:
            from stridebeat.controls.buttons import Buttons

            stack.enter_context(Buttons(live.buttons, remote))
        if terminal():
            from stridebeat.controls.keys import KeyReader, key_bindings

            stack.enter_context(KeyReader(key_bindings(remote)))
        elif start is not None and bus and not live.buttons:
            # Waiting for a Play that nothing can send would be a hang.
            raise ControlUnavailable(
                f"standby has nothing to wait on: {bus}, no terminal and no --buttons. Run "
                "it in your desktop or user session (systemctl --user, see 'stridebeat "
                "service install'), on a terminal, or with --buttons"
            )
        if bus:
            click.echo(f"No media keys or earbud buttons: {bus}.", err=True)
        yield remote
