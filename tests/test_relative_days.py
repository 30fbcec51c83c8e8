"""A "When ...?" answer that leads with "died Thursday" also gives the day it means, from its article's date."""

import json
from datetime import date

import pytest

from rag.answerers.extractive import ExtractiveAnswerer
from rag.evidence import Evidence
from rag.relative_days import asked_window, meant_day, spelled
from rag.schema import Filters
from rag.service import Byline

FRIDAY = "2022-09-09"


def test_a_weekday_is_the_nearest_one_before_the_article_unless_it_is_ahead():
    assert meant_day("Queen Elizabeth II died Thursday at Balmoral.", FRIDAY) == ("Thursday", date(2022, 9, 8))
    assert meant_day("The queen died on Friday.", FRIDAY) == ("Friday", date(2022, 9, 9))  # the article's own day
    assert meant_day("NASA will try again Saturday.", FRIDAY) == ("Saturday", date(2022, 9, 10))
    assert meant_day("The funeral is scheduled for Monday.", FRIDAY) == ("Monday", date(2022, 9, 12))
    # a verb in the past between "will" and the weekday dates what was said, not what will be
    assert meant_day("Rihanna will perform at next year's Super Bowl, the NFL announced Sunday.", FRIDAY)[1] == date(2022, 9, 4)
    assert meant_day("The palace said yesterday that she was comfortable.", FRIDAY) == ("yesterday", date(2022, 9, 8))


def test_no_day_is_given_where_the_sentence_or_its_article_says_none():
    assert meant_day("She died on September 8 at Balmoral.", FRIDAY) is None  # a full date already
    assert meant_day("She died Thursday, Sept. 8, at Balmoral.", FRIDAY) is None and meant_day("Died Thursday 8th September.", FRIDAY) is None
    # a month's first letters inside another word give no date: "Mayor 3" is no day of May
    assert meant_day("Marching 5 abreast, they left Thursday.", FRIDAY) == ("Thursday", date(2022, 9, 8))
    assert meant_day("He spoke last Tuesday.", FRIDAY) is None  # not the nearest one
    assert meant_day("She died Thursday.", None) is None  # an undated article
    assert meant_day("She died at Balmoral.", FRIDAY) is None
    assert spelled(date(2022, 9, 8)) == "Thursday, September 8, 2022"


def test_a_when_answer_names_the_day_its_lead_means():
    sentence = "After 70 years on the throne, Queen Elizabeth II died Thursday at Balmoral Castle in Scotland."
    evidence = [Evidence("queen", "The Queen has died", sentence, 0, 0, len(sentence), 1.2, 0.8, 0.8, published=FRIDAY)]
    answerer = ExtractiveAnswerer(threshold=0.5, max_citations=3)
    answer = answerer.answer("When did Queen Elizabeth II die?", evidence)
    assert not answer.abstained
    assert answer.answer.startswith(sentence)
    assert "Note: “Thursday” in [1] is Thursday, September 8, 2022, by the date of its article." in answer.answer
    assert answer.citations[0].sentence == sentence  # the quote itself is unchanged
    # another kind of question gets no such note
    assert "Note:" not in answerer.answer("Where did Queen Elizabeth II die?", evidence).answer


def test_asked_window_reads_the_days_a_question_asks_about():
    asked = date(2022, 7, 18)
    assert asked_window("What's the weather tomorrow?", asked) == ("tomorrow", date(2022, 7, 15))
    assert asked_window("Who won the race this weekend?", asked) == ("this weekend", date(2022, 7, 10))
    assert asked_window("What did the USA TODAY analysis find?", asked) is None  # a name, not a day
    assert asked_window("What did the Fed do in July?", asked) is None


@pytest.fixture(scope="module")
def dated_news(tmp_path_factory, seed_settings):
    folder = tmp_path_factory.mktemp("dated-news")
    record = {
        "doc_id": "heat",
        "title": "Britain braces for record heat",
        "publish_date": "2022-07-18",
        "text": "Extremely high temperatures are forecast in Britain today and tomorrow. "
        "Forecasters said temperatures could top 40 degrees Celsius tomorrow for the first time on record. "
        "Trains will run slower on hot tracks.",
    }
    (folder / "news.jsonl").write_text(json.dumps(record))
    service = Byline(seed_settings.model_copy(update={"store": folder / "store"}))
    service.ingest([folder / "news.jsonl"])
    return service


def test_a_question_about_tomorrow_is_answered_only_from_news_of_its_days(dated_news):
    question = "How hot will Britain get tomorrow?"
    assert not dated_news.ask(question, filters=Filters(as_of="2022-07-18")).abstained
    stale = dated_news.ask(question, filters=Filters(as_of="2022-08-30"))
    assert stale.abstained and stale.citations == []
    assert "August 27, 2022" in stale.warnings[0] and "tomorrow" in stale.warnings[0]
    assert dated_news.ask(question).abstained  # asked today, years after the article
    # without a day to count from, the same article still answers
    assert not dated_news.ask("How hot could Britain get, according to forecasters?", filters=Filters(as_of="2022-08-30")).abstained
