"""Target matching: which entities of the home a target refers to.

A staged filter in the spirit of Home Assistant's ``match_targets``: name and alias,
then device noun (domain and device class), then area or floor (the speaker's area when
none is said), then what the entities can do. Failure is a value with its reason, never
an exception, so the response can say what went wrong.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from .home import Entity, Home, spoken_forms
from .logical_form import Target


class MatchFailure(str, enum.Enum):
    """Why a target matched nothing usable."""

    NO_NAME = "no_name"
    """Nothing in the home is called that."""
    NO_AREA = "no_area"
    """The area has nothing of that kind."""
    NO_SPEAKER_AREA = "no_speaker_area"
    """"in here" was said but where the speaker is is not known."""
    NO_DOMAIN = "no_domain"
    """The home has nothing of that kind at all."""
    UNSUPPORTED = "unsupported"
    """The matched entities cannot do what was asked."""
    AMBIGUOUS = "ambiguous"
    """Several entities fit a singular target: ask which."""
    NOTHING_SAID = "nothing_said"
    """The command named no target and none could be implied."""
    NO_REFERENCE = "no_reference"
    """"it" or "them" was said but nothing was talked about before."""


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Entities a target refers to, or why there are none."""

    entities: tuple[str, ...] = ()
    failure: MatchFailure | None = None
    unmatched: str | None = None
    """The name, area or noun that failed, as said."""
    candidates: tuple[str, ...] = ()
    """For ambiguous and unsupported results: the entities that were in play."""
    scope: str = ""
    """How the scope was chosen: ``named``, ``area``, ``floor``, ``speaker``, ``home``."""
    part: bool = False
    """Ambiguous because only some of the candidates were meant ("half the lights")."""

    @property
    def ok(self) -> bool:
        """At least one entity was matched."""
        return self.failure is None and bool(self.entities)


Supports = Callable[[Entity], bool]


def match_targets(
    home: Home,
    target: Target,
    supports: Supports | None = None,
    speaker_area: str | None = None,
) -> MatchResult:
    """Resolve ``target`` against ``home``.

    ``supports`` says whether an entity can carry out the command (its domain has the
    service and it has the capability); ``speaker_area`` is the area id the speaker is in.
    """
    if target.empty:
        return MatchResult(failure=MatchFailure.NOTHING_SAID)
    if target.entity_ids:
        return _match_known(home, target, supports)
    if target.reference and not (target.names or target.domains or target.placed
                                 or target.words):
        return MatchResult(failure=MatchFailure.NO_REFERENCE, unmatched=target.reference)
    entities = list(home.entities.values())

    # 1. Names and aliases (entities, and devices standing for their entities).
    named: list[Entity] | None = None
    if target.names:
        named = []
        for name in target.names:
            found = [e for e in entities if name in e.spoken_names]
            if not found:
                found = _device_entities(home, name)
            if not found:
                return MatchResult(failure=MatchFailure.NO_NAME, unmatched=name)
            named.extend(e for e in found if e not in named)
        candidates = named
    else:
        candidates = [e for e in entities if e.actionable or supports is None]

    # Words the grammar does not know ("the front one", "the attic light") must be part of
    # what the entities are called, or of their area's name.
    if target.words:
        described = [e for e in candidates if _described_by(home, e, target.words)]
        if not described:
            return _unknown_words(target)
        candidates = described

    # 2. Device nouns: domain and device class.
    if target.domains:
        of_kind = [e for e in candidates if _fits_noun(e, target)]
        if named is not None:
            # The noun only describes what was named ("the play corner lights"); keep the
            # name when the description does not fit rather than contradict the speaker.
            candidates = of_kind or candidates
        else:
            if not of_kind and target.words:
                # the words fit something of another kind: not "there is no climate"
                return _unknown_words(target)
            if not of_kind:
                return MatchResult(failure=MatchFailure.NO_DOMAIN, unmatched=spoken_noun(target))
            candidates = of_kind

    # 3. Area and floor: said, "here", or the speaker's area by default.
    scope = "named" if named is not None else "home"
    if target.areas or target.floors or target.here:
        areas = set(target.areas)
        if target.here:
            if speaker_area is None:
                return MatchResult(failure=MatchFailure.NO_SPEAKER_AREA)
            areas.add(speaker_area)
        floors = set(target.floors)
        placed = [
            e for e in candidates
            if (e.area in areas) or (floors and e.area and home.areas[e.area].floor in floors)
            or (named is not None and e.area is None)
        ]
        if not placed:
            where = _place_names(home, target, speaker_area)
            return MatchResult(failure=MatchFailure.NO_AREA, unmatched=where,
                               candidates=tuple(e.id for e in candidates))
        candidates = placed
        scope = "floor" if floors and not areas else "area"
    elif speaker_area is not None and not target.everywhere:
        if named is None:
            local = [e for e in candidates if e.area == speaker_area]
            supported_local = [e for e in local if supports is None or supports(e)]
            if supported_local:
                candidates, scope = local, "speaker"
        elif len(candidates) > 1:
            # The same name in several rooms: the one where the speaker is.
            local = [e for e in candidates if e.area == speaker_area]
            if local:
                candidates = local

    # 4. What the entities can do.
    if supports is not None:
        able = [e for e in candidates if supports(e)]
        if not able:
            return MatchResult(failure=MatchFailure.UNSUPPORTED,
                               candidates=tuple(e.id for e in candidates), scope=scope)
        candidates = able

    if not candidates:
        return MatchResult(failure=MatchFailure.NOTHING_SAID)

    # 5. One or many: some of several, not said which ("two of the lights"), needs a
    # choice, and so does a singular target over the whole home.
    if (target.part and len(candidates) > 1) or (target.reference == "both"
                                                 and len(candidates) > 2):
        # "turn off both lights" with nothing talked about: which two
        return _which_of(target, candidates, scope)
    # A noun that is also some entities' name or alias ("the ceiling light") narrows the
    # choice to them.
    if len(candidates) > 1 and not (target.plural or target.all or target.everywhere):
        exact = [e for e in candidates if set(target.nouns) & set(e.spoken_names)]
        if len(exact) == 1:
            return MatchResult(entities=(exact[0].id,), scope=scope)
        choices = exact or candidates
        if named is not None and len(target.names) == 1 and scope == "named":
            return MatchResult(failure=MatchFailure.AMBIGUOUS, unmatched=target.names[0],
                               candidates=tuple(e.id for e in candidates), scope=scope)
        if scope == "home" and (target.nouns or (target.domains and named is None)):
            # "lock the door", "set the temperature to 70" with two thermostats
            return MatchResult(failure=MatchFailure.AMBIGUOUS, unmatched=spoken_noun(target),
                               candidates=tuple(e.id for e in choices), scope=scope)
        if (scope == "speaker" and named is None and not target.nouns and not target.words
                and all(e.domain != "light" for e in candidates)):
            # Nothing said about which ("pause" with two players in the room): the lights of
            # a room are all of them, other devices are one of them.
            return MatchResult(failure=MatchFailure.AMBIGUOUS,
                               unmatched=spoken_noun(target),
                               candidates=tuple(e.id for e in candidates), scope=scope)
        if exact:
            candidates = exact
    return MatchResult(entities=tuple(e.id for e in candidates), scope=scope)


def _match_known(home: Home, target: Target, supports: Supports | None) -> MatchResult:
    """A target whose entities are already known (a reference, an answer)."""
    known = [home.entities[e] for e in target.entity_ids if e in home.entities]
    if target.domains:
        known = [e for e in known if _fits_noun(e, target)] or known
    if supports is not None:
        able = [e for e in known if supports(e)]
        if not able:
            return MatchResult(failure=MatchFailure.UNSUPPORTED,
                               candidates=tuple(e.id for e in known), scope="named")
        known = able
    if not known:
        return MatchResult(failure=MatchFailure.NOTHING_SAID)
    if target.part and len(known) > 1:  # "turn off two of them"
        return _which_of(target, known, "named")
    return MatchResult(entities=tuple(e.id for e in known), scope="named")


def _which_of(target: Target, candidates: list[Entity], scope: str) -> MatchResult:
    """Some of ``candidates`` were asked for, not said which ("half the lights"): ask."""
    return MatchResult(failure=MatchFailure.AMBIGUOUS, unmatched=spoken_noun(target),
                       candidates=tuple(e.id for e in candidates), scope=scope, part=True)


def _unknown_words(target: Target) -> MatchResult:
    """"I don't know any device called 'christmas lights'": the words said, and the noun."""
    return MatchResult(failure=MatchFailure.NO_NAME,
                       unmatched=" ".join((*target.words, *target.nouns[:1])))


def _described_by(home: Home, entity: Entity, words: tuple[str, ...]) -> bool:
    said: set[str] = set()
    for name in entity.spoken_names:
        said.update(name.split())
    if entity.area is not None:
        for name in home.area_names(entity.area):
            said.update(name.split())
    if entity.device is not None:
        device = home.devices[entity.device]
        for name in spoken_forms((device.name, *device.aliases)):
            said.update(name.split())
    return all(word in said for word in words)


def _fits_noun(entity: Entity, target: Target) -> bool:
    if entity.domain not in target.domains:
        return False
    if target.device_classes and entity.domain in ("cover", "valve", "binary_sensor"):
        return entity.device_class in target.device_classes
    if target.device_classes and entity.domain == "media_player" and entity.device_class:
        # "the speaker" is not the TV; a player of no stated class may be either.
        return entity.device_class in target.device_classes
    return True


def _device_entities(home: Home, name: str) -> list[Entity]:
    devices = {d.id for d in home.devices.values()
               if name in spoken_forms((d.name, *d.aliases))}
    return [e for e in home.entities.values() if e.device in devices]


def spoken_noun(target: Target) -> str:
    """What the target was called, as a response says it: its noun, or its domain in
    words ("media player")."""
    if target.nouns:
        return target.nouns[0]
    return target.domains[0].replace("_", " ") if target.domains else ""


def _place_names(home: Home, target: Target, speaker_area: str | None) -> str:
    names = [home.areas[a].name for a in target.areas]
    names += [home.floors[f].name for f in target.floors]
    if target.here and speaker_area:
        names.append(home.areas[speaker_area].name)
    return " or ".join(names)
