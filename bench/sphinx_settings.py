"""pocketsphinx's speed settings, on synthesized speech of a voice the audio model never heard.

pocketsphinx is most of a clean spoken turn's compute (`bench/audio.py`): this measures what
its search settings buy. The utterances are those ``fusion_weights.held_out`` picks (with
``--voice flite:rms``, every utterance of that voice in the demo home's words) that are
clean enough for the listener to run pocketsphinx on (level spread of at least
``listen.NOISY_SPREAD``). Each setting changes one thing from ``sphinx.DECODER_CONFIG``
(or several, joined with ``+``) in a decoder of its own, decodes every utterance, and the
table gives how often its top transcript, and some transcript of its 3-best, is exactly
what was said, and its milliseconds of compute per second of audio, single thread: which
frames are taken, the beams, the Gaussians scored a frame, the active HMMs and words a
frame, the phone look-ahead. The listener's own choices under a setting are
`bench/alignment.py`'s to measure, with ``DECODER_CONFIG`` changed.

    .venv/bin/python bench/sphinx_settings.py [--corpus cache/speech] [--voice V] [--limit N]

Needs the corpus (``python -m resolver synth-audio``), the audio model (for the demo home's
decoder words) and pocketsphinx.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Sequence
from typing import Any

from _common import markdown_table, progress
from fusion_weights import corpus_arguments, demo_listener, with_spread

from resolver.speech import listen, sphinx
from resolver.speech.listen import spoken_text

SETTINGS: list[dict[str, Any]] = [
    {},
    {"ds": 1},
    {"ds": 3},
    {"beam": 1e-44, "pbeam": 1e-44},
    {"beam": 1e-40, "pbeam": 1e-40, "wbeam": 1e-24},
    {"wbeam": 1e-24},
    {"topn": 2},
    {"maxhmmpf": 3000},
    {"maxwpf": 10},
    {"pl_window": 0},
    {"pl_window": 10},
]
"""Changes from the committed decoder settings; ``{}`` is the committed one."""


def main(argv: Sequence[str] | None = None) -> int:
    """Decode the clean held-out utterances under each setting and print the table."""
    args = corpus_arguments(__doc__.splitlines()[0], limit=200).parse_args(argv)
    ready = demo_listener(args)
    if ready is None:
        return 1
    resolver, listener, items = ready
    clips = list(itertools.islice(((samples, said)
                                   for samples, said, spread in with_spread(items)
                                   if spread >= listen.NOISY_SPREAD), args.limit or None))
    if not clips:
        print("error: no clean held-out utterances in the demo home's words", file=sys.stderr)
        return 1
    seconds = sum(samples.size for samples, _ in clips) / 16000
    rows = []
    for change in progress(SETTINGS, "settings"):
        recognizer = sphinx.SphinxRecognizer(resolver.home, phrases=listener.phrases,
                                             settings=change)
        recognizer.recognize(clips[0][0])  # warm up
        top = three = 0
        start = time.perf_counter()
        for samples, said in clips:
            texts = [spoken_text(h.text) for h in recognizer.recognize(samples)[:3]]
            top += bool(texts) and texts[0] == said
            three += said in texts
        ms = (time.perf_counter() - start) * 1000 / seconds
        label = " + ".join(f"{k} {v:g}" for k, v in change.items()) or "(committed)"
        rows.append([label, f"{100 * top / len(clips):.1f}",
                     f"{100 * three / len(clips):.1f}", f"{ms:.1f}"])
    where = f"voice {args.voice}" if args.voice else "the held-out split"
    print(f"{len(clips)} clean utterances ({seconds:.0f} s) of {args.corpus} ({where}) in the "
          f"demo home's words; committed settings {sphinx.DECODER_CONFIG}\n")
    print(markdown_table(["setting", "top exact %", "3-best has it %", "ms per s of audio"],
                         rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
