"""The default answerer: quote the best evidence sentences, or abstain when evidence is weak or cannot answer."""

from rag.conflicts import find_conflict
from rag.evidence import Evidence
from rag.models import AskResult, Citation
from rag.support import offering, unsupported

NOT_FOUND = "I could not find this in the indexed articles."
# A further sentence joins the answer when it scores within this share of the best one.
COMPANION_RATIO = 0.8


def citation(n: int, evidence: Evidence) -> Citation:
    return Citation(
        n=n,
        doc_id=evidence.doc_id,
        title=evidence.title,
        sentence=evidence.sentence,
        start=evidence.start,
        end=evidence.end,
        score=round(evidence.score, 4),
    )


def abstain(question: str, warnings: list[str] | None = None) -> AskResult:
    return AskResult(question=question, answer=NOT_FOUND, abstained=True, warnings=warnings or [])


class ExtractiveAnswerer:
    def __init__(self, threshold: float, max_citations: int, companion_ratio: float = COMPANION_RATIO):
        self.threshold = threshold
        self.max_citations = max_citations
        self.companion_ratio = companion_ratio

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
        answer = " ".join(f"{c.sentence} [{c.n}]" for c in citations)
        warnings = []
        if conflict:
            warnings.append(
                f'The sources disagree: [1] says "{conflict.first_says}" where [2] says "{conflict.second_says}".'
            )
            answer = f"{answer}\nNote: the sources disagree; compare [1] and [2]."
        return AskResult(question=question, answer=answer, abstained=False, citations=citations, warnings=warnings)
