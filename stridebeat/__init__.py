"""stridebeat: an offline running-cadence metronome with spoken form cues.

The library behind the ``stridebeat`` command::

    import stridebeat

    session = stridebeat.ramp_session(165, 172, 10 * 60)
    stridebeat.render_session(session, "ramp.wav", cues=["cadence"])

Names are loaded on first use, so ``import stridebeat`` stays light.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing is not imported at run time: the command starts (and stops) sooner
if TYPE_CHECKING:
    from typing import Any

__version__ = "0.1.0"

# public name -> the module that defines it
_HOMES = {
    # sessions: what to play
    "Session": "stridebeat.engine.session",
    "Block": "stridebeat.engine.session",
    "Steady": "stridebeat.engine.session",
    "Ramp": "stridebeat.engine.session",
    "Rhythm": "stridebeat.engine.session",
    "Metronome": "stridebeat.engine.session",
    "steady_session": "stridebeat.engine.session",
    "ramp_session": "stridebeat.engine.session",
    "load_session": "stridebeat.engine.session",
    "parse_session": "stridebeat.engine.session",
    "session_to_toml": "stridebeat.engine.session",
    # rendering: how it sounds and where it goes
    "ClickSound": "stridebeat.engine.render",
    "SpeechSettings": "stridebeat.cues.settings",
    "render_session": "stridebeat.export",
    # the plan
    "PlanSettings": "stridebeat.training.progression",
    "Plan": "stridebeat.training.plan",
    "PlannedSession": "stridebeat.training.plan",
    "make_plan": "stridebeat.training.plan",
    "session_on": "stridebeat.training.plan",
    "load_plan": "stridebeat.training.planfile",
    "save_plan": "stridebeat.training.planfile",
    # errors
    "StridebeatError": "stridebeat.errors",
    "InputError": "stridebeat.errors",
}

__all__ = [
    "__version__",
    "Session",
    "Block",
    "Steady",
    "Ramp",
    "Rhythm",
    "Metronome",
    "steady_session",
    "ramp_session",
    "load_session",
    "parse_session",
    "session_to_toml",
    "ClickSound",
    "SpeechSettings",
    "render_session",
    "PlanSettings",
    "Plan",
    "PlannedSession",
    "make_plan",
    "session_on",
    "load_plan",
    "save_plan",
    "StridebeatError",
    "InputError",
]

if TYPE_CHECKING:
    from stridebeat.cues.settings import SpeechSettings
    from stridebeat.engine.render import ClickSound
    from stridebeat.engine.session import (
        Block,
        Metronome,
        Ramp,
        Rhythm,
        Session,
        Steady,
        load_session,
        parse_session,
        ramp_session,
        session_to_toml,
        steady_session,
    )
    from stridebeat.errors import InputError, StridebeatError
    from stridebeat.export import render_session
    from stridebeat.training.plan import Plan, PlannedSession, make_plan, session_on
    from stridebeat.training.planfile import load_plan, save_plan
    from stridebeat.training.progression import PlanSettings


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'stridebeat' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
