"""CPU per extractive answer: `python -m bench.answer_cpu [--limit N]`.

Asks each archive question (plain and unanswerable, bench/questions) once through `Byline.ask` on
the archive store (bench/archive_answers.py), warm (model loaded, one question asked first), and
reports the process CPU time per answer (`time.process_time`, all threads) and the sentences the
evidence ranker sent to the embedding model per question. It runs three times in the same process,
each with a fresh ranker (empty in-memory sentence cache):
- `torch threads`: torch's own thread count (BYLINE_QUESTION_THREADS=0), every sentence weighed
  embedded at question time (no stored sentence vectors): the ranker as it was;
- `1 thread`: BYLINE_QUESTION_THREADS=1, sentences still embedded at question time;
- `1 thread, stored`: the sentence vectors an ingest keeps (index/sentence_vectors.py) read instead.
The archive store, built before sentence vectors were kept at ingest, has them filled first (once:
the CPU that took is printed, what an ingest now spends on top of the chunks' embeddings).
"""

import argparse
import statistics
import time

from bench.archive_answers import open_archive, read_set
from index.embedding import embed_texts
from index.sentence_vectors import fill
from rag.evidence import EvidenceRanker

MODES = {"torch threads": (0, False), "1 thread": (1, False), "1 thread, stored": (1, True)}


def measure(service, questions: list[str], threads: int, stored: bool) -> dict:
    service.settings.question_threads = threads
    service.ranker = EvidenceRanker(service.store)
    if not stored:
        service.ranker.stored = None
    embed = service.store.embed_model.get_text_embedding_batch
    counts = []

    def counting(texts, **kwargs):
        counts.append(len(texts))
        return embed(texts, **kwargs)

    service.ranker.embed_batch = counting
    service.ask("Who won the election?")  # warm: the first call pays for lazy setup
    counts.clear()
    cpu, wall = [], []
    for question in questions:
        c0, w0 = time.process_time(), time.perf_counter()
        service.ask(question)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return {
        "answers": len(questions),
        "cpu_ms_mean": round(1000 * statistics.mean(cpu), 1),
        "cpu_ms_p50": round(1000 * statistics.median(cpu), 1),
        "wall_ms_mean": round(1000 * statistics.mean(wall), 1),
        "sentences_embedded_per_answer": round(sum(counts) / len(questions), 1),
    }


def fill_sentence_vectors(service) -> dict:
    """Embed the sentences of the archive that have no stored vector (the CPU an ingest now adds)."""
    c0, w0 = time.process_time(), time.perf_counter()
    embedded = fill(service.store, lambda texts: embed_texts(service.store.embed_model, texts))
    return {
        "sentences_embedded": embedded,
        "sentences_stored": service.store.sentence_vectors.count(),
        "chunks": service.store.docs.chunk_count(),
        "cpu_s": round(time.process_time() - c0, 1),
        "wall_s": round(time.perf_counter() - w0, 1),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="ask only the first N questions (0: all)")
    args = parser.parse_args(argv)
    service = open_archive()
    questions = [r["question"] for name in ("plain", "unanswerable") for r in read_set(name)]
    if args.limit:
        questions = questions[: args.limit]
    print({"fill": fill_sentence_vectors(service)}, flush=True)
    for mode, (threads, stored) in MODES.items():
        print({"mode": mode, **measure(service, questions, threads, stored)}, flush=True)


if __name__ == "__main__":
    main()
