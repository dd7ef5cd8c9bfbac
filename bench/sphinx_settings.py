"""pocketsphinx's speed settings, on synthesized speech of a voice the audio model never heard.

pocketsphinx is most of a clean spoken turn's compute (`bench/audio.py`): this measures what
its search settings buy. The utterances are those ``fusion_weights.held_out`` picks (with
``--voice flite:rms``, every utterance of that voice in the demo home's words) that are
clean enough for the listener to run pocketsphinx on (level spread of at least
``listen.NOISY_SPREAD``). Each setting changes one thing from ``sphinx.DECODER_CONFIG``
(or several, joined with ``+``), decodes every utterance, and the table gives how often its
top transcript, and some transcript of its 3-best, is exactly what was said, and its
milliseconds of compute per second of audio, single thread.

    .venv/bin/python bench/sphinx_settings.py [--corpus cache/speech] [--voice V] [--limit N]

Needs the corpus (``python -m resolver synth-audio``), the audio model (for the demo home's
decoder words) and pocketsphinx.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import Any

from _common import ROOT, markdown_table, progress
from fusion_weights import corpus_arguments, has_manifest, held_out

from resolver import Resolver
from resolver.neural.audio_model import AudioConfig
from resolver.neural.synth import read_wav
from resolver.speech import listen, sphinx
from resolver.speech.audio import level_spread, load_audio
from resolver.speech.listen import spoken_text

SETTINGS: list[dict[str, Any]] = [
    {},
    {"ds": 2},
    {"topn": 2},
    {"maxhmmpf": 3000},
    {"beam": 1e-30, "wbeam": 1e-20},
    {"pl_window": 10},
    {"ds": 2, "topn": 2},
]
"""Changes from the committed decoder settings; ``{}`` is the committed one."""


def main(argv: Sequence[str] | None = None) -> int:
    """Decode the clean held-out utterances under each setting and print the table."""
    args = corpus_arguments(__doc__.splitlines()[0], limit=120).parse_args(argv)
    if not has_manifest(args.corpus):
        return 1
    resolver = Resolver.from_files(ROOT / "demo" / "home.yaml")
    listener = resolver.listener()
    if listener is None or listener.model is None or listener.decoder is None:
        print("error: needs the audio model", file=sys.stderr)
        return 1
    if listener.sphinx is None:
        print("error: needs pocketsphinx", file=sys.stderr)
        return 1
    items = held_out(args.corpus, set(listener.decoder.model.vocabulary),
                     AudioConfig.from_dict(listener.model.card["config"]), args.voice)
    clips = []
    for wav, said in items:
        samples = load_audio(read_wav(wav)[0])
        if level_spread(samples) >= listen.NOISY_SPREAD:
            clips.append((samples, said))
        if args.limit and len(clips) >= args.limit:
            break
    if not clips:
        print("error: no clean held-out utterances in the demo home's words", file=sys.stderr)
        return 1
    seconds = sum(samples.size for samples, _ in clips) / 16000
    committed = dict(sphinx.DECODER_CONFIG)
    rows = []
    try:
        for change in progress(SETTINGS, "settings"):
            sphinx.DECODER_CONFIG = {**committed, **change}
            sphinx._ENGINE = None  # a new decoder with these settings
            recognizer = sphinx.SphinxRecognizer(resolver.home)
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
    finally:
        sphinx.DECODER_CONFIG = committed
        sphinx._ENGINE = None
    where = f"voice {args.voice}" if args.voice else "the held-out split"
    print(f"{len(clips)} clean utterances ({seconds:.0f} s) of {args.corpus} ({where}) in the "
          f"demo home's words; committed settings {committed}\n")
    print(markdown_table(["setting", "top exact %", "3-best has it %", "ms per s of audio"],
                         rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
