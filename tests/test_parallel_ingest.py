"""Ingest with worker processes (index/analysis.py) stores what the ingesting process alone stores: for
120 real RealTime QA articles, each article's sentences, chunks (ids, offsets, texts), lexical rows,
the texts the model reads, Chroma's metadata and the story signature hash are those of the same
articles analysed in-process, and the analysis itself (sentences, chunks, signature) is as it was at
43c76bf (tests/ingest_golden.json; titles, read by the model and Chroma, have improved since; 13 articles'
sentences keep a title before a name since 0eb9430). The whole pipeline with workers is tested in test_pipelined_ingest.py
and test_streaming_ingest.py (chunks, vectors, an interrupted ingest resumed)."""

import hashlib
import json
from pathlib import Path
from types import SimpleNamespace

from bench.ingest_speed import write_sample
from index.lexical import base as lexical
from index.analysis import POOL_FROM_CHARS, Analyser, analyse
from index.embedding import embed_texts_of
from index.ingest import PreparedArticle, prepare
from index.loaders import iter_articles, list_files
from index.settings import IndexSettings
from index.vectors import vector_metadata

GOLDEN = Path(__file__).with_name("ingest_golden.json")


def digest(value) -> str:
    return hashlib.blake2b(json.dumps(value, sort_keys=True).encode(), digest_size=8).hexdigest()


def digests(item: PreparedArticle) -> dict[str, str]:
    article = item.article
    return {
        "sentences": digest([list(s) for s in item.sentences]),
        "chunks": digest([[c.node_id, c.ord, c.first_sentence, c.last_sentence, c.text] for c in item.chunks]),
        "lexical": digest([list(lexical.row(article, c.node_id, c.text, t)) for c, t in zip(item.chunks, item.terms, strict=True)]),
        "embedded": digest(embed_texts_of(item.nodes)),
        "chroma": digest([vector_metadata(node) for node in item.nodes]),
        "signature": digest(item.signature.hex()),
    }


def test_workers_analyse_real_articles_as_the_ingest_before_them(tmp_path):
    golden = json.loads(GOLDEN.read_text())
    sample = tmp_path / "sample.jsonl"
    write_sample(golden["documents"], golden["seed"], sample)
    errors, skipped = [], []
    articles = list(iter_articles(list_files([sample], errors, skipped), errors, skipped, 10**8))
    assert not errors and sum(len(a.text) for a in articles) >= POOL_FROM_CHARS  # a batch the workers take
    settings = IndexSettings()
    analyser = Analyser(2, settings.chunk_words, settings.chunk_overlap_sentences)
    try:
        analyses = list(analyser.submit(articles))
    finally:
        analyser.close()
    store = SimpleNamespace(settings=settings)
    found = {a.doc_id: digests(prepare(a, store, analysis)) for a, analysis in zip(articles, analyses, strict=True)}
    alone = {a.doc_id: digests(prepare(a, store, analyse(a, settings.chunk_words, settings.chunk_overlap_sentences))) for a in articles}
    assert found == alone
    analysed = ("sentences", "chunks", "signature")
    then = {doc_id: {k: d[k] for k in analysed} for doc_id, d in golden["digests"].items()}
    assert {doc_id: {k: d[k] for k in analysed} for doc_id, d in found.items()} == then
