"""What the text proposer predicts: an intent (HA's names where one fits) and a domain."""

from __future__ import annotations

from dataclasses import dataclass

INTENTS: tuple[str, ...] = (
    "HassTurnOn",
    "HassTurnOff",
    "HassLightSet",
    "HassSetPosition",
    "HassClimateSetTemperature",
    "HassSetVolume",
    "HassFanSetSpeed",
    "HassMediaPause",
    "HassMediaUnpause",
    "HassMediaNext",
    "HassMediaPrevious",
    "HassVacuumStart",
    "HassVacuumReturnToBase",
    "HassListAddItem",
    "HassGetState",
    "HassClimateGetTemperature",
    "HassNevermind",
    "ResolverIncrease",
    "ResolverDecrease",
    "ResolverOther",
)
"""Intents, in the order of the head's outputs. ``ResolverIncrease``/``ResolverDecrease``
are relative changes ("brighter", "turn it down"); ``ResolverOther`` is anything the
resolver does not handle (timers, weather, chit-chat, noise)."""

DOMAINS: tuple[str, ...] = (
    "light",
    "switch",
    "fan",
    "cover",
    "lock",
    "climate",
    "media_player",
    "vacuum",
    "valve",
    "scene",
    "script",
    "todo",
    "sensor",
    "none",
)
"""Domains, in the order of the domain head's outputs; ``none`` when no device is meant."""


@dataclass(frozen=True, slots=True)
class Example:
    """One training or evaluation sentence with its labels."""

    text: str
    intent: str
    domain: str
    source: str
    """Where it came from: ``grammar``, ``ha_templates``, ``slurp_train``, ``other``."""

    def __post_init__(self) -> None:
        if self.intent not in INTENTS:
            raise ValueError(f"unknown intent {self.intent!r}")
        if self.domain not in DOMAINS:
            raise ValueError(f"unknown domain {self.domain!r}")


SLURP_INTENTS: dict[str, tuple[str, str]] = {
    "iot_hue_lighton": ("HassTurnOn", "light"),
    "iot_hue_lightoff": ("HassTurnOff", "light"),
    "iot_hue_lightdim": ("ResolverDecrease", "light"),
    "iot_hue_lightup": ("ResolverIncrease", "light"),
    "iot_hue_lightchange": ("HassLightSet", "light"),
    "iot_wemo_on": ("HassTurnOn", "switch"),
    "iot_wemo_off": ("HassTurnOff", "switch"),
    "iot_cleaning": ("HassVacuumStart", "vacuum"),
    "iot_coffee": ("HassTurnOn", "switch"),
}
"""SLURP's smart-home intents mapped to the project's (a coffee maker is a switched plug)."""
