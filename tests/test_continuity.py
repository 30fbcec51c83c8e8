"""A follow-up stays with the story of the question it follows (rag/continuity.py)."""

import pytest

from rag import continuity
from rag.conversation import previous_question
from rag.evidence import Evidence
from rag.focus import Focus
from rag.retrievers.hybrid import ChunkHit
from rag.schema import Turn
from tests.conftest import SEED_DOC
from tests.test_conversation import chat


@pytest.mark.parametrize(
    ("earlier", "expected"),
    [
        (["Which neighbourhoods did the Syrian army capture?"], "Which neighbourhoods did the Syrian army capture?"),
        # the latest question, itself made stand-alone
        (["What did Iran's Foreign Ministry spokesman say?", "What was his name?"], "What was the name of Iran's Foreign Ministry spokesman?"),
        (["What were gas prices in June?", "And in May?"], "What were gas prices in May?"),
        ([], None),
    ],
)
def test_the_question_a_follow_up_follows(earlier, expected):
    assert previous_question(chat(*earlier)) == expected


def hit(node_id: str, score: float, doc_id: str = "a") -> ChunkHit:
    return ChunkHit(node_id, doc_id, score, f"text of {node_id}", {})


def test_the_storys_chunks_join_below_every_hit_and_once():
    hits = [hit("1", 0.9), hit("2", 0.5)]
    extra = [hit("2", 1.0, "b"), hit("3", 1.0, "b"), hit("4", 0.5, "b")]
    joined = continuity.merged(hits, extra)
    assert [h.node_id for h in joined] == ["1", "2", "3", "4"]
    assert joined[1].score == 0.5  # the search's own hit kept as found
    assert joined[2].score == pytest.approx(0.5) and joined[3].score == pytest.approx(0.25)
    assert extra[1].score == 1.0  # the story's hits are not changed in place


def evidence(doc_id: str, score: float) -> Evidence:
    return Evidence(doc_id, "title", f"A sentence of {doc_id}.", 0, 0, 10, score, 0.5, 0.5)


def test_the_storys_sentences_are_favoured_by_the_weight():
    ranked = [evidence("other", 0.8), evidence("story", 0.7), evidence("far", 0.3)]
    favoured = continuity.favour(ranked, ["story"], weight=0.2)
    assert [e.doc_id for e in favoured] == ["story", "other", "far"]
    assert favoured[0].score == pytest.approx(0.9)
    assert continuity.favour(ranked, [], weight=0.2) == ranked


def test_the_storys_weight_does_not_lift_weak_evidence_over_the_refusal_line():
    from rag.answerers.extractive import ExtractiveAnswerer

    answerer = ExtractiveAnswerer(threshold=0.5, max_citations=3)
    weak = [evidence("story", 0.4)]
    weak[0].dense, weak[0].lexical = 0.2, 0.1  # a story sentence sharing little with the question
    favoured = continuity.favour(weak, ["story"], weight=0.2)
    assert favoured[0].score == pytest.approx(0.6) and answerer.weak(favoured)
    assert not answerer.weak([evidence("story", 0.6)])


def test_the_story_is_what_the_previous_answer_quoted(seed_and_python):
    docs = seed_and_python.store.docs
    quote = " ".join(docs.get("python.txt").sentence_text(0).split())
    answer = f"{quote} [1]"
    assert continuity.shown(docs, answer, [SEED_DOC, "python.txt"]) == ["python.txt"]
    assert continuity.shown(docs, "I could not find this in the indexed articles.", [SEED_DOC, "python.txt"]) == []


def test_a_rewritten_follow_ups_own_words_pick_the_sentence_within_the_story():
    # "Who hosted it?" searched as "Who hosted the 2021 Golden Globes?": the typed words are what tell the sentences apart
    assert continuity.typed_apart("Who hosted it?", "Who hosted the 2021 Golden Globes?")
    assert not continuity.typed_apart("When was that?", "When did Putin announce it?")  # nothing of its own to go by
    assert not continuity.typed_apart("Who hosted the Globes?", "Who hosted the Globes?")  # not rewritten
    ranked = [evidence("story", 0.9), evidence("story", 0.8)]
    typed = continuity.as_typed(ranked, [0.1, 0.5], weight=0.6)
    assert [e.score for e in typed] == pytest.approx([0.8 + 0.3, 0.9 + 0.06])
    # the part it adds counts as the conversation's, which the refusal line does not count
    assert [e.story for e in typed] == pytest.approx([0.3, 0.06])


# --- a conversation over the seed and an article that matches the follow-up's words better ---------

PYTHON = """Rangers catch a giant python
Park rangers caught an 18-foot Burmese python in the Everglades, the park's director said on Wednesday.
Dana Reyes said the capture of the snake, which weighed 215 pounds, took four hours.
"""
NEIGHBOURHOODS = "Which neighbourhoods did the Syrian army capture?"
NEIGHBOURHOODS_ANSWER = "The army captured Yarmouk camp and Hajar al-Aswad. [1]"


@pytest.fixture
def seed_and_python(fresh_store, seed_copy, monkeypatch):
    monkeypatch.setattr(continuity, "STORY_ARTICLES", 1)  # of two articles, the story is the seed alone
    (seed_copy / "python.txt").write_text(PYTHON)
    assert fresh_store.ingest([seed_copy]).added == 2
    return fresh_store


def conversation(*questions: str) -> list[Turn]:
    return [Turn(role=role, content=text) for question in questions for role, text in (("user", question), ("assistant", NEIGHBOURHOODS_ANSWER))]


def test_a_follow_up_stays_with_the_story_it_follows(seed_and_python):
    alone = seed_and_python.evidence("Who announced the capture?")
    assert alone[0].doc_id == "python.txt"  # on its own, the python's capture matches best
    followed = seed_and_python.evidence("Who announced the capture?", conversation(NEIGHBOURHOODS))
    assert followed[0].doc_id == SEED_DOC and "Mayhoub" in followed[0].sentence
    # the story's sentences rank higher (by the weight of a question that names nothing); the others keep their scores
    before = {e.sentence: e.score for e in alone}
    assert all(e.score == pytest.approx(before[e.sentence] + continuity.NAMELESS_WEIGHT) for e in followed if e.doc_id == SEED_DOC and e.sentence in before)
    assert all(e.score == pytest.approx(before[e.sentence]) for e in followed if e.doc_id == "python.txt")


def test_a_follow_up_that_names_nothing_leans_on_its_story_more():
    assert continuity.story_weight("How much will a seat cost?", "How much will a seat cost?") == continuity.NAMELESS_WEIGHT
    # one that names something, or was rewritten with the subject it refers to, has that to go by
    assert continuity.story_weight("How did Beijing react?", "How did Beijing react?") == continuity.STORY_WEIGHT
    assert continuity.story_weight("How heavy was it?", "How heavy was the gator?") == continuity.STORY_WEIGHT
    assert continuity.NAMELESS_WEIGHT > continuity.STORY_WEIGHT


def test_a_question_naming_what_the_story_lacks_starts_afresh(seed_and_python):
    question = "Who announced the capture in the Everglades?"
    followed = seed_and_python.evidence(question, conversation(NEIGHBOURHOODS))
    assert [(e.sentence, e.score) for e in followed] == [(e.sentence, e.score) for e in seed_and_python.evidence(question)]
    assert followed[0].doc_id == "python.txt"


def test_the_previous_question_just_asked_is_not_searched_again(seed_and_python, monkeypatch):
    seed_and_python.evidence(NEIGHBOURHOODS)
    searched = []
    search = seed_and_python.retriever.chunks
    monkeypatch.setattr(seed_and_python.retriever, "chunks", lambda query, *args, **kwargs: searched.append(query) or search(query, *args, **kwargs))
    remembered = seed_and_python.evidence("Who announced the capture?", conversation(NEIGHBOURHOODS))
    assert searched == ["Who announced the capture?"] * 2  # the follow-up, then within its story
    seed_and_python._searches = continuity.RecentSearches()  # forgotten: searched again, to the same evidence
    assert [(e.sentence, e.score) for e in seed_and_python.evidence("Who announced the capture?", conversation(NEIGHBOURHOODS))] == [
        (e.sentence, e.score) for e in remembered
    ]
    assert searched.count(NEIGHBOURHOODS) == 1


def test_a_conversation_keeps_its_story_through_a_follow_up_of_a_follow_up(seed_and_python):
    # "Who announced the capture?" searched alone finds the python's capture first; it stayed with the
    # Syrian army's story, so "What did Iran say?" after it stays there too.
    assert seed_and_python.retriever.chunks("Who announced the capture?", 6)[0].doc_id == "python.txt"
    asked = conversation(NEIGHBOURHOODS, "Who announced the capture?")
    alone = {e.sentence: e.score for e in seed_and_python.evidence("What did Iran say?")}
    followed = seed_and_python.evidence("What did Iran say?", asked)
    seed = [e for e in followed if e.doc_id == SEED_DOC and e.sentence in alone]
    assert seed and all(e.score == pytest.approx(alone[e.sentence] + continuity.STORY_WEIGHT) for e in seed)


def test_a_name_the_rewrite_brought_in_is_met_by_the_storys_article(seed_and_python):
    # "How heavy was it?" searched as "How heavy was the Everglades python?": the reader typed no name
    assert continuity.brought_in("How heavy was it?", "How heavy was the Everglades python?") == ("Everglades",)
    assert continuity.brought_in("How heavy was it in Florida?", "How heavy was the Everglades python in Florida?") == ("Everglades",)
    assert continuity.brought_in("How heavy was the python?", "How heavy was the python?") == ()  # not rewritten
    # the article goes on about "the snake": the name is met by the article, not only by the sentence's passage
    article = seed_and_python.store.docs.text("python.txt").lower()
    passage = "Dana Reyes said the capture of the snake took four hours."
    focus = Focus(names=("Everglades", "Yellowstone"))
    met = focus.with_article_wide(("Everglades", "Yellowstone")).missing(passage, lowered_article=article)
    assert met == ["Yellowstone"]  # a name the article does not give stays missing
    # a name the reader typed is held to the passage as before
    assert focus.missing(passage, lowered_article=article) == ["Everglades", "Yellowstone"]
