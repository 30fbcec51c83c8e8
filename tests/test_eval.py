"""`byline eval`: metric functions on hand-made cases, and a whole run on a small made-up set."""

import json

import pytest

from rag.evaluation.metrics import answer_share, contains_answer, percentile, precision_recall_f1, reciprocal_rank, recall_at
from rag.evaluation.report import render_table
from rag.evaluation.runner import run_eval


def test_recall_and_reciprocal_rank():
    ranked = ["a", "b", "c", "d"]
    assert recall_at(ranked, {"c"}, 1) == 0.0 and recall_at(ranked, {"c"}, 3) == 1.0
    assert reciprocal_rank(ranked, {"c", "d"}) == pytest.approx(1 / 3)
    assert reciprocal_rank(ranked, {"z"}) == 0.0
    assert reciprocal_rank(ranked, {"d"}, k=3) == 0.0


def test_contains_answer_folds_case_and_quotes():
    assert contains_answer(["Netflix renewed “Squid Game” on Sunday."], ['"squid game"'])
    assert contains_answer(["It cost $1,600."], ["nothing", "$1,600"])
    assert not contains_answer(["Squid Games are fun."], ["Squid Game show"])
    assert not contains_answer([], ["x"])


def test_precision_recall_f1():
    predicted = [True, True, False, False, True]
    actual = [True, False, False, True, True]
    p, r, f = precision_recall_f1(predicted, actual)
    assert (p, r) == (pytest.approx(2 / 3), pytest.approx(2 / 3)) and f == pytest.approx(2 / 3)
    assert precision_recall_f1([False, False], [True, False]) == (0.0, 0.0, 0.0)


def test_answer_share_counts_each_cited_sentence_alone():
    cited = ["Researchers counted 412 whales.", "The count rose.", "It was 412, they said."]
    assert answer_share(cited, ["412"]) == pytest.approx(2 / 3)
    assert answer_share(["412 and", "whales"], ["412 whales"]) == 0.0  # split across sentences: not held by either
    assert answer_share([], ["412"]) == 0.0


def test_percentile():
    assert percentile([10, 20, 30, 40], 50) == 25
    assert percentile([5], 95) == 5 and percentile([], 50) == 0.0


@pytest.fixture
def tiny_dataset(tmp_path):
    folder = tmp_path / "tiny"
    folder.mkdir()
    articles = [
        {
            "doc_id": "whales",
            "title": "Whale census",
            "text": "Researchers counted 412 humpback whales off the coast of Maui this winter. The count rose from last year.",
        },
        {
            "doc_id": "budget",
            "title": "City budget",
            "text": "The city council approved a budget of 3.2 billion dollars on Tuesday. Police funding grew by four percent.",
        },
        {"doc_id": "rocket", "title": "Launch delayed", "text": "The rocket launch was delayed to Friday because of high winds over the launch pad."},
    ]
    questions = [
        {
            "question_id": "q1",
            "question_sentence": "How many humpback whales were counted off Maui?",
            "gold_doc_ids": ["whales"],
            "answer_text": ["412"],
            "answer_text_in_gold_docs": True,
        },
        {
            "question_id": "q2",
            "question_sentence": "Why was the rocket launch delayed?",
            "gold_doc_ids": ["rocket"],
            "answer_text": ["high winds"],
            "answer_text_in_gold_docs": True,
        },
        {
            "question_id": "q3",
            "question_sentence": "What budget did the council approve?",
            "gold_doc_ids": ["budget"],
            "answer_text": ["3.2 billion"],
            "answer_text_in_gold_docs": True,
        },
    ]
    (folder / "articles.jsonl").write_text("\n".join(json.dumps(a) for a in articles))
    (folder / "questions.jsonl").write_text("\n".join(json.dumps(q) for q in questions))
    return folder


def test_run_eval_with_baselines_side_by_side(tiny_dataset, tmp_path):
    report = run_eval(tiny_dataset, k=3, store=tmp_path / "store", baseline=True, progress=lambda m: None)
    names = [s.system for s in report.systems]
    assert names == ["byline", "byline-dense-only", "byline-bm25-only", "llamaindex-plain"]
    main = report.systems[0]
    assert main.retrieval_questions == 3 and main.recall_at_1 == 1.0 and main.mrr_at_10 == 1.0
    assert main.answer_questions == 3 and main.answer_bearing_rate == 1.0
    assert main.citations_per_answer >= 1 and 1 / main.citations_per_answer <= main.citation_precision <= 1
    assert main.ask_p50_ms > 0 and main.unanswerable_questions is None
    assert report.systems[3].recall_at_5 == 1.0
    table = render_table(report)
    assert "| MRR@10 | 1 | 1 | 1 | 1 |" in table and "abstention F1" not in table  # no unanswerable questions
    assert main.abstention_rate == 0.0 and main.claims_supported_share == 1.0 and main.llm_fallback_rate == 0.0
    assert "| claims supported by their citations | 1 |" in table and "| answerer (BYLINE_LLM) | extractive |" in table


def test_eval_store_is_cached_between_runs(tiny_dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("BYLINE_EVAL_CACHE", str(tmp_path / "cache"))
    messages = []
    run_eval(tiny_dataset, k=3, progress=messages.append)
    run_eval(tiny_dataset, k=3, progress=messages.append)
    stores = [m for m in messages if m.startswith("store ")]
    assert "3 embedded now, 0 cached" in stores[0] and "0 embedded now, 3 cached" in stores[1]


def test_squad_style_file_brings_its_contexts_and_unanswerables(tmp_path):
    folder = tmp_path / "squadish"
    folder.mkdir()
    context = "The Amazon river flows through Brazil. It carries more water than any other river."
    rows = [
        {"id": "a", "question": "Which country does the Amazon river flow through?", "context": context, "answers": ["Brazil"], "is_impossible": False},
        {"id": "b", "question": "What is the chemical formula of table salt?", "context": context, "answers": [], "is_impossible": True},
    ]
    (folder / "questions_dev.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    report = run_eval(folder, k=3, store=tmp_path / "store", progress=lambda m: None)
    main = report.systems[0]
    assert main.answer_questions == 1 and main.answer_bearing_rate == 1.0
    assert main.unanswerable_questions == 1 and main.abstention_recall == 1.0
