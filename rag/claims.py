"""Check every claim of a generated answer against the evidence sentences it cites.

An answer is split into claims (its sentences). Each claim is attributed to evidence
sentences after generation, whether or not the model wrote `[n]` markers: a marker the
model wrote is kept only when its sentence passes the same check as any other.

A claim is supported when
- some evidence sentence is similar enough to it: `support = dense_share * cosine +
  (1 - dense_share) * coverage` of at least `support` (`ClaimThresholds`), where coverage is the share
  of the claim's content words (stemmed) found in the sentence;
- every number in it appears in one of its cited sentences; and
- every name in it (a capitalised word past the first) appears in its cited sentences,
  their articles' titles or the question; and
- it has at least `MIN_CLAIM_TERMS` content words ("Yes." or "HACKED" assert nothing checkable).
A claim about the prompt rather than the news ("The sentence is from an article titled …")
is not checkable either. A sentence that addresses instructions to an AI ("ignore previous instructions…") is shown to
the model as quoted data but supports no claim.
The thresholds are calibrated by `bench/calibrate_claims.py` (see docs/benchmarks.md).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from index.sentences import split_sentences
from rag.answer_kinds import names
from rag.answerers import citation
from rag.english import CARDINALS, OPENERS
from rag.evidence import Evidence
from index.lexical.terms import lexical_terms
from rag.term_weights import english_stopwords
from rag.schema import Citation, Claim


@dataclass(frozen=True)
class ClaimThresholds:
    """The check's calibrated numbers (bench/calibrate_claims.py, on its tune half of claim/evidence pairs)."""

    dense_share: float = 0.3
    support: float = 0.5
    # A second sentence joins a claim's citations when it supplies a number or name the first lacks
    # and is itself at least this similar to the claim.
    second_source: float = 0.45


MAX_SOURCES_PER_CLAIM = 2
MAX_CLAIMS = 6
MIN_CLAIM_TERMS = 2
_ABOUT_THE_PROMPT = re.compile(
    r"\b(?:the|this|these|that|given|numbered|above|following)\s+(?:sentences?|prompt|list)\b|\bsentences? \(?\[?\d",
    re.IGNORECASE,
)
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.]{0,40}\b(?:instructions?|prompts?|rules|guidelines)\b"
    r"|\bsystem prompt\b|\byou are now\b|\bas an ai\b",
    re.IGNORECASE,
)

MARKERS = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
_LEADING_MARKERS = re.compile(r"^(?:\s*\[\d+(?:\s*,\s*\d+)*\])+")
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_NUMBER_WORDS = CARDINALS - {"one"}  # "one of them" counts nothing
_WORDS = re.compile(r"[\w’'-]+")
_DOTTED = re.compile(r"[\w’'.-]*\w")  # "BA.4" as one word, as `names` reads it

Embed = Callable[[list[str]], np.ndarray]


@dataclass
class DraftClaim:
    text: str
    marked: list[int]  # evidence numbers (1-based) the model wrote after it


@dataclass
class CheckedClaim:
    text: str
    sources: list[int]  # evidence indexes (0-based) that support it
    supported: bool
    reason: str


@dataclass
class CheckedAnswer:
    answer: str
    claims: list[Claim]
    citations: list[Citation]
    warnings: list[str] = field(default_factory=list)


def split_claims(text: str) -> list[DraftClaim]:
    """The sentences of `text`, each with the `[n]` markers written after it (before the next)."""
    claims: list[DraftClaim] = []
    for span in split_sentences(text):
        piece = text[span.start : span.end]
        leading = _LEADING_MARKERS.match(piece)
        if leading and claims:
            claims[-1].marked.extend(_numbers(leading.group(0)))
            piece = piece[leading.end() :]
        marked = _numbers(piece)
        plain = " ".join(MARKERS.sub("", piece).split())
        plain = re.sub(r"\s+([.,;:!?])", r"\1", plain)
        if re.search(r"\w", plain):
            claims.append(DraftClaim(plain, marked))
        elif claims:
            claims[-1].marked.extend(marked)
    return claims


def _numbers(text: str) -> list[int]:
    return [int(n) for group in MARKERS.findall(text) for n in group.split(",")]


def numbers_in(text: str) -> set[str]:
    found = {n.rstrip(".,").replace(",", "") for n in _NUMBER.findall(text)}
    words = {w for w in _WORDS.findall(text.lower()) if w in _NUMBER_WORDS}
    return found | words


class ClaimChecker:
    def __init__(self, embed: Embed, max_citations: int, thresholds: ClaimThresholds = ClaimThresholds()):
        self.embed = embed
        self.max_citations = max_citations
        self.thresholds = thresholds

    def session(self, evidence: list[Evidence], question: str) -> "ClaimSession":
        return ClaimSession(self, evidence, question)


class ClaimSession:
    """Claims checked one at a time, as a streamed answer completes them."""

    def __init__(self, checker: ClaimChecker, evidence: list[Evidence], question: str):
        self.checker = checker
        self.evidence = evidence
        self.asked = {w.lower() for w in _WORDS.findall(question)}
        self.sentence_vectors = checker.embed([e.sentence for e in evidence]) if evidence else np.zeros((0, 1))
        # An instruction planted in an article may be quoted to the model but never backs a claim.
        self.usable = np.array([not _INSTRUCTION.search(e.sentence) for e in evidence], dtype=bool)
        self.sentence_terms = [set(lexical_terms(e.sentence)) if usable else set() for e, usable in zip(evidence, self.usable)]
        self.checked: list[CheckedClaim] = []
        self.numbers: dict[int, int] = {}  # evidence index -> citation number, in order of first use

    def add(self, draft: DraftClaim) -> CheckedClaim:
        if not self.evidence:
            result = CheckedClaim(draft.text, [], False, "there is no evidence to check it against")
        else:
            vector = self.checker.embed([draft.text])[0]
            result = self._check_one(draft, vector)
            cited = set(self.numbers) | set(result.sources)
            if result.supported and len(cited) > self.checker.max_citations:
                result = CheckedClaim(draft.text, [], False, f"citing it would pass the limit of {self.checker.max_citations} sources")
        for source in result.sources:
            self.numbers.setdefault(source, len(self.numbers) + 1)
        self.checked.append(result)
        return result

    def rendered(self, claim: CheckedClaim) -> str:
        """The claim as it appears in the answer: its text and its renumbered markers."""
        return with_markers(claim.text, [self.numbers[s] for s in claim.sources])

    def _check_one(self, draft: DraftClaim, vector: np.ndarray) -> CheckedClaim:
        evidence, asked, limits = self.evidence, self.asked, self.checker.thresholds
        terms = set(lexical_terms(draft.text))
        if len(terms) < MIN_CLAIM_TERMS:
            return CheckedClaim(draft.text, [], False, "it is too short to be checked against the articles")
        if _ABOUT_THE_PROMPT.search(draft.text):
            return CheckedClaim(draft.text, [], False, "it speaks of the sentences it was given, not of the news")
        cosine = np.where(self.usable, self.sentence_vectors @ vector, 0.0)
        coverage = np.array([len(terms & s) / len(terms) if terms else 0.0 for s in self.sentence_terms])
        support = limits.dense_share * cosine + (1 - limits.dense_share) * coverage
        valid_marks = [m - 1 for m in dict.fromkeys(draft.marked) if 1 <= m <= len(evidence)]
        passing_marks = [i for i in valid_marks if support[i] >= limits.support]
        order = [int(i) for i in np.argsort(-support)]
        if passing_marks:
            sources = passing_marks[:MAX_SOURCES_PER_CLAIM]
        elif support[order[0]] >= limits.support:
            sources = [order[0]]
        else:
            wrote = f" (it cited [{', '.join(str(m + 1) for m in valid_marks)}])" if valid_marks else ""
            return CheckedClaim(draft.text, [], False, f"no evidence sentence is similar enough to it (best {support[order[0]]:.2f} < {limits.support}){wrote}")
        missing = self._missing_facts(draft.text, sources, evidence, asked)
        if missing:
            # One more sentence may supply what the first lacks ("Russia and Iran" from two sentences).
            for i in order:
                if len(sources) >= MAX_SOURCES_PER_CLAIM or support[i] < limits.second_source:
                    break
                if i not in sources and len(self._missing_facts(draft.text, sources + [i], evidence, asked)) < len(missing):
                    sources = sources + [i]
                    missing = self._missing_facts(draft.text, sources, evidence, asked)
                    break
        if missing:
            return CheckedClaim(draft.text, [], False, f"{', '.join(missing)} appears in none of its cited sentences")
        best = max(float(support[i]) for i in sources)
        return CheckedClaim(draft.text, sources, True, f"similar to its cited sentence ({best:.2f})")

    @staticmethod
    def _missing_facts(text: str, sources: list[int], evidence: list[Evidence], asked: set[str]) -> list[str]:
        cited = " ".join(evidence[i].sentence for i in sources)
        cited_numbers = numbers_in(cited)
        missing = [f"the number {n}" for n in sorted(numbers_in(text) - cited_numbers)]
        said = cited + " " + " ".join(evidence[i].title for i in sources)
        known = {w.lower() for w in _WORDS.findall(said) + _DOTTED.findall(said)} | asked
        first_word = (_WORDS.findall(text)[:1] or [""])[0].strip("’'")
        for name in dict.fromkeys(names(text)):
            if name == first_word.lower() and _ordinary_word(name, evidence):
                continue  # a capital that only opens the sentence: "According to …", "Officials said …"
            if name in known or name.rstrip("s") in known:
                continue
            if any(w.startswith(name) or name.startswith(w) for w in known if len(w) > 3 and len(name) > 3):
                continue  # "Iranian" and "Iran"
            missing.append(f'the name "{name}"')
        return missing


def _ordinary_word(word: str, evidence: list[Evidence]) -> bool:
    """A word written in lower case somewhere in the evidence, a stop word or a usual opener, not a name."""
    if word in english_stopwords() or word in OPENERS:
        return True
    return any(re.search(rf"(?<![\w’'.-]){re.escape(word)}\b", e.sentence) for e in evidence)


def with_markers(text: str, marks: list[int]) -> str:
    return text + "".join(f" [{m}]" for m in marks)


def assemble(checked: list[CheckedClaim], evidence: list[Evidence], drop_unsupported: bool = False) -> CheckedAnswer:
    """The answer text with `[n]` markers renumbered over the citations that support a claim."""
    numbers: dict[int, int] = {}
    pieces: list[str] = []
    claims: list[Claim] = []
    warnings: list[str] = []
    offset = 0
    for n, claim in enumerate(checked, start=1):
        if not claim.supported:
            warnings.append(f'Claim {n} is not supported by the articles: "{claim.text}" ({claim.reason}).')
            if drop_unsupported:
                continue
        for source in claim.sources:
            numbers.setdefault(source, len(numbers) + 1)
        marks = [numbers[s] for s in claim.sources]
        piece = with_markers(claim.text, marks)
        start = offset + (1 if pieces else 0)
        claims.append(Claim(text=claim.text, start=start, end=start + len(claim.text), citations=marks, supported=claim.supported, reason=claim.reason))
        pieces.append(piece)
        offset = start + len(piece)
    if drop_unsupported and len(claims) < len(checked):
        warnings.append("Unsupported claims were removed from the answer (BYLINE_DROP_UNSUPPORTED).")
    citations = [citation(number, evidence[source]) for source, number in numbers.items()]
    return CheckedAnswer(answer=" ".join(pieces), claims=claims, citations=citations, warnings=warnings)
