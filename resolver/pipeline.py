"""The resolver: text in, service calls, a response and an explanation out.

The only module that orchestrates (language -> rules -> matching -> actions) and the only
one that applies a turn's outcome to a dialog session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import groupby
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .actions import ServiceCall
from .context import DialogContext
from .fusion import Reading, read
from .home import EntityState, Home, HomeState
from .language.parse import UtteranceParser, courtesy
from .logical_form import Command, Fragment, Query, Undo, Utterance
from .neural.encoder import EncoderUnavailable
from .neural.proposer import Proposal, TextProposer, heard_proposal
from .rules import Engine, Rule, RulesError, TurnState
from .rules import load as load_rules
from .rules.dsl import said_phrases
from .rules.engine import move_trace, said_form
from .speech.audio import AudioError
from .speech.listen import Heard, Listener

MAX_TEXT = 2000
"""Longest utterance, in characters, that is parsed; longer input is refused politely."""
_COURTESIES = {"thanks": "You're welcome.", "acknowledgement": "Okay.",
               "greeting": "Hello. What would you like me to do?"}
"""What is said back to thanks, to "great", "okay" and to "hello": nothing is done."""

OFF_TOPIC = ("Sorry, I can't help with that. I can work the devices of this home and tell you "
             "about them.")
"""What is said to speech about nothing a home does ("tell me a joke", "order a pizza")."""
OFF_TOPIC_SCORE = 0.9
"""How sure the text proposer must be that a turn is about nothing a home does
(``ResolverOther``) for :data:`OFF_TOPIC` to be said, when the rules found nothing either."""


@dataclass(slots=True)
class Result:
    """The outcome of one turn (CONTRACT §3)."""

    text: str
    """What was resolved: the text, or the transcript for audio."""
    actions: list[ServiceCall] = field(default_factory=list)
    response: str = ""
    clarification: bool = False
    intent: dict[str, Any] | None = None
    hypotheses: list[dict[str, Any]] = field(default_factory=list)
    trace: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    """Set when the input itself was unusable (unreadable audio ...)."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form the batch command writes."""
        out: dict[str, Any] = {
            "text": self.text,
            "actions": [a.to_dict() for a in self.actions],
            "response": self.response,
            "clarification": self.clarification,
            "intent": self.intent,
            "hypotheses": self.hypotheses,
            "trace": self.trace,
        }
        if self.error is not None:
            out["error"] = self.error
        return out


@dataclass(slots=True)
class Session:
    """One dialog's own state of the home and its memory."""

    state: HomeState
    context: DialogContext = field(default_factory=DialogContext)


class Resolver:
    """Resolves utterances about one home into Home Assistant service calls."""

    def __init__(self, home: Home, rules: list[Rule] | None = None,
                 grammar_dir: str | Path | None = None,
                 proposer: TextProposer | None | str = "auto") -> None:
        """``proposer``: a text proposer, None for the grammar alone, or ``"auto"`` to load
        the packaged one when its encoder is installed."""
        self.home = home
        self.clock: Callable[[], datetime] = datetime.now
        """What "what time is it" reads: the machine's local time (a test sets its own)."""
        self.parser = UtteranceParser(home, grammar_dir)
        self.engine = Engine(self._checked(rules if rules is not None else load_rules()))
        self.proposer_note = ""
        if proposer == "auto":
            try:
                proposer = TextProposer.load()
            except (EncoderUnavailable, OSError) as err:
                proposer, self.proposer_note = None, f"text proposer unavailable: {err}"
        self.proposer = proposer if isinstance(proposer, TextProposer) else None
        self._base_state = home.initial_state()
        self._sessions: dict[str, Session] = {}
        self._speech: Listener | None = None
        self.listener_note = ""

    @classmethod
    def from_files(cls, home: str | Path,
                   rules: str | Path | Iterable[str | Path] | None = None,
                   neural: bool = True) -> Resolver:
        """A resolver for the home file ``home`` with the packaged grammars and rules.

        ``rules`` names user rules directories that add to and override the packaged rules;
        ``neural=False`` leaves the text proposer out (the grammar alone decides typed
        turns; a spoken turn's proposal is then the audio model's alone).
        """
        return cls(Home.from_files(home), load_rules(_directories(rules)),
                   proposer="auto" if neural else None)

    def reload_rules(self, rules: str | Path | Iterable[str | Path] | None = None) -> None:
        """Read the rules files again (after editing them); the old rules stay on error."""
        self.engine = Engine(self._checked(load_rules(_directories(rules))))
        if self._speech is not None and self._speech.phrases != self._phrases():
            # The speech paths' word models expect the phrases the rules take whole.
            from .speech.sphinx import SphinxRecognizer

            old = self._speech
            sphinx = SphinxRecognizer(self.home, nbest=1, phrases=self._phrases()) \
                if old.sphinx is not None else None
            self._speech = Listener(self.parser, old.model, sphinx, phrases=self._phrases())

    def _phrases(self) -> tuple[str, ...]:
        """The phrases the rules take whole, as utterances are normalized."""
        return tuple(dict.fromkeys(said_form(p) for p in said_phrases(self.engine.rules)))

    def _checked(self, rules: list[Rule]) -> list[Rule]:
        """Refuse rules whose ``do "..."`` this home's grammar cannot read."""
        for rule in rules:
            for effect in rule.effects:
                if effect.kind != "do_text":
                    continue
                parsed = self.parser.parse(effect.argument or "")
                if parsed.utterance is None or not parsed.utterance.commands:
                    where = effect.where.split(":")
                    line = int(where[-2]) if len(where) >= 3 else None
                    column = int(where[-1]) if len(where) >= 3 else None
                    path = ":".join(where[:-2]) if len(where) >= 3 else rule.source
                    raise RulesError(path, line, column,
                                     f"do \"{effect.argument}\": not a command this home's "
                                     f"grammar understands ({parsed.error or 'no action'})")
        return rules

    # -- sessions and state -----------------------------------------------------------

    def session(self, key: str) -> Session:
        """The session ``key``, created from the home's current base state when new."""
        found = self._sessions.get(key)
        if found is None:
            found = self._sessions[key] = Session(dict(self._base_state))
        return found

    def state(self, session: str = "default") -> HomeState:
        """The home's state as ``session`` sees it."""
        return self.session(session).state

    def reset(self, session: str = "default") -> None:
        """Forget a session's context and state."""
        self._sessions.pop(session, None)

    def apply_event(
        self,
        entity_id: str,
        state: str,
        attributes: dict[str, Any] | None = None,
        session: str | None = None,
    ) -> None:
        """Record a state change reported by the controller; attributes merge.

        Without ``session`` the change is real for the whole home: every session and
        every later one sees it. Raises KeyError for an unknown entity.
        """
        if entity_id not in self.home.entities:
            raise KeyError(f"unknown entity '{entity_id}'")
        targets = [self.session(session).state] if session is not None else [
            self._base_state, *(s.state for s in self._sessions.values())
        ]
        for home_state in targets:
            before = home_state.get(entity_id, EntityState("unknown", MappingProxyType({})))
            home_state[entity_id] = before.with_changes(str(state), **(attributes or {}))

    # -- resolving --------------------------------------------------------------------

    def resolve(
        self,
        text: str | None = None,
        *,
        audio: Any = None,
        session: str = "default",
        area: str | None = None,
    ) -> Result:
        """Resolve one turn of ``session``; ``area`` is where the speaker is (id or name).

        ``audio`` (a WAV path, WAV bytes or a 16 kHz float array) is transcribed first; the
        result's ``text`` is then the transcript chosen.
        """
        if audio is not None:
            return self._resolve_audio(audio, session, area)
        return self._resolve_text(text, session, area)

    def _resolve_audio(self, audio: Any, session: str, area: str | None) -> Result:
        listener = self.listener()
        if listener is None:
            return Result(text="", response="Sorry, I can't take speech here.",
                          error=self.listener_note)
        try:
            heard = listener.listen(
                audio, grounding=lambda text: self.grounding(text, session, area))
        except AudioError as err:
            return Result(text="", response="Sorry, I couldn't make out any speech.",
                          error=str(err))
        if not heard.text:
            hypotheses = [{"intent": i, "score": round(s, 4)} for i, s in heard.intents]
            return Result(text="", response="Sorry, I didn't catch that.",
                          hypotheses=hypotheses, trace={"speech": heard.trace()})
        result = self._resolve_text(heard.text, session, area, heard)
        result.trace["speech"] = heard.trace()
        return result

    def listener(self) -> Listener | None:
        """The speech paths, loaded on the first spoken turn (text-only use never pays);
        None, with the reason in :attr:`listener_note`, when neither can load."""
        if self._speech is None and not self.listener_note:
            model = sphinx = None
            notes = []
            try:
                from .neural.audio_infer import AudioModel

                model = AudioModel.load()
            except (ImportError, OSError, ValueError, RuntimeError) as err:
                notes.append(f"audio model unavailable: {err}")
            try:
                from .speech.sphinx import SphinxRecognizer

                sphinx = SphinxRecognizer(self.home, nbest=1, phrases=self._phrases())
            except (ImportError, OSError, ValueError, RuntimeError) as err:
                notes.append(f"pocketsphinx unavailable: {err}")
            if model is None and sphinx is None:
                self.listener_note = "speech input unavailable: " + "; ".join(notes)
            else:
                self._speech = Listener(self.parser, model, sphinx, phrases=self._phrases())
        return self._speech

    def _resolve_text(self, text: str | None, session: str, area: str | None,
                      heard: Heard | None = None) -> Result:
        current = self.session(session)
        result, after, _ = self._turn(text, current, area, heard=heard)
        current.state, current.context = after.state, after.context
        return result

    def _turn(self, text: str | None, current: Session, area: str | None,
              propose: bool = True, heard: Heard | None = None
              ) -> tuple[Result, Session, list[bool]]:
        """Resolve one turn against ``current`` without changing it: the result, the session
        as the turn leaves it, and whether each move settled was grounded
        (:attr:`~resolver.rules.engine.MoveState.grounded`). ``propose=False`` leaves the
        proposers out (a trial of a transcript the grammar reads, which it decides alone).
        ``heard``: the turn was spoken, and the audio model's intents join the proposal."""
        text = "" if text is None else str(text)
        context = current.context.copy()
        context.remember_text(text[:MAX_TEXT])
        unchanged = Session(current.state, context)
        speaker_area, area_note = self._speaker_area(area)
        trace: dict[str, Any] = {"speaker_area": speaker_area}
        if area_note:
            trace["note"] = area_note

        if not text.strip():
            return Result(text, response="I didn't hear a command.", trace=trace), unchanged, []
        if len(text) > MAX_TEXT:
            trace["parse"] = {"error": f"longer than {MAX_TEXT} characters"}
            return (Result(text, response="That was too long for me to follow.", trace=trace),
                    unchanged, [])

        proposer = self.proposer if propose else None
        if propose and heard is not None and heard.intents:
            # A transcript the grammar reads word for word is read so whatever the text
            # proposer says (fusion.read ranks such a reading above any of its own): the
            # audio model's n-best alone is the proposal, and the turn is spared the sentence
            # encoder.
            typed = proposer.propose(text) if proposer is not None \
                and not self._read_word_for_word(text) else None
            proposal = heard_proposal(heard.intents, heard.domains, typed)
        else:
            proposal = proposer.propose(text) if proposer is not None else None
        hypotheses = proposal.as_hypotheses() if proposal is not None else []
        if self.proposer_note:
            trace["note"] = "; ".join(filter(None, [trace.get("note"), self.proposer_note]))
        reading = read(self.parser, text, proposal,
                       proposer.propose if proposer is not None else None)
        trace["parse"] = _parse_trace(reading)
        if hypotheses:
            trace["proposer"] = hypotheses
        said = courtesy(reading.parsed.tags)
        if said:  # "thanks a lot" is not "a lot" more
            trace["parse"]["courtesy"] = said
            return Result(text, response=_COURTESIES[said], trace=trace,
                          hypotheses=hypotheses), unchanged, []
        if reading.utterance is None:
            return Result(text, response="Sorry, I didn't understand that.", trace=trace,
                          hypotheses=hypotheses), unchanged, []

        turn = TurnState(
            home=self.home,
            state=dict(current.state),
            context=context,
            utterance=reading.utterance,
            speaker_area=speaker_area,
            do_text=self._parse_text,
            clock=self.clock,
        )
        asked_before = context.question is not None
        self.engine.run(turn)
        response = " ".join(said for said, _ in groupby(turn.responses))  # not twice running
        if _off_topic(proposal) and _only_unknown_words(reading) \
                and not (turn.calls or turn.clarification or asked_before or any(turn.grounded)):
            # "tell me a joke": not "I don't know any device called 'joke'"
            response, trace["off_topic"] = OFF_TOPIC, response
        trace["moves"] = [move_trace(m) for m in reading.utterance.moves]
        trace["rules"] = [e for e in turn.trace if "rule" in e]
        trace["matches"] = [e for e in turn.trace if "rule" not in e]
        intent = turn.intent
        if intent is None and any(isinstance(m, Undo) for m in reading.utterance.moves):
            intent = {"name": "HassNevermind", "slots": {}}
        return Result(
            text,
            actions=turn.calls,
            response=response,
            clarification=turn.clarification,
            intent=intent,
            hypotheses=hypotheses,
            trace=trace,
        ), Session(turn.state, turn.context), turn.grounded

    def _read_word_for_word(self, text: str) -> bool:
        """The grammar reads ``text`` with no word it does not know."""
        parsed = self.parser.parse(text)
        return parsed.utterance is not None and not any(t.kind == "WORD" for t in parsed.tags)

    def grounding(self, text: str, session: str = "default", area: str | None = None) -> float:
        """The share of the moves of ``text`` that the rules ground in the home (done, found
        already so, asked or answered about), tried in ``session`` without changing it: 0
        for words nothing reads. The listener prefers transcripts that come to something."""
        current = self._sessions.get(session) or Session(self._base_state)
        _, _, grounded = self._turn(text, current, area, propose=False)
        return sum(grounded) / len(grounded) if grounded else 0.0

    def _parse_text(self, text: str) -> Utterance | None:
        return self.parser.parse(text).utterance

    def _speaker_area(self, area: str | None) -> tuple[str | None, str | None]:
        if area is None or not str(area).strip():
            return None, None
        found = self.home.find_area(str(area))
        if found is None:
            return None, f"unknown speaker area '{area}' ignored"
        return found.id, None


def _off_topic(proposal: Proposal | None) -> bool:
    """The text proposer is sure the turn is about nothing a home does."""
    return proposal is not None and proposal.intent == "ResolverOther" \
        and proposal.score >= OFF_TOPIC_SCORE


def _only_unknown_words(reading: Reading) -> bool:
    """Every move is about words alone, which name nothing here ("tell me a joke": a
    'joke'); not an answer, an undo or a command about a device or a place, and not only
    words the lexicon knows ("the" or "it" alone is not understood, not off the topic)."""
    moves = reading.utterance.moves if reading.utterance is not None else ()
    return any(t.kind == "WORD" for t in reading.parsed.tags) and all(
        isinstance(m, Command | Query | Fragment) and m.target.words
        and replace(m.target, words=()).empty for m in moves)


def _parse_trace(reading: Reading) -> dict[str, Any]:
    parsed = reading.parsed
    out: dict[str, Any] = {"tokens": parsed.symbols, "source": reading.source}
    if reading.corrections:
        out["corrections"] = [f"{said} -> {meant}" for said, meant in reading.corrections]
    if parsed.utterance is not None:
        out["normalized"] = parsed.utterance.text
        out["tree"] = parsed.tree
    if parsed.error:
        out["error"] = parsed.error
    return out


def _directories(rules: str | Path | Iterable[str | Path] | None) -> list[str | Path]:
    if rules is None:
        return []
    if isinstance(rules, (str, Path)):
        return [rules]
    return list(rules)


__all__ = ["Resolver", "Result", "Session"]
