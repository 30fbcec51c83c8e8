"""Sentences that offer the kind of answer a question asks for rank above ones that restate it."""

import json

import pytest

from rag.answer_types import answer_kind, names, offers, question_words
from rag.service import Byline


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many people were evacuated?", "number"),
        ("Approximately how much did the painting sell for?", "number"),
        ("What percentage of voters backed the measure?", "number"),
        ("When did the bridge reopen?", "date"),
        ("In what year was the treaty signed?", "date"),
        ("Who won the race?", "name"),
        ("Which country hosted the summit this week?", "name"),
        ("Where did the storm make landfall?", "name"),
        ("What did the mayor say about the budget?", None),
        ("What was his name?", "name"),
        ("Why were the cars recalled?", None),
    ],
)
def test_answer_kind_of_a_question(question, kind):
    assert answer_kind(question) == kind


def test_a_number_already_in_the_question_is_not_an_answer():
    asked = question_words("How many of the 12 schools closed?")
    assert not offers("All 12 schools were affected by the storm.", "number", asked)
    assert offers("Nine of the 12 schools closed on Monday.", "number", asked)
    assert offers("The storm closed 9 schools.", "number", asked)


def test_a_year_alone_does_not_answer_how_many():
    assert not offers("The storm hit in 2021.", "number", question_words("How many homes were damaged?"))


def test_dates_answer_when_questions():
    asked = question_words("When did the museum reopen?")
    assert offers("The museum reopened on Tuesday.", "date", asked)
    assert offers("It reopened in March 2022.", "date", asked)
    assert not offers("The museum reopened after a renovation.", "date", asked)


def test_names_skip_stop_words_weekdays_and_the_question_own_names():
    assert names("On Monday, Maria Okafor thanked CNN and the Museum's donors.") == ["maria", "okafor", "museum"]
    asked = question_words("Who thanked the Museum donors?")
    assert offers("Maria Okafor thanked the donors.", "name", asked)
    assert not offers("The Museum thanked its donors on Monday.", "name", asked)


def test_the_sentence_naming_someone_outranks_the_one_restating_the_question(tmp_path, seed_settings):
    records = [
        {
            "doc_id": "museum",
            "title": "Museum reopens",
            "text": "The city museum reopened its west wing this week after a two-year renovation. "
            "Visitors will find a new gallery of river photographs. "
            "Maria Okafor, the museum's director, led the first tour.",
        },
        {"doc_id": "storm", "title": "Storm closes schools", "text": "A winter storm closed schools across the county on Monday."},
    ]
    (tmp_path / "news.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    service = Byline(seed_settings.model_copy(update={"store": tmp_path / "store"}))
    service.ingest([tmp_path / "news.jsonl"])

    evidence = service.evidence("Who led the first tour of the reopened museum wing?")
    assert evidence[0].sentence == "Maria Okafor, the museum's director, led the first tour."
    assert "Maria Okafor" in service.ask("Who led the first tour of the reopened museum wing?").citations[0].sentence
