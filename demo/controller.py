"""A worked controller: what people say in, Home Assistant service calls out.

The loop every controller has: read a turn, hand it to the resolver, say the response, run
the service calls. Copy it and replace the input (a voice satellite, a chat bot) or the
output (MQTT, a websocket) with your own.

Two ways to run it, from the repository root:

1. Against the in-memory demo home (no Home Assistant needed). The calls change only the
   resolver's own copy of ``demo/home.yaml``::

       .venv/bin/python demo/controller.py
       .venv/bin/python demo/controller.py --text "turn on the kitchen light"
       .venv/bin/python demo/controller.py --script my_turns.txt --area kitchen

2. Against a real Home Assistant. Create a long-lived access token (your HA profile page,
   "Security", "Long-lived access tokens") and describe your home in a home file whose
   entity ids are HA's own. The controller reads the current states from ``GET /api/states``
   at start, then sends every call to ``POST /api/services/<domain>/<service>``::

       export HA_URL=http://homeassistant.local:8123 HA_TOKEN=eyJhbGciOi...
       .venv/bin/python demo/controller.py --home my_home.yaml

   (or ``--ha-url`` and ``--ha-token``). Errors from Home Assistant (unreachable, a wrong
   token, an unknown service) are reported and the loop goes on.

The states that a service call changed, as Home Assistant returns them, are reported back to
the resolver. A long-running controller would also subscribe to HA's ``state_changed``
events (the websocket API) and report each with ``resolver.apply_event``, so that changes
made elsewhere (a wall switch, an automation) are known too.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

try:
    from resolver import FileError, Resolver, ServiceCall
except ModuleNotFoundError:  # run from a checkout where the package is not installed
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from resolver import FileError, Resolver, ServiceCall

DEFAULT_HOME = Path(__file__).resolve().parent / "home.yaml"
DEFAULT_TIMEOUT = 10.0
EXIT_USAGE = 2


class HomeAssistantError(Exception):
    """Home Assistant could not be reached or did not do what was asked."""


@dataclass(frozen=True, slots=True)
class HomeAssistant:
    """A client for the two REST endpoints a controller needs."""

    url: str
    """Base URL, such as ``http://homeassistant.local:8123``."""
    token: str = field(repr=False)
    """A long-lived access token."""
    timeout: float = DEFAULT_TIMEOUT
    """Seconds to wait for an answer."""

    def states(self) -> list[dict[str, Any]]:
        """Every entity's state: ``GET /api/states``."""
        answer = self._request("GET", "/api/states")
        if not isinstance(answer, list):
            raise HomeAssistantError(f"GET {self.url}/api/states: expected a list of states, "
                                     f"got {type(answer).__name__}")
        return answer

    def call_service(self, call: ServiceCall) -> list[dict[str, Any]]:
        """Run one service call; returns the states HA says it changed."""
        answer = self._request("POST", f"/api/services/{call.domain}/{call.service}",
                               service_body(call))
        return answer if isinstance(answer, list) else []

    def _request(self, method: str, path: str, body: Any = None) -> Any:
        """One request with the bearer token; the decoded JSON answer."""
        where = f"{method} {self.url}{path}"
        request = urllib.request.Request(
            self.url + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.token}",
                     "Content-Type": "application/json", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as err:
            if err.code == 401:
                raise HomeAssistantError(f"{where}: 401 Unauthorized, Home Assistant refused "
                                         "the token (check --ha-token or HA_TOKEN)") from None
            detail = _excerpt(err.read())
            raise HomeAssistantError(f"{where}: {err.code} {err.reason}"
                                     + (f": {detail}" if detail else "")) from None
        except urllib.error.URLError as err:
            raise HomeAssistantError(f"{where}: cannot reach Home Assistant "
                                     f"({err.reason})") from None
        except (TimeoutError, OSError) as err:
            raise HomeAssistantError(f"{where}: no answer within {self.timeout:g} s "
                                     f"({err})") from None
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise HomeAssistantError(f"{where}: the answer is not JSON (is this Home "
                                     f"Assistant's address?): {_excerpt(raw)}") from None


def service_body(call: ServiceCall) -> dict[str, Any]:
    """The JSON body HA's REST API takes for a call: the targets and the data, flat."""
    return {"entity_id": list(call.entity_ids), **call.data}


def _excerpt(raw: bytes, limit: int = 120) -> str:
    """The start of an answer body, on one line, for an error message."""
    text = " ".join(raw.decode("utf-8", "replace").split())
    return text if len(text) <= limit else text[:limit] + "..."


@dataclass(frozen=True, slots=True)
class LoadedStates:
    """What loading HA's states into the resolver did."""

    applied: int
    """States the resolver took."""
    unknown: tuple[str, ...]
    """Entity ids HA has that the home file does not describe (skipped)."""


def load_states(resolver: Resolver, states: Iterable[dict[str, Any]]) -> LoadedStates:
    """Report HA's states to the resolver, skipping entities the home file does not know."""
    applied, unknown = 0, []
    for entry in states:
        entity_id = entry.get("entity_id") if isinstance(entry, dict) else None
        if not isinstance(entity_id, str):
            continue
        if entity_id not in resolver.home.entities:
            unknown.append(entity_id)
            continue
        resolver.apply_event(entity_id, str(entry.get("state")),
                             dict(entry.get("attributes") or {}))
        applied += 1
    return LoadedStates(applied, tuple(unknown))


def describe(call: ServiceCall) -> str:
    """A call as one readable line: service, targets and data."""
    text = f"{call.name} {', '.join(call.entity_ids)}"
    return f"{text} {json.dumps(dict(call.data))}" if call.data else text


def run_turn(resolver: Resolver, text: str, ha: HomeAssistant | None, session: str,
             area: str | None, out: IO[str]) -> list[ServiceCall]:
    """Resolve one turn, print the response and run its calls; returns the calls."""
    result = resolver.resolve(text, session=session, area=area)
    print(result.response, file=out)
    for call in result.actions:
        if ha is None:
            # The resolver has already applied the call to its own copy of the home.
            states = resolver.state(session)
            now = "; ".join(f"{e} is {states[e].state}" for e in call.entity_ids)
            print(f"  {describe(call)}  (in memory: {now})", file=out)
            continue
        try:
            changed = ha.call_service(call)
        except HomeAssistantError as err:
            # The resolver's copy of the home now runs ahead of the real one; the next
            # start (or a state event) brings them together again.
            print(f"  {describe(call)}  FAILED", file=out)
            print(f"error: {err}", file=sys.stderr)
            continue
        print(f"  {describe(call)}  (sent to Home Assistant)", file=out)
        # HA's own view of what changed wins over the resolver's prediction.
        load_states(resolver, changed)
    return result.actions


def read_turns(lines: Iterable[str]) -> Iterator[str]:
    """The turns in ``lines``: stripped, without blank lines and ``#`` comments."""
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#"):
            yield line


def typed_lines() -> Iterator[str]:
    """Lines typed at the terminal, with a prompt, until end of input."""
    while True:
        try:
            yield input("you> ")
        except EOFError:
            print()
            return


def connect(args: argparse.Namespace, resolver: Resolver, out: IO[str]) -> HomeAssistant | None:
    """The Home Assistant to forward to, with its states loaded, or None for in-memory."""
    if not (args.ha_url and args.ha_token):
        print("No Home Assistant configured (--ha-url and --ha-token, or HA_URL and "
              "HA_TOKEN): the calls change the in-memory home only.", file=out)
        return None
    ha = HomeAssistant(args.ha_url.rstrip("/"), args.ha_token, args.timeout)
    try:
        loaded = load_states(resolver, ha.states())
    except HomeAssistantError as err:
        print(f"error: {err}", file=sys.stderr)
        print(f"Could not load the states from {ha.url}: starting from the home file's "
              "states; calls are still sent.", file=out)
        return ha
    skipped = ""
    if loaded.unknown:
        shown = ", ".join(loaded.unknown[:5]) + (", ..." if len(loaded.unknown) > 5 else "")
        skipped = (f"; skipped {len(loaded.unknown)} entities the home file does not know "
                   f"({shown})")
    print(f"Loaded {loaded.applied} states from Home Assistant at {ha.url}{skipped}.", file=out)
    return ha


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description="Send what people say to the resolver and run the service calls.")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--text", help="resolve this one turn and stop")
    source.add_argument("--script", metavar="FILE",
                        help="play the lines of FILE (blank lines and # comments skipped)")
    parser.add_argument("--home", default=str(DEFAULT_HOME), help="the home file (YAML)")
    parser.add_argument("--rules", action="append", default=[], metavar="DIR",
                        help="a directory of user rules (may be repeated)")
    parser.add_argument("--area", help="where the speaker is (area id or name)")
    parser.add_argument("--session", default="controller", help="the dialog session key")
    parser.add_argument("--ha-url", default=os.environ.get("HA_URL"),
                        help="Home Assistant's base URL (default: $HA_URL)")
    parser.add_argument("--ha-token", default=os.environ.get("HA_TOKEN"),
                        help="a long-lived access token (default: $HA_TOKEN)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="seconds to wait for Home Assistant (default 10)")
    parser.add_argument("--no-neural", action="store_true",
                        help="leave the text proposer out (the grammar alone decides)")
    args = parser.parse_args(argv)
    if bool(args.ha_url) != bool(args.ha_token):
        missing = "--ha-token (or HA_TOKEN)" if args.ha_url else "--ha-url (or HA_URL)"
        parser.error(f"Home Assistant needs both a URL and a token: {missing} is missing")
    if args.ha_url and not args.ha_url.startswith(("http://", "https://")):
        parser.error(f"--ha-url must start with http:// or https://, not '{args.ha_url}'")
    return args


def main(argv: list[str] | None = None, stdin: IO[str] | None = None,
         out: IO[str] | None = None) -> int:
    """Run the loop; returns the exit status."""
    args = parse_args(argv)
    stdin = sys.stdin if stdin is None else stdin
    out = sys.stdout if out is None else out
    try:
        resolver = Resolver.from_files(args.home, rules=args.rules,
                                       neural=not args.no_neural)
    except FileError as err:
        print(err, file=sys.stderr)
        return EXIT_USAGE
    except OSError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    if args.area and resolver.home.find_area(args.area) is None:
        print(f"warning: the home has no area '{args.area}'; ignoring --area", file=sys.stderr)
        args.area = None
    # At a terminal the person sees what they typed; otherwise echo it for a transcript.
    interactive = (args.text is None and args.script is None and stdin is sys.stdin
                   and stdin.isatty())
    lines: Iterable[str] = typed_lines() if interactive else stdin
    if args.text is not None:
        lines = [args.text]
    elif args.script is not None:
        try:
            lines = Path(args.script).read_text(encoding="utf-8").splitlines()
        except OSError as err:
            print(f"error: cannot read the script: {err}", file=sys.stderr)
            return EXIT_USAGE
    ha = connect(args, resolver, out)
    try:
        for text in read_turns(lines):
            if not interactive:
                print(f"> {text}", file=out)
            run_turn(resolver, text, ha, args.session, args.area, out)
    except KeyboardInterrupt:
        print(file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
