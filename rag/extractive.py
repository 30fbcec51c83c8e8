"""The default answerer: quote the best evidence sentences, or abstain when evidence is weak or cannot answer."""

import re
from collections.abc import Iterator

from rag.answering import NOT_FOUND, abstain, citation
from rag.conflicts import find_conflict
from rag.evidence import Evidence
from rag.models import AskResult, Claim, Turn
from rag.support import offering, unsupported

__all__ = ["NOT_FOUND", "ExtractiveAnswerer", "make_answerer"]

# A further sentence joins the answer when it scores within this share of the best one.
COMPANION_RATIO = 0.8
# An extractive answer streams one cited sentence at a time: "text [n]" pieces.
_CITED_PIECE = re.compile(r"\s*.+?(?:\[\d+\]|$)", re.S)


def make_answerer(settings, embed=None) -> "ExtractiveAnswerer":
    return ExtractiveAnswerer(settings.abstain_threshold, settings.max_citations)


class ExtractiveAnswerer:
    def __init__(self, threshold: float, max_citations: int, companion_ratio: float = COMPANION_RATIO):
        self.threshold = threshold
        self.max_citations = max_citations
        self.companion_ratio = companion_ratio

    def stream(self, question: str, evidence: list[Evidence], history: list[Turn] | None = None) -> Iterator[str | AskResult]:
        result = self.answer(question, evidence)
        if not result.abstained:
            yield from _CITED_PIECE.findall(result.answer)
        yield result

    def answer(self, question: str, evidence: list[Evidence]) -> AskResult:
        if not evidence or evidence[0].score < self.threshold:
            return abstain(question)
        reason = unsupported(question, evidence)
        if reason:
            return abstain(question, [reason])
        best = evidence[0]
        conflict = find_conflict(best, evidence[1:], question)
        chosen = [best, conflict.second] if conflict else [best]
        for candidate in evidence[1:]:
            if len(chosen) >= self.max_citations or candidate.score < best.score * self.companion_ratio:
                break
            if candidate.sentence not in {c.sentence for c in chosen}:
                chosen.append(candidate)
        answering = offering(question, evidence)
        if not conflict and answering and answering.sentence not in {c.sentence for c in chosen}:
            # The chosen sentences lack the number, date or name asked for: the best one that has it joins them.
            chosen = chosen[: self.max_citations - 1] + [answering]
        citations = [citation(n, e) for n, e in enumerate(chosen, start=1)]
        claims, pieces, offset = [], [], 0
        for c in citations:
            start = offset + (1 if pieces else 0)
            claims.append(Claim(text=c.sentence, start=start, end=start + len(c.sentence), citations=[c.n], supported=True, reason=f"quoted verbatim from [{c.n}]"))
            pieces.append(f"{c.sentence} [{c.n}]")
            offset = start + len(pieces[-1])
        answer = " ".join(pieces)
        warnings = []
        if conflict:
            warnings.append(
                f'The sources disagree: [1] says "{conflict.first_says}" where [2] says "{conflict.second_says}".'
            )
            answer = f"{answer}\nNote: the sources disagree; compare [1] and [2]."
        return AskResult(question=question, answer=answer, abstained=False, citations=citations, warnings=warnings, claims=claims)
