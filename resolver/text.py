"""Word-level text normalization shared by the home's names and the utterances."""

from __future__ import annotations

import re
from itertools import product

_CONTRACTIONS = {
    "don't": "do not",
    "dont": "do not",
    "doesn't": "does not",
    "didn't": "did not",
    "won't": "will not",
    "can't": "can not",
    "cannot": "can not",
    "isn't": "is not",
    "aren't": "are not",
    "wasn't": "was not",
    "shouldn't": "should not",
    "wouldn't": "would not",
    "what's": "what is",
    "where's": "where is",
    "how's": "how is",
    "it's": "it is",
    "that's": "that is",
    "there's": "there is",
    "i'm": "i am",
    "i'd": "i would",
    "i've": "i have",
    "let's": "let us",
    "you're": "you are",
    "we're": "we are",
    "they're": "they are",
}

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
# Keep letters, digits, apostrophes inside words, decimal points, % and the degree sign.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[a-z0-9]+(?:'[a-z]+)*|%|°|,")


def words(text: str, keep_commas: bool = False) -> list[str]:
    """Lower-cased words of ``text``: contractions expanded, punctuation dropped.

    With ``keep_commas`` a comma is kept as a word of its own (it can separate commands).
    """
    text = text.lower().translate(_APOSTROPHES)
    out: list[str] = []
    for token in _TOKEN.findall(text):
        if token == ",":
            if keep_commas:
                out.append(token)
            continue
        expanded = _CONTRACTIONS.get(token)
        if expanded is not None:
            out.extend(expanded.split())
        elif "'" in token:
            # Possessives and other apostrophes: "joe's" and "joes" are the same name.
            out.append(token.replace("'", ""))
        elif "," in token:
            out.append(token.replace(",", "."))
        else:
            out.append(token)
    return out


def phrase(text: str) -> str:
    """``text`` normalized to space-separated words, the key used for name lookups."""
    return " ".join(words(text))


_TEMPLATE_PART = re.compile(r"\[([^\[\]]*)\]|\(([^()]*)\)")


def expand_template(name: str) -> list[str]:
    """Expand a name written in Home Assistant's template syntax into its variants.

    ``Trader Joe[']s`` gives ``Trader Joe's`` and ``Trader Joes``; ``(TV|telly)`` gives both.
    A name without template syntax is returned as is.
    """
    parts: list[list[str]] = []
    pos = 0
    for match in _TEMPLATE_PART.finditer(name):
        parts.append([name[pos : match.start()]])
        if match.group(1) is not None:
            parts.append([match.group(1), ""])
        else:
            parts.append(match.group(2).split("|"))
        pos = match.end()
    parts.append([name[pos:]])
    variants = ["".join(choice) for choice in product(*parts)]
    return [" ".join(v.split()) for v in variants if v.strip()]
