"""A "When ...?" answer that leads with "died Thursday" also gives the day it means, from its article's date."""

from datetime import date

from rag.answerers.extractive import ExtractiveAnswerer
from rag.evidence import Evidence
from rag.relative_days import meant_day, spelled

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
