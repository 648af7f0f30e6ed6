"""Why the plan's defaults are what they are: the text of ``stridebeat plan explain``, and
the chart of cadence by week that ``plan show`` ends with (and its ``--json`` records)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stridebeat.training.plan import Plan, PlannedSession

EXPLANATION = """\
Why the plan looks the way it does

stridebeat raises your step rate (cadence) a little at a time from your own measured
baseline, and helps you keep the new rhythm once the metronome goes quiet. Each default
below follows a study, or the article stridebeat grew from. Where a choice is
stridebeat's own, this says so.

The target: +7.5% by default
  Heiderscheit et al. (2011, Med Sci Sports Exerc 43:296) found that raising step rate
  by 5% or 10% lowered the load on the knee, and at 10% on the hip as well. Lenhart et
  al. (2014) found that +10% cut the force behind the kneecap by 14%. Willy et al.
  (2016, Scand J Med Sci Sports 26:197) gave runners a +7.5% target from the first of 8
  sessions; they reached +8.6% and still had it 30 days later. So the default is +7.5%,
  and anything from +5% to +10% is inside what was tested. Up to +15% is allowed with a
  warning; beyond that nothing was studied, so stridebeat refuses. The article suggests
  a cadence around 170-180, so a default target never goes above 180 spm.

A holding plan when you are already there
  If you run at 175 spm or more, you are already in the article's range: the default is
  a holding plan, 4 weeks at your own cadence with the same warm-ups, strength days,
  fading metronome and retention checks, so the rhythm holds without the click. The same
  plan comes when you give your baseline as the target. A rise is still yours to ask
  for: at most +5%, never above 185 spm.

Small weekly steps: stridebeat's own design choice
  The studies above used one fixed target from the first session; they did not ramp. The
  plan instead raises the cadence by at most 3% of your baseline a week (rounded down to
  whole steps, so no week rises more than that: from 160 spm, 164, 168, 172), then
  holds the target for at least a week. That weekly ramp is stridebeat's choice, not a
  finding of those trials. It is supported by Van Dyck et al. (2015), who found that
  tempo shifts of 1-3% go unnoticed yet still pull a runner's cadence along, and by the
  article's advice to progress gradually. Week 1 is already the first step. The number
  of weeks is the fewest the 3% cap allows, plus the hold week; asking for more weeks
  adds hold weeks.

How many sessions, how long
  Davis et al. (2020, Curr Rev Musculoskelet Med 13:103) reviewed the retraining
  studies: the most lasting results came from 8-18 sessions over 2-6 weeks, 3-4 a week,
  with the sessions growing from about 15 to 30 minutes. So the plan has 3 runs a week
  by default, and each run's cadence work grows from 15 minutes in the first run to 30
  by the 18th. Bonacci et al. (2018, J Sci Med Sport 21:457) kept retraining to about a
  fifth of the runners' weekly running: if you run a lot, your other runs can stay
  ordinary runs.

The metronome fades
  The guidance hypothesis (Winstein et al. 1994): feedback that is always there helps
  while you practise but weakens what you keep once it is gone. Davis et al. found the
  best retention with continuous feedback in sessions 1-4 and faded feedback after;
  Bonacci et al. played the metronome continuously for 4 weeks of 6, then faded it. So
  the metronome plays throughout your first four runs, and throughout the first run
  after each step up (a new cadence has to be heard before it can be held). Otherwise it
  fades as the plan goes on: 3 minutes on and 1 off, then 2 and 2, then 1 on and 3 off,
  then a 30-second check-in every 5 minutes. Once fading has begun it never comes back
  up, except in those first runs after a step. The spoken form cues thin out the same
  way.

Retention checks
  Each week's last run ends its cadence work with 2 minutes without the metronome: hold
  the rhythm on your own, then count your steps for 30 seconds and double the count.
  That shows whether the new cadence stays without the click, which is what fading is
  for.

When a week repeats
  A week runs from its first session to the day before the next week's first. On the
  next week's first day its verdict is settled, from what you did by its last day, and
  it never changes after: if you are told on Monday to step up, that stands. A session
  not done by then (at most two days after its date, and within its week) is missed.
  If fewer than two-thirds of a week's runs were done, or a retention check that week
  was more than 3% below its cadence, the next week repeats the cadence and the rest of
  the plan moves a week later. Pain of 4/10 or more steps the cadence back for a week.
  So a plan left for three weeks picks up where you left off, never a step higher. This
  is stridebeat's own rule: the studies kept to fixed schedules.

Recording what you did
  'stridebeat done' records a session once; asking again adds nothing. A session
  planned for a later day needs the day you ran it ('--on 2026-12-09'), and a settled
  week takes no more. 'stridebeat today' tells you when today's session is already
  done and names the next one. 'stridebeat check 172' says how your retention check
  compares with this week's target.

Warm-up and strength days
  The article ("Running from your glutes") says: wake the glutes up before every run,
  strengthen them 2-3 times a week, aim for a cadence around 170-180, progress
  gradually, and be consistent. So every run starts with the activation routine (glute
  bridges, clamshells, banded lateral walks, donkey kicks, leg swings) and a few easy
  minutes, and there are 2 strength days a week by default: squats, Romanian deadlifts,
  pull-throughs (a hip hinge for the glutes: on a cable, or a band anchored low),
  reverse lunges, step-ups, hip thrusts and banded walks on a rep-tempo click, 2 sets of
  each in week 1 and 3 after, each set called out ("set two of three"). Form first; add
  weight gradually. The warm-up swings the legs forward and back and side to side, as the
  article says. It also names pitfalls: a weak core lets the pelvis tip, so each
  strength day has dead bugs; tight hip flexors hold the glutes back, so it ends with
  hip flexor and quad stretches.

The weekly stance check
  The article's self-check: stand on one leg for 30 seconds, hands on hips, and watch
  whether the other hip drops. A drop points to weak glute medius, the muscle that keeps
  the pelvis level while one foot is off the ground. The first run of each week starts
  with it; record it with 'stridebeat check --stance left=steady right=drop'. After a
  drop, the next strength days say why and add clamshells and a set of banded walks,
  until a check without a drop. This rule is stridebeat's own reading of the article.

Fresh cues, true numbers
  The form cues take turns through each run and across the plan, so one run after another
  opens with a different cue and each phrasing is heard about as often. The three cues
  stridebeat is built around open every run that still has form cues: push the ground
  back, lean from the ankles, squeeze at push-off. Counts and times are said when they
  are true: each number of a countdown on its own second, "halfway", "one minute left"
  and "ten seconds" on their step.

This is not medical advice. If something hurts, ease off; if it persists, see a
physiotherapist or a running coach.
"""


def cadence_chart(made: Plan, width: int = 40) -> str:
    """Cadence by week as horizontal bars, from just under the first week's cadence."""
    low = min(made.week_cadences) - 2
    high = max(made.week_cadences)
    lines = ["Cadence by week"]
    for week, spm in enumerate(made.week_cadences, start=1):
        bar = "█" * max(1, round((spm - low) / max(high - low, 1) * width))
        held = " held" if week in made.held_weeks else ""
        lines.append(f" w{week:<2} {spm:>3} {bar}{held}")
    return "\n".join(lines)


def session_record(session: PlannedSession, missed: bool, held: bool) -> dict[str, object]:
    """One session of ``plan show --json``."""
    return {
        "week": session.week,
        "session": session.number,
        "date": session.date.isoformat(),
        "kind": session.kind,
        "cadence_spm": session.cadence_spm,
        "minutes": round(session.minutes, 1),
        "metronome_share": round(session.metronome_share, 3),
        "retention_check": session.retention_check,
        "stance_check": session.stance_check,
        "hip_drop": session.hip_drop,
        "missed": missed,
        "held": held,
    }
