"""The answer contract every LLM backend keeps, whatever its model writes."""

import re

from rag.answerers import NOT_FOUND
from rag.schema import AskResult
from rag.service import Byline

FALLBACK = "this is the extractive answer instead"
MARKER = re.compile(r"\[(\d+)\]")


def fell_back(result: AskResult) -> bool:
    return any(FALLBACK in warning for warning in result.warnings)


def assert_contract(service: Byline, result: AskResult, extractive: AskResult) -> None:
    """`extractive` is the extractive answer to the same question: what a fallback must be."""
    if result.abstained:  # the model wrote NOT FOUND and nothing the articles support
        assert (result.answer, result.citations, result.claims) == (NOT_FOUND, [], [])
        assert "found no answer in the best-matching sentences" in result.warnings[0]
        return
    assert_citations(service, result)
    assert_claims(result)
    if fell_back(result):
        assert (result.answer, result.citations) == (extractive.answer, extractive.citations)
    else:
        assert any(claim.supported for claim in result.claims), result


def assert_citations(service: Byline, result: AskResult) -> None:
    numbers = [c.n for c in result.citations]
    assert numbers == list(range(1, len(numbers) + 1))
    assert 1 <= len(numbers) <= service.settings.max_citations
    for c in result.citations:
        assert service.article(c.doc_id).article.text[c.start : c.end] == c.sentence
    assert {int(n) for n in MARKER.findall(result.answer)} <= set(numbers), "a marker names no citation"
    supporting = {n for claim in result.claims if claim.supported for n in claim.citations}
    assert supporting == set(numbers), "every citation supports a claim"


def assert_claims(result: AskResult) -> None:
    assert result.claims
    for claim in result.claims:
        assert result.answer[claim.start : claim.end] == claim.text
        assert result.answer[claim.end :].startswith("".join(f" [{n}]" for n in claim.citations))
        if not claim.supported:
            assert claim.citations == []
            assert any(f'"{claim.text}"' in warning for warning in result.warnings), "an unsupported claim is flagged"


def rendered(result: AskResult) -> list[str]:
    """Each supported claim as the answer shows it: its text and its markers."""
    return [claim.text + "".join(f" [{n}]" for n in claim.citations) for claim in result.claims if claim.supported]
