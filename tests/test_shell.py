"""The demo shell: driven in a pseudo-terminal as a person uses it, the scripted tour, and
its commands and drawing in-process (without the neural proposer, which the shell's own
launches load)."""

from __future__ import annotations

import fcntl
import importlib.util
import io
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from argparse import Namespace
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from resolver import Resolver
from resolver.shell import (
    complete,
    complete_phrase,
    history_path,
    move_text,
    parse_event,
    run_shell,
    run_shell_command,
    state_changes,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
TOUR = REPO_ROOT / "demo" / "tour.txt"
SPOKEN = "tests/data/audio/turn_on_kitchen.wav"
ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07]*\x07|[()][A-Z0-9]|[=>])")

MOVIE_RULE = """rule movie_time
  priority 200
  when said "movie time"
  then do "set the living room lights to 20 percent"
       say "Enjoy the movie."
"""
BROKEN_RULE = """rule broken
  when command and negatd
  then nothing
"""


def plain(raw: bytes | str) -> str:
    """What a person reads on the screen: no escape sequences, no carriage returns."""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    return ANSI.sub("", text).replace("\r", "").replace("\x07", "")


def turns(output: str) -> list[tuple[str, str]]:
    """A scripted run cut at its echoed prompts: (what was typed, what came back)."""
    out: list[tuple[str, str]] = []
    for line in output.splitlines():
        if line.startswith("you> "):
            out.append((line[len("you> "):], ""))
        elif out:
            typed, block = out[-1]
            out[-1] = (typed, block + line + "\n")
    return out


def block_of(blocks: list[tuple[str, str]], typed: str) -> str:
    """The output after the first prompt where ``typed`` was entered."""
    for said, block in blocks:
        if said == typed:
            return block
    raise AssertionError(f"'{typed}' was not played; played: {[s for s, _ in blocks]}")


# -- in a pseudo-terminal -------------------------------------------------------------


class Terminal:
    """A child process on a pseudo-terminal, read as a screen's worth of bytes."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 110, 0, 0))
        self.process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave,
                                        env=env, cwd=cwd, close_fds=True,
                                        start_new_session=True)
        os.close(slave)
        self.screen = b""

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # the child has gone and closed its side
            return False
        self.screen += chunk
        return bool(chunk)

    def wait_for(self, text: str, since: int, timeout: float = 60.0) -> str:
        """Read until ``text`` shows after byte ``since``; what showed, as plain text."""
        deadline = time.monotonic() + timeout
        while text.encode() not in self.screen[since:]:
            if time.monotonic() > deadline or self.process.poll() is not None \
                    and not self._read(0.2):
                raise AssertionError(f"'{text}' never showed; screen:\n"
                                     f"{plain(self.screen[since:])}")
            self._read(0.1)
        return plain(self.screen[since:])

    def type(self, keys: str) -> int:
        """Type ``keys``; returns where the screen stood before them."""
        mark = len(self.screen)
        os.write(self.master, keys.encode())
        return mark

    def turn(self, line: str) -> str:
        """Type a line and Enter; what came back until the next prompt."""
        mark = self.type(line + "\r")
        shown = self.wait_for("you>", mark + len(line))
        return shown

    def close(self) -> None:
        """Make sure the child is gone."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        os.close(self.master)


def test_shell_in_a_terminal(tmp_path: Path) -> None:
    """A person's session: area, a command, Tab, the state, events, undo, rules, quit."""
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    (rules_dir / "movie.rules").write_text(MOVIE_RULE, encoding="utf-8")
    cache = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(TERM="xterm-256color", RESOLVER_CACHE=str(cache), PYTHONIOENCODING="utf-8")
    terminal = Terminal([sys.executable, "-m", "resolver", "shell", "--home",
                         "demo/home.yaml", "--rules", str(rules_dir)], env, REPO_ROOT)
    try:
        banner = terminal.wait_for("you>", 0)
        assert "resolver shell" in banner and "neural proposer on" in banner
        assert b"\x1b[" in terminal.screen, "a terminal gets colour"

        assert "you are in the Kitchen" in terminal.turn(":area kitchen")

        shown = terminal.turn("turn on the light")
        assert "n-best" in shown and "HassTurnOn" in shown
        assert 'turn_on(domain=light)' in shown
        assert "plain_command" in shown and "rules/commands.rules:" in shown
        assert re.search(r"light\.turn_on\s+light\.kitchen_light", shown)
        assert "Turned on the Kitchen Light." in shown
        assert re.search(r"light\.kitchen_light\s+off\s+on · brightness 100%", shown)

        shown = terminal.turn(":state")
        assert re.search(r"Kitchen\s+light\.kitchen_light\s+on · brightness 100%", shown)
        assert re.search(r"Office\s+light\.desk_lamp\s+off", shown)
        assert "sensor." not in shown, ":state lists what can be acted on"

        shown = terminal.turn(":event light.kitchen_light off")
        assert "light.kitchen_light is now off" in shown
        assert "unknown entity 'light.attic'" in terminal.turn(":event light.attic on")

        if importlib.util.find_spec("readline") is not None:
            # Tab completes the name being typed: "bedroom li" can only be the light.
            shown = terminal.turn("turn on the bedroom li\t")
            assert "Turned on the Bedroom Light." in shown

        shown = terminal.turn(":undo")
        assert "undo_last_action" in shown
        assert re.search(r"light\.turn_off\s+light\.(bedroom_light|kitchen_light)", shown)

        # A broken rules file is refused with its place; the old rules stay in force.
        (rules_dir / "broken.rules").write_text(BROKEN_RULE, encoding="utf-8")
        shown = terminal.turn(":rules reload")
        assert "not reloaded" in shown and "broken.rules:2:" in shown and "negatd" in shown
        assert "Enjoy the movie." in terminal.turn("movie time")

        assert "no area called 'narnia'" in terminal.turn(":area narnia")
        assert "unknown command ':frobnicate'" in terminal.turn(":frobnicate")

        terminal.type(":quit\r")
        assert terminal.process.wait(20) == 0
        assert "Traceback" not in plain(terminal.screen)
    finally:
        terminal.close()
    history = (cache / "shell_history").read_text(encoding="utf-8")
    assert "turn on the light" in history and ":area kitchen" in history


# -- the scripted tour ----------------------------------------------------------------


def test_tour_runs_to_the_end() -> None:
    """``--script demo/tour.txt``: every scene does what its narration says."""
    env = {**os.environ, "NO_COLOR": "1"}
    run = subprocess.run([sys.executable, "-m", "resolver", "shell", "--home",
                          "demo/home.yaml", "--script", str(TOUR)], check=False,
                         cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert "\x1b[" not in run.stdout, "not a terminal: plain text"
    assert not re.search(r" +\n", run.stdout), "no padding at line ends"
    blocks = turns(run.stdout)
    typed = [t for t, _ in blocks]
    script = [line.strip() for line in TOUR.read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.lstrip().startswith("#")]
    assert typed == script, "every line is played, in order, and echoed with the prompt"
    assert "A neural classifier hears" in run.stdout, "narration is printed"

    assert re.search(r"light\.turn_on\s+light\.bedroom_light",
                     block_of(blocks, "turn on the bedroom light"))

    misheard = block_of(blocks, "no, don't turn on the kitchen light")
    nbest = next(line for line in misheard.splitlines() if "n-best" in line)
    assert nbest.split()[1] == "HassTurnOn", "the proposer hears 'turn on'"
    assert "not turn_on(" in misheard
    assert re.search(r"light\.turn_off\s+light\.kitchen_light", misheard)
    assert "light.turn_on" not in misheard

    correction = block_of(blocks, "no, the bedroom one")
    assert re.search(r"light\.turn_off\s+light\.kitchen_light", correction)
    assert re.search(r"light\.turn_on\s+light\.bedroom_light", correction)

    assert "brightness_step_pct" in block_of(blocks, "make it brighter")

    exclusion = block_of(blocks, "turn off all the lights except the kitchen")
    assert "except(area=kitchen)" in exclusion
    assert "light.hallway_light" in exclusion and "light.kitchen_light" not in exclusion

    clarify = block_of(blocks, "lock the door")
    assert "Which door" in clarify and "lock.lock" not in clarify
    assert re.search(r"lock\.lock\s+lock\.front_door", block_of(blocks, "the front one"))

    assert "Yes, the Front Door is locked." in block_of(blocks, "is the front door locked?")

    spoken = block_of(blocks, f":say {SPOKEN}")
    if not (REPO_ROOT / SPOKEN).is_file():
        assert "no such file" in spoken
    else:
        assert spoken.strip(), ":say reports what it made of the recording"
    assert "Kitchen" in block_of(blocks, ":state")


# -- in-process, without the proposer -------------------------------------------------


@pytest.fixture(scope="module")
def resolver(demo_home_path: Path) -> Resolver:
    """The demo home with the grammar alone."""
    return Resolver.from_files(demo_home_path, neural=False)


def play(resolver: Resolver, lines: list[str], rules_dirs: Sequence[Path] = ()) -> str:
    """A fresh session through the shell; its plain output."""
    resolver.reset("shell")
    out = io.StringIO()
    run_shell(resolver, lines, out, echo=True, rules_dirs=rules_dirs)
    return out.getvalue()


def test_completion(resolver: Resolver) -> None:
    """Tab: names, aliases and areas from the words typed so far; commands and their args."""
    home = resolver.home
    assert complete(home, "turn on the kitchen li") == ["light"]
    assert "ceiling light" in complete(home, "turn on the kitchen ")
    assert "fairy lights" in complete(home, "switch off the fai")
    assert "living room" in complete(home, "turn off the liv")
    assert "upstairs" in complete(home, "lights off ups")
    assert complete(home, ":ar") == [":area"]
    assert complete(home, ":") == [":say", ":area", ":state", ":event", ":undo", ":reset",
                                   ":trace", ":rules", ":help", ":quit"]
    assert "room" in complete(home, ":area living ")
    assert complete(home, ":event light.kitchen_l") == ["light.kitchen_light"]
    assert complete(home, ":event lock.front_door un") == ["unlocked"]
    assert sorted(complete(home, ":trace o")) == ["off", "on"]
    assert complete(home, ":rules r") == ["reload"]
    assert complete(home, "turn on the zzz") == []
    assert complete_phrase("a b", ["b c", "a b d"]) == ["b d"]


def test_state_changes_show_what_a_person_sees(resolver: Resolver) -> None:
    """Only entities whose state or key attributes visibly changed; off means off."""
    before = resolver.home.initial_state()
    after = dict(before)
    after["light.kitchen_light"] = before["light.kitchen_light"].with_changes(
        "on", brightness=255)
    after["light.floor_lamp"] = before["light.floor_lamp"].with_changes(brightness=None)
    after["lock.back_door"] = before["lock.back_door"].with_changes("unlocked")
    rows = state_changes(before, after)
    assert rows == [("light.kitchen_light", "off", "on · brightness 100%"),
                    ("lock.back_door", "locked", "unlocked")]


def test_logical_form_reads_as_one_line() -> None:
    """Moves of the trace become short readable lines."""
    move = {"command": {"action": "turn_on", "target": {"names": ["kitchen light"]},
                        "negated": True, "objection": True}}
    assert move_text(move) == 'not turn_on(name="kitchen light")  [objection]'
    move = {"command": {"action": "turn_off", "target": {
        "domains": ["light"], "all": True, "except": {"areas": ["kitchen"]}}}}
    assert move_text(move) == "turn_off(domain=light, all, except(area=kitchen))"
    move = {"command": {"action": "set", "target": {"reference": "it"},
                        "value": {"number": 40, "unit": "percent"}}}
    assert move_text(move) == "set(ref=it, value=40%)"
    move = {"command": {"action": "turn_off", "target": {"domains": ["light"]},
                        "when": "in 5 minutes"}}
    assert move_text(move) == "turn_off(domain=light)  [in 5 minutes]"
    move = {"command": {"action": "turn_off", "target": {"domains": ["light"]},
                        "condition": "is anyone home", "unless": True}}
    assert move_text(move) == "turn_off(domain=light)  [unless: is anyone home]"
    move = {"command": {"action": "increase", "target": {"domains": ["cover"]},
                        "attribute": "position", "stepwise": True}}
    assert move_text(move) == "increase(domain=cover, attribute=position)  [a step]"
    move = {"command": {"action": "turn_off", "target": {"domains": ["light"], "plural": True,
                                                         "part": True}}}
    assert move_text(move) == "turn_off(domain=light, part, plural)"
    assert move_text({"undo": True}) == "undo"
    assert move_text({"recap": True}) == "recap (what was just done)"
    assert move_text({"something_new": 1}) == '{"something_new": 1}'


def test_event_arguments(resolver: Resolver) -> None:
    """``:event`` takes an id or a name, a state and key=value attributes."""
    home = resolver.home
    assert parse_event(home, "light.kitchen_light on brightness=128") == (
        "light.kitchen_light", "on", {"brightness": 128})
    assert parse_event(home, "'Kitchen Light' off")[0] == "light.kitchen_light"
    for bad, message in (("", "usage"), ("light.attic on", "unknown entity"),
                         ("light.kitchen_light on bright", "key=value"),
                         ("'unclosed on", "cannot read")):
        with pytest.raises(ValueError, match=message):
            parse_event(home, bad)


def test_commands_and_bad_input_never_crash(resolver: Resolver, tmp_path: Path) -> None:
    """Every command, its misuses and hostile input get a line of explanation each."""
    not_audio = tmp_path / "notes.wav"
    not_audio.write_text("not a recording", encoding="utf-8")
    output = play(resolver, [
        ":help", ":area", ":area narnia", ":area the kitchen", "turn on the light",
        ":event", ":event light.attic on", ":event switch.printer off", ":undo",
        ":say", ":say missing.wav", f":say {not_audio}",
        ":trace maybe", ":trace on", "tun on the kichen light", ":trace off",
        "", "x" * 10_000, "[bold red]markup[/]", "\x00\x1b[2J", ":rules", ":nonsense",
        ":reset", ":state",
        ":quit", "turn on the fountain",
    ])
    assert "Traceback" not in output and "error:" not in output
    assert "\x1b[" not in output, "not a terminal: plain text"
    blocks = turns(output)
    assert ":event" in block_of(blocks, ":help")
    assert "no area called 'narnia'" in block_of(blocks, ":area narnia")
    assert re.search(r"light\.turn_on\s+light\.kitchen_light",
                     block_of(blocks, "turn on the light"))
    assert "usage: :event" in block_of(blocks, ":event")
    assert "unknown entity 'light.attic'" in block_of(blocks, ":event light.attic on")
    assert re.search(r"switch\.printer\s+on\s+off",
                     block_of(blocks, ":event switch.printer off"))
    assert "usage: :say" in block_of(blocks, ":say")
    assert "missing.wav: no such file" in block_of(blocks, ":say missing.wav")
    assert f"{not_audio}:" in block_of(blocks, f":say {not_audio}")
    assert "usage: :trace" in block_of(blocks, ":trace maybe")
    detailed = block_of(blocks, "tun on the kichen light")
    assert "tokens" in detailed and "matched" in detailed
    assert "too long" in block_of(blocks, "x" * 200 + " … (10000 characters)")
    assert "[bold red]markup[/]" in output, "what was typed is shown as typed"
    assert "you> ^@^[[2J" in output, "control characters are shown, not played"
    assert "unknown command ':nonsense'" in block_of(blocks, ":nonsense")
    assert re.search(r"light\.turn_off\s+light\.kitchen_light", block_of(blocks, ":undo"))
    assert "back as the home file says" in block_of(blocks, ":reset")
    assert re.search(r"Kitchen\s+light\.kitchen_light\s+off", block_of(blocks, ":state"))
    assert "turn on the fountain" not in output, ":quit ends the script"


def test_rules_reload_keeps_the_old_rules_on_error(demo_home_path: Path,
                                                    tmp_path: Path) -> None:
    """A broken rules file is shown with its place; the rules in force stay."""
    (tmp_path / "movie.rules").write_text(MOVIE_RULE, encoding="utf-8")
    resolver = Resolver.from_files(demo_home_path, rules=[tmp_path], neural=False)
    assert "Enjoy the movie." in play(resolver, [":rules reload", "movie time"],
                                      rules_dirs=[tmp_path])
    (tmp_path / "broken.rules").write_text(BROKEN_RULE, encoding="utf-8")
    output = play(resolver, [":rules reload", "movie time"], rules_dirs=[tmp_path])
    assert f"{tmp_path / 'broken.rules'}:2:" in output and "^" in output
    assert "the old rules stay in force" in output
    assert "Enjoy the movie." in block_of(turns(output), "movie time")


def test_history_and_script_errors(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                   resolver: Resolver) -> None:
    """History lives under $RESOLVER_CACHE; an unreadable script is exit status 2."""
    monkeypatch.setenv("RESOLVER_CACHE", str(tmp_path))
    assert history_path() == tmp_path / "shell_history"
    monkeypatch.delenv("RESOLVER_CACHE")
    assert history_path() == Path.home() / ".cache" / "resolver" / "shell_history"
    args = Namespace(script=str(tmp_path / "missing.txt"), rules=[], area=None)
    assert run_shell_command(resolver, args) == 2


def test_piped_lines_play_as_a_script(monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str],
                                      resolver: Resolver) -> None:
    """Lines piped in (not a terminal) are echoed with the prompt, like a script's."""
    resolver.reset("shell")
    monkeypatch.setattr(sys, "stdin", io.StringIO("turn on the fountain\r\n# done\n:quit\n"))
    args = Namespace(script=None, rules=[], area="garden")
    assert run_shell_command(resolver, args) == 0
    output = capsys.readouterr().out
    assert "you> turn on the fountain\n" in output and "you are in the Garden" in output
    assert re.search(r"switch\.turn_on\s+switch\.fountain", output)
    assert "\ndone\n" in output and "you> :quit" in output


def test_a_courtesy_shows_as_such(monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str],
                                  resolver: Resolver) -> None:
    """"thanks" is not shown as a sentence not understood."""
    resolver.reset("shell")
    monkeypatch.setattr(sys, "stdin", io.StringIO("thanks\n:quit\n"))
    assert run_shell_command(resolver, Namespace(script=None, rules=[], area=None)) == 0
    output = capsys.readouterr().out
    assert "none: thanks" in output and "You're welcome." in output
    assert "not understood" not in output


def test_say_of_noise_tells_why_nothing_was_heard(resolver: Resolver, tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    from resolver.neural.synth import write_wav

    rumble = np.cumsum(np.random.default_rng(0).standard_normal(32000))
    noise = tmp_path / "rumble.wav"
    write_wav(noise, (rumble / np.abs(rumble).max() * 0.3).astype(np.float32))
    blocks = turns(play(resolver, ["turn on the kitchen light", f":say {noise}"]))
    said = block_of(blocks, f":say {noise}")
    assert "(no speech heard:" in said and "Sorry, I didn't catch that." in said
    assert "light.turn_off" not in said
