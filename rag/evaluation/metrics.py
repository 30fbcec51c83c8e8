"""Metric functions: plain functions over plain lists, so they are easy to test."""

import re
import unicodedata

import numpy as np

_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})


def recall_at(ranked: list[str], gold: set[str], k: int) -> float:
    return 1.0 if gold & set(ranked[:k]) else 0.0


def reciprocal_rank(ranked: list[str], gold: set[str], k: int = 10) -> float:
    for position, doc_id in enumerate(ranked[:k], start=1):
        if doc_id in gold:
            return 1.0 / position
    return 0.0


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    return re.sub(r"\s+", " ", text).strip(" \"'.")


def answer_share(sentences: list[str], answers: list[str]) -> float:
    """The share of cited sentences that hold an answer string by themselves (citation precision)."""
    return sum(contains_answer([s], answers) for s in sentences) / len(sentences) if sentences else 0.0


def contains_answer(sentences: list[str], answers: list[str]) -> bool:
    """Whether any answer string occurs in the cited sentences (quotes and case folded)."""
    haystack = normalise(" ".join(sentences))
    return any(normalise(a) and normalise(a) in haystack for a in answers)


def answer_pattern(answer: str) -> re.Pattern:
    """An answer string as whole words, to search `normalise`d text with."""
    return re.compile(rf"(?<!\w){re.escape(normalise(answer))}(?!\w|[.,]\d)")


def states_answer(text: str, answers: list[str]) -> bool:
    """Whether `text` holds an answer string as whole words ("10" not in "2010", "$5" not in "$5.02";
    quotes and case folded)."""
    haystack = normalise(text)
    return any(normalise(a) and answer_pattern(a).search(haystack) for a in answers)


def precision_recall_f1(predicted: list[bool], actual: list[bool]) -> tuple[float, float, float]:
    true_positive = sum(p and a for p, a in zip(predicted, actual))
    precision = true_positive / sum(predicted) if any(predicted) else 0.0
    recall = true_positive / sum(actual) if any(actual) else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), linearly interpolated; 0 for no values."""
    return float(np.percentile(values, q)) if values else 0.0


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0
