"""The words the lexical index holds: lower-cased, stop words left out, stemmed (Snowball English).

bm25s's tokenisation: its word pattern, its English stop words and PyStemmer's English stemmer.
"""

import re
import threading

WORD = re.compile(r"(?u)\b\w\w+\b")
# bm25s's English stop words (bm25s.stopwords.STOPWORDS_EN).
STOPWORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with".split()
)


_local = threading.local()  # a PyStemmer stemmer must not be shared between threads


def stem(words: list[str]) -> list[str]:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import Stemmer

        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer.stemWords(words)


def lexical_terms(text: str) -> list[str]:
    """The terms of `text` as the lexical index sees them."""
    return stem([word for word in WORD.findall(text.lower()) if word not in STOPWORDS])
