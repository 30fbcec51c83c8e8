"""The lexical index, before and after: `python -m bench.lexical LABEL`.

On a copy of the cached RealTime QA subset store (the 218 gold articles plus 3 distractors per
answerable question: 495 documents, bench/short_questions.py's `realtimeqa_subset()`), it runs
`byline eval` (hybrid, with the question dates) and scores BM25 alone; then it times adding one
new article (a distractor page the store lacks) with `Byline.ingest` and deleting it with
`Byline.delete`, REPEATS times each, and the embedding of that article's chunks alone. Results
go to bench/results/lexical.json under LABEL ("before" or "after").

`--scale N` (after only) times the docstore alone at N chunks: adding one article's chunks
(tokenising and indexing them in one transaction), deleting them, and lexical search for each
RealTime QA question (150 chunks, as `documents(k=10)` asks), as Byline runs it and with FTS5
scoring the whole query. The store is built once from the subset's chunks, copied until there
are N, each copy's words perturbed (a tenth of them replaced by words drawn from the subset's
first chunks), so that postings grow like a large archive's; nothing is embedded.
"""

import argparse
import json
import random
import shutil
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

from index import offline as _offline  # noqa: F401
from rag.evaluation.datasets import cache_root, load_dataset
from rag.evaluation.runner import as_of, prepare_store, run_eval, score_retrieval
from rag.settings import Settings
from bench.short_questions import EVAL, realtimeqa_subset

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "lexical.json"
REPEATS = 3


def measure(work: Path) -> dict:
    folder = realtimeqa_subset()
    dataset = load_dataset(folder)
    cached = cache_root() / f"{dataset.name}-{dataset.cache_key(Settings())}"  # as run_eval caches it
    if not cached.is_dir():
        prepare_store(dataset, Settings(), None, progress=lambda m: print(m, file=sys.stderr))
    store = work / "store"
    shutil.rmtree(store, ignore_errors=True)
    shutil.copytree(cached, store)  # never opened by this code: a store from older code stays as it was
    started = time.perf_counter()
    report = run_eval(folder, store=store, progress=lambda m: print(m, file=sys.stderr))
    eval_s = time.perf_counter() - started
    from rag.service import Byline

    service = Byline(Settings(store=store))
    questions = dataset.questions
    bm25 = score_retrieval(
        "byline-bm25-only", questions, lambda q, top: [h.doc_id for h in service.retriever.documents(q.question, top, filters=as_of(q, True), mode="bm25")], 10
    )
    return {
        "corpus": f"RealTime QA dev subset: {service.count()} documents, {service.store.docs.chunk_count()} chunks",
        "eval_wall_s": round(eval_s, 1),
        "systems": [_scores(s) for s in (report.systems[0], bm25)],
        **time_one_article(service, work),
    }


def _scores(system) -> dict:
    keys = ("system", "recall_at_1", "recall_at_5", "recall_at_10", "mrr_at_10", "search_p50_ms", "search_p95_ms", "answer_bearing_rate", "ask_p50_ms")
    return {key: getattr(system, key) for key in keys}


def time_one_article(service, work: Path) -> dict:
    """Add one article the store lacks and delete it again, REPEATS times; median seconds."""
    stored = service.store.docs.hashes()
    line = next(
        line for line in (EVAL / "realtimeqa" / "gcs_distractor_articles.jsonl").read_text().splitlines()
        if line.strip() and json.loads(line).get("doc_id", json.loads(line).get("id")) not in stored and len(json.loads(line).get("text", "")) > 3000
    )
    file = work / "one.jsonl"
    file.write_text(line + "\n")
    added, deleted, embedded = [], [], []
    for _ in range(REPEATS):
        started = time.perf_counter()
        report = service.ingest([file])
        added.append(time.perf_counter() - started)
        assert report.added == 1, report
        doc_id = service.articles(limit=1)[0].article.doc_id
        started = time.perf_counter()
        assert service.delete(doc_id)
        deleted.append(time.perf_counter() - started)
    from index.ingest import load_paths, prepare, IngestReport
    from llama_index.core.schema import MetadataMode

    article = load_paths([file], IngestReport())[0]
    texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in prepare(article, service.store).nodes]
    for _ in range(REPEATS):
        started = time.perf_counter()
        service.store.embed_model.get_text_embedding_batch(texts)
        embedded.append(time.perf_counter() - started)
    median = lambda values: round(statistics.median(values), 3)  # noqa: E731
    return {"one_article_chunks": len(texts), "add_one_s": median(added), "delete_one_s": median(deleted), "embed_one_s": median(embedded)}


def scale(chunks: int) -> dict:
    from index.lexical import sqlite as lexical_index
    from index.docstore import DocStore, StoredChunk
    from index.lexical.terms import lexical_terms

    source = DocStore(cache_root() / "lexical-after" / "store" / "articles.sqlite3")  # made by the `after` run
    articles = source.metadata()
    originals = {}
    for chunk in source.chunks():
        originals.setdefault(chunk.doc_id, []).append(chunk)
    words = [w for chunk in source.chunks()[:500] for w in chunk.text.split()]
    folder = cache_root() / f"lexical-scale-{chunks}"
    docs = DocStore(folder / "articles.sqlite3")
    started = time.perf_counter()
    copy = docs.count() // len(originals)
    while docs.chunk_count() < chunks:
        rng = random.Random(copy)
        with docs.transaction():
            for doc_id, parts in originals.items():
                article = replace(articles[doc_id], doc_id=f"{doc_id}~{copy}")
                docs.put(article, [], [StoredChunk(f"{article.doc_id}::{c.ord}", article.doc_id, c.ord, 0, 0, _perturbed(c.text, words, rng)) for c in parts])
        copy += 1
        print(f"scale: {docs.chunk_count()} chunks ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    built_s = time.perf_counter() - started  # 0 when it was built before
    one_id, one = next(iter(originals.items()))
    added, deleted, searched = [], [], []
    for _ in range(REPEATS):
        started = time.perf_counter()
        with docs.transaction():
            docs.put(replace(articles[one_id], doc_id="one-more"), [], [StoredChunk(f"one-more::{c.ord}", "one-more", c.ord, 0, 0, c.text) for c in one])
        added.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert docs.delete("one-more")
        deleted.append(time.perf_counter() - started)
    whole = []
    for question in load_dataset(realtimeqa_subset()).questions:
        for times, first_from in ((searched, lexical_index.RARE_FIRST_FROM), (whole, float("inf"))):
            lexical_index.RARE_FIRST_FROM, kept = first_from, lexical_index.RARE_FIRST_FROM
            started = time.perf_counter()
            docs.lexical_search(lexical_terms(question.question), 150)  # what `documents(k=10)` asks of it
            times.append((time.perf_counter() - started) * 1000)
            lexical_index.RARE_FIRST_FROM = kept
    size = sum(f.stat().st_size for f in folder.iterdir())
    return {
        "chunks": docs.chunk_count(), "articles": docs.count(), "build_s": round(built_s), "db_mb": round(size / 2**20),
        "one_article_chunks": len(one), "add_one_s": round(statistics.median(added), 3), "delete_one_s": round(statistics.median(deleted), 3),
        "search_p50_ms": round(statistics.median(searched), 1), "search_p95_ms": round(sorted(searched)[int(0.95 * len(searched))], 1),
        "whole_query_search_p50_ms": round(statistics.median(whole), 1), "whole_query_search_p95_ms": round(sorted(whole)[int(0.95 * len(whole))], 1),
    }


def _perturbed(text: str, words: list[str], rng: random.Random) -> str:
    return " ".join(rng.choice(words) if rng.random() < 0.1 else word for word in text.split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("label")
    parser.add_argument("--scale", type=int, help="time the docstore alone at this many chunks")
    args = parser.parse_args()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if args.scale:
        results.setdefault(args.label, {}).setdefault("scale", {})[str(args.scale)] = scale(args.scale)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
        print(json.dumps(results[args.label]["scale"], indent=2))
        return
    results[args.label] = {**results.get(args.label, {}), **measure(cache_root() / f"lexical-{args.label}")}
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results[args.label], indent=2))


if __name__ == "__main__":
    main()
