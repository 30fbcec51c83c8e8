"""Answerer calibration: abstention threshold and companion-ratio sweeps.

`python -m bench.calibrate` prints the Markdown tables that `make bench` writes into
docs/benchmarks.md, computed on the cached eval stores of SQuAD 2.0 and RealTime QA.
"""

from pathlib import Path

from rag.evaluation.datasets import load_dataset
from rag.evaluation.runner import AnswerTally, as_of, prepare_store
from rag.answerers.extractive import COMPANION_RATIO, ExtractiveAnswerer
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
THRESHOLDS = [0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75]
COMPANION_RATIOS = [0.7, 0.75, 0.8, 0.85, 0.9, 1.0]


def evidence_for(name: str):
    dataset = load_dataset(EVAL / name)
    service = prepare_store(dataset, Settings(), None, progress=lambda m: None)
    questions = [q for q in dataset.questions if q.answer_in_gold or q.unanswerable]
    return [(q, service.evidence(q.question, filters=as_of(q, True))) for q in questions], service.settings


def scores(pairs, settings, threshold: float, companion_ratio: float = COMPANION_RATIO) -> AnswerTally:
    answerer = ExtractiveAnswerer(threshold, settings.max_citations, companion_ratio)
    tally = AnswerTally()
    for question, evidence in pairs:
        tally.add(question, answerer.answer(question.question, evidence))
    return tally


def tables() -> dict[str, str]:
    """The threshold sweep and the companion-ratio sweep, as Markdown tables by BENCH block name."""
    squad, settings = evidence_for("squad2")
    realtime, _ = evidence_for("realtimeqa")
    threshold_rows = [
        "| threshold | SQuAD answer-bearing | SQuAD abstention F1 | RealTime QA answer-bearing |",
        "| ---: | ---: | ---: | ---: |",
    ]
    for threshold in THRESHOLDS:
        s, r = scores(squad, settings, threshold), scores(realtime, settings, threshold)
        threshold_rows.append(f"| {threshold:.2f} | {s.answer_bearing_rate:.3f} | {s.abstention[2]:.3f} | {r.answer_bearing_rate:.3f} |")
    companion_rows = [
        "| companion ratio | RealTime QA answer-bearing | citations per answer | cited sentences holding the answer | SQuAD answer-bearing | citations per answer | cited sentences holding the answer |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for ratio in COMPANION_RATIOS:
        r, s = scores(realtime, settings, settings.abstain_threshold, ratio), scores(squad, settings, settings.abstain_threshold, ratio)
        companion_rows.append(
            f"| {ratio:.2f} | {r.answer_bearing_rate:.3f} | {r.citations_per_answer:.2f} | {r.citation_precision:.3f} "
            f"| {s.answer_bearing_rate:.3f} | {s.citations_per_answer:.2f} | {s.citation_precision:.3f} |"
        )
    return {"calibration": "\n".join(threshold_rows), "companions": "\n".join(companion_rows)}


if __name__ == "__main__":
    print("\n\n".join(tables().values()))
