"""Word-level evidence: the question's content words, weighted by their rarity in the store."""

import math
import re
from functools import lru_cache

_WORD = re.compile(r"(?u)\b\w\w+\b")


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


def content_terms(text: str) -> list[str]:
    """Lower-cased, stemmed words without stop words, as the BM25 index sees them."""
    words = [w for w in _WORD.findall(text.lower()) if w not in _stopwords()]
    return _stemmer().stemWords(words)


# Words that say how something is asked, not what about: "What did Iran say?" is about Iran.
# "won" and "don" are real words that NLTK lists only as pieces of "won't" and "don't".
_ASKING_WORDS = frozenset(
    "would could might must shall whose many much say says said saying tell tells told"
    " happen happens happened happening go goes going went mean means".split()
)
_REAL_WORDS = frozenset({"won", "don"})


def topic_terms(text: str) -> list[str]:
    """`content_terms` without the words that only frame a question or sentence (who, did, say, happen…)."""
    return _stemmer().stemWords([w for w in _WORD.findall(text.lower()) if w not in _framing_words()])


@lru_cache(maxsize=1)
def _framing_words() -> frozenset[str]:
    return (english_stopwords() - _REAL_WORDS) | _ASKING_WORDS | _stopwords()


class Lexicon:
    """Inverse document frequencies taken from the store's BM25 index."""

    def __init__(self, bm25=None):
        self._vocab = {}
        self._df = None
        self._n = 1
        if bm25 is not None:
            self._vocab = bm25.vocab_dict
            indptr = bm25.scores["indptr"]
            self._df = indptr[1:] - indptr[:-1]
            self._n = max(int(bm25.scores.get("num_docs", 1)), 1)

    def idf(self, term: str) -> float:
        df = 0
        token = self._vocab.get(term)
        if token is not None and self._df is not None and token < len(self._df):
            df = int(self._df[token])
        return math.log(1 + (self._n - df + 0.5) / (df + 0.5))

    def overlap(self, question_terms: list[str], sentence: str) -> float:
        """Share of the question's idf mass whose terms the sentence contains (0..1)."""
        wanted = set(question_terms)
        if not wanted:
            return 0.0
        present = set(content_terms(sentence))
        total = sum(self.idf(t) for t in wanted)
        return sum(self.idf(t) for t in wanted & present) / total if total else 0.0


@lru_cache(maxsize=1)
def english_stopwords() -> frozenset[str]:
    """NLTK's English stop words (shipped with llama-index-core): a fuller list than BM25's."""
    from llama_index.core.utils import globals_helper

    return frozenset(globals_helper.stopwords)
