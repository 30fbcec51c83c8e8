"""The evidence ranker sends at most EMBED_LIMIT sentences of a question to the embedding model
(rag/evidence.py): the others are ranked out by the score without the similarity first."""

from rag import evidence as evidence_module
from rag.evidence import EvidenceRanker

QUESTION = "Which neighbourhoods did the Syrian army capture?"


def counting_ranker(service) -> tuple[EvidenceRanker, list[int]]:
    ranker = EvidenceRanker(service.store)
    ranker.stored = None  # the sentences an ingest kept would not reach the model
    embed, calls = ranker.embed_batch, []

    def counted(texts, **kwargs):
        calls.append(len(texts))
        return embed(texts, **kwargs)

    ranker.embed_batch = counted
    return ranker, calls


def test_a_question_embeds_at_most_the_limit_and_keeps_its_lead(seed_service, monkeypatch):
    hits = seed_service.retriever.chunks(QUESTION, seed_service.settings.answer_chunks, None)
    candidates = sum(h.metadata["last_sentence"] - h.metadata["first_sentence"] for h in hits)

    monkeypatch.setattr(evidence_module, "EMBED_LIMIT", None)
    every, every_calls = counting_ranker(seed_service)
    full = every.rank(QUESTION, hits, seed_service.lexicon())

    monkeypatch.setattr(evidence_module, "EMBED_LIMIT", 8)
    budget, calls = counting_ranker(seed_service)
    pruned = budget.rank(QUESTION, hits, seed_service.lexicon())

    assert sum(every_calls) > 8 and candidates > 8  # the seed's chunks hold more sentences than the limit
    assert calls == [8] and len(pruned) == 8  # one model call, for the limit only
    assert [e.sentence for e in pruned[:3]] == [e.sentence for e in full[:3]]
    assert [e.score for e in pruned] == [e.score for e in full if e.sentence in {p.sentence for p in pruned}]

    budget.rank(QUESTION, hits, seed_service.lexicon())
    assert calls == [8]  # asked again: every kept sentence is cached
