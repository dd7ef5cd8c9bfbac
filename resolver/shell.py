"""The interactive demo shell: ``python -m resolver shell --home demo/home.yaml``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO

from .pipeline import Resolver

SHELL_HELP = """Type what you would say to the home. Commands:
  :area NAME     say where you are (":area" alone forgets it)
  :state         show the state of the home
  :reset         start the dialog afresh
  :help          this text
  :quit          leave"""


def _prompt_lines() -> Iterator[str]:
    try:
        import readline  # noqa: F401  - line editing and history for input()
    except ImportError:
        pass
    while True:
        try:
            yield input("you> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return


def run_shell(resolver: Resolver, lines: Iterable[str], out: IO[str], area: str | None = None,
              echo: bool = False) -> None:
    """A read-resolve-print loop over ``lines``."""
    session = "shell"
    print(f"resolver shell on {resolver.home.path} ({len(resolver.home.entities)} entities). "
          "Type :help for help.", file=out)
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if echo:
            print(f"you> {line}", file=out)
        if line.startswith(":"):
            command, _, argument = line[1:].partition(" ")
            if command in ("quit", "exit", "q"):
                return
            if command == "help":
                print(SHELL_HELP, file=out)
            elif command == "area":
                area = argument.strip() or None
                found = resolver.home.find_area(area) if area else None
                if area and found is None:
                    print(f"   no area called '{area}'", file=out)
                    area = None
                else:
                    print(f"   you are in: {found.name if found else 'nowhere in particular'}",
                          file=out)
            elif command == "state":
                for entity_id, state in sorted(resolver.state(session).items()):
                    if resolver.home.entities[entity_id].actionable:
                        print(f"   {entity_id:40} {state.state}", file=out)
            elif command == "reset":
                resolver.reset(session)
                print("   dialog and state reset", file=out)
            else:
                print(f"   unknown command ':{command}'; type :help", file=out)
            continue
        result = resolver.resolve(line, session=session, area=area)
        for call in result.actions:
            data = json.dumps(dict(call.data)) if call.data else ""
            print(f"   {call.name} {', '.join(call.entity_ids)} {data}".rstrip(), file=out)
        print(f"   \u2192 {result.response}", file=out)


def run_shell_command(resolver: Resolver, args: object) -> int:
    """``python -m resolver shell``: interactive, or ``--script FILE``."""
    import sys
    from pathlib import Path

    script = getattr(args, "script", None)
    lines: Iterable[str]
    if script:
        try:
            lines = Path(script).read_text(encoding="utf-8").splitlines()
        except OSError as err:
            print(f"{script}: cannot read script: {err}", file=sys.stderr)
            return 2
    else:
        lines = _prompt_lines()
    run_shell(resolver, lines, sys.stdout, area=getattr(args, "area", None), echo=bool(script))
    return 0
