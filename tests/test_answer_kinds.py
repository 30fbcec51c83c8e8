"""Answer kinds: sentences offering the kind of answer asked for rank first; evidence that cannot answer is refused."""

import json

import pytest

from rag.answer_kinds import answer_kind, asked_clause, asks_sum, names, offered, offers, question_words, ranks
from rag.service import Byline
from rag.coverage import unsupported


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many people were evacuated?", "number"),
        ("Approximately how much did the painting sell for?", "number"),
        ("What percentage of voters backed the measure?", "number"),
        ("When did the bridge reopen?", "date"),
        ("In what year was the treaty signed?", "date"),
        ("What is the deadline?", "date"),  # a date named by the noun asked for
        ("What are the backup dates?", "date"),
        ("What is the deadline extension worth?", "number"),
        ("Who won the race?", "name"),
        ("Which country hosted the summit this week?", "name"),
        ("Which park flooded?", "name"),
        ("Which of them is bigger?", None),
        ("Where did the storm make landfall?", "place"),
        ("What did the mayor say about the budget?", None),
        ("What was his name?", "name"),
        ("What is Tesla's robot called?", "name"),
        ("What was called off?", None),
        ("Why were the cars recalled?", None),
        ("How long did the truce last?", "duration"),  # "monthlong", "three weeks", "until May": a length of time, not always a number
        ("How hot did it get in Cazaux?", "number"),
        ("What had the film earned worldwide by then?", "number"),  # a sum
        ("What did Biden make clear?", None),
        ("What is the starting price of the new SUV?", "number"),  # what a number measures
        ("What was the magnitude of the earthquake?", "number"),
        ("What was the vote count in the House?", "number"),
        ("What is the number one song?", None),
    ],
)
def test_answer_kind_of_a_question(question, kind):
    assert answer_kind(question) == kind


def test_a_number_already_in_the_question_is_not_an_answer():
    asked = question_words("How many of the 12 schools closed?")
    assert not offers("All 12 schools were affected by the storm.", "number", asked)
    assert offers("Nine of the 12 schools closed on Monday.", "number", asked)
    assert offers("The storm closed 9 schools.", "number", asked)


def test_number_words_inside_compounds_count():
    assert offers("The two-day truce ended at noon.", "number", question_words("How many days did the truce last?"))


def test_a_year_alone_does_not_answer_how_many():
    assert not offers("The storm hit in 2021.", "number", question_words("How many homes were damaged?"))


def test_dates_answer_when_questions():
    asked = question_words("When did the museum reopen?")
    assert offers("The museum reopened on Tuesday.", "date", asked)
    assert offers("It reopened in March 2022.", "date", asked)
    assert not offers("The museum reopened after a renovation.", "date", asked)
    # an era's years and a time counted back are dates too; an age is not
    made = question_words("When was the stone point made?")
    assert offers("He estimated it was made about 5000-6000 BC.", "date", made)
    assert offers("It was made some 10,000 years ago.", "date", made)
    assert not offers("The man who found it is 40 years old.", "date", made)


def test_names_skip_stop_words_weekdays_and_the_question_own_names():
    assert names("On Monday, Maria Okafor thanked CNN and the Museum's donors.") == ["maria", "okafor", "museum"]
    # a word that opens a sentence is capitalised there without naming anyone
    assert names("Well, items found in this Mississippi alligator date back years.") == ["mississippi"]
    assert not offers("Still, the impact on students is enormous.", "name", question_words("Who erased the debt?"))
    asked = question_words("Who thanked the Museum donors?")
    assert offers("Maria Okafor thanked the donors.", "name", asked)
    assert not offers("The Museum thanked its donors on Monday.", "name", asked)


@pytest.fixture(scope="module")
def local_news(tmp_path_factory, seed_settings):
    folder = tmp_path_factory.mktemp("local-news")
    records = [
        {
            "doc_id": "museum",
            "title": "Museum reopens",
            "text": "The city museum reopened its west wing this week after a long renovation. "
            "Visitors will find a new gallery of river photographs. "
            "Maria Okafor, the museum's director, led the first tour.",
        },
        {"doc_id": "storm", "title": "Storm closes schools", "text": "A winter storm closed schools across the county on Monday."},
        {
            "doc_id": "council",
            "title": "Council passes transit budget",
            "text": "The city council voted on the new transit budget this week after months of debate. "
            "The plan passed with 7 votes in favour and 2 against. "
            "Officials praised the compromise and said buses would run later at night.",
        },
    ]
    (folder / "news.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    service = Byline(seed_settings.model_copy(update={"store": folder / "store"}))
    service.ingest([folder / "news.jsonl"])
    return service


def test_the_sentence_naming_someone_outranks_the_one_restating_the_question(local_news):
    question = "Who led the first tour of the reopened museum wing?"
    assert local_news.evidence(question)[0].sentence == "Maria Okafor, the museum's director, led the first tour."
    result = local_news.ask(question)
    assert not result.abstained and "Maria Okafor" in result.citations[0].sentence


def test_a_how_many_question_without_any_number_in_the_evidence_is_not_answered(local_news):
    result = local_news.ask("How many river photographs hang in the new gallery?")
    assert result.abstained and result.citations == []
    assert "asks for a number" in result.warnings[0]


def test_a_negated_question_is_not_answered_by_a_sentence_that_negates_nothing(local_news):
    result = local_news.ask("Who did not lead the first tour of the museum?")
    assert result.abstained
    assert "did not happen" in result.warnings[0]


def test_a_negated_gerund_is_part_of_what_is_asked_not_a_negated_question(local_news):
    question = "Who led the first tour after months of not opening the west wing?"
    assert "did not happen" in (unsupported("Who did not lead the first tour of the museum?", local_news.evidence(question)) or "")
    assert "did not happen" not in (unsupported(question, local_news.evidence(question)) or "")


def test_a_ranking_number_is_not_a_negation(local_news):
    assert not local_news.ask("Who is the No 1 director of the city museum?").abstained


def test_the_sentence_with_the_number_asked_for_leads_the_answer_even_when_it_scores_lower(local_news):
    question = "How many council members voted for the transit budget this week?"
    evidence = local_news.evidence(question)
    assert "7 votes" not in evidence[0].sentence  # the restating sentence ranks first
    result = local_news.ask(question)
    assert "7 votes" in result.citations[0].sentence


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        ("Who won?", "Who won?"),
        ("A storm hit the coast. It was not expected. Which town flooded first?", "Which town flooded first?"),
        ("Name the town that flooded first", "Name the town that flooded first"),
        # an abbreviation's full stop ends no sentence
        ("How many people watched the Jan. 6 hearing?", "How many people watched the Jan. 6 hearing?"),
        ("What did Dr. Fauci and U.S. officials say?", "What did Dr. Fauci and U.S. officials say?"),
        ("It rose 5%. Why?", "Why?"),
    ],
)
def test_the_asking_clause_of_a_question(question, clause):
    assert asked_clause(question) == clause


def test_where_someone_spoke_is_no_answer_to_where_something_happened():
    asked = question_words("Where was the militant leader when the drone strike killed him?")
    said_from = "The US killed the militant leader in a drone strike, the president said Monday in a speech from the White House."
    assert offered(said_from, "place", asked) == set()
    assert offered("Officials said that the strike hit a house in downtown Kabul.", "place", asked) == {"kabul"}
    # what was said keeps its places; and a question about the speaking asks where it was
    assert offered("His family said in a statement that he died at his home in Tennessee.", "place", asked) == {"tennessee"}
    spoke = question_words("Where was the president when he said the US would defend Taiwan?")
    assert offered("The president said at a news conference in Tokyo that the US would defend Taiwan.", "place", spoke) == {"tokyo"}


def test_a_place_is_a_name_where_something_happened():
    asked = question_words("Where did Loretta Lynn die?")
    assert offers("She died at home in her beloved ranch in Hurricane Mills, the statement read.", "place", asked)
    assert not offers("Loretta Lynn, the “Coal Miner’s Daughter” of country music, has died.", "place", asked)
    assert offers("Loretta Lynn, the “Coal Miner’s Daughter” of country music, has died.", "name", asked)


def test_which_asks_for_a_name_of_its_noun():
    from rag.answer_kinds import names_as, which_noun
    from rag.coverage import offering
    from tests.test_focus import evidence_of

    assert which_noun("Which national monument did Biden create?") == "monument"
    assert which_noun("Which companies cut ties with Ye?") == "company" and which_noun("Who won?") is None
    assert which_noun("Which team beat Tom Brady in his final game?") == "team"  # "beat" before a name is the verb
    assert which_noun("Which other countries could France turn to?") == "country"
    assert names_as("Yellowstone National Park officials assessed damage.", "park")
    assert names_as("No Bed Bath & Beyond stores were told to adjust it.", "store")
    assert not names_as("The wildly popular South Korean show is green lit.", "show")
    assert not names_as("Parks closed on Monday, Governor Ann Lee said.", "park")
    # a name with the noun in apposition names one; a day or a sentence's first word before a comma does not
    assert names_as("Protests followed the death of Ada Quill, a 22-year-old Kurdish woman.", "woman")
    assert not names_as("On Monday, a woman died.", "woman") and not names_as("Yesterday, the woman died.", "woman")
    evidence = evidence_of(
        "The floods left the park closed, said Superintendent Cam Sholly.",
        "Rain and snowmelt flooded the park's roads.",
        "Officials in Montana said the park would reopen.",
        "Yellowstone National Park officials assessed the flood damage.",
    )
    assert offering("Which park flooded?", evidence).sentence.startswith("Yellowstone")


def test_what_is_it_called_prefers_the_name_given_to_it():
    from rag.coverage import offering
    from tests.test_focus import evidence_of

    assert "tesla" in question_words("What is Tesla's robot called?")  # the possessive's name is not a new one
    assert not offers("Tesla revealed on Friday a prototype of a humanoid robot.", "name", question_words("What is Tesla's robot called?"))
    evidence = evidence_of(
        "Tesla plans to use its AI expertise to develop a humanoid robot.",
        "Tesla CEO Elon Musk said the robot walked without a tether.",
        "The robot, dubbed Optimus by Tesla, walked stiffly on stage.",
    )
    assert offering("What is Tesla's robot called?", evidence).sentence.startswith("The robot, dubbed Optimus")
    # a title in quotes names it too, though its words are the question's
    evidence = evidence_of(
        "Now LinkedIn is rolling out new features to check a profile, the company told CNN.",
        "LinkedIn's new 'About this Profile' feature shows when an account was created.",
    )
    asked = "What is LinkedIn's new feature for checking a profile called?"
    assert offering(asked, evidence).sentence.startswith("LinkedIn's new 'About this Profile'")
    assert offered("It's the 'best' deal, Biden's aide said.", "name", set()) == {"biden"}  # not quoted in lower case


def test_how_many_prefers_a_number_of_what_it_counts():
    from rag.answer_kinds import counted_noun, counts
    from rag.coverage import offering
    from tests.test_focus import evidence_of

    assert counted_noun("How many baby swings were recalled?") == "swing" and counted_noun("How much did it cost?") is None
    assert counted_noun("How many of the rockers were sold?") == "rocker" and counted_noun("How many of them left?") is None
    assert counted_noun("How many of the lawsuits accuse Trump of not paying?") == "lawsuit"
    assert not counts("Another infant died while lying in the Kids 2 Bright Starts Rocker.", "rocker")  # a digit in a name
    assert counts("On Monday 13 rockers were recalled.", "rocker")
    assert counts("The SEC named five Chinese companies.", "company") and counts("She visited 41 nations.", "country")
    assert counts("Toyota is recalling nearly 2.9 million sports utility vehicles.", "suv")  # "SUVs" written out
    assert counts("Toyota recalled 2.9 million U.S. vehicles.", "vehicle")  # an abbreviation between
    assert counts("More than 4,000 current and former law school applicants got the email.", "applicant")
    assert not counts("She spoke outside Number 10 Downing Street.", "vote")
    assert not counts("Millions of baby swings were recalled.", "swing") and not counts("The owner of one of these swings", "swing")
    evidence = evidence_of("Truss spoke outside Number 10 on Tuesday.", "The contest lasted 8 weeks.", "Truss won 81,326 votes to Sunak's 60,399.")
    assert offering("How many votes did Truss get?", evidence).sentence.startswith("Truss won")


def test_a_follow_ups_story_sentence_may_answer_without_the_questions_words():
    from rag.coverage import offering
    from tests.test_focus import evidence_of

    asked = "How much is the person who is buying the Carolina Panthers paying?"
    evidence = evidence_of("The NFL approved Tepper's $2.2 billion purchase of the team on Tuesday.")
    evidence[0].lexical = 0.0
    assert offering(asked, evidence) is None  # asked alone, a sum in a sentence sharing no word counts something else
    evidence[0].story = 0.2  # asked after "Who is buying the Carolina Panthers?", from that story's article
    assert offering(asked, evidence) is evidence[0]


def test_a_follow_ups_story_sentence_counting_what_is_asked_need_not_say_what_happened():
    from rag.coverage import offering
    from tests.test_focus import evidence_of

    evidence = evidence_of("She had the largest number of eggs ever found, with 122 developing eggs in her.")
    assert offering("How many eggs was she carrying?", evidence) is None  # asked alone: "carrying" is not said
    evidence[0].story = 0.5  # asked after "How long was the record python?", from that story's article
    assert offering("How many eggs was she carrying?", evidence) is evidence[0]
    injured = evidence_of("Some 1,500 people were injured in the quake.")
    injured[0].story = 0.5
    assert offering("How many people died?", injured) is None  # a deed news words one way is still asked of the sentence


def test_a_day_of_the_month_is_a_date_not_an_amount():
    assert not offers("The last Powerball jackpot was won on August 3 in Pennsylvania.", "number", set())
    assert not offers("It was won on 3 Aug in Pennsylvania.", "number", set())
    assert offers("The $2.04 billion jackpot was won on August 3.", "number", set())


def test_how_much_did_it_cost_prefers_a_sum_of_money():
    from rag.answer_kinds import strong_sign
    from rag.coverage import offering
    from tests.test_focus import evidence_of

    assert strong_sign("How much have gas prices gone up?", "number") is None
    evidence = evidence_of(
        "The sale was part of the 21st annual auction for a lunch with Buffett.",
        "Bidding opened on 12 June.",
        "The lunch sold for $19 million, eBay said.",
    )
    assert offering("How much did the Buffett lunch cost?", evidence).sentence.startswith("The lunch sold")


def test_a_price_is_a_sum_and_free_is_one():
    from rag.coverage import offering
    from tests.test_focus import evidence_of

    counted = evidence_of("The recall applies to all 260 BZ4X SUVs delivered so far.", "Toyota warned owners of BZ4X SUVs.")
    assert offering("What is the starting price of the BZ4X?", counted) is None  # a count is no price
    assert offering("How many BZ4X SUVs were recalled?", counted).sentence.startswith("The recall")
    assert not offered("Owners of BZ4X SUVs and Covid-19 patients met at the G7.", "number", set())  # digits in names
    priced = evidence_of("The upgrade is free during the first year, Microsoft said.", "Windows 10 comes out on July 29.")
    assert offering("How much does the Windows upgrade cost?", priced).sentence.startswith("The upgrade is free")
    loaned = evidence_of("Dealers will provide free loaner vehicles to BZ4X owners.", "Toyota recalled the BZ4X.")
    assert offering("How much does the BZ4X cost?", loaned) is None  # free loaners are not the car's price


def test_where_a_sentence_was_filed_is_not_a_name_it_offers():
    asked = question_words("Who is buying the Carolina Panthers?")
    assert not offers("ATLANTA (AP) — The new owner of the Carolina Panthers is committed to the team.", "name", asked)
    assert offers("ATLANTA (AP) — David Tepper is buying the Carolina Panthers.", "name", asked)


def test_which_state_or_country_is_answered_by_one_of_them():
    from rag.coverage import offering
    from tests.test_focus import evidence_of

    evidence = evidence_of(
        "Biden's plan to make tuition free was cut from the Build Back Better Act.",
        "Efforts to waive tuition went further in the states: lawmakers in New Mexico passed a bill.",
    )
    assert offering("Which state is making college tuition free?", evidence).sentence.startswith("Efforts")
    # the question's own state is not the answer
    evidence = evidence_of("Colorado River cuts were announced by the Interior Department.", "Arizona will face the deepest Colorado River cuts.")
    assert offering("Which state faces the biggest Colorado River cuts?", evidence).sentence.startswith("Arizona")


def test_how_many_counts_what_the_question_says_happened():
    from rag.coverage import offering, unsupported
    from rag.focus import told
    from tests.test_focus import evidence_of

    assert {"die", "kill", "dead"} <= told("How many people died in the floods?", "people")
    assert told("How many votes did Liz Truss get?", "vote") == frozenset()  # a light verb tells nothing
    injured = "At least 1,500 people have been reported injured."
    assert offering("How many people died in the floods?", evidence_of(injured)) is None
    assert unsupported("How many people died in the floods?", evidence_of(injured))
    killed = "The floods killed more than 1,000 people, officials said."
    assert offering("How many people died in the floods?", evidence_of(injured, killed)).sentence == killed
    assert offering("How many people were injured in the floods?", evidence_of(injured, killed)).sentence == injured


def test_what_is_counted_is_not_what_happened():
    from rag.answer_kinds import counted_phrase
    from rag.coverage import offering
    from rag.focus import told
    from tests.test_focus import evidence_of

    asked = "How many school bus drivers did the district lay off in May?"
    assert counted_phrase(asked) == "school bus drivers" and counted_phrase("How much did it cost?") is None
    assert {"school", "bus"}.isdisjoint(told(asked, counted_phrase(asked)))
    # the count's own words ("school buses") do not say that anyone was laid off
    buses = "Its 40 school buses will run on electricity by 2030, officials said."
    assert offering(asked, evidence_of(buses)) is None
    cut = "The district laid off 85 school bus drivers in May after the budget vote."
    assert offering(asked, evidence_of(buses, cut)).sentence == cut
    # counting is reported in more words than "count": "tracked at least 1,814 cases"
    tracked = "The agency has tracked at least 1,814 probable or confirmed cases in the state."
    assert offering("How many flu cases had the agency counted by July?", evidence_of(tracked)).sentence == tracked


def test_who_holds_a_role_needs_a_sentence_that_names_the_role():
    from rag.coverage import asked_role, unsupported
    from tests.test_focus import evidence_of

    assert asked_role("Who is the new CEO of Twitter?") == "ceo" and asked_role("Who is the president of France?") == "president"
    assert asked_role("Who won the Stanley Cup?") is None and asked_role("Who is next in line to the throne?") is None
    about = "Apple (AAPL) is the 13th biggest Dow component, with a market value of $2.4 trillion."
    assert "ceo" in unsupported("Who is the CEO of Apple?", evidence_of(about))
    named = "Tim Cook, the CEO of Apple, said sales rose."
    assert unsupported("Who is the CEO of Apple?", evidence_of(about, named)) is None
    # the owner's role, asked with a possessive
    assert asked_role("Who was Haiti's president when it struck?") == "president" and asked_role("Who is Apple's chief executive officer?") == "officer"
    assert "ceo" in unsupported("Who is Apple's CEO?", evidence_of(about)) and unsupported("Who is Apple's CEO?", evidence_of(about, named)) is None
    assert asked_role("Who is Liz Truss?") is None
    # "Who's" before a determiner is "Who is"; "Who's won ...?" is "Who has"
    chameleon = "Liz Truss, the new prime minister, is a political chameleon, Boris Johnson said."
    assert "husband" in unsupported("Who's the husband of Liz Truss?", evidence_of(chameleon))
    assert asked_role("Who's won the most?") is None
    # a wife or husband is also who someone married
    married = "Actress Ana Lind, who starred in his films, was also married to the director for a short time."
    assert unsupported("Who was Jon Berg's first wife?", evidence_of(married)) is None
    assert "wife" in unsupported("Who was Jon Berg's first wife?", evidence_of("Actress Ana Lind starred in his films."))


def test_whether_something_happened_is_not_answered_by_a_condition():
    from rag.coverage import unsupported
    from tests.test_focus import evidence_of

    condition = "But if Congress approves the emergency funding request, the money would be available this year."
    assert "would follow" in unsupported("Did Congress end up approving the money?", evidence_of(condition))
    approved = "Congress approved the emergency funding request on Thursday, and the money is available this year."
    assert unsupported("Did Congress end up approving the money?", evidence_of(approved)) is None
    # what is owed if something happens answers a question about the present
    owed = "If JetBlue closes its deal for Spirit, Spirit will owe Frontier an additional $69 million."
    assert unsupported("Does Spirit owe Frontier anything?", evidence_of(owed)) is None


def test_how_old_prefers_an_age():
    from rag.coverage import offering
    from tests.test_focus import evidence_of

    died = "Ashton Carter, who served as defense secretary, has died, his family said."
    vote = "Carter was confirmed in the Senate by a vote of 93 to 5."
    assert offering("How old was Ashton Carter?", evidence_of(died, vote, "He was 68.")).sentence == "He was 68."
    assert offering("How old was Loretta Lynn?", evidence_of(vote, "Loretta Lynn, 90, died at home.")).sentence.startswith("Loretta")


def test_who_was_prefers_the_apposition_and_who_led_the_sentence_that_says_so():
    from rag.coverage import offering
    from tests.test_focus import evidence_of

    stopped = "On Tuesday, Mahsa Amini and her family were stopped by a patrol in Tehran."
    described = "Protests followed the death of Mahsa Amini, a 22-year-old Kurdish Iranian woman."
    assert offering("Who was Mahsa Amini?", evidence_of(stopped, described)).sentence == described
    found = "An independent investigation found systemic abuse in the National Women's Soccer League."
    led = "The report, led by former acting attorney general Sally Q. Yates, was released Monday."
    assert offering("Who led the investigation into women's soccer?", evidence_of(found, led)).sentence == led


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Which city's rent rose most?", True),
        ("Miami saw the biggest increase among the 50 largest US cities.", True),
        ("The Lightning were the No. 1 seed.", True),
        ("Rents rose by double-digit percentages in all size categories.", False),
        ("The honest broker made an arrest at the festival.", False),  # words ending in -est that rank nothing
    ],
)
def test_what_ranks_something(text, expected):
    assert ranks(text) is expected


def test_month_and_day_names_count_capitalised_and_times_of_day_answer_when():
    asked = question_words("When did the probe hit the comet?")
    assert not offers("There may even be pieces of the probe in the crater.", "date", asked)
    assert not offers("Supporters march through the city.", "date", asked)
    assert offers("The impact occurred at 7:14 p.m.", "date", asked)
    assert offers("The probe hit the comet shortly after midnight.", "date", asked)
    assert offers("It was launched in May.", "date", asked)


def test_who_won_in_a_year_prefers_the_winner_of_that_year():
    from rag.coverage import offering
    from tests.test_focus import evidence_of

    evidence = evidence_of(
        "This year's winner will dine with Buffett and seven guests at a New York steakhouse.",
        "The 2019 auction raised far less for the Glide charity.",
        "2019's winner was the entrepreneur Ada Quill.",
    )
    assert offering("Who won the Buffett lunch in 2019?", evidence).sentence.startswith("2019's winner")
    # without a year the first sentence that says the deed of what the question names still leads
    assert offering("Who won the Buffett lunch?", evidence).sentence.startswith("This year's winner")


def test_a_month_after_a_name_is_a_name():
    assert not offers("Truss follows Margaret Thatcher and Theresa May as premier.", "date", set())
    assert offers("In May, prices rose.", "date", set()) and offers("The vote was held in May.", "date", set())
    assert offered("Prime Minister Theresa May resigned in June.", "date", set()) == {"june"}
    assert offered("Theresa May resigned in June.", "date", set()) == {"june"} and offers("Since May, prices rose.", "date", set())


def test_what_a_sentence_offers_beside_the_answer_is_not_taken_for_it():
    from rag.answer_kinds import counts, names_as

    assert counts("A total of 11 Dongfeng (DF) missiles were fired.", "missile")  # a parenthesis between them
    # a source is no place, a direction no name
    assert not offers("She had mild symptoms, according to Alexander.", "place", set())
    assert offers("She flew to Alexandria on Monday.", "place", set())
    assert not names_as("Chinese firms fill the gap left by Western brands.", "brand")
    # a number in a name or a title is no amount: "iOS 17", “Confessions 2”; "Monday 13 rockers" is one
    assert not offers("He plans to drop his album “Confessions 2” this year.", "number", set())
    assert not offers("Apple will release iOS 17 in the fall.", "number", set())
    assert offers("On Monday 13 rockers were recalled.", "number", set())
    # a number of hours or miles counts no people: "How many people watched?" is not answered by "three hours"
    assert not offers("That is a little more than three hours as the riot unfolded.", "number", {"how", "many", "people", "watched"})
    assert offers("It took 12 years.", "number", {"how", "many", "years"})


def test_how_much_more_is_answered_by_a_share_or_a_sum():
    from rag.answer_kinds import strong_sign

    more = strong_sign("How much more will home heating cost this winter?", "number")
    assert more("Families will pay 17.2% more for heat.") and more("Heating will cost $952.") and not more("Heating bills will rise.")
    assert not strong_sign("How much will home heating cost?", "number")("Families will pay 17.2% more for heat.")


def test_how_many_is_not_answered_by_a_measure_or_one_of_many():
    asked = question_words("How many did the company lose in the first quarter?")
    assert not offers("The company is in one of the roughest periods of its 25-year history.", "number", asked)
    assert offered("Netflix lost 200,000 subscribers.", "number", asked) == {"200,000"}
    # a measure in the unit asked about still answers
    assert offered("She got a 9-year sentence.", "number", question_words("How many years did she get?")) == {"9"}


def test_people_are_named_after_or_beside_their_role_not_by_whom_they_work_for():
    from rag.answer_kinds import names_as

    assert not names_as("Iran will train Russian forces, White House officials said.", "official")
    assert not names_as("He asked a Conservative Party donor for funds.", "donor")
    assert names_as("Iran will train Russian forces, US official Ada Quill said.", "official")
    assert names_as("Ada Quill, a senior official, said so.", "official")
    assert names_as("No Bed Bath & Beyond stores were told to adjust it.", "store")  # a thing is named before its noun


def test_a_typographic_apostrophe_does_not_make_a_stop_word_a_name():
    assert offered("You’ll soon be able to sign up for a cheaper plan with ads.", "name", question_words("Who is Netflix teaming up with?")) == set()
    assert offered("Netflix will partner with Microsoft.", "name", question_words("Who is Netflix teaming up with?")) == {"microsoft"}


def test_a_person_the_articles_leave_unnamed_is_not_answered_by_another_name():
    from rag.coverage import unsupported
    from tests.test_focus import evidence_of

    evidence = evidence_of(
        "WhatsApp messages revealed Johnson had asked a Conservative Party donor for funds to refurbish his flat.",
        "Johnson faced questions in Parliament over the refurbishment.",
    )
    assert unsupported("Which donor paid for the makeover?", evidence) == "The articles that match best mention a donor but do not name one."
    named = evidence_of("Johnson had asked a Conservative Party donor for funds.", "The makeover was paid for by donor Ada Quill.")
    assert unsupported("Which donor paid for the makeover?", named) is None
    # an abbreviation is a word too: "a U.S. official" is someone unnamed
    official = evidence_of("A U.S. official confirmed the strike on Monday.", "The Pentagon declined to comment.")
    assert unsupported("Which official confirmed the strike?", official) == "The articles that match best mention an official but do not name one."
    # "the singer" was named before: the sentence speaks of someone known
    known = evidence_of("Adele is returning to Las Vegas.", "The singer announced Monday that she has new dates for her residency.")
    assert unsupported("Which popular singer will launch a Las Vegas residency?", known) is None
    # astronauts are people too
    crew = evidence_of("Artemis III is expected to land astronauts on the lunar surface.", "The Artemis II mission will follow next year.")
    assert unsupported("Which astronauts will fly on Artemis II?", crew) == "The articles that match best mention an astronaut but do not name one."
    # the role someone was given: "Who did they name as <role>?"
    coordinator = evidence_of("The White House has named a national monkeypox coordinator.", "Cases have doubled since mid-July.")
    asked = "Who did the White House name as its national monkeypox coordinator?"
    assert unsupported(asked, coordinator) == "The articles that match best mention a coordinator but do not name one."
    named = evidence_of("The White House named Ada Quill as its national monkeypox coordinator.", "It had promised a national monkeypox coordinator.")
    assert unsupported(asked, named) is None
    another = evidence_of("The White House has named a national monkeypox coordinator.", "Covid-19 response coordinator Ashish Jha said so.")
    assert unsupported(asked, another) == "The articles that match best mention a coordinator but do not name one."


def test_a_best_sentence_saying_the_asked_thing_is_not_known_is_a_refusal():
    from dataclasses import replace

    from rag.coverage import unsupported
    from tests.test_focus import evidence_of

    def closest_second(*sentences):  # the second sentence shares most of the question's words
        first, second = evidence_of(*sentences)
        return [replace(first, lexical=0.2), replace(second, lexical=0.8)]

    declined = closest_second(
        "The company recalled 2.9 million vehicles on Tuesday to fix an airbag sensor defect that caused injuries.",
        "A spokesperson declined to comment on how many injuries, deaths or crashes the company has linked to the defect.",
    )
    assert "says this is not known" in unsupported("How many injuries has the defect caused?", declined)
    # what is unknown is another thing than what is asked: the sentence answers it
    other = closest_second(
        "Owners can get $5,000 toward their car payments.",
        "Toyota has not yet identified the issue and is offering to simply buy back the SUVs from customers.",
    )
    assert unsupported("Which carmaker is buying back SUVs?", other) is None


def test_a_measure_for_the_asked_year_leads_before_one_for_another_year():
    from rag.coverage import offering
    from tests.test_focus import evidence_of

    evidence = evidence_of(
        "Sales at Quillco's US stores were $12.3 billion in 2013, its best year.",
        "In 2021, sales at Quillco slumped to $9.4 billion, a research firm said.",
    )
    assert offering("What were Quillco's US sales in 2021?", evidence) is evidence[1]
    # a figure for another year does not answer at all
    earlier = evidence_of("Workers got profit-sharing of about $2,500, based on Quillco's 2013 earnings.")
    assert offering("How much profit did Quillco make in 2014?", earlier) is None
    assert offering("How much profit did Quillco make in 2013?", earlier) is earlier[0]
    # a month is not pinned by its year
    monthly = evidence_of("Outflows from the fund reached $17.5 billion last month.", "The fund took in $1.4 billion in the first quarter of 2022.")
    assert offering("How much money left the fund in March 2022?", monthly) is monthly[0]


def test_a_year_that_names_a_thing_is_not_a_date_it_happened():
    assert offered("The supervisor said he will resign after recordings about the 2020 election surfaced.", "date", set()) == set()
    assert offered("Usher is set to follow up his 2004 album.", "date", set()) == set()
    assert offered("The supervisor resigned in 2020 after the election.", "date", set()) == {"2020"}
    assert offered("It was the Fed's largest hike since 1994.", "date", set()) == {"1994"}


def test_another_way_of_writing_a_place_the_question_names_is_no_answer():
    asked = question_words("Where did the first monkeypox death in the US happen?")
    assert offered("More than 6,600 cases have been detected in the United States.", "place", asked) == set()
    assert offered("A resident died in Los Angeles County, the first such death in the U.S.", "place", asked) == {"los", "angeles", "county"}


def test_a_follow_up_from_its_story_is_held_by_its_content_match_not_the_score_threshold():
    from rag.answerers.extractive import ExtractiveAnswerer
    from tests.test_focus import evidence_of

    answerer = ExtractiveAnswerer(threshold=0.5, max_citations=3)
    period = evidence_of("At least 13 infants died in the past dozen years while lying in the rocker.")
    period[0].score, period[0].dense, period[0].lexical = 0.3, 0.4, 0.3  # "Over what period?": short, few shared words
    assert answerer.weak(period)  # asked alone, too weak to answer
    period[0].story, period[0].score = 0.5, 0.8  # asked after "How many infants died in the rocker?", from that article
    assert not answerer.weak(period)
    period[0].dense, period[0].lexical = 0.1, 0.0  # a story sentence that shares nothing with the question
    assert answerer.weak(period)


def test_a_why_question_is_led_by_the_sentence_giving_a_cause():
    from rag.coverage import offering
    from tests.test_focus import evidence_of

    evidence = evidence_of(
        "The data regulator regulates Instagram and Facebook in Europe.",
        "The regulator fined Instagram 405 million euros on Friday.",
        "It regulates Facebook and Instagram due to the location of their EU headquarters in Dublin.",
    )
    assert offering("Why does Ireland regulate Instagram and Facebook?", evidence) is evidence[2]
    assert offering("How does Ireland regulate Instagram and Facebook?", evidence) is None  # no cause asked: left in order


def test_which_official_is_answered_by_any_person_named_with_a_title():
    from rag.answer_kinds import names_as

    sentence = "It is unclear whether Iran has delivered them, national security adviser Jake Sullivan told reporters."
    assert names_as(sentence, "official") and not names_as(sentence, "donor")
    assert not names_as("White House officials said the drones were ready.", "official")


def test_a_follow_up_led_by_its_storys_sentence_is_not_scattered():
    from rag.coverage import scattered
    from tests.test_focus import evidence_of

    evidence = evidence_of(
        "Tesla posted record profits, well above the $2.6 billion forecast by Wall Street.",
        "Markets rallied on Friday.",
        "Ford reported its results.",
    )
    for n, e in enumerate(evidence):
        e.doc_id = f"article-{n}"
    assert scattered("And what had analysts expected?", evidence)  # asked alone: three articles, little shared
    evidence[0].story = 0.5  # after "How much did Tesla earn?", from that story's article
    assert scattered("And what had analysts expected?", evidence) is None


def test_a_place_the_question_names_is_no_answer_to_where():
    asked = question_words("Where did the Oak Fire near Yosemite start?")
    assert not offers("The Oak Fire ignited near Yosemite National Park on Friday.", "place", asked)
    assert offers("The Oak Fire started in Mariposa County on Friday.", "place", asked)


def test_a_sum_of_another_measure_does_not_answer():
    from rag.coverage import offering
    from tests.test_focus import evidence_of

    prices = evidence_of("Austin leads the nation in median list price growth, up 23.1% to $446,642.")
    assert offering("What's the median rent in Austin?", prices) is None  # a price is no rent
    assert offering("What's the median price in Austin?", prices) is prices[0]
    rents = evidence_of("The median rent in Austin rose to $1,800 a month, while the median price passed $446,642.")
    assert offering("What's the median rent in Austin?", rents) is rents[0]  # names the rent too


def test_how_much_of_a_sum_asks_for_money():
    from rag.coverage import offering
    from tests.test_focus import evidence_of

    question = "How much student debt did the college erase?"
    assert asks_sum(question) and asks_sum("How much revenue did it report?") and not asks_sum("How much rain fell?")
    students = evidence_of("The college erased the debt of thousands of students, it said.")
    assert offering(question, students) is None  # a count of students is no sum
    assert offering(question, evidence_of("The college erased $1.2 million of student debt, it said.")) is not None
    # what a voting law will cost is another measure than a debt
    assert offering(question, evidence_of("The college said the new law will cost the county $11 million.")) is None


def test_a_figure_for_part_of_a_year_does_not_answer_for_the_whole_year():
    from rag.coverage import offering, whole_year
    from tests.test_focus import evidence_of

    assert whole_year("How many pickups did Ford sell in all of 2017?") == "2017"
    assert whole_year("How many homes were sold in November 2020?") is None
    assert whole_year("How much did Tesla earn in the first quarter of 2022?") is None
    december = evidence_of("Ford sold nearly 90,000 F-Series pickups in December.")
    assert offering("How many F-Series pickups did Ford sell in all of 2017?", december) is None
    assert offering("How many F-Series pickups did Ford sell in December?", december) is december[0]
    year = evidence_of("Ford sold 896,764 F-Series pickups in 2017, after 820,799 in December 2016 alone.")
    assert offering("How many F-Series pickups did Ford sell in 2017?", year) is year[0]


def test_becoming_one_role_is_not_answered_by_becoming_another():
    from rag.coverage import become_role, offering
    from tests.test_focus import evidence_of

    assert become_role("When did Liz Truss become foreign secretary?") == "secretary"
    assert become_role("When was she elected mayor of Chicago?") == "mayor" and become_role("Who made the air bags?") is None
    premier = evidence_of("Liz Truss became the third female prime minister in British history on Tuesday.")
    assert offering("When did Liz Truss become foreign secretary?", premier) is None
    assert offering("When did Liz Truss become prime minister?", premier) is premier[0]


def test_how_long_asks_for_a_length_of_time():
    from rag.answer_kinds import answer_kind, offered
    from rag.coverage import offering, unsupported
    from tests.test_focus import evidence_of

    assert answer_kind("How long was the mayor in office?") == "duration" and answer_kind("How long until they ship?") == "duration"
    assert offered("She will serve a nine-year sentence.", "duration", set()) == {"nine-year"}
    assert offered("The 69-minute window opens at noon.", "duration", set()) == {"69-minute"}
    assert offered("The monthlong strike ended.", "duration", set()) == {"monthlong"}
    assert offered("The bridge has been closed since 2019.", "duration", set()) == {"since 2019"}
    assert offered("Tickets rose 5 cents a gallon on Monday.", "duration", set()) == set()
    asked = "How long will the water ban be extended?"
    dated = "The city is keeping the water ban in place beyond July 15, officials said."
    extended = "The ban will be extended for another 90 days, the council said."
    assert offering(asked, evidence_of(dated, extended)).sentence == extended
    assert "duration" in unsupported(asked, evidence_of(dated))


def test_which_leads_with_the_sentence_before_that_names_what_the_lead_calls_the_noun():
    from rag.answerers.extractive import ExtractiveAnswerer
    from rag.evidence import Evidence

    def sentence(text: str, index: int, score: float, doc_id: str = "a") -> Evidence:
        return Evidence(doc_id, "t", text, index, 0, len(text), score, 0.5, 0.5)

    renewed = sentence("Streamly said Monday that the wildly popular Danish crime show is renewed for a second season.", 5, 0.9)
    named = sentence("“Harbour Lights” is officially coming back.", 4, 0.6)
    elsewhere = sentence("“Night Ferry” is ending after one season.", 4, 0.7, doc_id="b")
    answerer = ExtractiveAnswerer(0.0, 3)
    asked = "Which show is getting a new season?"
    chosen = answerer.choose(asked, [renewed, elsewhere, named])
    assert chosen[0] is named and chosen[1] is renewed
    # another article's sentence, or one too far before, names nothing the lead speaks of
    assert answerer.choose(asked, [renewed, elsewhere])[0] is renewed
    far = sentence("“Harbour Lights” is officially coming back.", 1, 0.6)
    assert answerer.choose(asked, [renewed, far])[0] is renewed
    # a lead that names the show itself keeps the lead
    named_lead = sentence("Streamly renewed the crime show “Harbour Lights” for a second season.", 5, 0.9)
    assert answerer.choose(asked, [named_lead, named])[0] is named_lead


def test_a_quantity_asked_for_is_answered_by_a_number_given_beside_its_word():
    from rag.coverage import offering
    from tests.test_focus import evidence_of

    evidence = evidence_of(
        "Years ago, an earthquake struck just outside Portvale, leaving thousands dead and 2 million displaced.",
        "Rescuers are still searching Portvale after the 6.8 magnitude earthquake on Saturday.",
    )
    assert offering("What magnitude was Saturday's earthquake in Portvale?", evidence) is evidence[1]
    assert offering("What was the magnitude of the Portvale earthquake?", evidence) is evidence[1]
    tolls = evidence_of("Portvale's mayor said 2 million people live in the region.", "The death toll in Portvale rose to 1,297 on Sunday.")
    assert offering("What was the death toll in Portvale?", tolls) is tolls[1]
    # a number another quantity's word follows gives no toll
    heading = evidence_of("Death toll is rising in Portvale after 6.8 magnitude earthquake", "The toll rose to 1,297 on Sunday.")
    assert offering("What was the death toll in Portvale?", heading) is heading[1]


def test_a_count_given_for_another_year_does_not_answer_for_the_year_asked():
    from rag.coverage import offering
    from tests.test_focus import evidence_of

    evidence = evidence_of(
        "The Quill Awards in 2020 reached a record low 23.6 million viewers.",
        "The Quill Awards sank to 9.1 million viewers, down 61% from 2020.",
    )
    assert offering("How many viewers watched the 2021 Quill Awards?", evidence) is evidence[1]
    assert offering("How many viewers watched the 2021 Quill Awards?", evidence[:1]) is None
    # a year the figure is compared with dates nothing
    record = evidence_of("Cazaux recorded 42.4 degrees on Monday, its hottest since its station first opened in 1921.")
    assert offering("How hot did it get in Cazaux during the July 2022 heat wave?", record) is record[0]
    # watching is told by viewers
    assert offering("How many people watched the 2021 Quill Awards?", evidence[1:]) is evidence[1]
