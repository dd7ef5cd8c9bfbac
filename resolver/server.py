"""The HTTP service: controllers resolve turns, report state and read sessions over JSON.

``python -m resolver serve --home H`` runs it. Every call into the resolver goes through one
worker thread under a lock, in the order requests arrived, because the resolver and its
sessions are not thread-safe; the event loop only parses, checks and answers.

Endpoints (all JSON; errors are ``{"error": "...", "field": "..."}`` with a 4xx status):

- ``POST /v1/resolve``  ``{"session", "text", "area"}``, or the audio as a multipart file
  field ``audio`` or a base64 field ``audio_wav`` -> the turn (CONTRACT §4's output line)
- ``POST /v1/events``   ``{"session"?, "entity_id", "state", "attributes"?}`` -> applied
- ``GET /v1/sessions/{id}`` -> that session's dialog context and its state of the home
- ``GET /v1/health``    -> ``{"status": "ok", "entities": N, "proposer": bool}``
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import hmac
import json
import logging
import os
import socket
import sys
import threading
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from types import MappingProxyType
from typing import Any, Self, TypeVar

from aiohttp import BodyPartReader, web

from .pipeline import Resolver
from .resolve import command_trace

log = logging.getLogger("resolver.server")

T = TypeVar("T")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
SHUTDOWN_SECONDS = 5.0
"""How long requests in flight may still finish after Ctrl-C."""
MAX_SESSION_ID = 200
"""Longest session id, in characters."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class Limits:
    """What one request and the whole service may hold."""

    json_bytes: int = 64 * 1024
    """A JSON body without audio."""
    audio_bytes: int = 5 * 1024 * 1024
    """One uploaded WAV file, decoded."""
    sessions: int = 10_000
    """Dialog sessions the service keeps; a request that would start one more is refused."""

    @property
    def audio_body_bytes(self) -> int:
        """The largest body a request with audio may have: base64 or multipart around it."""
        return (self.audio_bytes + 2) // 3 * 4 + self.json_bytes


class ApiError(Exception):
    """A request the service refuses: the status, what is wrong and which field."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        """An error answered as ``{"error": message, "field": field}`` with ``status``."""
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


@dataclass(frozen=True, slots=True)
class TurnRequest:
    """One turn as a request carries it, checked."""

    session: str
    text: str | None
    audio: bytes | None
    area: str | None


@dataclass(frozen=True, slots=True)
class EventRequest:
    """One state event as a request carries it, checked."""

    session: str | None
    entity_id: str
    state: str
    attributes: dict[str, Any]


# -- the resolver behind one worker ---------------------------------------------------


class ResolverService:
    """The resolver as the service uses it: one worker thread, a lock, the known sessions."""

    def __init__(self, resolver: Resolver, limits: Limits | None = None) -> None:
        """Wrap ``resolver``; sessions are known once a request has used them."""
        self.resolver = resolver
        self.limits = limits or Limits()
        self._lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="resolver")
        self._known: set[str] = set()

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """Run ``function(*args)`` on the worker thread, after the calls queued before it."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, partial(self._locked, function, *args))

    def _locked(self, function: Callable[..., T], *args: Any) -> T:
        with self._lock:
            return function(*args)

    def close(self) -> None:
        """Finish the queued calls and stop the worker thread."""
        self._worker.shutdown(wait=True)

    def _admit(self, session: str) -> None:
        if session not in self._known and len(self._known) >= self.limits.sessions:
            raise ApiError(429, f"too many sessions (at most {self.limits.sessions})",
                           "session")

    def resolve_turn(self, turn: TurnRequest) -> dict[str, Any]:
        """Resolve a turn; unusable audio is an error, not a turn."""
        self._admit(turn.session)
        if turn.audio is not None:
            result = self.resolver.resolve(audio=turn.audio, session=turn.session,
                                           area=turn.area)
        else:
            result = self.resolver.resolve(turn.text, session=turn.session, area=turn.area)
        if result.error is not None:
            raise ApiError(422, result.error, "audio")
        self._known.add(turn.session)
        return {"session": turn.session, **result.to_dict()}

    def apply_event(self, event: EventRequest) -> dict[str, Any]:
        """Apply a state event to one session, or to the whole home without one."""
        if event.session is not None:
            self._admit(event.session)
        try:
            self.resolver.apply_event(event.entity_id, event.state, event.attributes,
                                      session=event.session)
        except KeyError:
            raise ApiError(422, f"unknown entity '{event.entity_id}'", "entity_id") from None
        reply: dict[str, Any] = {"event": "applied"}
        if event.session is not None:
            self._known.add(event.session)
            reply["session"] = event.session
        return reply

    def session_view(self, key: str) -> dict[str, Any]:
        """A known session's context and state; 404 for one no request has used."""
        if key not in self._known:
            raise ApiError(404, f"unknown session '{key}'")
        session = self.resolver.session(key)
        context = session.context
        question = context.question
        return {
            "session": key,
            "turns": context.turn,
            "texts": list(context.texts),
            "salient": list(context.salient),
            "last_command": (command_trace(context.last_command)
                             if context.last_command is not None else None),
            "question": None if question is None else {
                "kind": question.kind,
                "candidates": list(question.candidates),
                "prompt": question.prompt,
            },
            "actions": [
                {"turn": record.turn, "entities": list(record.entities),
                 "calls": [call.to_dict() for call in record.calls]}
                for record in context.actions
            ],
            "state": {
                entity_id: {"state": entity.state, "attributes": dict(entity.attributes)}
                for entity_id, entity in sorted(session.state.items())
            },
        }

    def health(self) -> dict[str, Any]:
        """Liveness and what the resolver has loaded."""
        return {"status": "ok", "entities": len(self.resolver.home.entities),
                "proposer": self.resolver.proposer is not None}


# -- requests -------------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, (MappingProxyType, Mapping)):
        return dict(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=_json_default)


def _reply(data: Any, status: int = 200, headers: Mapping[str, str] | None = None
           ) -> web.Response:
    return web.json_response(data, status=status, headers=headers, dumps=_dumps)


def _error(status: int, message: str, field: str | None = None,
           headers: Mapping[str, str] | None = None) -> web.Response:
    body: dict[str, Any] = {"error": message}
    if field is not None:
        body["field"] = field
    return _reply(body, status, headers)


async def _read_body(request: web.Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to be over ``limit`` bytes."""
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, f"request body of {request.content_length} bytes is over the "
                            f"limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"request body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_json(body: bytes) -> dict[str, Any]:
    """A JSON object from ``body``, or 400 saying where it broke."""
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise ApiError(400, f"bad JSON: not UTF-8 at byte {err.start}") from None
    except json.JSONDecodeError as err:
        raise ApiError(400, f"bad JSON: {err.msg} at line {err.lineno} column {err.colno}"
                       ) from None
    if not isinstance(data, dict):
        raise ApiError(400, f"bad JSON: expected an object, got {type(data).__name__}")
    return data


def _session_field(data: Mapping[str, Any], default: str | None) -> str | None:
    value = data.get("session", default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ApiError(422, "'session' must be a string", "session")
    value = str(value)
    if not value or len(value) > MAX_SESSION_ID:
        raise ApiError(422, f"'session' must have 1 to {MAX_SESSION_ID} characters", "session")
    return value


def _optional_text(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise ApiError(422, f"'{name}' must be a string", name)
    return value


def _turn_from_json(data: Mapping[str, Any], limits: Limits, body_size: int) -> TurnRequest:
    session = _session_field(data, "default") or "default"
    area = _optional_text(data, "area")
    text = _optional_text(data, "text")
    audio: bytes | None = None
    if data.get("audio_wav") is not None:
        encoded = data["audio_wav"]
        if not isinstance(encoded, str):
            raise ApiError(422, "'audio_wav' must be a base64 string", "audio_wav")
        try:
            audio = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as err:
            raise ApiError(422, f"'audio_wav' is not base64: {err}", "audio_wav") from None
        if len(audio) > limits.audio_bytes:
            raise ApiError(413, f"audio of {len(audio)} bytes is over the limit of "
                                f"{limits.audio_bytes} bytes", "audio_wav")
    elif body_size > limits.json_bytes:
        raise ApiError(413, f"request body of {body_size} bytes is over the limit of "
                            f"{limits.json_bytes} bytes for a request without audio")
    return _checked_turn(session, text, audio, area, "audio_wav")


def _checked_turn(session: str, text: str | None, audio: bytes | None, area: str | None,
                  audio_field: str) -> TurnRequest:
    if text is not None and audio is not None:
        raise ApiError(422, f"give either 'text' or '{audio_field}', not both", "text")
    if text is None and audio is None:
        raise ApiError(422, f"'text' (or '{audio_field}') is required", "text")
    if audio is not None and not audio:
        raise ApiError(422, "the audio is empty", audio_field)
    return TurnRequest(session, text, audio, area)


async def _turn_from_multipart(request: web.Request, limits: Limits) -> TurnRequest:
    """A turn from a form upload: fields ``session``, ``area``, ``text`` and a file ``audio``."""
    if request.content_length is not None and request.content_length > limits.audio_body_bytes:
        raise ApiError(413, f"request body of {request.content_length} bytes is over the "
                            f"limit of {limits.audio_body_bytes} bytes")
    fields: dict[str, str] = {}
    audio: bytes | None = None
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                raise ApiError(400, "nested multipart bodies are not supported")
            name = part.name or ""
            if name == "audio":
                audio = await _read_part(part, limits.audio_bytes, name)
            elif name in ("session", "area", "text"):
                raw = await _read_part(part, limits.json_bytes, name)
                try:
                    fields[name] = raw.decode("utf-8")
                except UnicodeDecodeError:
                    raise ApiError(422, f"'{name}' is not UTF-8 text", name) from None
            else:
                await part.release()
    except (ValueError, RuntimeError) as err:
        # aiohttp's reader says "bad multipart" with these.
        raise ApiError(400, f"bad multipart body: {err}") from None
    session = _session_field(fields, "default") or "default"
    return _checked_turn(session, fields.get("text"), audio, fields.get("area"), "audio")


async def _read_part(part: BodyPartReader, limit: int, name: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := await part.read_chunk(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"'{name}' is over the limit of {limit} bytes", name)
        chunks.append(chunk)
    return b"".join(chunks)


def _event_from_json(data: Mapping[str, Any]) -> EventRequest:
    session = _session_field(data, None)
    entity_id = data.get("entity_id")
    if not isinstance(entity_id, str) or not entity_id:
        raise ApiError(422, "'entity_id' is required and must be a string", "entity_id")
    if "state" not in data:
        raise ApiError(422, "'state' is required", "state")
    state = data["state"]
    if isinstance(state, bool) or not isinstance(state, (str, int, float)):
        raise ApiError(422, "'state' must be a string", "state")
    attributes = data.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise ApiError(422, "'attributes' must be an object", "attributes")
    return EventRequest(session, entity_id, str(state), attributes)


# -- the application ------------------------------------------------------------------

SERVICE_KEY: web.AppKey[ResolverService] = web.AppKey("service", ResolverService)


def _service(request: web.Request) -> ResolverService:
    return request.app[SERVICE_KEY]


async def resolve_handler(request: web.Request) -> web.Response:
    """``POST /v1/resolve``: one turn of a session."""
    service = _service(request)
    if request.content_type.startswith("multipart/"):
        turn = await _turn_from_multipart(request, service.limits)
    else:
        body = await _read_body(request, service.limits.audio_body_bytes)
        if len(body) > service.limits.json_bytes and b'"audio_wav"' not in body:
            raise ApiError(413, f"request body of {len(body)} bytes is over the limit of "
                                f"{service.limits.json_bytes} bytes for a request without audio")
        turn = _turn_from_json(_parse_json(body), service.limits, len(body))
    return _reply(await service.run(service.resolve_turn, turn))


async def events_handler(request: web.Request) -> web.Response:
    """``POST /v1/events``: a state change the controller saw."""
    service = _service(request)
    event = _event_from_json(_parse_json(await _read_body(request, service.limits.json_bytes)))
    return _reply(await service.run(service.apply_event, event))


async def session_handler(request: web.Request) -> web.Response:
    """``GET /v1/sessions/{id}``: what a session remembers and how it sees the home."""
    service = _service(request)
    return _reply(await service.run(service.session_view, request.match_info["id"]))


async def health_handler(request: web.Request) -> web.Response:
    """``GET /v1/health``: up, how many entities, whether the text proposer is loaded."""
    return _reply(_service(request).health())


def _auth_middleware(token: str) -> Any:
    expected = token.encode("utf-8")

    @web.middleware
    async def require_token(request: web.Request, handler: Handler) -> web.StreamResponse:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            return _error(401, "a bearer token is required (Authorization: Bearer TOKEN)",
                          headers={"WWW-Authenticate": "Bearer"})
        if not hmac.compare_digest(given.strip().encode("utf-8"), expected):
            return _error(401, "wrong bearer token",
                          headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return await handler(request)

    return require_token


@web.middleware
async def _error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every failure as a JSON error; a bug is logged here and never shown to the client."""
    try:
        return await handler(request)
    except ApiError as err:
        return _error(err.status, err.message, err.field)
    except web.HTTPException as err:
        if err.status < 400:
            raise
        headers = {"Allow": err.headers["Allow"]} if "Allow" in err.headers else None
        message = {404: f"no such endpoint: {request.method} {request.path}",
                   405: f"method {request.method} is not allowed on {request.path}"}
        return _error(err.status, message.get(err.status, err.reason), headers=headers)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("internal error on %s %s", request.method, request.path)
        return _error(500, "internal error; the server log has the details")


def create_app(resolver: Resolver, token: str | None = None,
               limits: Limits | None = None) -> web.Application:
    """The web application around ``resolver``; ``token`` turns on bearer authentication."""
    limits = limits or Limits()
    middlewares: list[Any] = [_error_middleware]
    if token:
        middlewares.append(_auth_middleware(token))
    app = web.Application(middlewares=middlewares, client_max_size=limits.audio_body_bytes)
    service = ResolverService(resolver, limits)
    app[SERVICE_KEY] = service
    app.router.add_post("/v1/resolve", resolve_handler)
    app.router.add_post("/v1/events", events_handler)
    app.router.add_get("/v1/sessions/{id}", session_handler)
    app.router.add_get("/v1/health", health_handler)

    async def close_worker(_: web.Application) -> None:
        await asyncio.get_running_loop().run_in_executor(None, service.close)

    app.on_cleanup.append(close_worker)
    return app


# -- running it -----------------------------------------------------------------------


class BackgroundServer:
    """The service on its own event loop in a daemon thread, for tests and benchmarks."""

    def __init__(self, resolver: Resolver, host: str = DEFAULT_HOST, port: int = 0,
                 token: str | None = None, limits: Limits | None = None) -> None:
        """Listen on ``host:port`` (port 0 picks a free one) and serve until ``close``."""
        self.app = create_app(resolver, token, limits)
        self._socket = socket.create_server((host, port))
        self.host, self.port = self._socket.getsockname()[:2]
        self._loop = asyncio.new_event_loop()
        self._runner = web.AppRunner(self.app, handle_signals=False, access_log=None,
                                     shutdown_timeout=SHUTDOWN_SECONDS)
        self._loop.run_until_complete(self._runner.setup())
        self._loop.run_until_complete(web.SockSite(self._runner, self._socket).start())
        self._thread = threading.Thread(target=self._loop.run_forever, name="resolver-http",
                                        daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """The base URL, such as ``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    def close(self) -> None:
        """Stop listening, let requests in flight finish, stop the thread."""
        if not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def __enter__(self) -> Self:
        """The running server."""
        return self

    def __exit__(self, *_: object) -> None:
        """Close it."""
        self.close()


def _is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def serve_command(resolver: Resolver, args: argparse.Namespace) -> int:
    """``python -m resolver serve``: run the service until Ctrl-C; returns the exit status."""
    host: str = args.host or DEFAULT_HOST
    port: int = DEFAULT_PORT if args.port is None else args.port
    token: str | None = args.token or os.environ.get("RESOLVER_TOKEN") or None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s",
                        stream=sys.stderr)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    app = create_app(resolver, token)
    shown = f"[{host}]" if ":" in host else host
    entities = len(resolver.home.entities)
    proposer = "on" if resolver.proposer is not None else "off"

    def announce(*_: Any, **__: Any) -> None:
        print(f"resolver: serving {entities} entities of {resolver.home.path} at "
              f"http://{shown}:{port}/v1/ (text proposer {proposer})", file=sys.stderr)
        if token:
            print("resolver: a bearer token is required (Authorization: Bearer ...)",
                  file=sys.stderr)
        else:
            print("resolver: no token required; pass --token or set RESOLVER_TOKEN to "
                  "require one", file=sys.stderr)
        if not _is_loopback(host):
            print(f"resolver: warning: listening on {host}, reachable from other machines",
                  file=sys.stderr)
        print("resolver: press Ctrl-C to stop", file=sys.stderr, flush=True)

    try:
        web.run_app(app, host=host, port=port, print=announce, access_log=None,
                    shutdown_timeout=SHUTDOWN_SECONDS, handle_signals=True)
    except OSError as err:
        print(f"resolver: cannot listen on {host}:{port}: {err.strerror or err}",
              file=sys.stderr)
        return 1
    print("resolver: stopped", file=sys.stderr)
    return 0


__all__ = ["ApiError", "BackgroundServer", "Limits", "ResolverService", "create_app",
           "serve_command"]
