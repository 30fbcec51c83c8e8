"""Render an `EvalReport` as a Markdown table, systems side by side."""

from dataclasses import asdict, fields

from rag.evaluation.runner import EvalReport, SystemScores

LABELS = {
    "retrieval_questions": "questions with gold documents",
    "recall_at_1": "recall@1",
    "recall_at_5": "recall@5",
    "recall_at_10": "recall@10",
    "mrr_at_10": "MRR@10",
    "search_p50_ms": "search p50 (ms)",
    "search_p95_ms": "search p95 (ms)",
    "answer_questions": "answerable questions asked",
    "answer_bearing_rate": "answer-bearing citation rate",
    "citations_per_answer": "citations per answer",
    "citation_precision": "cited sentences holding the answer",
    "unanswerable_questions": "unanswerable questions",
    "abstention_precision": "abstention precision",
    "abstention_recall": "abstention recall",
    "abstention_f1": "abstention F1",
    "conflict_questions": "questions with counterfactual sources",
    "conflict_surfaced_rate": "both sides cited",
    "ask_p50_ms": "ask p50 (ms)",
    "ask_p95_ms": "ask p95 (ms)",
    "answerer": "answerer (BYLINE_LLM)",
    "abstention_rate": "abstention rate (questions asked)",
    "claims_per_answer": "claims per answer",
    "claims_supported_share": "claims supported by their citations",
    "llm_fallback_rate": "LLM answers replaced by the extractive one",
}


def render_table(report: EvalReport) -> str:
    systems = [asdict(s) for s in report.systems]
    lines = [
        f"dataset {report.dataset}: {report.questions} questions, k={report.k}, "
        f"question dates as as_of: {'yes' if report.question_dates_used else 'no'}, store {report.store}",
        "",
        "| metric | " + " | ".join(s["system"] for s in systems) + " |",
        "| --- |" + " ---: |" * len(systems),
    ]
    for field in fields(SystemScores):
        if field.name == "system" or all(s[field.name] is None for s in systems):
            continue
        cells = ["–" if s[field.name] is None else f"{s[field.name]:g}" if not isinstance(s[field.name], str) else s[field.name] for s in systems]
        lines.append(f"| {LABELS[field.name]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
