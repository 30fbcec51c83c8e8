"""The evidence ranking on a real store: which sentence leads for a question (rag/evidence.py)."""

import pytest

from rag import evidence


@pytest.fixture
def store_of(fresh_store, tmp_path):
    """`fresh_store` holding the articles given as {file name: text}."""

    def store(**articles: str):
        folder = tmp_path / "articles"
        folder.mkdir()
        for name, text in articles.items():
            (folder / f"{name}.txt").write_text(text)
        assert fresh_store.ingest([folder]).added == len(articles)
        return fresh_store

    return store


RENTS = """Rents climb again
Rents in US cities rose again in July, with rents for studios up 14 percent from a year ago, the report said.
Landlords said demand stayed strong as fewer renters bought homes.
Miami, where rents rose 26 percent from a year ago, saw the biggest increase among the 50 largest cities.
"""


def test_a_question_that_ranks_is_led_by_the_sentence_that_ranks(store_of, monkeypatch):
    fresh_store = store_of(rents=RENTS)
    assert fresh_store.evidence("Which city's rent rose most?")[0].sentence.startswith("Miami")
    monkeypatch.setitem(evidence.WEIGHTS, "ranking", 0.0)  # without it, the sentence with the question's words leads
    assert not fresh_store.evidence("Which city's rent rose most?")[0].sentence.startswith("Miami")


MONKEYPOX = """Monkeypox spreads to more states
Monkeypox cases rose again this week across the country, health officials said on Monday.
Doctors urged people with monkeypox symptoms to get tested.
California has the most cases, with 4,300.
"""


def test_a_sentence_that_names_its_topic_only_nearby_still_matches(store_of, monkeypatch):
    service = store_of(monkeypox=MONKEYPOX)
    assert service.evidence("Which state has the most monkeypox?")[0].sentence.startswith("California")
    monkeypatch.setattr(evidence, "PASSAGE_LEXICAL", 0.0)  # only its own words: "monkeypox" is not among them
    assert not service.evidence("Which state has the most monkeypox?")[0].sentence.startswith("California")
