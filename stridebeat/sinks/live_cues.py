"""The spoken cues of live play as they change: re-placed after a cadence change, muted and
back, and phrases asked for while playing (the spoken status), which are never muted and
never overlap a cue. Pure bookkeeping: the live player's producer owns one."""

from __future__ import annotations

from collections.abc import Callable

from stridebeat.engine.render import Renderer, SpokenCue
from stridebeat.engine.synth import Wave

# Given the renderer after a live cadence change, the spoken cues placed afresh for it.
SpokenCuesFor = Callable[[Renderer], list[SpokenCue]]
# Given a phrase, its sound at the player's rate (None without speech).
Say = Callable[[str], Wave | None]


class LiveCues:
    """The cue list the renderer should mix from the next frame rendered on."""

    def __init__(self, cues: list[SpokenCue]) -> None:
        self.muted = False
        self._spoken = list(cues)  # the cue scripts' cues (muted with c)
        self._asked: list[SpokenCue] = []  # phrases asked for while playing

    def mixed(self) -> list[SpokenCue]:
        """What to hand the renderer now."""
        return ([] if self.muted else self._spoken) + self._asked

    def toggle_mute(self) -> None:
        self.muted = not self.muted

    def replace_from(self, frame: int, cues: list[SpokenCue]) -> None:
        """Cues for a new cadence from ``frame`` on; a phrase already speaking ends first."""
        kept = [c for c in self._spoken if c.frame < frame]
        speaking_until = max((c.frame + len(c.wave) for c in kept), default=frame)
        fresh = [c for c in cues if c.frame >= max(frame, speaking_until)]
        self._spoken = [c for c in kept + fresh if not _overlaps(c, self._asked)]

    def ask(self, frame: int, phrase: SpokenCue) -> SpokenCue:
        """Place ``phrase`` at the first frame from ``frame`` on where it overlaps no cue (a
        muted one neither: it may come back); returns it placed."""
        for cue in sorted(self._spoken + self._asked, key=lambda c: c.frame):
            if cue.frame + len(cue.wave) <= frame:
                continue
            if cue.frame >= frame + len(phrase.wave):
                break
            frame = cue.frame + len(cue.wave)
        placed = SpokenCue(frame, phrase.wave, phrase.text)
        self._asked.append(placed)
        return placed


def _overlaps(cue: SpokenCue, others: list[SpokenCue]) -> bool:
    end = cue.frame + len(cue.wave)
    return any(o.frame < end and cue.frame < o.frame + len(o.wave) for o in others)
