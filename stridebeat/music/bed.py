"""The music bed: placed tracks, stretched a piece at a time on a worker thread, mixed into
the renderer's blocks. Pieces are cached in the app folder, so a second render of the same
session and music stretches nothing."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from stridebeat.engine.timeline import Timeline
from stridebeat.music.mix import Placement, describe
from stridebeat.music.piecefile import PieceReader, sample_gain
from stridebeat.music.stretch import PIECE_SECONDS, Piece, make_piece, pieces_of

log = logging.getLogger(__name__)
AHEAD_SECONDS = 60.0  # the worker keeps this much music stretched ahead of the renderer


@dataclass
class _Ready:
    piece: Piece
    path: Path | None = None
    error: BaseException | None = None
    done: threading.Event | None = None
    taken: bool = False  # a thread is making it


# after a live change, the placements from the playing one on (None: the change does not
# touch the music)
Replan = Callable[[Timeline, Placement, int], Iterator[Placement] | None]
SWITCH_SECONDS = 0.4  # a live change reaches the music at its first beat this far ahead
FIRST_PIECE_SECONDS = 3.0


def _chain(first: Placement, rest: Iterator[Placement]) -> Iterator[Placement]:
    yield first
    yield from rest


class MusicBed:
    """Adds the session's music into ``out`` blocks (``add``), from any frame, in any order."""

    def __init__(
        self,
        placements: Iterator[Placement],
        rate: int,
        folder: Path,
        report: Callable[[str], None] | None = None,
        replan: Replan | None = None,
    ) -> None:
        self.rate = rate
        self._placements = placements
        self._replan = replan
        self._placed: list[Placement] = []
        self._short_next = True  # the first piece is short: the sound starts sooner
        self._folder = folder
        self._report = report
        self._pieces: list[_Ready] = []
        self._planned_to = 0
        self._exhausted = False
        self._lock = threading.Lock()
        self._open: dict[int, PieceReader] = {}
        self._wanted = 0
        self._wake = threading.Condition(self._lock)
        self._stop = False
        self._worker: threading.Thread | None = None
        self._failed: BaseException | None = None  # planning failed on the worker

    def _plan_to(self, frame: int) -> None:
        """Extend the piece list until it covers ``frame`` (call with the lock held)."""
        while not self._exhausted and self._planned_to <= frame:
            placement = next(self._placements, None)
            if placement is None:
                self._exhausted = True
                return
            line = describe(placement, self.rate)
            if self._report is not None:
                self._report(line)
            elif placement.matched:
                log.info("%s", line)
            else:
                log.warning("%s", line)
            first = FIRST_PIECE_SECONDS if self._short_next else PIECE_SECONDS
            self._short_next = False
            self._placed.append(placement)
            for piece in pieces_of(placement, self.rate, first):
                self._pieces.append(_Ready(piece, done=threading.Event()))
            self._planned_to = max(self._planned_to, placement.end)

    def retimed(self, timeline: Timeline, frame: int) -> MusicBed:
        """The bed after a live cadence change at ``frame``: what plays goes on until the
        playing track's first beat after the switch point, then comes from a new plan on the
        new timeline's steps (stretched on the worker, a short first piece)."""
        switch = frame + int(SWITCH_SECONDS * self.rate)
        with self._lock:
            self._plan_to(switch)
            playing = [p for p in self._placed if p.start <= switch < p.end and p.matched]
            following = None
            if playing and self._replan is not None:
                following = self._replan(timeline, playing[-1], switch)
        first = None if following is None else next(following, None)
        if first is None:
            return self
        cut = first.start + first.fade_in
        assert following is not None
        new = MusicBed(
            _chain(first, following), self.rate, self._folder, self._report, self._replan
        )
        with self._lock:
            for ready in self._pieces:
                if ready.piece.start < first.start:
                    piece = ready.piece
                    if piece.stop > first.start:
                        fade = max(1, cut - first.start)
                        piece = replace(piece, until=cut, fade_out=fade)
                    made = ready.path is not None
                    new._pieces.append(_Ready(piece, ready.path, None, threading.Event()))
                    if made:
                        assert new._pieces[-1].done is not None
                        new._pieces[-1].done.set()
            self._stop = True  # this bed's worker ends; the new one takes over
            self._wake.notify_all()
        new._placed = [p for p in self._placed if p.start < first.start]
        new._planned_to = first.start
        new._wanted = frame
        return new

    def start(self) -> None:
        """Stretch ahead on a worker thread, so the renderer rarely waits for a piece."""
        if self._worker is None:
            self._worker = threading.Thread(target=self._work, name="music", daemon=True)
            self._worker.start()

    def close(self) -> None:
        with self._lock:
            self._stop = True
            self._wake.notify_all()
        for handle in self._open.values():
            handle.close()
        self._open.clear()

    def _work(self) -> None:
        while True:
            with self._lock:
                job = None
                while not self._stop:
                    try:
                        job = self._next_job()
                    except BaseException as exc:  # the renderer's thread reports it
                        self._failed = exc
                        return
                    if job is not None:
                        break
                    self._wake.wait(1.0)
                if job is None:
                    return
            self._make(job)

    def _next_job(self) -> _Ready | None:
        horizon = self._wanted + int(AHEAD_SECONDS * self.rate)
        self._plan_to(horizon)
        for ready in self._pieces:
            if ready.piece.start > horizon:
                return None
            if ready.path is None and ready.error is None and not ready.taken:
                ready.taken = True
                return ready
        return None

    def _make(self, ready: _Ready) -> None:
        try:
            ready.path = make_piece(ready.piece, self.rate, self._folder)
        except BaseException as exc:  # handed to the renderer's thread, which reports it
            ready.error = exc
        assert ready.done is not None
        ready.done.set()

    def add(self, start: int, out: NDArray[np.float32]) -> None:
        """Mix the music of frames [start, start + len(out)) into ``out`` (frames × 2)."""
        stop = start + out.shape[0]
        self.start()  # the worker stretches what comes next while this block is mixed
        with self._lock:
            if self._failed is not None:
                raise self._failed
            self._wanted = max(self._wanted, start)
            self._plan_to(stop)
            needed = [r for r in self._pieces if r.piece.start < stop and r.piece.stop > start]
            self._wake.notify_all()
        for ready in needed:
            self._mix(ready, start, out)

    def _mix(self, ready: _Ready, start: int, out: NDArray[np.float32]) -> None:
        piece = ready.piece
        if ready.path is None and ready.error is None:
            with self._lock:
                taken, ready.taken = ready.taken, True
            if not taken:
                self._make(ready)
            assert ready.done is not None
            ready.done.wait()
        if ready.error is not None:
            raise ready.error
        assert ready.path is not None
        lo, hi = max(start, piece.start), min(start + out.shape[0], piece.stop)
        if hi <= lo or piece.gain == 0:
            return
        at = lo - piece.start
        data = self._reader(ready).read(at, hi - lo)
        n = data.shape[0]
        if not n:
            return
        into = out[lo - start : lo - start + n]
        length = piece.stop - piece.start
        if at >= piece.fade_in and at + n <= length - piece.fade_out:  # no fade: one gain
            into += data * np.float32(sample_gain(piece.gain))
            return
        frame = np.arange(at, at + n, dtype=np.float32)
        envelope = np.full(n, sample_gain(piece.gain), np.float32)
        if piece.fade_in:
            envelope *= np.clip(frame / piece.fade_in, 0, 1)
        if piece.fade_out:
            envelope *= np.clip((length - frame) / piece.fade_out, 0, 1)
        into += data * envelope[:, None]

    def _reader(self, ready: _Ready) -> PieceReader:
        key = id(ready)
        if key not in self._open:
            if len(self._open) > 8:
                oldest = next(iter(self._open))
                self._open.pop(oldest).close()
            assert ready.path is not None
            self._open[key] = PieceReader(ready.path)
        return self._open[key]
