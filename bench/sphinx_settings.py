"""pocketsphinx's search settings, on synthesized speech of a voice the audio model never heard.

The utterances (``fusion_weights.held_out`` picks them: with ``--voice flite:rms`` every
utterance of that voice in the demo home's words) are those the listener would give
pocketsphinx: not noisy (level spread at least ``listen.NOISY_SPREAD``). Each setting gets a
decoder of its own; the table gives how often pocketsphinx's best transcript is exactly what
was said and its time a second of audio. One setting changes at a time from
``DECODER_CONFIG`` in ``resolver/speech/sphinx.py``: which frames are taken, the beams, the
Gaussians scored a frame, the active HMMs and words a frame, the phone look-ahead.

    .venv/bin/python bench/sphinx_settings.py [--corpus cache/speech] [--voice V] [--limit N]

Needs the corpus (``python -m resolver synth-audio``) and pocketsphinx. The listener's own
choices under a setting are `bench/alignment.py`'s to measure, with ``DECODER_CONFIG``
changed.
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
from resolver.speech import listen
from resolver.speech.audio import level_spread, load_audio
from resolver.speech.listen import spoken_text
from resolver.speech.sphinx import DECODER_CONFIG, SphinxRecognizer

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


def main(argv: Sequence[str] | None = None) -> int:
    """Decode the clean enough utterances under each setting and print the table."""
    args = corpus_arguments(__doc__.splitlines()[0], limit=200).parse_args(argv)
    if not has_manifest(args.corpus):
        return 1
    resolver = Resolver.from_files(ROOT / "demo" / "home.yaml")
    listener = resolver.listener()
    if listener is None or listener.model is None or listener.decoder is None \
            or listener.sphinx is None:
        print("error: needs the audio model and pocketsphinx", file=sys.stderr)
        return 1
    items = held_out(args.corpus, set(listener.decoder.model.vocabulary),
                     AudioConfig.from_dict(listener.model.card["config"]), args.voice)
    clear = []
    for wav, said in items:
        samples = load_audio(read_wav(wav)[0])
        if level_spread(samples) >= listen.NOISY_SPREAD:
            clear.append((samples, said))
        if args.limit and len(clear) >= args.limit:
            break
    seconds = sum(samples.size for samples, _ in clear) / 16000
    rows = []
    for change in progress(SETTINGS, "settings"):
        sphinx = SphinxRecognizer(resolver.home, nbest=1, phrases=listener.phrases,
                                  settings=change)
        exact, spent = 0, 0.0
        for samples, said in clear:
            start = time.perf_counter()
            heard = sphinx.recognize(samples)
            spent += time.perf_counter() - start
            exact += bool(heard) and spoken_text(heard[0].text) == said
        label = ", ".join(f"{k} {v:g}" for k, v in change.items()) or "(committed)"
        rows.append([label, f"{100 * exact / max(len(clear), 1):.1f}",
                     f"{1000 * spent / max(seconds, 1e-9):.1f}"])
    where = f"voice {args.voice}" if args.voice else "the held-out split"
    committed = ", ".join(f"{k} {v}" for k, v in DECODER_CONFIG.items() if k != "loglevel")
    print(f"{len(clear)} utterances of {args.corpus} ({where}) in the demo home's words, level "
          f"spread at least {listen.NOISY_SPREAD:g}, {seconds:.0f} s of audio; committed: "
          f"{committed}\n")
    print(markdown_table(["setting", "best exact %", "ms a second of audio"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
