"""Near-duplicate articles: one story carried by several outlets, found with MinHash LSH (datasketch).

An article's body (its text: not its title, byline or source) is cut into word 5-grams. A MinHash
signature of them finds candidate copies through locality-sensitive hashing; the exact Jaccard
similarity of the 5-grams then decides: at THRESHOLD or above (calibrated on RealTime QA, see
docs/benchmarks.md), the article joins the story group of its most similar copy. Groups are never
merged, so one article cannot chain two different stories into one group.
"""

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

SHINGLE_WORDS = 5
NUM_PERM = 128
SEED = 1
SCHEME = "affine32"  # datasketch 2's permutation scheme, named so that stored signatures stay comparable
# Jaccard similarity of two bodies' word 5-grams from which they tell one story.
THRESHOLD = 0.7
# LSH looks for candidates from this similarity; the exact similarity decides.
CANDIDATE_THRESHOLD = 0.5
# Candidates whose exact similarity is computed, the most similar by signature first.
MAX_VERIFIED = 8
# A body with fewer 5-grams is too short to call anything a copy of it.
MIN_SHINGLES = 10
# Stored beside each signature: a row made another way is made again on the next ingest.
METHOD = f"minhash{NUM_PERM}-{SCHEME}-seed{SEED}-w{SHINGLE_WORDS}-j{THRESHOLD}"

_WORD = re.compile(r"\w+")


def shingles(text: str) -> set[str]:
    """The body's word 5-grams, case-folded, punctuation left out."""
    words = _WORD.findall(text.casefold())
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def minhash(found: set[str]) -> MinHash:
    signature = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    signature.update_batch([s.encode() for s in found])
    return signature


@dataclass
class Placement:
    """Where an article went: its group and its signature (empty when too short to compare)."""

    doc_id: str
    group_id: str
    signature: bytes


class StoryGrouper:
    """Puts articles into story groups one at a time, against every article placed before.

    `known` holds the placements already stored; `text_of` gives a placed article's text (None
    once it is gone), read only for the few candidates that LSH finds.
    """

    def __init__(self, known: Iterable[tuple[str, str, bytes]], text_of: Callable[[str], str | None], threshold: float = THRESHOLD):
        self.threshold = threshold
        self.text_of = text_of
        self.groups: dict[str, str] = {}
        self._signatures: dict[str, np.ndarray] = {}
        self._lsh = MinHashLSH(threshold=min(CANDIDATE_THRESHOLD, threshold), num_perm=NUM_PERM)
        for doc_id, group_id, signature in known:
            self.groups[doc_id] = group_id
            if signature:
                self._remember(doc_id, LeanMinHash(seed=SEED, hashvalues=np.frombuffer(signature, dtype=np.uint32), scheme=SCHEME))

    def _remember(self, doc_id: str, signature) -> None:
        self._lsh.insert(doc_id, signature)
        self._signatures[doc_id] = signature.hashvalues

    def forget(self, doc_id: str) -> None:
        """Take an article out (it changed, or is gone)."""
        self.groups.pop(doc_id, None)
        if self._signatures.pop(doc_id, None) is not None:
            self._lsh.remove(doc_id)

    def place(self, doc_id: str, text: str) -> Placement:
        self.forget(doc_id)
        found = shingles(text)
        if len(found) < MIN_SHINGLES:
            self.groups[doc_id] = new_group_id()
            return Placement(doc_id, self.groups[doc_id], b"")
        signature = minhash(found)
        copy = self._closest(signature, found)
        self.groups[doc_id] = self.groups[copy] if copy else new_group_id()
        self._remember(doc_id, signature)
        return Placement(doc_id, self.groups[doc_id], signature.hashvalues.astype(np.uint32).tobytes())

    def _closest(self, signature: MinHash, found: set[str]) -> str | None:
        """The placed article most similar to `found`, if any reaches the threshold."""
        estimated = {c: float(np.mean(self._signatures[c] == signature.hashvalues)) for c in self._lsh.query(signature)}
        best, best_similarity = None, self.threshold
        for candidate in sorted(estimated, key=lambda c: (-estimated[c], c))[:MAX_VERIFIED]:
            text = self.text_of(candidate)
            similarity = jaccard(found, shingles(text)) if text is not None else 0.0
            if similarity >= best_similarity and (best is None or similarity > best_similarity):
                best, best_similarity = candidate, similarity
        return best


def new_group_id() -> str:
    return uuid.uuid4().hex[:16]
