"""Command line: ``python -m resolver batch|shell|resolve ...``."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from .errors import FileError
from .pipeline import Resolver

log = logging.getLogger("resolver")

EXIT_BROKEN_FILE = 2


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m resolver",
        description="Resolve what people say into Home Assistant service calls.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    batch = commands.add_parser("batch", help="JSON lines in, JSON lines out (CONTRACT §4)")
    batch.add_argument("--home", required=True, help="the home file (YAML)")
    batch.add_argument("--rules", action="append", default=[], metavar="DIR",
                       help="a directory of user rules (may be repeated)")

    shell = commands.add_parser("shell", help="an interactive read-resolve-print loop")
    shell.add_argument("--home", required=True, help="the home file (YAML)")
    shell.add_argument("--rules", action="append", default=[], metavar="DIR",
                       help="a directory of user rules (may be repeated)")
    shell.add_argument("--area", help="where the speaker is")
    shell.add_argument("--script", help="play the lines of this file instead of reading input")

    resolve = commands.add_parser("resolve", help="resolve one utterance and print the result")
    resolve.add_argument("--home", required=True, help="the home file (YAML)")
    resolve.add_argument("--rules", action="append", default=[], metavar="DIR",
                         help="a directory of user rules (may be repeated)")
    resolve.add_argument("--area", help="where the speaker is")
    resolve.add_argument("text", help="what was said")

    train = commands.add_parser("train-text", help="rebuild the text proposer's head")
    train.add_argument("--seed", type=int, default=None, help="random seed (default 13)")
    train.add_argument("--data", default=None, metavar="DIR",
                       help="the shared data folder (default: ../shared/data)")

    rules = commands.add_parser("rules", help="check rules files, or list what rules can say")
    rules_commands = rules.add_subparsers(dest="rules_command", required=True)
    check = rules_commands.add_parser("check", help="validate a directory of rules")
    check.add_argument("directories", nargs="+", metavar="DIR")
    rules_commands.add_parser("list", help="the tests, properties and rewrites rules can use")

    serve = commands.add_parser("serve", help="an HTTP service for controllers")
    serve.add_argument("--home", required=True, help="the home file (YAML)")
    serve.add_argument("--rules", action="append", default=[], metavar="DIR",
                       help="a directory of user rules (may be repeated)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    serve.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    serve.add_argument("--token", default=None,
                       help="require 'Authorization: Bearer TOKEN' (or set RESOLVER_TOKEN)")

    train_audio = commands.add_parser("train-audio", help="train the audio model on the corpus")
    from .neural.train_audio import add_arguments as add_train_audio_arguments

    add_train_audio_arguments(train_audio)

    synth = commands.add_parser("synth-audio", help="synthesize the training speech corpus")
    synth.add_argument("--out", default="cache/speech", help="corpus folder")
    synth.add_argument("--count", type=int, default=6000, help="number of utterances")
    synth.add_argument("--seed", type=int, default=7, help="random seed")
    synth.add_argument("--dialogs", choices=("generated", "golden"), default="generated",
                       help="dialog turns generated over generated homes (default), or the "
                            "golden dialogs' own turns, which the speech benchmark also says")
    synth.add_argument("--engines", nargs="+", default=None, metavar="SYNTHESIZER",
                       help="the synthesizers that speak, by their usual shares (default: "
                            "espeak-ng flite pico mbrola)")

    sentences = commands.add_parser(
        "speech-sentences", help="write the speech decoder's general sentences (SLURP train)")
    sentences.add_argument("--data", default=None, help="the shared data folder")

    args = parser.parse_args(argv)
    if args.command == "speech-sentences":
        from .speech.decode import GENERAL_FILE, write_general_sentences

        count = write_general_sentences(args.data)
        print(f"{count} sentences written to {GENERAL_FILE}")
        return 0
    if args.command == "train-audio":
        from .neural.train_audio import run as train_audio_run

        return train_audio_run(args)
    if args.command == "synth-audio":
        from .neural.synth import main as synth_main

        return synth_main(args)
    if args.command == "rules":
        return run_rules_command(args)
    if args.command == "train-text":
        from .neural.train import DEFAULT_SEED, train_text

        card = train_text(seed=args.seed if args.seed is not None else DEFAULT_SEED,
                          data_dir=Path(args.data) if args.data else None)
        held = card["held_out"]
        print(f"trained on {card['data']['sentences']} sentences in {card['seconds']} s: "
              f"held-out intent accuracy {held['intent_accuracy']:.3f}, domain "
              f"{held['domain_accuracy']:.3f}, calibration error "
              f"{held['expected_calibration_error']:.3f}")
        return 0
    try:
        resolver = Resolver.from_files(args.home, rules=args.rules)
    except FileError as err:
        print(err, file=sys.stderr)
        return EXIT_BROKEN_FILE

    if args.command == "batch":
        run_batch(resolver, sys.stdin, sys.stdout)
        return 0
    if args.command == "serve":
        from .server import serve_command

        return serve_command(resolver, args)
    if args.command == "resolve":
        result = resolver.resolve(args.text, area=args.area)
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return 0
    from .shell import run_shell_command

    return run_shell_command(resolver, args)


# -- rules ----------------------------------------------------------------------------


def run_rules_command(args: argparse.Namespace) -> int:
    """``rules check DIR...`` and ``rules list``."""
    from .rules import load
    from .rules.engine import FLAGS, PROPERTIES, REWRITES

    if args.rules_command == "list":
        print("tests:      " + ", ".join(sorted(FLAGS)))
        for name, (_, allowed) in sorted(PROPERTIES.items()):
            values = ", ".join(sorted(allowed)) if allowed else "any"
            print(f"{name} is X:  X one of: {values}")
        print("rewrites:   " + ", ".join(sorted(REWRITES)))
        print("effects:    do, do inverse, do \"TEXT\", undo last, ask which, "
              "confirm \"TEXT\", say \"TEXT\", answer, nothing, forget question, rewrite NAME")
        return 0
    try:
        rules = load(args.directories)
    except FileError as err:
        print(err, file=sys.stderr)
        return EXIT_BROKEN_FILE
    print(f"ok: {len(rules)} rules ({', '.join(str(d) for d in args.directories)} "
          "with the packaged rules)")
    return 0


# -- batch ----------------------------------------------------------------------------


def run_batch(resolver: Resolver, lines: Iterable[str], out: IO[str]) -> None:
    """CONTRACT §4: one JSON object a line in, one a line out, in the same order."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            reply = batch_line(resolver, line, number)
        except Exception as err:  # a fault of the resolver's own: say so, and go on
            log.exception("batch line %d", number)
            reply = {"error": f"line {number}: internal error: {type(err).__name__}: {err}"}
        out.write(json.dumps(reply, ensure_ascii=False) + "\n")
        out.flush()


def batch_line(resolver: Resolver, line: str, number: int) -> dict[str, Any]:
    """The reply to one input line; a bad line gets an error reply, never an exception."""
    try:
        request = json.loads(line)
    except json.JSONDecodeError as err:
        return {"session": None, "error": f"line {number}:{err.colno}: not JSON: {err.msg}"}
    if not isinstance(request, dict):
        return {"session": None, "error": f"line {number}: expected a JSON object"}
    session = request.get("session", "default")
    if not isinstance(session, (str, int)):
        return {"session": None, "error": f"line {number}: 'session' must be a string"}
    session = str(session)

    if "event" in request:
        event = request["event"]
        if not isinstance(event, dict) or not isinstance(event.get("entity_id"), str):
            return {"session": session, "error": f"line {number}: 'event' needs an 'entity_id'"}
        if "state" not in event:
            return {"session": session, "error": f"line {number}: 'event' needs a 'state'"}
        attributes = event.get("attributes") or {}
        if not isinstance(attributes, dict):
            return {"session": session,
                    "error": f"line {number}: 'attributes' must be an object"}
        try:
            resolver.apply_event(event["entity_id"], str(event["state"]), attributes,
                                 session=session)
        except KeyError:
            return {"session": session,
                    "error": f"line {number}: unknown entity '{event['entity_id']}'"}
        return {"session": session, "event": "applied"}

    area = request.get("area")
    if area is not None and not isinstance(area, str):
        return {"session": session, "error": f"line {number}: 'area' must be a string"}
    if "audio" in request:
        audio = request["audio"]
        if not isinstance(audio, str):
            return {"session": session, "error": f"line {number}: 'audio' must be a path"}
        result = resolver.resolve(audio=audio, session=session, area=area)
        if result.error is not None:
            return {"session": session, "error": f"line {number}: {audio}: {result.error}"}
        return {"session": session, **result.to_dict()}
    if "text" not in request:
        return {"session": session,
                "error": f"line {number}: expected 'text', 'audio' or 'event'"}
    text = request["text"]
    if not isinstance(text, str):
        return {"session": session, "error": f"line {number}: 'text' must be a string"}
    result = resolver.resolve(text, session=session, area=area)
    return {"session": session, **result.to_dict()}


if __name__ == "__main__":
    sys.exit(main())
