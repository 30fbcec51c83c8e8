"""Retrieval behaviour on small corpora made by the tests (real model, real Chroma)."""

import json
from datetime import date

import pytest

from rag.models import Filters
from rag.recency import recency_weight
from rag.service import Byline


def write_jsonl(path, records):
    path.write_text("\n".join(json.dumps(r) for r in records))
    return path


@pytest.fixture
def weekly_store(tmp_path, seed_settings):
    """The same kind of story in three different weeks."""
    records = [
        {"doc_id": f"storm-{day}", "title": "Storm closes schools", "publish_date": day,
         "text": f"A winter storm closed schools across the county. Officials reopened roads on {day}."}
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
        assert len({h.doc_id for h in hits} & {f"storm-{d}" for d in ('2022-01-03', '2022-06-13', '2022-11-21')}) == 3  # a preference, not a filter


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
