from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st

from stridebeat.cues.lyrics import lrc_text, timestamp
from stridebeat.cues.schedule import Cue, assemble, schedule_cues
from stridebeat.cues.script import (
    CueScript,
    fill,
    find_script,
    load_cue_scripts,
    load_script,
    parse_script,
    placeholders,
    script_paths,
)
from stridebeat.engine.render import DUCK, SPEECH_PEAK, ClickSound, Renderer, SpokenCue
from stridebeat.engine.session import (
    Block,
    Ramp,
    Rhythm,
    Session,
    Steady,
    parse_session,
    steady_session,
)
from stridebeat.engine.timeline import Timeline
from stridebeat.errors import FileInputError, InputError

RATE = 8000


def script(text: str, tmp: Path | None = None) -> CueScript:
    return parse_script(text, "test.toml", "test", tmp or Path("."))


def words(text: str, audio: Path | None) -> int:
    """A stand-in for speech: 0.3 s per word."""
    return int(0.3 * RATE * max(len(text.split()), 1))


def plan(
    session: Session, *scripts: CueScript, rate: int = RATE
) -> tuple[Timeline, tuple[Cue, ...]]:
    played, block_scripts = assemble(session, scripts, load_cue_scripts((), session))
    timeline = Timeline(played, rate)
    return timeline, schedule_cues(timeline, block_scripts, words)


# --- the format ---------------------------------------------------------------------------


def test_placeholders_are_a_whitelist() -> None:
    assert placeholders("Cadence {spm}, next {next_spm}") == ["spm", "next_spm"]
    assert fill("{block}: {{literal}} {spm}", {"block": "Hold", "spm": "172"}) == (
        "Hold: {literal} 172"
    )
    for bad in ("{__class__}", "{spm.real}", "{spm!r}", "{0}", "{", "oops }"):
        with pytest.raises(ValueError):
            placeholders(bad)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('[[cue]]\ntext = "x"\nevry = "90s"\n', 3, "did you mean 'every'"),
        ('[[cue]]\ntext = "x"\n', 1, "say when"),
        ('[[cue]]\nevery = "90s"\n', 1, "either text"),
        ('[[cue]]\ntext = "Go {speed}"\nevery = "90s"\n', 2, "unknown placeholder {speed}"),
        ('[[cue]]\ntext = "x"\nevery = "soon"\n', 3, "not a duration"),
        ('[[cue]]\ntext = "x"\nevery = "10s"\n', 3, "can never keep its spacing"),
        ('[[cue]]\ntext = "x"\nat = ["0:10"]\nkinds = ["run"]\n', 3, "first 30s"),
        ('[[cue]]\ntext = "x"\non = "finish"\n', 3, "not one of start, halfway, rep"),
        ('[[cue]]\ntext = "x"\non = "start"\nkinds = ["jog"]\n', 4, "not one of run"),
        ('[[cue]]\naudio = "missing.wav"\non = "start"\n', 2, "no recording"),
        ('order = "random"\n[[cue]]\ntext = "x"\non = "start"\n', 1, "in-order, shuffle"),
        ('[[cue]]\ntext = "x\non = "start"\n', 2, "not valid TOML"),
        ('name = "x"\n', None, "no [[cue]]"),
    ],
)
def test_script_errors_say_where(text: str, line: int | None, message: str) -> None:
    with pytest.raises(FileInputError, match=message.replace("[", r"\[")) as caught:
        script(text)
    assert caught.value.line == line


def test_builtin_scripts_load_and_are_listed() -> None:
    scripts = script_paths()
    assert {"glutes", "activation", "stance-check", "cadence"} <= set(scripts)
    for name, (path, builtin) in scripts.items():
        assert builtin
        loaded = load_script(path)
        assert loaded.name == name and loaded.description


def test_user_script_overrides_builtin(_app_home: Path) -> None:
    folder = _app_home / "cue_scripts"
    folder.mkdir()
    (folder / "glutes.toml").write_text('[[cue]]\ntext = "Mine."\non = "start"\n')
    assert find_script("glutes") == folder / "glutes.toml"
    with pytest.raises(InputError, match="no cue script named 'glute'"):
        find_script("glute")


# --- scheduling ---------------------------------------------------------------------------

FORM = script(
    """
    min_gap = "20s"
    quiet_start = "30s"
    [[cue]]
    every = "25s"
    kinds = ["run"]
    text = ["one", "two", "three"]
    """
)
ANNOUNCE = script(
    """
    [[cue]]
    on = "start"
    text = "{block}, cadence {change}."
    [[cue]]
    before_end = "10s"
    kinds = ["run"]
    text = "Ten seconds left in {block}."
    """
)


def test_cues_start_on_the_beat() -> None:
    session = Session((Block("run", 120, Steady(173), "warm"), Block("run", 60, Ramp(173, 181))))
    timeline, cues = plan(session, FORM, ANNOUNCE)
    steps = {round(p) for p in timeline.clicks_between(0, timeline.length).positions}
    assert cues and all(cue.frame in steps for cue in cues)
    for cue in cues:  # the first step at or after the scheduled moment
        assert cue.frame >= 0


def test_form_cues_keep_their_gap_and_quiet_start() -> None:
    timeline, cues = plan(steady_session(170, 600), FORM)
    frames = [c.frame for c in cues]
    assert frames[0] >= 30 * RATE  # quiet start
    for earlier, later in zip(cues, cues[1:], strict=False):
        assert later.frame - earlier.end >= 20 * RATE
    assert [c.text for c in cues[:4]] == ["one", "two", "three", "one"]  # in order


def test_structural_cues_win_and_nothing_overlaps() -> None:
    session = Session(tuple(Block("run", 40, Steady(160 + i), f"b{i}") for i in range(5)))
    timeline, cues = plan(session, FORM, ANNOUNCE)
    for earlier, later in zip(cues, cues[1:], strict=False):
        assert earlier.end <= later.frame
    starts = [c for c in cues if c.structural and "cadence" in c.text]
    assert len(starts) == 5  # every block announced, though form cues wanted those moments
    assert starts[1].text == "b1, cadence rising to 161."
    assert starts[0].text == "b0, cadence 160."


def test_countdown_and_placeholders() -> None:
    timeline, cues = plan(
        Session((Block("run", 60, Ramp(165, 175), "build"), Block("run", 60, Steady(175)))),
        ANNOUNCE,
    )
    texts = [c.text for c in cues]
    assert texts[0] == "build, cadence rising to 175."
    assert "Ten seconds left in build." in texts
    countdown = next(c for c in cues if c.text == "Ten seconds left in build.")
    assert 49.9 * RATE <= countdown.frame < 50.5 * RATE


def test_rep_counts_on_rhythm_blocks() -> None:
    reps = script('[[cue]]\non = "rep"\ntext = "{rep}"\n')
    session = Session((Block("drill", 12, Rhythm((2.0, 1.0)), "bridges"),))
    timeline, cues = plan(session, reps)
    assert [c.text for c in cues] == ["1", "2", "3", "4"]
    assert [c.frame for c in cues] == [0, 3 * RATE, 6 * RATE, 9 * RATE]


def test_cues_too_thick_to_fit_are_refused() -> None:
    thick = script('[[cue]]\non = "rep"\ntext = "a very long phrase for such a quick rep"\n')
    session = Session((Block("drill", 60, Rhythm((1.0,)), "quick"),))
    with pytest.raises(InputError, match="too thick"):
        plan(session, thick)


def test_spm_in_a_block_without_cadence_is_refused() -> None:
    bad = script('[[cue]]\non = "start"\ntext = "Cadence {spm}"\n')
    with pytest.raises(InputError, match="has none"):
        plan(Session((Block("rest", 30, None),)), bad)


def test_routines_come_first_and_speak_alone() -> None:
    routine = script(
        """
        [[block]]
        kind = "drill"
        name = "bridges"
        duration = "20s"
        rhythm = ["2s"]
        [[cue]]
        on = "start"
        text = "Bridges."
        """
    )
    session, block_scripts = assemble(steady_session(170, 60), (routine, ANNOUNCE), {})
    assert [b.kind for b in session.blocks] == ["drill", "run"]
    assert block_scripts[0] == (routine, ANNOUNCE)
    assert block_scripts[1] == (ANNOUNCE,)
    with pytest.raises(InputError, match="say what to play"):
        assemble(None, (ANNOUNCE,), {})


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(20, 400), st.integers(150, 190)), min_size=1, max_size=5),
    st.integers(0, 3),
)
def test_schedules_never_overlap(blocks: list[tuple[int, int]], seed: int) -> None:
    shuffled = script(
        f"""
        order = "shuffle"
        seed = {seed}
        [[cue]]
        every = "30s"
        text = ["push the ground back", "run tall", "quick light steps"]
        """
    )
    session = Session(tuple(Block("run", float(d), Steady(c)) for d, c in blocks))
    timeline, cues = plan(session, shuffled, ANNOUNCE)
    for earlier, later in zip(cues, cues[1:], strict=False):
        assert earlier.end <= later.frame
    form = [c for c in cues if not c.structural]
    for earlier, later in zip(form, form[1:], strict=False):
        assert later.frame - earlier.end >= 20 * RATE
    assert all(0 <= c.frame < timeline.length for c in cues)


# --- lyrics and mixing ----------------------------------------------------------------------


def test_lrc_lines() -> None:
    assert timestamp(66150, 44100) == "[00:01.50]"
    assert timestamp(44100 * 3725, 44100) == "[62:05.00]"  # minutes run past 59
    cues = (Cue(44100 * 65, 100, "Push the\nground back.", None, False, 0, "x:1"),)
    assert (
        lrc_text(cues, 44100, "Easy")
        == "[ti:Easy]\n[re:stridebeat]\n[01:05.00]Push the ground back.\n"
    )


def test_speech_ducks_clicks_and_never_clips() -> None:
    timeline = Timeline(steady_session(180, 10), RATE)
    cue = Cue(RATE, RATE * 2, "loud", None, True, 0, "x:1")
    wave = np.ones(RATE * 2, dtype=np.float32)  # a full-scale "phrase"
    renderer = Renderer(
        timeline, ClickSound("beep", volume=0.9), [SpokenCue(cue.frame, wave, cue.text)]
    )
    audio = np.concatenate([b.copy() for b in renderer.chunks(3000)])[:, 0]
    clicks_only = np.concatenate(
        [b.copy() for b in Renderer(timeline, ClickSound("beep", volume=0.9)).chunks(3000)]
    )[:, 0]
    under = slice(RATE + 100, 3 * RATE - 100)
    np.testing.assert_allclose(audio[under], DUCK * clicks_only[under] + SPEECH_PEAK, atol=1e-6)
    assert np.abs(audio).max() <= DUCK + SPEECH_PEAK + 0.01 < 1.0
    np.testing.assert_array_equal(audio[: RATE - 200], clicks_only[: RATE - 200])


def test_recorded_cue(tmp_path: Path) -> None:
    sf.write(tmp_path / "push-back.wav", np.sin(np.arange(4000) / 5) * 0.5, 16000)
    recorded = script('[[cue]]\naudio = "push-back.wav"\non = "start"\n', tmp_path)
    assert recorded.rules[0].texts == ("push back",)
    assert recorded.rules[0].audio == ((tmp_path / "push-back.wav").resolve(),)


def test_rendered_cue_positions_measured_in_the_audio(tmp_path: Path) -> None:
    """Render with real speech, then find each phrase in the file by cross-correlation."""
    from click.testing import CliRunner

    from stridebeat.cli.app import cli
    from stridebeat.cues.settings import SpeechSettings
    from stridebeat.cues.speech import Speech

    out = tmp_path / "run.wav"
    result = CliRunner().invoke(
        cli,
        ["render", "--spm", "172", "--duration", "3m", "--cues", "cadence", "-o", str(out),
         "--sample-rate", "16000", "--speech-engine", "espeak-ng"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    audio = sf.read(out, dtype="float64")[0]
    lines = out.with_suffix(".lrc").read_text().splitlines()[2:]
    assert len(lines) == 4  # start, halfway, one minute left, ten seconds
    timeline = Timeline(steady_session(172, 180), 16000)
    steps = timeline.clicks_between(0, timeline.length).positions
    speech = Speech(SpeechSettings("espeak-ng"))
    for line in lines:
        minutes, seconds, text = int(line[1:3]), float(line[4:9]), line[10:]
        at = round((minutes * 60 + seconds) * 16000)
        phrase = speech.phrase(text, 16000).astype(np.float64)
        window = audio[max(at - 400, 0) : at + 400 + len(phrase)]
        scores = np.correlate(window, phrase, mode="valid")
        found = max(at - 400, 0) + int(np.argmax(scores))
        assert abs(found - at) <= 80  # the lyrics line is within 5 ms of the audio (1/100 s)
        assert np.min(np.abs(steps - found)) < 1  # and the phrase starts on a step


cue_entries = st.fixed_dictionaries(
    {"text": st.sampled_from(['"Run tall."', '["a", "b {spm}"]', '"{nope}"', "5", '"{"'])},
    optional={
        "every": st.sampled_from(['"90s"', '"5s"', '"soon"', "90"]),
        "at": st.sampled_from(['["0:45", "5:00"]', '"1:75"', '["10s"]']),
        "on": st.sampled_from(['"start"', '["halfway", "rep"]', '"never"']),
        "before_end": st.sampled_from(['"10s"', '["1m", "10s"]', '"-5s"']),
        "kinds": st.sampled_from(['["run"]', '["drill", "rest"]', '["jog"]', '"run"']),
        "role": st.sampled_from(['"form"', '"structural"', '"loud"']),
        "speed": st.just("1"),
    },
)


@settings(max_examples=150, deadline=None)
@given(st.lists(cue_entries, min_size=1, max_size=4), st.sampled_from(['"20s"', '"0s"', '"x"']))
def test_generated_scripts_load_or_fail_at_a_line(entries: list[dict[str, str]], gap: str) -> None:
    text = f"min_gap = {gap}\n" + "".join(
        "[[cue]]\n" + "".join(f"{k} = {v}\n" for k, v in entry.items()) for entry in entries
    )
    try:
        loaded = script(text)
    except FileInputError as exc:
        assert exc.line is not None and 1 <= exc.line <= text.count("\n")
    else:
        assert len(loaded.rules) == len(entries)
        for rule in loaded.rules:
            for template in rule.texts:
                placeholders(template)  # every template that loaded is valid


def test_no_speech_engine_is_an_environment_failure(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from stridebeat.cli.app import cli
    from stridebeat.cues import speech_engines

    monkeypatch.setattr(speech_engines, "ESPEAK_COMMAND", str(tmp_path / "no-espeak-ng"))
    out = tmp_path / "run.wav"
    args = ["render", "--spm", "170", "--duration", "2m", "--cues", "cadence", "-o", str(out)]
    result = CliRunner().invoke(cli, [*args, "--speech-engine", "espeak-ng"])
    assert result.exit_code == 1, result.output
    assert "espeak-ng" in result.output and "--no-speech" in result.output
    assert not out.exists()
    quiet = CliRunner().invoke(cli, [*args, "--speech-engine", "espeak-ng", "--no-speech"])
    assert quiet.exit_code == 0, quiet.output
    assert "Steady run. Cadence 170." in quiet.output  # the cues still reach the screen
    assert "Steady run. Cadence 170." in out.with_suffix(".lrc").read_text()


def test_a_session_file_can_bring_a_routine(tmp_path: Path) -> None:
    session = parse_session(
        'cues = ["activation", "glutes"]\n[[block]]\nduration = "20m"\nspm = 170\n'
    )
    played, block_scripts = assemble(session, (), load_cue_scripts((), session))
    assert played.blocks[0].name == "glute bridges" and played.blocks[-1].kind == "run"
    assert [s.name for s in block_scripts[0]] == ["activation", "glutes"]
    assert [s.name for s in block_scripts[-1]] == ["glutes"]


def test_each_cue_script_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from stridebeat.cues import script as cue_script
    from stridebeat.cues.settings import SpeechSettings
    from stridebeat.prepare import Request, prepare

    session = parse_session(
        'cues = ["activation", "glutes"]\n'
        '[[block]]\nduration = "2m"\nspm = 170\ncues = ["glutes", "cadence"]\n'
        '[[block]]\nduration = "2m"\nspm = 174\ncues = ["cadence"]\n'
    )
    read: list[str] = []
    real = cue_script.load_script

    def counting(path: Path) -> CueScript:
        read.append(path.stem)
        return real(path)

    monkeypatch.setattr(cue_script, "load_script", counting)
    request = Request(session=session, cues=("glutes",))
    prepared = prepare(request, ClickSound(), 0, RATE, SpeechSettings(enabled=False))
    assert sorted(read) == ["activation", "cadence", "glutes"]
    assert [b.kind for b in prepared.session.blocks][-2:] == ["run", "run"]
    assert prepared.cues and not prepared.spoken


def test_each_place_that_names_a_script_starts_from_its_first_phrasing(tmp_path: Path) -> None:
    from stridebeat.cues.settings import SpeechSettings
    from stridebeat.prepare import Request, prepare

    path = tmp_path / "turns.toml"
    path.write_text(
        'min_gap = "5s"\nquiet_start = "0s"\n'
        '[[cue]]\nevery = "20s"\ntext = ["one", "two", "three"]\n'
    )
    block = f'[[block]]\nduration = "1m"\nspm = 170\ncues = ["{path}"]\n'

    def texts(session_text: str) -> list[str]:
        request = Request(session=parse_session(session_text))
        prepared = prepare(request, ClickSound(), 0, RATE, SpeechSettings(enabled=False))
        return [cue.text for cue in prepared.cues]

    assert texts(block + block) == ["one", "two", "one", "two"]  # each block names it
    session_wide = f'cues = ["{path}"]\n' + block.replace(f'cues = ["{path}"]\n', "") * 2
    assert texts(session_wide) == ["one", "two", "three", "one"]  # one name, all blocks


def test_a_pushed_rep_count_keeps_its_number() -> None:
    reps = script(
        """
        [[cue]]
        on = "rep"
        text = "{rep}"
        [[cue]]
        at = "2.9s"
        role = "structural"
        text = "a long announcement over a rep"
        """
    )
    session = Session((Block("drill", 12, Rhythm((3.0,)), "bridges"),))
    _, cues = plan(session, reps)
    assert [c.text for c in cues if c.text.isdigit()] == ["1", "2", "3", "4"]
