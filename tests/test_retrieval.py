"""Retrieval behaviour on small corpora made by the tests (real model, real Chroma)."""

import json
from datetime import date

import pytest

from rag.schema import Filters
from rag.recency import recency_weight
from rag.service import Byline


def write_jsonl(path, records):
    path.write_text("\n".join(json.dumps(r) for r in records))
    return path


@pytest.fixture
def weekly_store(tmp_path, seed_settings):
    """The same kind of story in three different weeks."""
    records = [
        {
            "doc_id": f"storm-{day}",
            "title": "Storm closes schools",
            "publish_date": day,
            "text": f"A winter storm closed schools across the county. Officials reopened roads on {day}.",
        }
        for day in ("2022-01-03", "2022-06-13", "2022-11-21")
    ] + [
        {"doc_id": f"other-{n}", "title": title, "publish_date": "2022-06-14", "text": text}
        for n, (title, text) in enumerate(
            [
                ("Council budget", "The city council approved a budget with more money for parks."),
                ("Transfer news", "The club signed a young striker from Brazil for a record fee."),
                ("Bakery opens", "A family bakery opened downtown, selling bread and pastries."),
            ]
        )
    ]
    service = Byline(seed_settings.model_copy(update={"store": tmp_path / "store"}))
    service.ingest([write_jsonl(tmp_path / "storms.jsonl", records)])
    return service


def test_as_of_prefers_the_articles_of_that_week(weekly_store):
    for as_of, expected in [("2022-06-16", "storm-2022-06-13"), ("2022-11-25", "storm-2022-11-21"), ("2022-01-05", "storm-2022-01-03")]:
        hits = weekly_store.search("Why were schools closed?", k=3, filters=Filters(as_of=as_of)).results
        assert hits[0].doc_id == expected, as_of
        assert len({h.doc_id for h in hits} & {f"storm-{d}" for d in ("2022-01-03", "2022-06-13", "2022-11-21")}) == 3  # a preference, not a filter


def test_recency_weight_shape():
    as_of = date(2022, 6, 16)
    assert recency_weight("2022-06-15", as_of, 14) > recency_weight("2022-05-01", as_of, 14) > recency_weight("2021-06-15", as_of, 14)
    assert recency_weight("2022-06-20", as_of, 14) == 0.0  # published after the question: cannot be about it
    assert 0 < recency_weight(None, as_of, 14) < 1


def test_bad_as_of_is_a_clear_error(weekly_store):
    with pytest.raises(ValueError, match="as_of '16/06/2022' is not an ISO date"):
        weekly_store.search("storm", filters=Filters(as_of="16/06/2022"))


def test_date_and_source_filters_are_hard(weekly_store):
    hits = weekly_store.search("storm schools", k=5, filters=Filters(date_from="2022-06-01", date_to="2022-06-13")).results
    assert [h.doc_id for h in hits] == ["storm-2022-06-13"]
    june = weekly_store.search("storm schools", k=5, filters=Filters(date_from="2022-06-01", date_to="2022-06-30")).results
    assert june[0].doc_id == "storm-2022-06-13"
    assert {h.doc_id for h in june} == {"storm-2022-06-13", "other-0", "other-1", "other-2"}
    assert weekly_store.search("storm schools", filters=Filters(date_from="2023-01-01")).results == []


HYBRID_CORPUS = {
    "flight-4471": "Flight KX-4471 from Oslo was diverted to Bergen after a warning light came on in the cockpit.",
    "flight-4417": "Flight KX-4417 from Oslo landed on time in Bergen despite strong winds over the coast.",
    "flight-7144": "Flight KX-7144 to Oslo was cancelled because of a strike by ground crews at the airport.",
    "cars": "Purchases of automobiles fell sharply in spring as households postponed acquiring new vehicles.",
    "breakfast": "Many pupils arrive at school hungry because their families cannot afford a morning meal.",
    "bikes": "Bicycle shops report record demand for electric bikes across the city.",
    "ferry": "The Bergen ferry timetable changes next week, with extra sailings on weekends.",
}
HYBRID_QUERIES = {
    # Exact codes: near-identical for the embedding model, distinct words for BM25.
    "What happened to flight KX-7144?": "flight-7144",
    "Was flight KX-4417 on time?": "flight-4417",
    "Why did flight KX-4471 go to Bergen?": "flight-4471",
    # Paraphrases: no word in common with the answer, so BM25 cannot find it.
    "Why are kids skipping breakfast?": "breakfast",
    "Did people buy fewer cars?": "cars",
    "Are consumers delaying buying a new car?": "cars",
}


def test_hybrid_beats_each_retriever_where_the_other_fails(tmp_path, seed_settings):
    records = [{"doc_id": doc_id, "title": "", "text": text} for doc_id, text in HYBRID_CORPUS.items()]
    service = Byline(seed_settings.model_copy(update={"store": tmp_path / "store"}))
    service.ingest([write_jsonl(tmp_path / "corpus.jsonl", records)])

    def top_hits(mode: str) -> int:
        firsts = [[h.doc_id for h in service.retriever.documents(query, 3, mode=mode)][:1] for query in HYBRID_QUERIES]
        return sum(first == [gold] for first, gold in zip(firsts, HYBRID_QUERIES.values()))

    dense, bm25, hybrid = top_hits("dense"), top_hits("bm25"), top_hits("hybrid")
    assert hybrid == len(HYBRID_QUERIES)
    assert dense < hybrid and bm25 < hybrid
