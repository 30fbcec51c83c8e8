"""Term weights: which of a question's words name its topic, and how rare each is in the store
(`Lexicon`, inverse document frequencies from the lexical index). Terms are the lexical index's own
(`index.lexical.terms.lexical_terms`)."""

import math
from functools import lru_cache

from index.docstore import DocStore
from index.lexical.terms import STOPWORDS, WORD, lexical_terms, stem


# Words that say how something is asked, not what about: "What did Iran say?" is about Iran.
# "won" and "don" are real words that NLTK lists only as pieces of "won't" and "don't".
_ASKING_WORDS = frozenset(
    "would could might must shall whose many much say says said saying tell tells told happen happens happened happening go goes going went mean means".split()
)
_REAL_WORDS = frozenset({"won", "don"})


def topic_terms(text: str) -> list[str]:
    """`lexical_terms` without the words that only frame a question or sentence (who, did, say, happen…)."""
    return stem([w for w in WORD.findall(text.lower()) if w not in framing_words()])


@lru_cache(maxsize=1)
def framing_words() -> frozenset[str]:
    return (english_stopwords() - _REAL_WORDS) | _ASKING_WORDS | STOPWORDS


class Lexicon:
    """Inverse document frequencies of terms among the store's chunks (its lexical index's counts)."""

    def __init__(self, docs: DocStore | None = None):
        self._docs = docs
        self._idf: dict[str, float] = {}
        self._n: int | None = None

    def idf(self, term: str) -> float:
        if term not in self._idf:
            if self._n is None:
                self._n = max(self._docs.chunk_count(), 1) if self._docs else 1
            df = self._docs.lexical.document_frequency(term) if self._docs else 0
            self._idf[term] = math.log(1 + (self._n - df + 0.5) / (df + 0.5))
        return self._idf[term]

    def overlap(self, question_terms: list[str], sentence: str, terms_of=lexical_terms) -> float:
        """Share of the question's idf mass whose terms the sentence contains (0..1), the sentence
        read into terms by `terms_of`."""
        return self.share(question_terms, set(terms_of(sentence)))

    def share(self, question_terms: list[str], present: set[str] | frozenset[str]) -> float:
        """Share of the question's idf mass among the terms `present` (0..1)."""
        wanted = set(question_terms)
        if not wanted:
            return 0.0
        total = sum(self.idf(t) for t in wanted)
        return sum(self.idf(t) for t in wanted & present) / total if total else 0.0


@lru_cache(maxsize=1)
def english_stopwords() -> frozenset[str]:
    """NLTK's English stop words (shipped with llama-index-core): a fuller list than BM25's; with typographic
    apostrophes too ("you’ll"), as news prints them."""
    from llama_index.core.utils import globals_helper

    words = frozenset(globals_helper.stopwords)
    return words | {word.replace("'", "’") for word in words}
