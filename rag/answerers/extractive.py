"""The default answerer: quote the best evidence sentences, or abstain when evidence is weak or cannot answer."""

import re
from collections.abc import Iterator
from functools import lru_cache

from rag.answerers import NOT_FOUND, abstain
from rag.claims import CheckedClaim, assemble
from rag.conflicts import Conflict, find_conflict
from rag.corroboration import corroborated
from rag.evidence import PASSAGE_BEFORE, Evidence
from rag.term_weights import topic_terms
from rag.schema import AskResult, Turn
from rag.coverage import covering, offering, unsupported
from rag.answer_kinds import QUOTED_TITLE, answer_kind, asked_clause, names_as, noun_forms, which_noun
from rag.relative_days import meant_day, spelled

__all__ = ["NOT_FOUND", "ExtractiveAnswerer", "make_answerer"]

# A further sentence joins the answer when it scores within this share of the best one.
COMPANION_RATIO = 0.8
# The least content match (see `content_match`) the best sentence needs for an answer.
MIN_MATCH = 0.25
# How many of the best sentences may show the content match: one of them leads the answer.
LEADING = 3
# An extractive answer streams one cited sentence at a time: "text [n]" pieces.
_CITED_PIECE = re.compile(r"\s*.+?(?:\[\d+\]|$)", re.S)


# `content_match`'s own weights, those of rag/evidence.py's WEIGHTS when MIN_MATCH was calibrated (tune half of
# bench/tune_answers.py): retuning the evidence ranking must not move the refusal line with it.
CONTENT_WEIGHTS = {"dense": 0.5, "lexical": 0.35}


def content_match(evidence: Evidence) -> float:
    """What a sentence shares with the question: its score without the retrieval and answer-kind
    bonuses, which the top sentences of any retrieval get, however far off-topic the question is."""
    return CONTENT_WEIGHTS["dense"] * evidence.dense + CONTENT_WEIGHTS["lexical"] * evidence.lexical


def informative(question: str, evidence: list[Evidence]) -> list[Evidence]:
    """The evidence without sentences whose words are all in the question ("KFC", "What got more
    expensive"): a restated premise answers nothing."""
    asked = set(topic_terms(question))
    return [e for e in evidence if set(topic_terms(e.sentence)) - asked]


def named_before(question: str, lead: Evidence, evidence: list[Evidence]) -> Evidence | None:
    """The sentence just before `lead` in its article that names what "Which <noun> ...?" asks for, when `lead` speaks
    of it only as "the <noun>": "Which show is getting a new season?" is led by "“Squid Game” is officially coming back."
    rather than "Netflix announced Sunday that the wildly popular South Korean show is green lit for a second season."
    None when `lead` names one itself or no such sentence is among `evidence`."""
    noun = which_noun(asked_clause(question))
    if not noun or _names(lead.sentence, noun) or not _the_noun(noun).search(lead.sentence):
        return None
    earlier = range(lead.index - PASSAGE_BEFORE, lead.index)
    return next((e for e in evidence if e.doc_id == lead.doc_id and e.index in earlier and _names(e.sentence, noun)), None)


def _names(sentence: str, noun: str) -> bool:
    """Whether `sentence` names one of the `noun`s ("the show “Squid Game”") or quotes a title."""
    return names_as(sentence, noun) or bool(QUOTED_TITLE.search(sentence))


@lru_cache(maxsize=256)
def _the_noun(noun: str) -> re.Pattern:
    """ "the wildly popular South Korean show": the noun named before, not named here."""
    return re.compile(rf"\b(?:the|this|that|these|those)\s+(?:[\w’'-]+\s+){{0,4}}?{noun_forms(noun)}\b", re.IGNORECASE)


def make_answerer(settings, embed=None) -> "ExtractiveAnswerer":
    return ExtractiveAnswerer(settings.abstain_threshold, settings.max_citations)


class ExtractiveAnswerer:
    def __init__(self, threshold: float, max_citations: int, companion_ratio: float = COMPANION_RATIO, min_match: float = MIN_MATCH):
        self.threshold = threshold
        self.max_citations = max_citations
        self.companion_ratio = companion_ratio
        self.min_match = min_match

    def stream(self, question: str, evidence: list[Evidence], history: list[Turn] | None = None) -> Iterator[str | AskResult]:
        result = self.answer(question, evidence)
        yield from self.stream_pieces(result)
        yield result

    @staticmethod
    def stream_pieces(result: AskResult) -> list[str]:
        """An answer's text as the stream sends it: one cited sentence at a time."""
        return [] if result.abstained else _CITED_PIECE.findall(result.answer)

    def choose(self, question: str, evidence: list[Evidence], conflict: Conflict | None = None) -> list[Evidence]:
        """The sentences to quote: first the one that holds what was asked (a number for "how
        many", a name for "who") or the two that disagree, then those that score near the best
        and add something new."""
        chosen = [evidence[0], conflict.second] if conflict else [offering(question, evidence) or evidence[0]]
        if not conflict and (named := named_before(question, chosen[0], evidence)):
            chosen.insert(0, named)
        known = set(topic_terms(question)).union(*(topic_terms(e.sentence) for e in chosen))
        # Companions are judged as before the lead was chosen: on how well they match the question.
        floor = max(e.score - e.placement for e in evidence) * self.companion_ratio
        for candidate in sorted(evidence, key=lambda e: e.score - e.placement, reverse=True):
            if len(chosen) >= self.max_citations or candidate.score - candidate.placement < floor:
                break
            new = set(topic_terms(candidate.sentence)) - known
            if new and all(candidate is not c for c in chosen):
                chosen.append(candidate)
                known |= new
        return chosen

    def weak(self, evidence: list[Evidence]) -> bool:
        """Whether the best evidence is too weak to answer from."""
        # The content match is the best of the leading sentences': which of them leads is placement, not match.
        if not evidence or max(map(content_match, evidence[:LEADING])) < self.min_match:
            return True
        # A follow-up answered from its story's articles says less than a question asked alone ("Over what period?"):
        # its score without the story falls short of the threshold however well the sentence answers, so only the
        # content match holds it.
        return not evidence[0].story and evidence[0].score < self.threshold

    def answer(self, question: str, evidence: list[Evidence]) -> AskResult:
        evidence, uncovered = covering(evidence)
        if uncovered:
            return abstain(question, [uncovered])
        evidence = informative(question, evidence)
        if self.weak(evidence):
            return abstain(question)
        reason = unsupported(question, evidence)
        if reason:
            return abstain(question, [reason])
        evidence = corroborated(question, evidence)
        conflict = find_conflict(evidence[0], evidence[1:], question)
        chosen = self.choose(question, evidence, conflict)
        quoted = assemble([CheckedClaim(e.sentence, [i], True, f"quoted verbatim from [{i + 1}]") for i, e in enumerate(chosen)], chosen)
        answer, citations, claims = quoted.answer, quoted.citations, quoted.claims
        warnings = []
        if answer_kind(asked_clause(question)) == "date" and (meant := meant_day(chosen[0].sentence, chosen[0].published)):
            answer = f"{answer}\nNote: “{meant[0]}” in [1] is {spelled(meant[1])}, by the date of its article."
        if conflict:
            warnings.append(f'The sources disagree: [1] says "{conflict.first_says}" where [2] says "{conflict.second_says}".')
            answer = f"{answer}\nNote: the sources disagree; compare [1] and [2]."
        return AskResult(question=question, answer=answer, abstained=False, citations=citations, warnings=warnings, claims=claims)
