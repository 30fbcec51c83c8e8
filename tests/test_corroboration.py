"""Corroboration: of the best sentences, the one whose answer another article gives too leads."""

from rag.answerers.extractive import ExtractiveAnswerer
from rag.corroboration import corroborated
from rag.evidence import Evidence

QUESTION = "Who did the Rovers beat in the final?"


def sentence(doc_id: str, text: str, score: float, index: int = 0) -> Evidence:
    return Evidence(doc_id, f"Title of {doc_id}", text, index, 0, len(text), score, 0.6, 0.5)


def test_an_answer_another_article_repeats_moves_up():
    evidence = [
        sentence("parade", "The Rovers paraded through Millbrook Square on Monday with the mayor.", 0.90),
        sentence("parade", "The Rovers beat the Harbour Hawks 3-1 in the final last spring.", 0.85, 1),
        sentence("recap", "The Harbour Hawks lost the final to the Rovers after leading at half-time.", 0.70),
    ]
    ordered = corroborated(QUESTION, evidence)
    assert ordered[0].sentence == evidence[1].sentence  # "Hawks" is offered by the recap too
    assert ordered[0].score > evidence[1].score and ordered[0].placement > evidence[1].placement
    assert evidence[0].score == 0.90  # the evidence given is not changed


def test_an_article_does_not_corroborate_itself():
    evidence = [
        sentence("parade", "The Rovers paraded through Millbrook Square on Monday with the mayor.", 0.90),
        sentence("parade", "Fans filled Millbrook Square before the Rovers arrived.", 0.85, 1),
        sentence("parade", "The Rovers beat the Harbour Hawks 3-1 in the final.", 0.80, 2),
    ]
    assert [e.sentence for e in corroborated(QUESTION, evidence)] == [e.sentence for e in evidence]


def test_a_question_asking_for_no_kind_keeps_its_order():
    evidence = [
        sentence("a", "Ticket prices rose at Millbrook Arena.", 0.9),
        sentence("b", "Millbrook Arena also raised parking fees.", 0.8),
        sentence("c", "Parking at Millbrook Arena now costs more.", 0.7),
    ]
    assert corroborated("Why are fans angry?", evidence) == evidence


def test_the_extractive_answer_leads_with_the_corroborated_sentence():
    evidence = [
        sentence("parade", "The Rovers paraded through Millbrook Square on Monday with the mayor after the final.", 0.90),
        sentence("parade", "The Rovers beat the Harbour Hawks 3-1 in the final last spring.", 0.85, 1),
        sentence("recap", "The Harbour Hawks lost the final to the Rovers after leading at half-time.", 0.70),
    ]
    result = ExtractiveAnswerer(threshold=0.3, max_citations=3).answer(QUESTION, evidence)
    assert not result.abstained
    assert result.answer.startswith("The Rovers beat the Harbour Hawks")
