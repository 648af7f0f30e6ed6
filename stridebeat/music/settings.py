"""What ``--music``, ``--music-volume`` and ``--no-music-match`` ask for (no heavy imports)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_MUSIC_VOLUME = 60.0  # percent


@dataclass(frozen=True)
class MusicSettings:
    """A file, folder or playlist to play under the click, its level, and whether to
    stretch each track onto the steps."""

    source: Path | None  # None: no music (unless a plan names a folder)
    volume: float = DEFAULT_MUSIC_VOLUME  # percent: 100 puts every track at -18 LUFS
    match: bool = True

    def or_from_plan(self, folder: str | None) -> MusicSettings:
        """These settings, with the plan's music folder when no --music was given."""
        if self.source is not None or folder is None:
            return self
        return MusicSettings(Path(folder), self.volume, self.match)
