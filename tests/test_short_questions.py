"""Short, natural questions: answered from the sentence that holds the answer, which leads the
answer; questions the articles do not answer are refused."""

import pytest

from rag.answerers import NOT_FOUND
from rag.evidence import Evidence
from rag.answerers.extractive import ExtractiveAnswerer
from rag.term_weights import topic_terms

SHORT = [
    ("What did Iran say?", "Iran will continue its support"),
    ("What did Tehran say?", "remain in Syria"),
    ("What happened in Damascus?", "retaken the last neighborhoods"),
    ("Who is Putin's envoy?", "Alexander Lavrentyev"),
    ("How many people left?", "1,600"),
    ("What is Daesh?", "Arabic acronym"),
]

OFF_TOPIC = [
    "Who won the World Cup?",
    "What is the capital of Peru?",
    "Who painted the Mona Lisa?",
    "What did Israel say?",
    "How many Russian soldiers died in Syria?",
]


@pytest.mark.parametrize(("question", "fragment"), SHORT)
def test_short_questions_lead_with_the_sentence_that_answers(seed_service, question, fragment):
    result = seed_service.ask(question)
    assert not result.abstained, result.warnings
    assert fragment in result.citations[0].sentence, [c.sentence for c in result.citations]


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_short_questions_the_article_does_not_answer_are_refused(seed_service, question):
    result = seed_service.ask(question)
    assert result.abstained and result.answer == NOT_FOUND and result.citations == []


def test_question_words_are_not_what_a_question_is_about():
    assert topic_terms("What did Iran say?") == ["iran"]
    assert topic_terms("What happened in Damascus?") == ["damascus"]
    assert topic_terms("Who won the cup?") == ["won", "cup"]


def sentence(text: str, score: float, dense: float = 0.5, lexical: float = 0.5, index: int = 0) -> Evidence:
    return Evidence("doc.txt", "Title", text, index, index * 100, index * 100 + len(text), score, dense, lexical)


def test_the_number_asked_for_leads_and_a_restated_premise_is_left_out():
    evidence = [
        sentence("The area emptied out after the deal with the government.", 0.80, index=0),
        sentence("People left the area.", 0.78, index=1),
        sentence("Some 1,600 people left, heading toward the desert.", 0.70, index=2),
    ]
    result = ExtractiveAnswerer(0.5, 3).answer("How many people left the area?", evidence)
    assert [c.sentence for c in result.citations] == [evidence[2].sentence, evidence[0].sentence]


def test_a_companion_that_adds_nothing_to_the_sentences_before_it_is_left_out():
    evidence = [
        sentence("The army captured the camp on Monday.", 0.90, index=0),
        sentence("On Monday, the army captured the camp.", 0.88, index=1),
        sentence("Rebels had held the camp since 2012.", 0.80, index=2),
    ]
    result = ExtractiveAnswerer(0.5, 3).answer("What happened to the camp?", evidence)
    assert [c.sentence for c in result.citations] == [evidence[0].sentence, evidence[2].sentence]
    for claim in result.claims:
        assert result.answer[claim.start : claim.end] == claim.text
        assert all(f"[{n}]" in result.answer for n in claim.citations)


def test_bonuses_alone_do_not_make_an_answer():
    # Scores high on retrieval rank and on offering a name, yet shares little with the question.
    evidence = [sentence("Maria Okafor opened the new gallery.", 0.60, dense=0.1, lexical=0.1)]
    assert ExtractiveAnswerer(0.5, 3).answer("Who won the World Cup?", evidence).abstained
