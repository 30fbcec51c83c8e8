"""Wire copies: one story carried by several outlets (or at several addresses), found with MinHash LSH
(datasketch) and kept as copy groups (the docstore's `copy_groups` table); rag/copies.py folds them.

An article's body (its text: not its title, byline or source) is cut into word 5-grams. A MinHash
signature of them finds candidate copies through locality-sensitive hashing; the exact Jaccard
similarity of the 5-grams then decides: at THRESHOLD or above (calibrated on RealTime QA, see
docs/benchmarks.md), the article joins the copy group of its most similar copy. Groups are never
merged, so one article cannot chain two different stories into one group.
"""

from __future__ import annotations

import re
import uuid
from functools import lru_cache
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # datasketch is imported where it is used: `byline ask` and `serve` import this module without grouping
    from datasketch import MinHash

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
# Odd 64-bit multipliers that hash a band's values into one number (index/copies.py's CopyGrouper).
_BAND_MIX = np.random.default_rng(SEED).integers(1, 2**63, NUM_PERM, dtype=np.uint64) | np.uint64(1)


def shingles(text: str) -> set[str]:
    """The body's word 5-grams, case-folded, punctuation left out."""
    words = _WORD.findall(text.casefold())
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def minhash(found: set[str]) -> MinHash:
    from datasketch import MinHash

    signature = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, permutations=_permutations())
    signature.update_batch([s.encode() for s in found])
    return signature


@lru_cache(maxsize=1)
def _permutations():
    """MinHash's permutations for NUM_PERM and SEED: drawn once, not for every article."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def signature_of(text: str) -> bytes:
    """The MinHash signature of a body's 5-grams as stored (NUM_PERM uint32 values); empty when it has
    fewer than MIN_SHINGLES."""
    found = shingles(text)
    return minhash(found).hashvalues.astype(np.uint32).tobytes() if len(found) >= MIN_SHINGLES else b""


@dataclass
class Placement:
    """Where an article went: its group and its signature (empty when too short to compare)."""

    doc_id: str
    group_id: str
    signature: bytes


class CopyGrouper:
    """Puts articles into copy groups one at a time, against every article placed before.

    `known` holds the placements already stored; `text_of` gives a placed article's text (None
    once it is gone), read only for the few candidates that LSH finds. The placed signatures are
    rows of one matrix, and a candidate is an article whose signature equals the new one on every
    row of at least one of MinHashLSH's bands: the candidates datasketch's MinHashLSH finds, without
    building its hash tables (at 116,000 articles that took 30-70 s on every ingest).
    """

    def __init__(self, known: Iterable[tuple[str, str, bytes]], text_of: Callable[[str], str | None], threshold: float = THRESHOLD):
        self.threshold = threshold
        self.text_of = text_of
        self.groups: dict[str, str] = {}
        from datasketch import MinHashLSH

        lsh = MinHashLSH(threshold=min(CANDIDATE_THRESHOLD, threshold), num_perm=NUM_PERM)
        self._band_rows = lsh.hashranges[-1][1]  # bands of lsh.r rows; the last few rows are in none
        self._band_shape = (lsh.b, lsh.r)
        self._ids: list[str | None] = []  # the doc_id of each row; None once forgotten
        self._rows: dict[str, int] = {}
        signatures = []
        for doc_id, group_id, signature in known:
            self.groups[doc_id] = group_id
            if signature:
                self._rows[doc_id] = len(self._ids)
                self._ids.append(doc_id)
                signatures.append(signature)
        placed = np.frombuffer(b"".join(signatures), dtype=np.uint32).reshape(-1, NUM_PERM)
        self._matrix = np.empty((len(placed) + 1024, NUM_PERM), dtype=np.uint32)  # room for an ingest's articles
        self._matrix[: len(placed)] = placed
        self._keys = np.empty((len(self._matrix), lsh.b), dtype=np.uint64)  # one hash of each band, to find them fast
        self._keys[: len(placed)] = self._band_keys(placed)

    def _band_keys(self, signatures: np.ndarray) -> np.ndarray:
        bands = signatures[:, : self._band_rows].reshape(len(signatures), *self._band_shape)
        keys = np.zeros(bands.shape[:2], dtype=np.uint64)
        for row in range(self._band_shape[1]):
            keys += bands[:, :, row] * _BAND_MIX[row]  # wraps around: a hash
        return keys

    def _remember(self, doc_id: str, hashvalues: np.ndarray) -> None:
        if len(self._ids) == len(self._matrix):  # full: double it
            self._matrix = np.concatenate([self._matrix, np.empty_like(self._matrix)])
            self._keys = np.concatenate([self._keys, np.empty_like(self._keys)])
        self._matrix[len(self._ids)] = hashvalues
        self._keys[len(self._ids)] = self._band_keys(hashvalues[None])[0]
        self._rows[doc_id] = len(self._ids)
        self._ids.append(doc_id)

    def forget(self, doc_id: str) -> None:
        """Take an article out (it changed, or is gone)."""
        self.groups.pop(doc_id, None)
        row = self._rows.pop(doc_id, None)
        if row is not None:
            self._ids[row] = None

    def place(self, doc_id: str, text: str, signed: bytes | None = None) -> Placement:
        """Place an article; `signed` is `signature_of(text)` when it was worked out already."""
        self.forget(doc_id)
        signed = signature_of(text) if signed is None else signed
        if not signed:
            self.groups[doc_id] = new_group_id()
            return Placement(doc_id, self.groups[doc_id], b"")
        hashvalues = np.frombuffer(signed, dtype=np.uint32)
        copy = self._closest(hashvalues, text)
        self.groups[doc_id] = self.groups[copy] if copy else new_group_id()
        self._remember(doc_id, hashvalues)
        return Placement(doc_id, self.groups[doc_id], hashvalues.tobytes())

    def candidates(self, hashvalues: np.ndarray) -> dict[str, float]:
        """The placed articles equal to this signature on every row of a band, each with its estimated similarity."""
        size = len(self._ids)
        hits = np.flatnonzero((self._keys[:size] == self._band_keys(hashvalues[None])[0]).any(axis=1))
        bands = hashvalues[: self._band_rows].reshape(self._band_shape)
        found = {}
        for row in hits:
            signature = self._matrix[row]
            # A band's hash may collide: its rows decide.
            if self._ids[row] is not None and (signature[: self._band_rows].reshape(self._band_shape) == bands).all(axis=1).any():
                found[self._ids[row]] = float(np.mean(signature == hashvalues))
        return found

    def _closest(self, hashvalues: np.ndarray, text: str) -> str | None:
        """The placed article most similar to `text`, if any reaches the threshold."""
        estimated = self.candidates(hashvalues)
        best, best_similarity = None, self.threshold
        found = shingles(text) if estimated else set()
        for candidate in sorted(estimated, key=lambda c: (-estimated[c], c))[:MAX_VERIFIED]:
            other = self.text_of(candidate)
            similarity = jaccard(found, shingles(other)) if other is not None else 0.0
            if similarity >= best_similarity and (best is None or similarity > best_similarity):
                best, best_similarity = candidate, similarity
        return best


def new_group_id() -> str:
    return uuid.uuid4().hex[:16]
