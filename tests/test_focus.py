"""A question's focus (names, quoted phrases, years) must be in the article an answer quotes."""

import json
import shutil

import pytest

from rag.background import looks_back
from rag.focus import question_focus
from tests.conftest import SEEDS

HOCKEY = """TAMPA, Florida — The Colorado Avalanche won the Stanley Cup on Sunday night, beating the Tampa Bay
Lightning 2-1 in Game 6 of the final. Cale Makar was named the most valuable player of the playoffs.
The Lightning had won the last two Stanley Cups, in 2020 and 2021. It is the third title for Colorado.
"""


@pytest.mark.parametrize(
    ("question", "names", "years"),
    [
        ("Who won the 2022 World Cup?", ("World Cup",), ("2022",)),
        ("Who won the Stanley Cup?", ("Stanley Cup",), ()),
        ("What did President Biden say?", ("Biden",), ()),
        ("Who is Syria's foreign minister?", ("Syria",), ()),
        ("How do I bake bread?", (), ()),
        ("Best pizza in town?", (), ()),
        ("Boris Johnson resigned when?", ("Boris Johnson",), ()),
        ("NATO invited whom?", ("NATO",), ()),
        ("And in June?", (), ()),
        ("What did the U.S. say?", ("U.S.",), ()),
        ("Who is the No 1 director of the city museum?", (), ()),
        ("What did the US and NATO say?", ("US", "NATO"), ()),
        # a model's or a version's number is part of its name, a year is not; a small first letter is a name too
        ("When is Apple releasing iOS 17?", ("Apple", "iOS 17"), ()),
        ("What did the iPhone 14 Pro cost in 2022?", ("iPhone 14 Pro",), ("2022",)),
        ("Who did the Braves beat 4 times?", ("Braves",), ()),
    ],
)
def test_question_focus(question, names, years):
    focus = question_focus(question)
    assert (focus.names, focus.years) == (names, years)


def test_quoted_phrases_are_focus():
    assert question_focus('Who coined "quiet quitting"?').phrases == ("quiet quitting",)


def test_what_an_article_must_mention():
    text = "The Colorado Avalanche won the Stanley Cups. Iranian officials spoke. The United States said no."
    assert question_focus("Who won the World Cup?").missing(text) == ["World Cup"]
    assert question_focus("Who won the Stanley Cup?").missing(text) == []  # plural
    assert question_focus("What did Iran say?").missing(text) == []  # Iranian
    assert question_focus("What did the US say?").missing(text) == []  # an alias
    assert question_focus("Who won the 2019 Stanley Cup?").missing(text, "2022-06-27") == ["2019"]
    assert question_focus("Who won the 2022 Stanley Cup?").missing(text, "2022-06-27") == []  # the article's year
    assert question_focus("Who won the 2019 Stanley Cup?").missing(text) == []  # an undated article may be from then
    assert question_focus("Who won the Stanley Cup in Texas?").missing(text) == ["Texas"]
    assert question_focus("Why were Kias recalled?").missing("Kia recalled 300,000 cars.") == []  # a plural name
    assert question_focus("What does the SUV cost?").missing("Owners of the SUVs were warned.") == []  # a short one too
    assert question_focus("What does the SUV cost?").missing("Suvarna said so.") == ["SUV"]
    # "World" and "Cup" apart are not the World Cup; a short name is a whole word.
    assert question_focus("Who won the World Cup?").missing("The world watched the Cup final.") == ["World Cup"]
    # a two-word name the other way round, with "of", "in" or "for"
    assert question_focus("Who won the Pennsylvania Senate race?").missing("Democrats pick up a Senate seat in Pennsylvania.") == []
    assert question_focus("What did the Texas governor say?").missing("The governor of Texas said so.") == []
    assert question_focus("Who won the Pennsylvania Senate race?").missing("The Senate voted; Pennsylvania waited.") == ["Pennsylvania Senate"]
    # a place and its people are met apart ("Kentucky voters ... Republican backers"); "ID" is met by "identification"
    asked = question_focus("Why do Kentucky Republicans say voters should show a photo ID?")
    assert asked.missing("Kentucky voters must present identification. The bill's Republican backers want a photo.") == []
    assert asked.missing("The bill's Republican backers want photo identification.") == ["Kentucky Republicans"]
    # A long name is often written in other words' order: "NHL Stanley Cup Finals" in "the Stanley Cup Final ... the NHL".
    assert question_focus("Who won the NHL Stanley Cup Finals?").missing("The Stanley Cup Final ended, the NHL said.") == []
    assert question_focus("Who won the NHL Stanley Cup Finals?").missing("The Stanley Cup Final ended.") == ["NHL Stanley Cup Finals"]
    assert question_focus("What did the UN say?").missing("Until under unions spoke.") == ["UN"]
    # a two-word name said the other way round, a few words apart
    assert question_focus("Who hired the Brooklyn Dodgers' announcer?").missing("He began with the Dodgers in their original home in Brooklyn.") == []
    assert question_focus("Who hired the Brooklyn Dodgers' announcer?").missing("The Dodgers left for Los Angeles.") == ["Brooklyn Dodgers"]
    # A country or US state the question is set in ("in the US") is the story's setting: met anywhere in the passage's
    # article; other names, and countries that act ("Did Russia want Iran out?"), in the passage.
    asked = question_focus("How many copies did Usher's album sell in the US?")
    assert asked.missing("Usher's album was a hit.", lowered_article="usher's album was a hit. it sold 10 million in the u.s.") == []
    assert asked.missing("Usher's album was a hit.", lowered_article="usher's album was a hit in britain.") == ["US"]
    assert asked.missing("The album was a hit.", lowered_article="usher's album was a hit in the u.s.") == ["Usher"]
    assert question_focus("How many died in Texas?").missing("Ten died.", lowered_article="ten died. the texas storm") == []
    assert question_focus("Did Russia want Iran out?").missing("Iran will stay.", lowered_article="russia wants iran out.") == ["Russia"]
    # a town placed in a state is a setting too, as is its state
    placed = question_focus("Who proposed Kai's Law after a boy drowned in a grease trap in Rochester, New York?")
    assert placed.missing("Executive Jo Lin proposed a law, Kai's Law.", lowered_article="kai's law. a cafe in rochester, new york.") == []
    assert placed.missing("Executive Jo Lin proposed a law, Kai's Law.", lowered_article="kai's law. a cafe in albany.") == ["Rochester", "New York"]
    # an acronym written out, each letter opening a word: "AC" is air conditioning; "a car" is not
    assert question_focus("Which store turned off the AC?").missing("The store cut its air conditioning.") == []
    assert question_focus("Which store turned off the AC?").missing("A car was parked outside.") == ["AC"]
    assert question_focus("When will the rocket reach the VAB?").missing("It rolls back to the Vehicle Assembly Building.") == []
    assert question_focus("What did the FBI find?").missing("The Federal Bureau of Investigation found documents.") == []
    assert question_focus("When is Apple releasing iOS 17?").missing("Apple released iOS 16 on Monday.") == ["iOS 17"]
    # a one-word event the question dates is not met by a surname
    masters = question_focus("Who won the 2022 Masters?")
    assert masters.missing("Republican Blake Masters won the August primary.", "2022-08-03") == ["Masters"]
    assert masters.missing("He may return at the 2022 Masters.", "2022-04-05") == []
    assert masters.missing("The Masters began on Thursday.", "2022-04-07") == []
    assert question_focus("Who did the Astros beat?").missing("The Houston Astros beat the Phillies.") == []


def test_an_article_published_before_the_asked_month_cannot_report_it():
    fed = question_focus("What range did the Fed raise its key rate to in June 2018?")
    text = "The Fed raised its key rate to a range of 1.5% to 1.75%."
    assert fed.missing(text, "2018-03-21") == ["June 2018"]
    assert fed.missing(text, "2018-06-13") == [] and fed.missing(text, "2018-07-02") == []
    heat = question_focus("What record temperature did the UK reach on July 19, 2022?")
    assert heat.missing("Temperatures in the UK reached 38.1 degrees.", "2022-07-18") == ["July 19, 2022"]
    assert heat.missing("Temperatures in the UK reached 40.3 degrees.", "2022-07-19") == []
    # a part of a year begins with its month: "late 2022" is not over by July
    late = question_focus("Which Omicron subvariant replaced BA.5 as the dominant strain in late 2022?")
    assert late.missing("Omicron BA.5 rules; variant hunters are watching BA.2.75.", "2022-07-14") == ["late 2022"]
    assert late.missing("Omicron BQ.1 has overtaken BA.5.", "2022-11-04") == []
    assert question_focus("Which subvariant drove the summer of 2022 wave?").missing("BA.5 drives the wave.", "2022-07-14") == []
    # what was expected or planned for a month may be told before it
    expected = question_focus("How many vaccines did Fauci expect to be sent by the end of July 2022?")
    assert expected.missing("Fauci expects 1.6 million doses to be sent.", "2022-07-01") == []


def test_what_narrows_a_question_must_be_said():
    """ "Her first Wimbledon" is one of many: an article that never says "first" tells of another one."""
    assert question_focus("When did Serena Williams win her first Wimbledon?").qualifiers == ("first",)
    assert question_focus("Best pizza in town?").qualifiers == ("best",)
    assert question_focus("Which state has the most cases?").qualifiers == ("most",)
    assert question_focus("What is the deepest point in the oceans?").qualifiers == ("deepest",)
    # An adverb does not narrow the thing asked about; a preamble's words are not what is asked; "latest" asks for news.
    assert question_focus("Who first came up with the theory?").qualifiers == ()
    assert question_focus("The GOP's most outspoken critic lost. What is her name?").qualifiers == ()
    assert question_focus("What is the latest on the strike?").qualifiers == ()
    played = "Serena Williams competed at Wimbledon this year, winning three matches."
    assert question_focus("When did Serena Williams win her first Wimbledon?").missing(played) == ["“first”"]
    assert question_focus("When did Serena Williams win her first Wimbledon?").missing(f"{played} It was her first since 2016.") == []
    # Any ordinal narrows, met by itself or its figure.
    adviser = question_focus("Who was the prime minister's second ethics adviser?")
    assert adviser.qualifiers == ("second",)
    assert adviser.missing("The prime minister's ethics adviser quit.") == ["“second”"]
    assert adviser.missing("His 2nd ethics adviser quit in June.") == []
    # A role held for now is another role, in either word: the university's president is not its acting one.
    acting = question_focus("Who is Harvard's acting president?")
    assert acting.qualifiers == ("acting",)
    assert acting.missing("Harvard's president, Paul Ferguson, stepped down.") == ["“acting”"]
    assert acting.missing("Terry King will serve as Harvard's interim president.") == []
    # not an ordinal in a name, nor one telling how often
    assert question_focus("Why did cities cancel their Fourth of July fireworks?").qualifiers == ()
    assert question_focus("Who tested positive for the second time this month?").qualifiers == ()
    # A ranking is met by any word that ranks: "rose the most" by "the biggest increase".
    assert question_focus("Which city saw the most rent growth?").missing("Miami saw the biggest increase.") == []
    assert question_focus("Which city saw the most rent growth?").missing("Miami's rents rose 26%.") == ["“most”"]


def test_an_attribute_of_a_thing_in_general_must_be_said_together():
    """ "What is the speed of light?" is not answered by "Get Up to Speed" beside "2,000 light-years away"."""
    speed = question_focus("What is the speed of light?")
    assert speed.attribute == ("speed", "light")
    assert speed.missing("Get Up to Speed with the news. The nebula is 2,000 light-years away.") == ["“speed of light”"]
    assert speed.missing("Nothing travels faster than the speed of light.") == []
    assert question_focus("What is the price of gas?").missing("Gas prices rose again.") == []
    # A particular thing ("the fire") is told of in other words: "the fire was caused by lightning".
    assert question_focus("What was the cause of the fire?").attribute is None


def test_background_sentences():
    assert looks_back("The Lightning had won the last two Stanley Cups, in 2020 and 2021.", 6, "2022-06-27", set())
    assert not looks_back("The Lightning had won in 2020 and 2021.", 6, "2022-06-27", {"2021"})
    assert not looks_back("The Avalanche won the Stanley Cup on Sunday in 2022.", 6, "2022-06-27", set())
    assert looks_back("Twitter Blue previously cost $4.99 a month.", 6, "2022-11-01", set())
    # The lead tells the news, looking back or not.
    assert not looks_back("The Avalanche won their first Stanley Cup since 2001.", 1, "2022-06-27", set())


def test_what_the_question_asks_happened():
    from rag.focus import verb_terms
    from rag.term_weights import Lexicon

    predicate = question_focus("Who won the Stanley Cup?").predicate()
    assert predicate == ["win"]
    assert Lexicon().overlap(predicate, "The Avalanche beat Tampa Bay to win the title.", verb_terms) == 1.0
    assert Lexicon().overlap(predicate, "The Avalanche beat Tampa Bay.", verb_terms) == 0.0


@pytest.fixture(scope="module")
def sports_service(tmp_path_factory, seed_settings):
    """The seed article and a short hockey report."""
    from rag.service import Byline

    folder = tmp_path_factory.mktemp("sports")
    shutil.copytree(SEEDS, folder / "articles")
    record = {"doc_id": "hockey", "title": "Avalanche beat Lightning to win the Stanley Cup", "date": "2022-06-27", "text": HOCKEY}
    (folder / "articles" / "hockey.jsonl").write_text(json.dumps(record))
    with Byline(seed_settings.model_copy(update={"store": folder / "store"})) as service:
        assert service.ingest([folder / "articles"]).added == 2
        yield service


@pytest.mark.parametrize(
    "question", ["Who won the 2022 World Cup?", "Who won the World Cup?", "Who won the 2019 Stanley Cup?", "Who won the first Stanley Cup?"]
)
def test_a_question_whose_focus_no_article_mentions_is_refused(sports_service, question):
    result = sports_service.ask(question)
    assert result.abstained, result.answer
    assert any("do not mention" in warning for warning in result.warnings), result.warnings


def test_the_article_that_mentions_the_focus_answers(sports_service):
    result = sports_service.ask("Who won the Stanley Cup?")
    assert not result.abstained
    assert "Avalanche" in result.citations[0].sentence


QUAKE = {
    "doc_id": "quake",
    "title": "Earthquake damages homes in Porto Vela",
    "date": "2022-09-20",
    "text": (
        "PORTO VELA — A magnitude 6.1 quake hit the coastal city on Tuesday, damaging dozens "
        "of homes and cutting power to the old town, officials said. Rescue teams searched collapsed buildings through the "
        "night. The mayor said schools would stay closed until engineers had inspected them. Residents slept in parks and "
        "in their cars. Aid groups sent tents and water. The region sits on a fault line that has shaken it before. "
        "The strongest earthquake in Porto Vela, in 2002, had a magnitude of 7.0 and killed 30 people. "
        "The city rebuilt the harbour with money from the national government."
    ),
}


def test_the_answer_leads_with_the_news_not_the_background(tmp_path, seed_settings):
    """News leads with its latest event; an earlier year's event further down is background."""
    from rag.service import Byline

    (tmp_path / "quake.jsonl").write_text(json.dumps(QUAKE))
    with Byline(seed_settings.model_copy(update={"store": tmp_path / "store"})) as service:
        service.ingest([tmp_path / "quake.jsonl"])
        result = service.ask("How strong was the earthquake in Porto Vela?")
        assert not result.abstained
        assert "6.1" in result.citations[0].sentence, result.answer
        asked_about_the_past = service.ask("How strong was the 2002 earthquake in Porto Vela?")
        assert "7.0" in asked_about_the_past.citations[0].sentence, asked_about_the_past.answer


def evidence_of(*sentences: str):
    from rag.evidence import Evidence

    return [Evidence("d", "t", s, i, 0, len(s), 1.0 - i / 10, 0.5, 0.5) for i, s in enumerate(sentences)]


def test_who_someone_picked_or_beat_needs_a_sentence_that_says_so():
    from rag.coverage import unsupported
    from rag.focus import asked_deed, says_deed

    assert "beat" in asked_deed("Who did the Braves beat in the World Series?") and "beat" in asked_deed("Who did they beat?")
    assert asked_deed("Who did Jill Biden meet?") == frozenset()  # a verb no list foresees is not required
    assert says_deed("Speaking on TV, the director of the agency, Ana Ruiz, said so.", asked_deed("Who heads the agency?"))
    about = evidence_of("Gov. Andrew Cuomo said he would leave office, handing over to Lt. Gov. Ada Quill.", "Quill will be the first woman governor.")
    assert "says that anyone did" in unsupported("Who did Ada Quill pick as her lieutenant governor?", about)
    picked = evidence_of("Ada Quill picked state Sen. Ben Ray as her lieutenant governor on Wednesday.", *[e.sentence for e in about])
    assert unsupported("Who did Ada Quill pick as her lieutenant governor?", picked) is None
    # who beat someone is told by whom they lost to
    lost = evidence_of("Rep. Ada Quill has lost her primary to challenger Ben Ray, CNN projects.")
    assert unsupported("Who beat Ada Quill in the primary?", lost) is None


def test_who_runs_a_company_needs_a_sentence_naming_who_leads_it():
    from rag.coverage import unsupported

    deal = evidence_of("Quillair pulled the plug on a deal to merge with Frontier.", "Quillair will owe Frontier $69 million.")
    assert "says that anyone did" in unsupported("Who runs Quillair?", deal)
    led = evidence_of("Quillair CEO Ted Ray said the deal was good for customers.", *[e.sentence for e in deal])
    assert unsupported("Who runs Quillair?", led) is None


def test_who_won_needs_a_sentence_that_says_someone_won():
    from rag.coverage import unsupported
    from rag.focus import asked_deed

    assert asked_deed("Who redesigned its menu?") == frozenset() and asked_deed("Who is banning toys?") == frozenset()
    about = evidence_of("He played for Brazil in the 2014 FIBA World Cup.", "The World Cup final drew 1 billion viewers.", "Tickets sold out.")
    assert "says that anyone did" in unsupported("Who won the 2014 World Cup?", about)
    reported = evidence_of("Germany beat Argentina 1-0 in the 2014 World Cup final.", *[e.sentence for e in about])
    assert unsupported("Who won the 2014 World Cup?", reported) is None
    assert unsupported("Who led the inquiry?", evidence_of("The inquiry was headed by Sally Yates.")) is None
    # commanding is leading
    assert unsupported("Who commanded the Artemis mission?", evidence_of("Ada Quill was the commander of the Artemis mission.")) is None
    assert "says that anyone did" in unsupported(
        "Who commanded the Artemis mission?", evidence_of("The Artemis mission launched on Monday.", "Tickets sold out.", "It rained.")
    )
    # the deed must be told of what the question names, not of something else in the same sentence
    elsewhere = evidence_of("This year she competed at Wimbledon, the National Bank Open, the Western & Southern Open and the US Open, winning three matches.")
    assert "says that anyone did" in unsupported("Who won Wimbledon this year?", elsewhere)
    assert unsupported("Who won the 2020 World Series?", evidence_of("Biden welcomed the Dodgers, the 2020 World Series champs.")) is None


def test_a_deed_named_to_describe_someone_does_not_report_it():
    from rag.focus import asked_deed, says_deed

    won = asked_deed("Who won the French Open?")
    assert not says_deed("She played on four World Cup-winning teams in Russia.", won, ("World Cup",))
    assert not says_deed("The two-time French Open winner goes into the tournament as the favourite.", won, ("French Open",))
    assert not says_deed("The former French Open champion retired.", won, ("French Open",))
    assert says_deed("Defending champion Iga Swiatek beat Coco Gauff in the French Open final.", won, ("French Open",))
    assert says_deed("The French Open champion Iga Swiatek was crowned.", won, ("French Open",))


def test_best_sentences_scattered_over_articles_answer_nothing():
    from dataclasses import replace

    from rag.coverage import scattered, unsupported

    sentences = (
        "Residents who use text telephone devices can call the county office.",
        "Engineers at a Texas startup invented a battery that charges in minutes.",
        "The museum opened a wing about the history of radio.",
    )
    apart = [replace(e, doc_id=f"d{i}") for i, e in enumerate(evidence_of(*sentences))]
    assert "3 different articles" in unsupported("Who invented the telephone?", apart)
    assert scattered("Who invented the telephone?", evidence_of(*sentences)) is None  # one article holds them all
    assert scattered("Who invented the battery that charges in minutes?", apart[1:] + apart[:1]) is None  # the best holds most of it
    assert scattered("Which Texas company is building robots?", apart[1:] + apart[:1]) is None  # the best names what it is about


def test_who_did_prefers_the_sentence_that_reports_the_verb_asked():
    from rag.coverage import offering, unsupported
    from rag.focus import asked_deed, reported_deed

    asked = "Who plays the detective in the new Streamly series?"
    assert asked_deed(asked) == frozenset() and reported_deed(asked) == {"play"}
    assert reported_deed("Who is the detective?") == frozenset() and reported_deed("Who has to sign it?") == frozenset()
    premiere = "The new Streamly series will premiere in October with all eight episodes, Streamly said."
    plays = "Ada Quill, who plays the detective, said she read every book before filming."
    assert offering(asked, evidence_of(premiere, plays)).sentence == plays
    # a preference, not a requirement: a sentence in other words still answers
    stars = "Ada Quill stars as the detective in the series."
    assert unsupported(asked, evidence_of(stars)) is None and offering(asked, evidence_of(stars)).sentence == stars


def test_a_question_about_what_happened_prefers_what_happened_to_what_was_expected():
    from rag.coverage import offering

    planned = "The flight around the world was supposed to take three months, but storms kept the pilot grounded."
    done = "The pilot landed in Kortrijk on Thursday, 155 days after she set off."
    assert offering("How long did the flight take?", evidence_of(planned, done)).sentence == done
    # the expectation still answers when nothing says what happened, and answers a question about the expectation
    assert offering("How long did the flight take?", evidence_of(planned)).sentence == planned
    assert offering("How long was the flight expected to take?", evidence_of(planned, done)).sentence == planned
