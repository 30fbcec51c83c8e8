"""Spot sources that tell the same story with different facts.

Two sentences from different articles that share most of their words but differ in
names or numbers ("Simona Halep won…" / "Angelique Kerber won…") likely disagree.
The extractive answerer cites both and says so rather than silently picking one.
"""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from rag.evidence import Evidence

_TOKEN = re.compile(r"[\w’'.-]*\w", re.U)
MIN_SHARED = 0.5  # word overlap (Jaccard) for two sentences to tell "the same story"
SCORE_RATIO = 0.75  # a conflicting sentence must score at least this share of the best


@dataclass
class Conflict:
    first: Evidence
    second: Evidence
    first_says: str
    second_says: str


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _salient(phrase: list[str]) -> bool:
    return any(t[:1].isupper() or any(c.isdigit() for c in t) for t in phrase)


def _abbreviates(a: str, b: str) -> bool:
    """ "Oct" and "October" say the same thing."""
    a, b = a.lower().rstrip("."), b.lower().rstrip(".")
    return a.startswith(b) or b.startswith(a)


def compare(a: Evidence, b: Evidence, question: str) -> Conflict | None:
    ta, tb = _tokens(a.sentence), _tokens(b.sentence)
    la, lb = {t.lower() for t in ta}, {t.lower() for t in tb}
    if not la or not lb or len(la & lb) / len(la | lb) < MIN_SHARED:
        return None
    asked = {t.lower() for t in _tokens(question)}
    matcher = SequenceMatcher(a=[t.lower() for t in ta], b=[t.lower() for t in tb], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        left, right = ta[i1:i2], tb[j1:j2]
        said, other = " ".join(left), " ".join(right)
        if op == "replace" and _salient(left) and _salient(right) and not {t.lower() for t in left + right} <= asked and not _abbreviates(said, other):
            return Conflict(a, b, said, other)
    return None


def find_conflict(best: Evidence, candidates: list[Evidence], question: str) -> Conflict | None:
    for candidate in candidates:
        if candidate.score < best.score * SCORE_RATIO:
            break
        if candidate.doc_id != best.doc_id:
            conflict = compare(best, candidate, question)
            if conflict:
                return conflict
    return None
