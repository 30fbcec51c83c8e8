"""Sentence segmentation with character offsets into the stored article text.

Uses NLTK's Punkt model, whose data ships inside llama-index-core (no download).
Paragraphs (lines) are segmented separately, so a sentence never spans a line break.
Overlong runs without punctuation (navigation menus, lists) are cut into word windows
so that no "sentence" swamps a chunk.
"""

import re
from functools import lru_cache
from typing import NamedTuple

MAX_SENTENCE_WORDS = 80

_LINE = re.compile(r"[^\n]+")
_WORD = re.compile(r"\S+")


class Span(NamedTuple):
    start: int
    end: int


# Titles before a name that Punkt's English model does not know, so that "If Gov. Andy Beshear signs" is one
# sentence, not "If Gov." and "Andy Beshear signs ..." (79 such breaks after "Gov." alone in the RealTime QA archive).
# Only titles: an abbreviation that can end a sentence ("Inc.", "sec.") would join two sentences.
TITLES = frozenset("gov govs sens gens sgt sgts capt cmdr cdr atty supt det insp cpl pvt brig msgr rev lts".split())


@lru_cache(maxsize=1)
def _punkt():
    from llama_index.core.utils import globals_helper

    globals_helper.stopwords  # noqa: B018  points NLTK at llama-index's bundled data
    from nltk.tokenize import PunktTokenizer

    tokenizer = PunktTokenizer("english")
    tokenizer._params.abbrev_types.update(TITLES)  # Punkt keeps its learned abbreviations there, with no setter
    return tokenizer


def load_segmenter() -> None:
    """Load Punkt's model now rather than at the first article."""
    _punkt()


def split_sentences(text: str) -> list[Span]:
    tokenizer = _punkt()
    spans: list[Span] = []
    for line in _LINE.finditer(text):
        for start, end in tokenizer.span_tokenize(line.group()):
            spans.extend(_cap_length(text, line.start() + start, line.start() + end))
    return spans


def _cap_length(text: str, start: int, end: int) -> list[Span]:
    sentence = text[start:end]
    if len(sentence.split()) <= MAX_SENTENCE_WORDS:  # most: from its first word to its last (split and \S agree on spaces)
        stripped = sentence.lstrip()
        return [Span(start + len(sentence) - len(stripped), start + len(sentence.rstrip()))] if stripped else []
    words = list(_WORD.finditer(text, start, end))
    step = MAX_SENTENCE_WORDS // 2
    return [Span(words[i].start(), words[min(i + step, len(words)) - 1].end()) for i in range(0, len(words), step)]
