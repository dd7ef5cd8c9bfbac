"""Speech in: audio loading (WAV, bytes, arrays -> 16 kHz mono) and the pocketsphinx path."""

from .audio import SAMPLE_RATE, AudioError, AudioInput, load_audio
from .sphinx import Hypothesis, SphinxRecognizer

__all__ = ["SAMPLE_RATE", "AudioError", "AudioInput", "Hypothesis", "SphinxRecognizer",
           "load_audio"]
