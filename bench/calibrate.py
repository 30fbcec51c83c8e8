"""Abstention calibration: answer-bearing rate and abstention F1 across thresholds.

`python bench/calibrate.py` prints the Markdown table that `make bench` writes into
docs/benchmarks.md, computed on
the cached eval stores of SQuAD 2.0 (abstention) and RealTime QA (answer-bearing rate).
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.evaluation.datasets import load_dataset  # noqa: E402
from rag.evaluation.metrics import contains_answer, mean, precision_recall_f1  # noqa: E402
from rag.evaluation.runner import as_of, prepare_store  # noqa: E402
from rag.extractive import ExtractiveAnswerer  # noqa: E402
from rag.settings import Settings  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
THRESHOLDS = [0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75]


def evidence_for(name: str):
    dataset = load_dataset(EVAL / name)
    service = prepare_store(dataset, Settings(), None, progress=lambda m: None)
    questions = [q for q in dataset.questions if q.answer_in_gold or q.unanswerable]
    return [(q, service.evidence(q.question, filters=as_of(q, True))) for q in questions], service.settings


def scores(pairs, threshold: float, settings) -> tuple[float, float]:
    answerer = ExtractiveAnswerer(threshold, settings.max_citations)
    hits, abstained, unanswerable = [], [], []
    for question, evidence in pairs:
        result = answerer.answer(question.question, evidence)
        abstained.append(result.abstained)
        unanswerable.append(question.unanswerable)
        if not question.unanswerable:
            hits.append(not result.abstained and contains_answer([c.sentence for c in result.citations], question.answers))
    return mean([float(h) for h in hits]), precision_recall_f1(abstained, unanswerable)[2]


def table() -> str:
    squad, settings = evidence_for("squad2")
    realtime, _ = evidence_for("realtimeqa")
    rows = ["| threshold | SQuAD answer-bearing | SQuAD abstention F1 | RealTime QA answer-bearing |", "| ---: | ---: | ---: | ---: |"]
    for threshold in THRESHOLDS:
        squad_hit, squad_f1 = scores(squad, threshold, settings)
        realtime_hit, _ = scores(realtime, threshold, settings)
        rows.append(f"| {threshold:.2f} | {squad_hit:.3f} | {squad_f1:.3f} | {realtime_hit:.3f} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(table())
