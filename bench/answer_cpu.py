"""CPU per extractive answer: `python -m bench.answer_cpu [--limit N]`.

Asks each archive question (plain and unanswerable, bench/questions) once through `Byline.ask` on
the archive store (bench/archive_answers.py), warm (model loaded, one question asked first), and
reports the process CPU time per answer (`time.process_time`, all threads) and the sentences the
evidence ranker sent to the embedding model per question. It runs twice in the same process, each
with a fresh ranker (empty sentence cache): once embedding every candidate sentence (the ranker as
it was, `EMBED_LIMIT = None`) and once with the pre-score keeping only the sentences that could
still lead (rag/evidence.py).
"""

import argparse
import statistics
import time

from bench.archive_answers import open_archive, read_set
from rag import evidence as evidence_module
from rag.evidence import EvidenceRanker


def measure(service, questions: list[str], limit) -> dict:
    evidence_module.EMBED_LIMIT = limit
    service.ranker = EvidenceRanker(service.store)
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
        "embed_limit": limit,
        "answers": len(questions),
        "cpu_ms_mean": round(1000 * statistics.mean(cpu), 1),
        "cpu_ms_p50": round(1000 * statistics.median(cpu), 1),
        "wall_ms_mean": round(1000 * statistics.mean(wall), 1),
        "sentences_embedded_per_answer": round(sum(counts) / len(questions), 1),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="ask only the first N questions (0: all)")
    args = parser.parse_args(argv)
    service = open_archive()
    questions = [r["question"] for name in ("plain", "unanswerable") for r in read_set(name)]
    if args.limit:
        questions = questions[: args.limit]
    chosen = evidence_module.EMBED_LIMIT
    for limit in (None, chosen):
        print(measure(service, questions, limit), flush=True)


if __name__ == "__main__":
    main()
