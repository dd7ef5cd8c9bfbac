"""Closed word classes of the utterance language: device nouns, colours, number words."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Noun:
    """A generic device noun and what it implies about the target."""

    domains: tuple[str, ...]
    device_classes: tuple[str, ...] = ()
    """The device classes it names among covers and valves ("door": door and garage)."""
    plural: bool = False


def _noun_table() -> dict[str, Noun]:
    table: dict[str, Noun] = {}

    def add(words: str, domains: str, device_classes: str = "") -> None:
        for word in words.split(","):
            singular = word.strip()
            plural = singular + ("es" if singular.endswith(("ch", "sh", "s")) else "s")
            kinds = (tuple(domains.split()), tuple(device_classes.split()))
            table[singular] = Noun(*kinds)
            table.setdefault(plural, Noun(*kinds, plural=True))

    add("light,lamp,bulb,light bulb,ceiling light,lighting,spotlight,strip", "light")
    add("switch,plug,smart plug,outlet,socket,power outlet", "switch input_boolean")
    add("fan,ceiling fan", "fan")
    add("blind,roller blind", "cover", "blind")
    add("shade,roller shade", "cover", "shade")
    add("curtain,drape", "cover", "curtain")
    add("shutter", "cover", "shutter")
    add("awning", "cover", "awning")
    add("window", "cover", "window")
    add("garage door,garage", "cover", "garage")
    add("gate", "cover", "gate")
    add("cover", "cover")
    # A door is a lock, or a cover that is a door: not the blinds ("close the doors").
    add("door", "lock cover", "door garage")
    add("lock,door lock", "lock")
    add("thermostat,heating,heater,air conditioning,ac,air conditioner,hvac,climate", "climate")
    add("tv,television", "media_player", "tv")
    add("speaker,stereo,radio", "media_player", "speaker")
    add("media player,player", "media_player")
    add("vacuum,robot vacuum,vacuum cleaner,robot vacuum cleaner,robot,hoover,roomba", "vacuum")
    add("valve,water valve,sprinkler,irrigation", "valve")
    add("scene", "scene")
    add("script,automation", "script")
    add("list,shopping list,todo list,to do list,item", "todo")
    # "lighting" and "lights" are already plural-ish; make "lighting" behave as a mass noun.
    table["lighting"] = Noun(("light",), plural=True)
    return table


NOUNS: dict[str, Noun] = _noun_table()


def singular(noun: str) -> str:
    """The singular of a device noun ("lamps" -> "lamp", "switches" -> "switch"); the noun
    itself when it is one."""
    for cut in (1, 2):
        stem = noun[:-cut]
        if noun.endswith("s") and stem in NOUNS and not NOUNS[stem].plural:
            return stem
    return noun


DOERS = {"charging": "charger", "heating": "heater", "cooling": "cooler"}
"""What a device does while it is on, and the word its name has for it: "stop charging the
car" and "is the car charging" are about the Car Charger (a switch: no domain says it)."""

# Named colours people say; light.turn_on's color_name takes CSS3 names.
COLORS = frozenset(
    ["red", "green", "blue", "yellow", "orange", "purple", "pink", "white", "cyan", "magenta", "violet", "indigo", "turquoise", "teal", "lime", "gold", "amber", "brown", "navy", "maroon", "lavender", "coral", "salmon", "crimson", "aqua", "azure", "beige", "chartreuse", "fuchsia", "khaki", "olive", "orchid", "plum", "silver", "tan", "tomato"]
)

# Words for colour temperature rather than colour.
COLOR_TEMPS = {"warm": 2700, "warm white": 2700, "soft white": 3000, "neutral": 4000,
               "neutral white": 4000, "cool": 5000, "cool white": 5000, "daylight": 6500,
               "cold white": 6500}

HVAC_MODES = {"heat": "heat", "heating": "heat", "cool": "cool", "cooling": "cool",
              "auto": "auto", "automatic": "auto", "heat cool": "heat_cool", "dry": "dry",
              "fan only": "fan_only", "off": "off", "eco": "auto"}

MODE_NOUNS = {"heating": "heating", "heater": "heating", "air conditioning": "cooling",
              "air conditioner": "cooling", "ac": "cooling"}
"""Names of a thermostat that say the mode it is wanted in: "turn on the AC" is the
thermostat cooling, whatever it did before (a key of :data:`HVAC_MODES`)."""

ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "last": -1}
"""Words that name a place in a list ("the second one" of the options asked about), from 0;
-1 is the last."""

TOO = {"bright": "dimmer", "dark": "brighter", "dim": "brighter", "loud": "quieter",
       "quiet": "louder", "soft": "louder", "fast": "slower", "slow": "faster",
       "hot": "cooler", "warm": "cooler", "cold": "warmer", "cool": "warmer",
       "high": "lower", "low": "higher"}
"""What "too bright", "too loud" ... ask for: the other way (a comparative of the lexicon)."""
UNITS = {
    "times": "times",  # a share of the present level: "by half" is "by 0.5 times"
    "%": "percent",
    "percent": "percent",
    "per cent": "percent",
    "pct": "percent",
    "°": "degrees",
    "degrees": "degrees",
    "degree": "degrees",
    "°f": "degrees",
    "°c": "degrees",
    "fahrenheit": "degrees",
    "celsius": "degrees",
    "centigrade": "degrees",
    "degrees celsius": "degrees",
    "degrees fahrenheit": "degrees",
    "degrees centigrade": "degrees",
    "kelvin": "kelvin",  # a light's colour temperature
    "kelvins": "kelvin",
}

SCALES = {"°f": "F", "°c": "C", "fahrenheit": "F", "celsius": "C", "centigrade": "C",
          "degrees fahrenheit": "F", "degrees celsius": "C", "degrees centigrade": "C"}
"""The units of :data:`UNITS` that say a temperature's scale."""

ONES = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19,
}
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}


def words_to_numbers(words: list[str]) -> list[str]:
    """Replace spelled-out numbers with digits: "twenty point five" -> "20.5".

    Handles 0-999 ("one hundred", "a hundred and five", "seventy two") and decimals said
    with "point". A lone "one" stays a word ("the bedroom one").
    """
    out: list[str] = []
    i = 0
    n = len(words)
    while i < n:
        half = _half(words, i)
        if half:
            # "open the blinds halfway", "set it to half": fifty percent; "turn it down by
            # half": half of what it is
            out += ["0.5", "times"] if i > 0 and words[i - 1] == "by" else ["50", "percent"]
            i += half
            continue
        value, j = _read_number(words, i)
        if value is None:
            out.append(words[i])
            i += 1
            continue
        if j < n - 1 and words[j] == "point" and words[j + 1] in ONES:
            digits = ""
            j += 1
            while j < n and words[j] in ONES and ONES[words[j]] < 10:
                digits += str(ONES[words[j]])
                j += 1
            out.append(f"{value}.{digits}")
        else:
            out.append(str(value))
        i = j
    return out


def _half(words: list[str], i: int) -> int:
    """How many words at ``i`` say "half" as an amount: "halfway", "half way", or "half"
    after "to" or "by" or at the end ("set it to half", "dim it by half", "open the blinds
    half"); 0 otherwise."""
    if words[i] == "halfway":
        return 1
    if words[i] != "half":
        return 0
    if i + 1 < len(words) and words[i + 1] == "way":
        return 2
    return 1 if (i > 0 and words[i - 1] in ("to", "by")) or i + 1 == len(words) else 0


def _read_number(words: list[str], i: int) -> tuple[int | None, int]:
    """Read a spelled-out integer starting at ``i``; returns (value, next index)."""
    n = len(words)
    total = 0
    j = i
    seen = False
    if j < n - 1 and words[j] == "a" and words[j + 1] == "hundred":
        j += 1
        words_hundred = True
    else:
        words_hundred = False
    if words_hundred or (j < n - 1 and words[j] in ONES and words[j + 1] == "hundred"):
        total = 100 if words_hundred else ONES[words[j]] * 100
        j += 1 if words_hundred else 2
        seen = True
        if j < n - 1 and words[j] == "and" and (words[j + 1] in ONES or words[j + 1] in TENS):
            j += 1
    if j < n and words[j] in TENS:
        total += TENS[words[j]]
        j += 1
        seen = True
        if j < n and words[j] in ONES and 0 < ONES[words[j]] < 10:
            total += ONES[words[j]]
            j += 1
    elif j < n and words[j] in ONES and words[j] != "oh":
        if words[j] == "one" and j == i and not (j + 1 < n and words[j + 1] == "point"):
            # A lone "one" is mostly the pronoun ("the bedroom one"); the tagger turns it
            # into a number where a number is expected ("set it to one").
            return None, i
        total += ONES[words[j]]
        j += 1
        seen = True
    if not seen:
        return None, i
    return total, j
