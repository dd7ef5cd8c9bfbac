"""Golden dialogs: every dialog of tests/dialogs/*.yaml run through the batch command.

A dialog file names its home and lists dialogs; each dialog is a list of turns (``say``,
optional ``area``) or state events (``event``), and each turn says what must come back:

    home: demo/home.yaml
    rules: demo/rules              # optional: a user rules directory
    dialogs:
      - name: turn on by name
        turns:
          - say: turn on the kitchen light
            actions:
              - {service: light.turn_on, entity_id: [light.kitchen_light]}
            clarification: false          # optional
            response: "Kitchen Light"     # optional: a substring of the response

``data`` omitted means the call carries no data. ``actions: []`` means nothing is done.
A turn may also be a state event (``event: {entity_id: ..., state: ...}``). All dialogs of
one file run in one batch process, each in its own session.
"""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DIALOG_DIR = Path(__file__).resolve().parent / "dialogs"


def _dialog_files() -> list[Path]:
    return sorted(DIALOG_DIR.glob("*.yaml"))


def _cases() -> list[Any]:
    cases = []
    for path in _dialog_files():
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        for index, dialog in enumerate(spec["dialogs"]):
            name = dialog.get("name", f"dialog {index}")
            cases.append(pytest.param(path, index, id=f"{path.stem}: {name}"))
    return cases


@cache
def _run_file(path: Path) -> dict[int, list[dict[str, Any]]]:
    """Run every dialog of ``path`` in one batch process; replies grouped by dialog."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    lines: list[str] = []
    owners: list[int] = []
    for index, dialog in enumerate(spec["dialogs"]):
        session = f"dialog-{index}"
        for turn in dialog["turns"]:
            if "event" in turn:
                request: dict[str, Any] = {"session": session, "event": turn["event"]}
            else:
                request = {"session": session, "text": turn["say"]}
                if turn.get("area"):
                    request["area"] = turn["area"]
            lines.append(json.dumps(request))
            owners.append(index)
    command = [sys.executable, "-m", "resolver", "batch", "--home", str(ROOT / spec["home"])]
    if spec.get("rules"):
        command += ["--rules", str(ROOT / spec["rules"])]
    completed = subprocess.run(
        command,
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    replies = [json.loads(line) for line in completed.stdout.splitlines()]
    assert len(replies) == len(lines), completed.stderr
    grouped: dict[int, list[dict[str, Any]]] = {}
    for owner, reply in zip(owners, replies):
        grouped.setdefault(owner, []).append(reply)
    return grouped


def _normal_calls(calls: list[dict[str, Any]]) -> list[tuple[str, tuple[str, ...], str]]:
    out = []
    for call in calls:
        ids = call.get("entity_id", call.get("target", {}).get("entity_id", []))
        if isinstance(ids, str):
            ids = [ids]
        data = json.dumps(call.get("data") or {}, sort_keys=True)
        out.append((call["service"], tuple(sorted(ids)), data))
    return sorted(out)


@pytest.mark.parametrize(("path", "index"), _cases())
def test_dialog(path: Path, index: int) -> None:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    dialog = spec["dialogs"][index]
    replies = _run_file(path)[index]
    for number, (turn, reply) in enumerate(zip(dialog["turns"], replies), start=1):
        where = f"turn {number} ({turn.get('say', 'event')!r})"
        assert "error" not in reply, f"{where}: {reply['error']}"
        if "event" in turn:
            assert reply["event"] == "applied", where
            continue
        if "actions" in turn:
            assert _normal_calls(reply["actions"]) == _normal_calls(turn["actions"]), (
                f"{where}: response {reply['response']!r}"
            )
        if "clarification" in turn:
            assert reply["clarification"] is turn["clarification"], (
                f"{where}: response {reply['response']!r}"
            )
        if "response" in turn:
            assert turn["response"].lower() in reply["response"].lower(), (
                f"{where}: response {reply['response']!r}"
            )
        if "intent" in turn:
            assert (reply["intent"] or {}).get("name") == turn["intent"], where


def test_every_dialog_file_names_an_existing_home() -> None:
    files = _dialog_files()
    assert files, "no golden dialogs found"
    for path in files:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert (ROOT / spec["home"]).is_file(), f"{path}: no home {spec['home']}"
        assert spec["dialogs"], f"{path}: no dialogs"
