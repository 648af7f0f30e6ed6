"""When each spoken cue starts: cue rules laid on a timeline, on the beat, never overlapping.

Structural cues (announcements, countdowns, instructions, rep counts) are placed first, each
at the first step at or after its time, pushed to the next step after a cue still speaking.
Form cues fill in around them, keeping the script's minimum gap from the previous form cue
and staying quiet at the start of run blocks; one that does not fit is skipped, not squeezed.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from stridebeat.cues.script import CueRule, CueScript, fill, named_scripts, placeholders
from stridebeat.engine.session import Block, Ramp, Rhythm, Session
from stridebeat.engine.timeline import Span, Timeline
from stridebeat.errors import InputError
from stridebeat.units import seconds_to_frames, spoken_duration

# A cue pushed further than this from its time cannot keep to its script.
MAX_PUSH_SECONDS = 5.0
# A form cue may wait this long for a structural cue to finish before it is skipped.
MAX_FORM_WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class Cue:
    """A cue placed on the timeline: frames [frame, frame + length)."""

    frame: int
    length: int
    text: str
    audio: Path | None
    structural: bool
    block: int
    where: str  # the rule's file:line

    @property
    def end(self) -> int:
        return self.frame + self.length


# frames a cue will last: (spoken text, or None for a recording; recording path or None)
Measure = Callable[[str, Path | None], int]


@dataclass(frozen=True)
class _Candidate:
    frame: int
    block: int
    rule: CueRule
    script: CueScript
    order: int  # ties at one frame go in script order


def assemble(
    session: Session | None, scripts: Sequence[CueScript], named: Mapping[str, CueScript]
) -> tuple[Session, list[tuple[CueScript, ...]]]:
    """The session to play and the cue scripts of each of its blocks.

    Scripts that bring a routine (warm-up drills, a stance check), given here or named by the
    session, put it first and speak in it alone; the other scripts (given here, named by the
    session or by a block) speak in every block their rules allow. ``named`` holds every
    script the session and the blocks name, already loaded (``load_cue_scripts``).
    """
    if session is not None:
        scripts = (*scripts, *named_scripts(named, session.cues))
    general = tuple(s for s in scripts if not s.routine)
    blocks: list[Block] = []
    block_scripts: list[tuple[CueScript, ...]] = []
    for script in scripts:
        for block in script.routine:
            blocks.append(block)
            block_scripts.append((script, *general, *named_scripts(named, block.cues)))
    if session is None:
        if not blocks:
            raise InputError(
                "say what to play: --spm 172, --ramp 165:175 or a SESSION.toml file "
                "(only cue scripts with a routine, such as activation, play on their own)"
            )
        session = Session((), title=" + ".join(s.name for s in scripts if s.routine))
    for block in session.blocks:
        blocks.append(block)
        block_scripts.append((*general, *named_scripts(named, block.cues)))
    played = Session(tuple(blocks), session.title, session.source, session.cues, session.rotation)
    return played, block_scripts


def schedule_cues(
    timeline: Timeline,
    block_scripts: Sequence[Sequence[CueScript]],
    measure: Measure,
    open_end: bool = False,
) -> tuple[Cue, ...]:
    """Place every cue of every block's scripts; see the module docstring for the rules.

    ``open_end``: the last block plays until stopped, so it has no halfway and no countdown.
    """
    candidates = _candidates(timeline, block_scripts, open_end)
    placed: list[Cue] = []
    used: dict[object, int] = {}  # phrasings taken so far, by rule (see _turn)
    # Cues that tell the time (halfway, before the end, at a time) claim their step first;
    # announcements and counts on a block's start or a rep then fit in around them.
    structural = sorted(
        (c for c in candidates if c.rule.structural), key=lambda c: not c.rule.tells_time
    )
    for candidate in structural:
        cue = _place_structural(timeline, candidate, placed, used, measure)
        bisect.insort(placed, cue, key=lambda c: c.frame)
    last_form_end: int | None = None
    for candidate in (c for c in candidates if not c.rule.structural):
        form = _place_form(timeline, candidate, placed, used, measure, last_form_end)
        if form is not None:
            bisect.insort(placed, form, key=lambda c: c.frame)
            last_form_end = form.end
    return tuple(placed)


def _candidates(
    timeline: Timeline, block_scripts: Sequence[Sequence[CueScript]], open_end: bool
) -> list[_Candidate]:
    found: list[_Candidate] = []
    order = 0
    for index, span in enumerate(timeline.spans):
        for script in block_scripts[index]:
            for rule in script.rules:
                if not rule.applies_to(span.block):
                    continue
                endless = open_end and index == len(timeline.spans) - 1
                for frame in _times(timeline, span, rule, script, endless):
                    found.append(_Candidate(frame, index, rule, script, order))
                order += 1
    found.sort(key=lambda c: (c.frame, c.order))
    return found


def _times(
    timeline: Timeline, span: Span, rule: CueRule, script: CueScript, endless: bool
) -> list[int]:
    """The rule's moments in this block, each moved onto the beat."""
    rate, seconds = timeline.rate, span.length / timeline.rate
    times: list[float] = []
    if rule.every is not None:
        times += [rule.every * n for n in range(1, int(seconds / rule.every) + 1)]
    times += list(rule.at)
    times += [0.0 for e in rule.on if e == "start"]
    if not endless:
        times += [seconds / 2 for e in rule.on if e == "halfway"]
        times += [seconds - before for before in rule.before_end if before <= seconds]
    if not rule.structural and span.block.kind == "run":
        times = [t for t in times if t >= script.quiet_start]
    frames = [_on_beat(timeline, span, span.start + seconds_to_frames(t, rate))
              for t in times if 0 <= t < seconds]  # fmt: skip
    if "rep" in rule.on and isinstance(span.block.clicks, Rhythm):
        clicks = timeline.clicks_between(span.start, span.end)
        frames += [round(p) for p, accent in zip(clicks.positions, clicks.accents, strict=True)
                   if accent]  # fmt: skip
    return sorted(set(frames))


def _on_beat(timeline: Timeline, span: Span, frame: int) -> int:
    """The first step at or after ``frame`` in the block (muted steps count), else ``frame``."""
    window = 4 * timeline.rate  # longer than the slowest step; doubled for long rhythms
    low = frame - 0.5
    while True:
        high = min(low + window, span.end)
        clicks = timeline.clicks_between(low, high)
        if len(clicks):
            return round(float(clicks.positions[0]))
        if high >= span.end:
            return frame
        low, window = high, 2 * window


def _next_beat(timeline: Timeline, frame: int) -> int:
    span = timeline.spans[timeline.span_index_at(frame)]
    return _on_beat(timeline, span, frame)


def _make(
    timeline: Timeline, candidate: _Candidate, frame: int, used: dict[object, int], measure: Measure
) -> Cue:
    rule = candidate.rule
    n = used.get(_turn(rule), 0)
    pick = _phrasing(rule, n, timeline.session.rotation)
    audio = rule.audio[pick] if rule.audio else None
    if audio is not None:
        text = rule.texts[pick]
        length = measure("", audio)
    else:
        values = _values(timeline, rule, pick, frame, candidate)
        text = fill(rule.texts[pick], values)
        length = measure(text, None)
    return Cue(frame, length, text, audio, rule.structural, candidate.block, rule.where)


def _turn(rule: CueRule) -> object:
    """What counts a rule's turns: each place that names its script starts anew (the rule
    is a copy there), except that a rotating rule's turns run through the whole session."""
    return (rule.script, rule.where) if rule.rotate else id(rule)


def _phrasing(rule: CueRule, n: int, rotation: int) -> int:
    """The phrasing of a rule's turn ``n`` (0-based).

    Rotating rules: the first ``lead`` turns of a session take the lead phrasings, starting
    at the session's ``rotation``; then all phrasings take turns, the others first (from
    ``rotation`` on), then the lead ones (from one further on, so that the lead phrasings
    never follow each other as they opened the session). So sessions numbered one after
    another open differently and, across them, every phrasing comes round alike. Same
    session, same phrasings.
    """
    count = len(rule.audio or rule.texts)
    if rule.rotate:
        lead = rule.lead
        if n < lead:
            return (rotation + n) % lead
        rest = count - lead
        turn = (n - lead) % count
        if turn < rest:
            return lead + (rotation + turn) % rest
        return (rotation + 1 + turn - rest) % lead  # one on: no part opens like the first
    if not rule.shuffle:
        return n % count
    cycle, position = divmod(n, count)
    order = list(range(count))
    random.Random(rule.seed * 1_000_003 + cycle).shuffle(order)
    return order[position]


def _place_structural(
    timeline: Timeline,
    candidate: _Candidate,
    placed: list[Cue],
    used: dict[object, int],
    measure: Measure,
) -> Cue:
    frame = candidate.frame
    cue = _make(timeline, candidate, frame, used, measure)
    while (clash := _clash(placed, cue)) is not None:
        frame = _next_beat(timeline, clash.end)
        cue = _make(timeline, candidate, frame, used, measure)
    if frame - candidate.frame > MAX_PUSH_SECONDS * timeline.rate:
        raise InputError(
            f"{candidate.rule.where}: cues come too thick to fit: {cue.text!r} would start "
            f"{(frame - candidate.frame) / timeline.rate:.1f} s late, after the cues before it. "
            "Space them further apart or shorten the phrases"
        )
    used[_turn(candidate.rule)] = used.get(_turn(candidate.rule), 0) + 1
    return cue


def _place_form(
    timeline: Timeline,
    candidate: _Candidate,
    placed: list[Cue],
    used: dict[object, int],
    measure: Measure,
    last_form_end: int | None,
) -> Cue | None:
    rate = timeline.rate
    if (
        last_form_end is not None
        and candidate.frame < last_form_end + candidate.script.min_gap * rate
    ):
        return None
    frame = candidate.frame
    cue = _make(timeline, candidate, frame, used, measure)
    for _ in range(len(placed) + 1):
        clash = _clash(placed, cue)
        if clash is None:
            break
        frame = _next_beat(timeline, clash.end)
        cue = Cue(frame, cue.length, cue.text, cue.audio, False, cue.block, cue.where)
    else:
        return None
    block_end = timeline.spans[candidate.block].end
    if frame - candidate.frame > MAX_FORM_WAIT_SECONDS * rate or cue.end > block_end:
        return None
    used[_turn(candidate.rule)] = used.get(_turn(candidate.rule), 0) + 1
    return cue


def _clash(placed: list[Cue], cue: Cue) -> Cue | None:
    """A placed cue that overlaps ``cue``, if any (placed cues never overlap each other)."""
    i = bisect.bisect_right(placed, cue.frame, key=lambda c: c.frame)
    for other in placed[max(i - 1, 0) : i + 1]:
        if other.frame < cue.end and cue.frame < other.end:
            return other
    return None


# --- placeholder values --------------------------------------------------------------------------


def _values(
    timeline: Timeline, rule: CueRule, pick: int, frame: int, candidate: _Candidate
) -> dict[str, str]:
    """Placeholder values for a cue starting at ``frame`` (its rep: the one it was due at)."""
    index = candidate.block
    span = timeline.spans[index]
    wanted = set(placeholders(rule.texts[pick]))
    values: dict[str, str] = {
        "block": span.block.label,
        "elapsed": spoken_duration(frame / timeline.rate),
        "remaining": spoken_duration((span.end - frame) / timeline.rate),
    }
    if wanted & {"spm", "next_spm", "change"}:
        now = timeline.cadence_at(frame)
        ahead = _heading_to(timeline.session, index)
        if now is None or ahead is None:
            raise InputError(
                f"{rule.where}: this cue speaks a cadence, but block {index + 1} "
                f'({span.block.label}) has none; limit the cue with kinds = ["run"]'
            )
        values["spm"] = f"{now:.0f}"
        values["next_spm"] = f"{ahead:.0f}"
        values["change"] = _change(timeline.session, index, ahead)
    if "rep" in wanted:
        values["rep"] = str(_rep(timeline, span, candidate.frame))
    return values


def _heading_to(session: Session, index: int) -> float | None:
    """Where cadence goes next: a ramp's end, else the next block's cadence, else this one's."""
    block = session.blocks[index]
    if isinstance(block.clicks, Ramp):
        return block.clicks.end_spm
    for later in session.blocks[index + 1 :]:
        if later.cadence_ends is not None:
            return later.cadence_ends[0]
    return block.cadence_ends[0] if block.cadence_ends is not None else None


def _change(session: Session, index: int, ahead: float) -> str:
    """``rising to 174``, ``easing to 165`` or ``holding at 172``, for this block's start."""
    block = session.blocks[index]
    before, target = block.cadence_ends or (None, None)
    if not isinstance(block.clicks, Ramp):  # a ramp changes from its own start
        previous = session.blocks[index - 1].cadence_ends if index > 0 else None
        before = previous[1] if previous is not None else None
    if target is None:
        target = ahead
    if before is None:
        return f"{target:.0f}"
    if round(before) == round(target):
        return f"holding at {target:.0f}"
    return f"{'rising' if target > before else 'easing'} to {target:.0f}"


def _rep(timeline: Timeline, span: Span, frame: int) -> int:
    clicks = timeline.clicks_between(span.start, frame + 0.5)
    per_cycle = len(span.block.clicks.intervals) if isinstance(span.block.clicks, Rhythm) else 1
    return max(len(clicks) - 1, 0) // per_cycle + 1
