"""The interactive demo shell: ``python -m resolver shell --home demo/home.yaml``.

Each turn is drawn stage by stage: the neural proposer's n-best, the logical form the
grammar read, the rules that fired, the service calls, the response and what changed in
the home. Colour where the output is a terminal; plain text otherwise or under NO_COLOR.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shlex
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from .errors import FileError
from .home import Area, EntityState, Home, HomeState
from .pipeline import Resolver, Result

SESSION = "shell"
"""The dialog session the shell talks in."""
PROMPT = "you> "
HISTORY_LENGTH = 1000
NBEST_COMPACT = 3
"""Hypotheses shown per turn when the detailed trace is off."""
INDENT = 3
ECHO_LIMIT = 200
"""Characters of a script line echoed; the rest is summarized."""
LABEL_WIDTH = 8


@dataclass(frozen=True, slots=True)
class ShellCommand:
    """A ``:command`` of the shell."""

    name: str
    usage: str
    """The arguments, as shown in the help."""
    help: str


COMMANDS: tuple[ShellCommand, ...] = (
    ShellCommand("say", "FILE.wav", "say it: resolve a recording (16 kHz WAV)"),
    ShellCommand("area", "[NAME]", "where you are; \":area\" alone forgets it"),
    ShellCommand("state", "", "the devices of the home and their states, by area"),
    ShellCommand("event", "ENTITY STATE [key=value ...]",
                 "report a change, as a controller would"),
    ShellCommand("undo", "", "undo the last action (\"undo that\")"),
    ShellCommand("reset", "", "start afresh: the dialog and the home's state"),
    ShellCommand("trace", "on|off", "show or hide the detailed trace (parse, matches, scores)"),
    ShellCommand("rules", "reload", "read the rules files again (the old ones stay on error)"),
    ShellCommand("help", "", "this text"),
    ShellCommand("quit", "", "leave (or Ctrl-D)"),
)
_ALIASES = {"q": "quit", "exit": "quit", "h": "help", "?": "help"}

# Attributes that show in the state tables; the rest (supported features, colour-mode
# lists, min/max ...) never change by a turn and would only bury what did.
KEY_ATTRIBUTES = ("brightness", "current_position", "percentage", "temperature",
                  "volume_level", "is_volume_muted", "color_temp_kelvin", "color_name",
                  "rgb_color", "oscillating")

STATE_WORDS: Mapping[str, tuple[str, ...]] = {
    "light": ("on", "off"), "switch": ("on", "off"), "fan": ("on", "off"),
    "input_boolean": ("on", "off"), "script": ("on", "off"),
    "cover": ("open", "closed", "opening", "closing"), "valve": ("open", "closed"),
    "lock": ("locked", "unlocked", "jammed"), "climate": ("heat", "cool", "auto", "off"),
    "media_player": ("playing", "paused", "idle", "off"),
    "vacuum": ("cleaning", "docked", "idle", "paused", "returning"),
    "binary_sensor": ("on", "off"),
}

STYLES = {
    "prompt": "bold cyan", "narration": "dim italic", "label": "dim", "intent": "magenta",
    "score": "dim", "move": "blue", "rule": "green", "where": "dim", "service": "bold yellow",
    "entity": "yellow", "data": "dim", "response": "bold", "ask": "bold yellow",
    "error": "bold red", "note": "dim", "before": "red", "after": "green", "info": "cyan",
}


# -- pure helpers ---------------------------------------------------------------------


def history_path() -> Path:
    """Where the shell keeps its input history: $RESOLVER_CACHE, else ~/.cache/resolver."""
    base = os.environ.get("RESOLVER_CACHE")
    root = Path(base) if base else Path.home() / ".cache" / "resolver"
    return root / "shell_history"


def phrases(home: Home) -> list[str]:
    """What can be said to name something: entity names and aliases, areas, floors."""
    out: set[str] = set()
    for entity in home.entities.values():
        out.update(n.lower() for n in (entity.name, *entity.aliases, *entity.spoken_names))
    for area in home.areas.values():
        out.update(n.lower() for n in (area.name, *area.aliases))
    for floor in home.floors.values():
        out.update(n.lower() for n in (floor.name, *floor.aliases))
    return sorted(p for p in out if p.strip())


def complete_phrase(line: str, candidates: Iterable[str]) -> list[str]:
    """Completions of the last word of ``line`` from multi-word ``candidates``.

    A candidate fits when the last words typed are its beginning; the completion is the
    candidate from the word being typed on. The longest fitting run of words wins, so
    "kitchen li" gives "light" rather than every name that starts with "li".
    """
    words = line.lower().split(" ")
    pool = [c.lower() for c in candidates]
    for k in range(len(words), 0, -1):
        tail = " ".join(words[-k:])
        if k > 1 and not words[-k]:
            continue  # a run starting at a blank is no phrase
        found = sorted({" ".join(c.split(" ")[k - 1:]) for c in pool
                        if c.startswith(tail) and len(c.split(" ")) >= k})
        if found:
            return found
    return []


def complete(home: Home, line: str) -> list[str]:
    """Completions for the word being typed at the end of ``line`` (the shell's Tab)."""
    if line.startswith(":"):
        head, sep, rest = line[1:].partition(" ")
        if not sep:
            return [f":{c.name}" for c in COMMANDS if c.name.startswith(head)]
        name = _ALIASES.get(head, head)
        args = rest.split(" ")
        if name == "area":
            names = [n for a in home.areas.values() for n in (a.id, a.name, *a.aliases)]
            return complete_phrase(rest, names)
        if name == "event":
            if len(args) == 1:
                return sorted(e for e in home.entities if e.startswith(args[0]))
            if len(args) == 2 and args[0] in home.entities:
                domain = home.entities[args[0]].domain
                return [s for s in STATE_WORDS.get(domain, ()) if s.startswith(args[1])]
            return []
        if name == "trace" and len(args) == 1:
            return [w for w in ("on", "off") if w.startswith(args[0])]
        if name == "rules" and len(args) == 1:
            return ["reload"] if "reload".startswith(args[0]) else []
        if name == "say" and len(args) == 1:
            return sorted(p + ("/" if os.path.isdir(p) else "")
                          for p in glob.glob(glob.escape(args[0]) + "*")
                          if os.path.isdir(p) or p.lower().endswith(".wav"))
        return []
    return complete_phrase(line, phrases(home))


def _percent(value: Any, scale: float = 1.0) -> str:
    try:
        return f"{round(float(value) * scale)}%"
    except (TypeError, ValueError):
        return str(value)


def attribute_text(key: str, value: Any) -> str:
    """One attribute as a person reads it: ``brightness 78%``, ``position 40%``."""
    if key == "brightness":
        return f"brightness {_percent(value, 100 / 255)}"
    if key == "current_position":
        return f"position {_percent(value)}"
    if key == "percentage":
        return f"speed {_percent(value)}"
    if key == "volume_level":
        return f"volume {_percent(value, 100)}"
    if key == "is_volume_muted":
        return "muted" if value else "not muted"
    if key == "temperature":
        return f"set to {value}°"
    if key == "color_temp_kelvin":
        return f"{value} K"
    if key == "oscillating":
        return "oscillating" if value else "not oscillating"
    if key == "rgb_color" and isinstance(value, (list, tuple)):
        return "rgb(" + ", ".join(str(v) for v in value) + ")"
    return f"{key.replace('_', ' ')} {value}"


def state_text(state: EntityState | None, keys: Iterable[str] = KEY_ATTRIBUTES,
               quiet: bool = True) -> str:
    """A state and those of ``keys`` that tell something, on one line.

    Something off shows no attributes (a light that is off keeps its last colour);
    ``quiet`` also leaves out "not muted" and a position of 0 or 100.
    """
    if state is None:
        return "-"
    parts = [state.state]
    if state.state == "off":
        return state.state
    for key in keys:
        value = state.attributes.get(key)
        if value is None:
            continue
        if quiet and (value is False or (key == "current_position" and value in (0, 100))):
            continue
        parts.append(attribute_text(key, value))
    return " · ".join(parts)


def state_changes(before: HomeState, after: HomeState) -> list[tuple[str, str, str]]:
    """Entities whose state or key attributes visibly differ: (entity id, before, after)."""
    rows = []
    for entity_id in list(after) + [e for e in before if e not in after]:
        old, new = before.get(entity_id), after.get(entity_id)
        if old == new:
            continue
        changed = [k for k in KEY_ATTRIBUTES
                   if (old.attributes.get(k) if old else None)
                   != (new.attributes.get(k) if new else None)]
        row = (entity_id, state_text(old, changed, quiet=False), state_text(new, changed,
                                                                            quiet=False))
        if row[1] != row[2]:
            rows.append(row)
    return rows


def _correction(text: str) -> str:
    """``said -> meant`` from the trace; a word read as nothing was dropped."""
    said, arrow, meant = text.partition("->")
    if arrow and not meant.strip():
        return f"{said.strip()} (dropped)"
    return text


def _quoted(words: Sequence[str]) -> str:
    return "|".join(f'"{w}"' if " " in w else str(w) for w in words)


def target_text(target: Mapping[str, Any]) -> str:
    """A target of the logical form, compactly: ``name="kitchen light", area=kitchen``."""
    parts = []
    for key, label in (("names", "name"), ("entity_ids", "entity"), ("areas", "area"),
                       ("floors", "floor"), ("domains", "domain"),
                       ("device_classes", "class"), ("words", "words")):
        if target.get(key):
            parts.append(f"{label}={_quoted(target[key])}")
    if target.get("reference"):
        parts.append(f"ref={target['reference']}")
    for flag in ("all", "part", "plural", "one", "here", "everywhere"):
        if target.get(flag):
            parts.append(flag)
    if isinstance(target.get("except"), Mapping):
        parts.append(f"except({target_text(target['except'])})")
    known = {"names", "entity_ids", "areas", "floors", "domains", "device_classes", "words",
             "reference", "all", "part", "plural", "one", "here", "everywhere", "except"}
    parts.extend(f"{k}={v}" for k, v in target.items() if k not in known)
    return ", ".join(parts)


def _value_text(value: Any) -> str:
    if not isinstance(value, Mapping):
        return str(value)
    if "number" in value:
        number, unit = value["number"], str(value.get("unit") or "")
        shown = f"{number:g}" if isinstance(number, (int, float)) else str(number)
        if unit in ("percent", "%"):
            return shown + "%"
        return f"{shown} {unit}" if unit else shown
    if "text" in value:
        return f'"{value["text"]}"'
    if "extreme" in value:
        return str(value["extreme"])
    return json.dumps(value, ensure_ascii=False)


def move_text(move: Mapping[str, Any]) -> str:
    """A dialog move of the logical form as one readable line."""
    if "command" in move and isinstance(move["command"], Mapping):
        c = move["command"]
        args = [target_text(c.get("target") or {})]
        if c.get("attribute"):
            args.append(f"attribute={c['attribute']}")
        if c.get("value") is not None:
            args.append(f"value={_value_text(c['value'])}")
        text = f"{c.get('action', '?')}({', '.join(a for a in args if a)})"
        if c.get("negated"):
            text = f"not {text}"
        if c.get("stepwise"):
            text += "  [a step]"
        if c.get("when"):
            text += f"  [{c['when']}]"
        if c.get("condition"):  # "[unless: is it playing]"
            text += f"  [{'unless' if c.get('unless') else 'if'}: {c['condition']}]"
        if c.get("objection"):
            text += "  [objection]"
        return text
    if "query" in move and isinstance(move["query"], Mapping):
        q = move["query"]
        what = q.get("quantity") or "state"
        text = f"ask {what}({target_text(q.get('target') or {})})"
        return text + (f" is {q['state']}?" if q.get("state") else "?")
    if "repair" in move and isinstance(move["repair"], Mapping):
        r = move["repair"]
        args = []
        if r.get("target"):
            args.append(target_text(r["target"]))
        if r.get("value") is not None:
            args.append(f"value={_value_text(r['value'])}")
        if r.get("replaced"):
            args.append(f"replacing({target_text(r['replaced'])})")
        return f"repair({', '.join(args)})"
    if "fragment" in move and isinstance(move["fragment"], Mapping):
        f = move["fragment"]
        marker = f", {f['marker']}" if f.get("marker") else ""
        return f"fragment({target_text(f.get('target') or {})}{marker})"
    if "answer" in move:
        return f"answer {move['answer']}"
    if "undo" in move:
        return "undo"
    if "recap" in move:
        return "recap (what was just done)"
    return json.dumps(move, ensure_ascii=False, default=str)


def relative_place(where: str) -> str:
    """``/abs/path/rules/x.rules:7`` as a path relative to the working directory."""
    path, sep, line = where.rpartition(":")
    if not sep or not line.isdigit():
        path, line = where, ""
    try:
        shown = os.path.relpath(path)
        if shown.startswith(".." + os.sep + ".."):
            shown = path
    except ValueError:
        shown = path
    return f"{shown}:{line}" if line else shown


def find_area(home: Home, said: str) -> Area | None:
    """The area called ``said``, as an id, a name or an alias, with or without "the"."""
    found = home.find_area(said)
    if found is None and said.lower().startswith("the "):
        found = home.find_area(said[4:])
    return found


def printable(text: str) -> str:
    """``text`` with control characters in caret notation (ESC as ``^[``), tabs as spaces.

    What was typed is echoed and may come back in a response; a raw escape sequence would
    be played by the terminal instead of shown.
    """
    out = []
    for char in text:
        code = ord(char)
        if char == "\t":
            out.append(" ")
        elif code < 32 or code == 127:
            out.append("^" + chr(code ^ 64))
        elif 128 <= code < 160:
            out.append("?")
        else:
            out.append(char)
    return "".join(out)


def parse_event(home: Home, argument: str) -> tuple[str, str, dict[str, Any]]:
    """``ENTITY STATE [key=value ...]`` -> (entity id, state, attributes); ValueError if bad."""
    try:
        words = shlex.split(argument)
    except ValueError as err:
        raise ValueError(f"cannot read that: {err}") from None
    if len(words) < 2:
        raise ValueError("usage: :event ENTITY STATE [key=value ...]")
    name, state, extra = words[0], words[1], words[2:]
    entity_id = name if name in home.entities else None
    if entity_id is None:
        wanted = name.lower()
        for entity in home.entities.values():
            if wanted in (n.lower() for n in (entity.name, *entity.aliases)):
                entity_id = entity.id
                break
    if entity_id is None:
        raise ValueError(f"unknown entity '{name}' (Tab completes entity ids; :state lists them)")
    attributes: dict[str, Any] = {}
    for item in extra:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ValueError(f"'{item}' is not key=value")
        try:
            attributes[key] = json.loads(raw)
        except json.JSONDecodeError:
            attributes[key] = raw
    return entity_id, state, attributes


# -- the shell ------------------------------------------------------------------------


class Shell:
    """A read-resolve-draw loop over one dialog session."""

    def __init__(self, resolver: Resolver, console: Console, area: str | None = None,
                 rules_dirs: Sequence[str | Path] = (), session: str = SESSION) -> None:
        self.resolver = resolver
        self.console = console
        self.session = session
        self.rules_dirs = list(rules_dirs)
        self.detailed = False
        found = find_area(resolver.home, area) if area else None
        self.area: str | None = found.id if found is not None else None
        self._unknown_area = area if area and found is None else None

    # -- output

    def _say(self, message: str, style: str = "info") -> None:
        self._indented(Text(message, style=STYLES[style]))

    def _indented(self, renderable: RenderableType, indent: int = INDENT) -> None:
        self.console.print(Padding(renderable, (0, 0, 0, indent), expand=False))

    def banner(self) -> None:
        """The first lines: which home, how many devices, whether the proposer is on."""
        home = self.resolver.home
        proposer = "on" if self.resolver.proposer is not None else "off (the grammar alone)"
        self.console.print(Text.assemble(
            ("resolver shell", "bold"), f" · {home.path} · {len(home.entities)} entities in "
            f"{len(home.areas)} areas · neural proposer {proposer}"), soft_wrap=True)
        self.console.print(Text.assemble(
            "Type what you would say to the home; ", (":help", "bold"),
            " lists the commands, Tab completes names."), soft_wrap=True)
        if self._unknown_area:
            self._say(f"no area called '{self._unknown_area}'; you are nowhere in particular",
                      "error")
        if self.area:
            self._say(f"you are in the {home.areas[self.area].name}")

    def echo(self, line: str) -> None:
        """Show an input line as if typed at the prompt (a very long one cut short)."""
        shown = Text.assemble((PROMPT, STYLES["prompt"]), line[:ECHO_LIMIT])
        if len(line) > ECHO_LIMIT:
            shown.append(f" … ({len(line)} characters)", STYLES["note"])
        self.console.print(shown, soft_wrap=True)

    def narrate(self, line: str) -> None:
        """A ``#`` line of a script: the story between the turns."""
        text = line.lstrip("#").strip()
        self.console.print(Text(text, style=STYLES["narration"]) if text else "",
                           soft_wrap=True)

    # -- input

    def run(self, lines: Iterable[str], echo: bool = False) -> None:
        """Handle ``lines`` until they end or ``:quit``; ``echo`` for a script."""
        for raw in lines:
            line = printable(raw.strip()).strip()
            if line.startswith("#"):
                if echo:
                    self.narrate(line)
                continue
            if not line:
                if echo:
                    self.console.print()
                continue
            if echo:
                self.echo(line)
            try:
                if not self.handle(line):
                    return
            except KeyboardInterrupt:
                self._say("interrupted", "error")
            except Exception as err:  # noqa: BLE001 - the shell outlives any bad line
                self._say(f"error: {type(err).__name__}: {err}", "error")

    def handle(self, line: str) -> bool:
        """Act on one line; False to leave."""
        if line.startswith(":"):
            name, _, argument = line[1:].partition(" ")
            return self.command(_ALIASES.get(name.lower(), name.lower()), argument.strip())
        self.turn(line)
        return True

    def command(self, name: str, argument: str) -> bool:
        """A ``:command``; False to leave."""
        if name == "quit":
            return False
        handler: dict[str, Callable[[str], None]] = {
            "help": self.cmd_help, "area": self.cmd_area, "state": self.cmd_state,
            "event": self.cmd_event, "undo": self.cmd_undo, "reset": self.cmd_reset,
            "trace": self.cmd_trace, "rules": self.cmd_rules, "say": self.cmd_say,
        }
        if name not in handler:
            self._say(f"unknown command ':{name}'; :help lists them", "error")
        else:
            handler[name](argument)
        return True

    # -- commands

    def cmd_help(self, argument: str) -> None:
        """``:help``."""
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for c in COMMANDS:
            table.add_row(f":{c.name} {c.usage}".rstrip(), c.help)
        self._indented(Group(
            Text("Type what you would say to the home; each turn shows the neural n-best, "
                 "the logical form (moves), the rules that fired, the service calls, the "
                 "response and what changed. Tab completes names."), Text(), table))

    def cmd_area(self, argument: str) -> None:
        """``:area NAME``: where the speaker is."""
        if not argument:
            self.area = None
            self._say("you are nowhere in particular")
            return
        found = find_area(self.resolver.home, argument)
        if found is None:
            known = ", ".join(a.name for a in self.resolver.home.areas.values())
            self._say(f"no area called '{argument}' (known: {known})", "error")
            return
        self.area = found.id
        self._say(f"you are in the {found.name}")

    def cmd_state(self, argument: str) -> None:
        """``:state``: the actionable entities and their states, grouped by area."""
        home = self.resolver.home
        state = self.resolver.state(self.session)
        groups: dict[str | None, list[str]] = {a: [] for a in home.areas}
        groups[None] = []
        for entity in home.entities.values():
            if entity.actionable:
                groups.setdefault(entity.area, []).append(entity.id)
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                      header_style=STYLES["label"])
        table.add_column("area", style="bold")
        table.add_column("entity", style=STYLES["entity"])
        table.add_column("state")
        for area_id, ids in groups.items():
            for i, entity_id in enumerate(ids):
                area = home.areas[area_id].name if area_id in home.areas else "(no area)"
                table.add_row(area if i == 0 else "", entity_id,
                              state_text(state.get(entity_id)), end_section=i == len(ids) - 1)
        self._indented(table)

    def cmd_event(self, argument: str) -> None:
        """``:event ENTITY STATE [key=value ...]``: the controller reports a change."""
        try:
            entity_id, state, attributes = parse_event(self.resolver.home, argument)
        except ValueError as err:
            self._say(str(err), "error")
            return
        before = dict(self.resolver.state(self.session))
        try:
            self.resolver.apply_event(entity_id, state, attributes, session=self.session)
        except KeyError as err:
            self._say(str(err.args[0] if err.args else err), "error")
            return
        grid = self._grid()
        grid.add_row("event", Text(f"{entity_id} is now {state}"))
        changes = self._changes(before, dict(self.resolver.state(self.session)))
        if changes is not None:
            grid.add_row("changed", changes)
        self._indented(grid)

    def cmd_undo(self, argument: str) -> None:
        """``:undo``: the same as saying "undo that"."""
        self.turn("undo that")

    def cmd_reset(self, argument: str) -> None:
        """``:reset``: forget the dialog and the session's state."""
        self.resolver.reset(self.session)
        self._say("the dialog is forgotten and the home is back as the home file says")

    def cmd_trace(self, argument: str) -> None:
        """``:trace on|off``."""
        word = argument.lower()
        if word not in ("on", "off", ""):
            self._say("usage: :trace on|off", "error")
            return
        if word:
            self.detailed = word == "on"
        self._say("detailed trace " + ("on" if self.detailed else "off"))

    def cmd_rules(self, argument: str) -> None:
        """``:rules reload``."""
        if argument != "reload":
            count = len(getattr(self.resolver.engine, "rules", []))
            self._say(f"{count} rules in force; :rules reload reads the files again", "note")
            return
        try:
            self.resolver.reload_rules(self.rules_dirs)
        except FileError as err:
            self._say("the rules were not reloaded:", "error")
            # Unwrapped, so that the place stays whole and the caret under its column.
            located = "\n".join(" " * (INDENT + 2) + line for line in str(err).splitlines())
            self.console.print(Text(located), soft_wrap=True)
            self._say("the old rules stay in force", "note")
            return
        count = len(getattr(self.resolver.engine, "rules", []))
        dirs = ", ".join(str(d) for d in self.rules_dirs)
        self._say(f"reloaded {count} rules (the packaged ones{' and ' + dirs if dirs else ''})")

    def cmd_say(self, argument: str) -> None:
        """``:say FILE.wav``: a spoken turn."""
        if not argument:
            self._say("usage: :say FILE.wav", "error")
            return
        path = argument.strip().strip("'\"")
        if not Path(path).is_file():
            self._say(f"{path}: no such file", "error")
            return
        before = dict(self.resolver.state(self.session))
        result = self.resolver.resolve(audio=path, session=self.session, area=self.area)
        if result.error is not None:
            self._say(f"{path}: {result.error}", "error")
            if result.response:
                self._say(f"→ {result.response}", "note")
            return
        self.draw(result, before, heard=result.text)

    # -- turns

    def turn(self, text: str) -> None:
        """Resolve ``text`` and draw what each stage made of it."""
        before = dict(self.resolver.state(self.session))
        result = self.resolver.resolve(text, session=self.session, area=self.area)
        self.draw(result, before)

    def draw(self, result: Result, before: HomeState, heard: str | None = None) -> None:
        """The stages of one turn, then the home's changes."""
        grid = self._grid()
        trace = result.trace if isinstance(result.trace, Mapping) else {}
        if heard is not None:
            speech = trace.get("speech")
            unheard = speech.get("unheard") if isinstance(speech, Mapping) else None
            grid.add_row("heard", Text(heard or f"({unheard or 'nothing'})"))
        for label, content in self._rows(result, trace):
            grid.add_row(label, content)
        changes = self._changes(before, dict(self.resolver.state(self.session)))
        if changes is not None:
            grid.add_row("changed", changes)
        self._indented(grid)

    def _grid(self) -> Table:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style=STYLES["label"], no_wrap=True, min_width=LABEL_WIDTH)
        grid.add_column(overflow="fold")
        return grid

    def _rows(self, result: Result, trace: Mapping[str, Any]) -> Iterator[
            tuple[str, RenderableType]]:
        """The stages in the order a turn goes through them."""
        detailed = self.detailed
        parse = trace.get("parse") if isinstance(trace.get("parse"), Mapping) else None
        if detailed and trace.get("speaker_area"):
            yield "speaker", Text(f"in {trace['speaker_area']}", STYLES["note"])
        if detailed and trace.get("note"):
            yield "note", Text(str(trace["note"]), STYLES["note"])
        nbest = self._nbest(result.hypotheses, parse)
        if nbest is not None:
            yield "n-best", nbest
        if detailed and parse:
            if parse.get("tokens"):
                yield "tokens", Text(str(parse["tokens"]))
            if parse.get("source"):
                yield "read by", Text(str(parse["source"]))
        if parse and parse.get("corrections"):
            yield "heard as", Text(", ".join(_correction(str(c)) for c in parse["corrections"]),
                                   STYLES["note"])
        moves = trace.get("moves") or []
        if moves:
            text = Text()
            for i, move in enumerate(moves):
                if i:
                    text.append("\n")
                if len(moves) > 1:
                    text.append(f"{i + 1}. ", STYLES["label"])
                text.append(move_text(move) if isinstance(move, Mapping) else str(move),
                            STYLES["move"])
            source = parse.get("source") if parse else None
            if source and source != "grammar" and not detailed:
                text.append(f"   (read by: {source})", STYLES["note"])
            yield "moves", text
        elif parse and parse.get("courtesy"):
            yield "moves", Text(f"none: {parse['courtesy']}", STYLES["note"])
        elif parse and parse.get("error"):
            yield "moves", Text(f"none: {parse['error']}", STYLES["note"])
        rules = trace.get("rules") or []
        if rules:
            yield "rules", self._rules(rules, len(moves) > 1)
        if detailed:
            for entry in trace.get("matches") or []:
                if isinstance(entry, Mapping):
                    yield "matched", self._match(entry)
        if result.actions:
            yield "calls", self._calls(result)
        if detailed and result.intent:
            yield "intent", Text(json.dumps(result.intent, ensure_ascii=False, default=str),
                                 STYLES["note"])
        style = STYLES["ask"] if result.clarification else STYLES["response"]
        label = "asks" if result.clarification else "response"
        yield label, Text(result.response or "(nothing to say)", style)

    def _match(self, entry: Mapping[str, Any]) -> Text:
        text = Text()
        if "command" in entry and isinstance(entry["command"], Mapping):
            text.append(move_text({"command": entry["command"]}), STYLES["move"])
        elif "query" in entry and isinstance(entry["query"], Mapping):
            text.append(f"ask({target_text(entry['query'])})", STYLES["move"])
        inner = entry.get("match")
        match: Mapping[str, Any] = inner if isinstance(inner, Mapping) else entry
        entities = match.get("entities") or []
        text.append(" → ")
        if entities:
            text.append(", ".join(entities), STYLES["entity"])
        if match.get("failure"):
            text.append(f"{match['failure']}", STYLES["error"])
            if match.get("unmatched"):
                text.append(f" '{match['unmatched']}'")
            if match.get("candidates"):
                text.append(f" (candidates: {', '.join(match['candidates'])})", STYLES["note"])
        elif not entities:
            text.append("nothing")
        if match.get("scope"):
            text.append(f"  [{match['scope']}]", STYLES["note"])
        return text

    def _nbest(self, hypotheses: Sequence[Mapping[str, Any]],
               parse: Mapping[str, Any] | None) -> Text | None:
        if not hypotheses:
            if self.detailed and self.resolver.proposer is None and parse is not None:
                return Text("no proposer: the grammar decides alone", STYLES["note"])
            return None
        shown = hypotheses if self.detailed else hypotheses[:NBEST_COMPACT]
        domains = {str(h.get("domain")) for h in shown}
        # The proposer guesses the domain once per utterance; say it once when it is.
        shared = domains.pop() if len(domains) == 1 else None
        if not self.detailed:
            shared = ""
        items: list[Text] = []
        for h in shown:
            item = Text()
            score = h.get("score")
            if self.detailed and isinstance(score, (int, float)):
                filled = round(max(0.0, min(1.0, float(score))) * 10)
                item.append("█" * filled + "░" * (10 - filled) + " ", STYLES["intent"])
            item.append(str(h.get("intent", "?")), STYLES["intent"])
            if isinstance(score, (int, float)):
                item.append(f" {score:.2f}", STYLES["score"])
            domain = h.get("domain")
            if shared is None and domain and domain != "none" and self.detailed:
                item.append(f" ({domain})", STYLES["score"])
            items.append(item)
        if shared and shared not in ("none", "None"):
            items.append(Text(f"domain {shared}", STYLES["score"]))
        return self._fill(items, "\n" if self.detailed else " · ")

    def _fill(self, items: Sequence[Text], separator: str) -> Text:
        """Items joined by ``separator``, breaking lines between items, never inside one."""
        width = max(20, self.console.width - INDENT - LABEL_WIDTH - 2)
        text, column = Text(), 0
        for i, item in enumerate(items):
            if i and separator != "\n" and column + len(separator) + len(item) > width:
                text.append("\n")
                column = 0
            elif i:
                text.append(separator, STYLES["label"])
                column = 0 if separator == "\n" else column + len(separator)
            text.append_text(item)
            column += len(item)
        return text

    def _rules(self, rules: Sequence[Any], numbered: bool) -> Text:
        text = Text()
        for i, entry in enumerate(rules):
            if i:
                text.append("\n")
            if not isinstance(entry, Mapping):
                text.append(str(entry))
                continue
            if numbered and isinstance(entry.get("move"), int):
                text.append(f"{entry['move'] + 1}. ", STYLES["label"])
            text.append(str(entry.get("rule") or "(no rule held)"), STYLES["rule"])
            if entry.get("at"):
                text.append(f"  {relative_place(str(entry['at']))}", STYLES["where"])
        return text

    def _calls(self, result: Result) -> Text:
        text = Text()
        for i, call in enumerate(result.actions):
            if i:
                text.append("\n")
            text.append(call.name, STYLES["service"])
            text.append("  ")
            text.append(", ".join(call.entity_ids), STYLES["entity"])
            if call.data:
                text.append("  " + json.dumps(dict(call.data), ensure_ascii=False,
                                              default=str), STYLES["data"])
        return text

    def _changes(self, before: HomeState, after: HomeState) -> Table | None:
        rows = state_changes(before, after)
        if not rows:
            return None
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                      header_style=STYLES["label"])
        table.add_column("entity", style=STYLES["entity"])
        table.add_column("before", style=STYLES["before"])
        table.add_column("after", style=STYLES["after"])
        for row in rows:
            table.add_row(*row)
        return table


# -- entry points ---------------------------------------------------------------------


def _colour_prompt(console: Console) -> str:
    if console.is_terminal and not console.no_color and console.color_system:
        # \001 and \002 tell readline the escapes take no room on the line.
        return f"\001\x1b[1;36m\002{PROMPT.rstrip()}\001\x1b[0m\002 "
    return PROMPT


def setup_readline(home: Home) -> Callable[[], None] | None:
    """Line editing, history and Tab completion; returns what saves the history."""
    try:
        import readline
    except ImportError:
        return None
    path = history_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file():
            readline.read_history_file(path)
    except OSError:
        pass
    readline.set_history_length(HISTORY_LENGTH)
    readline.set_completer_delims(" \t\n,")
    cache: list[str] = []

    def completer(text: str, state: int) -> str | None:
        try:
            if state == 0:
                buffer = readline.get_line_buffer()[:readline.get_endidx()]
                cache[:] = complete(home, buffer)
            return cache[state] if state < len(cache) else None
        except Exception:  # noqa: BLE001 - readline would swallow it silently
            return None

    readline.set_completer(completer)
    if "libedit" in (readline.__doc__ or ""):
        readline.parse_and_bind("bind ^I rl_complete")
    else:
        readline.parse_and_bind("tab: complete")

    def save() -> None:
        try:
            readline.write_history_file(path)
        except OSError:
            pass

    return save


def prompt_lines(prompt: str = PROMPT) -> Iterator[str]:
    """Lines typed at the prompt until end of input; Ctrl-C abandons the line."""
    while True:
        try:
            yield input(prompt)
        except KeyboardInterrupt:
            print()
        except EOFError:
            print()
            return


class _PlainWriter:
    """A text stream minus the blanks that tables pad their lines with (for files, pipes)."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def write(self, text: str) -> int:
        """Write ``text`` without spaces before its line ends."""
        self.out.write(_TRAILING_BLANKS.sub("", text))
        return len(text)

    def flush(self) -> None:
        """Flush the stream underneath."""
        self.out.flush()

    def isatty(self) -> bool:
        """Never a terminal: only plain output comes here."""
        return False


_TRAILING_BLANKS = re.compile(r"[ \t]+(?=\n)")


def make_console(out: IO[str]) -> Console:
    """A console on ``out``: colour on a terminal unless NO_COLOR is set, else plain text."""
    terminal = hasattr(out, "isatty") and out.isatty()
    target: Any = out if terminal else _PlainWriter(out)
    return Console(file=target, highlight=False, markup=False, emoji=False,
                   force_terminal=terminal or None)


def run_shell(resolver: Resolver, lines: Iterable[str], out: IO[str], area: str | None = None,
              echo: bool = False, rules_dirs: Sequence[str | Path] = ()) -> None:
    """Play ``lines`` through a shell that writes to ``out`` (plain text unless a terminal)."""
    console = make_console(out)
    shell = Shell(resolver, console, area=area, rules_dirs=rules_dirs)
    shell.banner()
    shell.run(lines, echo=echo)


def run_shell_command(resolver: Resolver, args: object) -> int:
    """``python -m resolver shell``: interactive, or ``--script FILE``."""
    script = getattr(args, "script", None)
    rules_dirs = list(getattr(args, "rules", None) or [])
    area = getattr(args, "area", None)
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="replace")  # never die on a terminal that cannot show "→"
    if script:
        try:
            lines = Path(script).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as err:
            print(f"{script}: cannot read script: {err}", file=sys.stderr)
            return 2
        run_shell(resolver, lines, sys.stdout, area=area, echo=True, rules_dirs=rules_dirs)
        return 0
    if not sys.stdin.isatty():
        # Lines piped in are a script too: show each with the prompt, as typed.
        run_shell(resolver, sys.stdin, sys.stdout, area=area, echo=True, rules_dirs=rules_dirs)
        return 0
    console = make_console(sys.stdout)
    shell = Shell(resolver, console, area=area, rules_dirs=rules_dirs)
    save_history = setup_readline(resolver.home)
    shell.banner()
    try:
        shell.run(prompt_lines(_colour_prompt(console)))
    finally:
        if save_history is not None:
            save_history()
    return 0
