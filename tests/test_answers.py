"""End to end on the seed article: real embedding model, real Chroma, real files."""

import pytest

from index.sentences import split_sentences
from rag.evidence import VectorCache
from rag.answerers import NOT_FOUND
from rag.schema import Filters, Turn
from tests.conftest import SEED_DOC

ANSWERABLE = [
    ("Which neighbourhoods did the Syrian army capture?", ["Yarmouk", "Hajar al-Aswad"]),
    ("Who is the spokesman of Iran's Foreign Ministry?", ["Bahram Ghasemi"]),
    ("How many people left the area on Saturday and Sunday?", ["1,600"]),
    ("Which countries have provided military support to Assad?", ["Russia", "Iran"]),
]


def assert_citations_are_verbatim(service, result):
    for citation in result.citations:
        text = service.article(citation.doc_id).article.text
        assert text[citation.start : citation.end] == citation.sentence
        assert f"[{citation.n}]" in result.answer


@pytest.mark.parametrize(("question", "expected"), ANSWERABLE)
def test_answers_cite_sentences_that_contain_the_answer(seed_service, question, expected):
    result = seed_service.ask(question)
    assert not result.abstained, result
    cited = " ".join(c.sentence for c in result.citations)
    assert any(fact in cited for fact in expected), cited
    assert [c.n for c in result.citations] == list(range(1, len(result.citations) + 1))
    assert all(c.doc_id == SEED_DOC for c in result.citations)
    assert_citations_are_verbatim(seed_service, result)


def test_citation_offsets_are_sentence_boundaries(seed_service):
    result = seed_service.ask(ANSWERABLE[0][0])
    spans = {(s.start, s.end) for s in split_sentences(seed_service.article(SEED_DOC).article.text)}
    assert all((c.start, c.end) in spans for c in result.citations)


@pytest.mark.parametrize(
    "question",
    ["What is the boiling point of mercury?", "Who won the 2014 football World Cup final?", "Best recipe for banana bread?"],
)
def test_off_topic_questions_abstain(seed_service, question):
    result = seed_service.ask(question)
    assert result.abstained
    assert result.answer == NOT_FOUND
    assert result.citations == []


def test_follow_up_question_uses_the_conversation(seed_service):
    history = [
        Turn(role="user", content="What did Iran's Foreign Ministry spokesman say?"),
        Turn(role="assistant", content="He said Iran will continue its support [1]"),
    ]
    result = seed_service.ask("What was his name?", history=history)
    assert not result.abstained
    assert "Bahram Ghasemi" in result.citations[0].sentence
    assert seed_service.ask("What was his name?").abstained  # alone, the question names nothing


def test_search_returns_distinct_documents_with_contract_fields(seed_service):
    result = seed_service.search("Iranian forces will remain in Syria", k=5)
    assert [hit.rank for hit in result.results] == [1]
    hit = result.results[0]
    assert hit.doc_id == SEED_DOC and hit.score > 0 and "Iran" in hit.text
    per_doc = seed_service.search("Iranian forces will remain in Syria", k=5, per_doc=3)
    assert len(per_doc.results) == 3 and len({h.text for h in per_doc.results}) == 3


def test_filters_restrict_retrieval(seed_service):
    assert seed_service.search("Syria", filters=Filters(source="Other Wire")).results == []
    assert seed_service.search("Syria", filters=Filters(doc_ids=[SEED_DOC])).results
    assert seed_service.ask("Which neighbourhoods did the army capture?", filters=Filters(doc_ids=["nope"])).abstained


def test_reingest_adds_nothing_and_changes_replace(fresh_store, seed_copy):
    first = fresh_store.ingest([seed_copy])
    chunks = fresh_store.store.vectors.count()
    assert (first.added, first.chunks) == (1, chunks) and chunks > 1
    again = fresh_store.ingest([seed_copy])
    assert (again.added, again.updated, again.unchanged, again.chunks) == (0, 0, 1, 0)
    assert fresh_store.store.vectors.count() == chunks

    article = seed_copy / SEED_DOC
    article.write_text(article.read_text().replace("Bahram Ghasemi", "Ghasemi Bahrami"))
    changed = fresh_store.ingest([seed_copy])
    assert (changed.updated, changed.added) == (0 + 1, 0)
    assert fresh_store.store.vectors.count() == chunks
    assert fresh_store.store.docs.count() == 1
    cited = " ".join(c.sentence for c in fresh_store.ask("Who is the spokesman of Iran's Foreign Ministry?").citations)
    assert "Ghasemi Bahrami" in cited and "Bahram Ghasemi" not in cited


def test_delete_removes_article_everywhere(fresh_store, seed_copy):
    fresh_store.ingest([seed_copy])
    assert fresh_store.delete(SEED_DOC)
    assert fresh_store.store.vectors.count() == 0
    assert fresh_store.article(SEED_DOC) is None
    assert fresh_store.search("Syria").results == []
    assert fresh_store.ask("Which neighbourhoods did the Syrian army capture?").abstained
    assert not fresh_store.delete(SEED_DOC)


def test_store_built_with_other_settings_is_refused(seed_settings, seed_service):
    from index.store import Store, StoreMismatch

    with pytest.raises(StoreMismatch, match="another --store"):
        Store(seed_settings.model_copy(update={"chunk_words": 99}))


def test_a_bad_file_does_not_lose_stored_articles(fresh_store, seed_copy):
    fresh_store.ingest([seed_copy])
    (seed_copy / "bad.json").write_text("{oops")
    report = fresh_store.ingest([seed_copy])
    assert report.errors and "bad.json" in report.errors[0]
    assert report.unchanged == 1 and fresh_store.store.docs.count() == 1
    assert not fresh_store.ask(ANSWERABLE[0][0]).abstained


def test_concurrent_questions_get_the_same_answers(seed_service):
    from concurrent.futures import ThreadPoolExecutor

    questions = [q for q, _ in ANSWERABLE] * 4
    expected = {q: seed_service.ask(q).answer for q, _ in ANSWERABLE}
    seed_service.ranker._sentences = VectorCache()  # every thread embeds at once
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda q: seed_service.ask(q).answer, questions))
    assert answers == [expected[q] for q in questions]


def test_extractive_answer_streams_one_cited_sentence_at_a_time(seed_service):
    items = list(seed_service.ask_stream("Which neighbourhoods did the Syrian army capture?"))
    pieces, result = items[:-1], items[-1]
    assert "".join(pieces) == result.answer
    assert len(pieces) == len(result.citations) >= 2
    assert all(piece.rstrip().endswith(f"[{n}]") for n, piece in enumerate(pieces, start=1))
