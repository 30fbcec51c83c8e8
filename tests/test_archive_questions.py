"""The archive question sets (bench/questions/archive_*.jsonl) are well-formed, and the archive
benchmark scores answers as the issue defines: right, right in the lead sentence, refused."""

import pytest

from bench.archive_answers import MINIMUMS, SETS, judge, read_set, set_problems, summarise
from rag.evaluation.metrics import states_answer
from rag.models import AskResult, Citation


@pytest.mark.parametrize("name", SETS)
def test_each_set_is_well_formed_big_enough_and_split_in_halves(name):
    records = read_set(name)
    assert len(records) >= MINIMUMS[name]
    tune = sum(r["split"] == "tune" for r in records)
    assert abs(tune - (len(records) - tune)) <= max(2, len(records) // 10), (tune, len(records))


def test_ids_are_unique_across_sets():
    ids = [r["id"] for name in SETS for r in read_set(name)]
    assert len(ids) == len(set(ids))


def test_conversations_hold_follow_ups_to_refuse_and_to_answer():
    later = [turn for record in read_set("conversations") for turn in record["turns"][1:]]
    assert any(not turn["answers"] for turn in later) and sum(bool(turn["answers"]) for turn in later) > len(later) / 2


def test_malformed_records_are_named():
    problems = set_problems("plain", [{"id": "a", "question": "Who?", "answers": [], "split": "tune", "source": "written:x"},
                                      {"id": "a", "question": "", "answers": ["x"], "split": "half", "source": "mine"}])
    assert any("needs answers" in p for p in problems)
    assert any("repeated 'id'" in p for p in problems)
    assert any("'split'" in p for p in problems)
    assert any("'source'" in p for p in problems)
    assert any("missing 'question'" in p for p in problems)
    assert set_problems("unanswerable", [{"id": "b", "question": "Who won?", "answers": ["Avalanche"], "split": "tune", "kind": "near-miss"}])
    assert set_problems("conversations", [{"id": "c", "split": "check", "turns": [{"question": "Who won?", "answers": []}]}])


def test_answer_strings_match_whole_words_only():
    assert states_answer("The Colorado Avalanche won [1]", ["avalanche"])
    assert states_answer("He was sentenced to 12 years.", ["12 years"])
    assert not states_answer("In 2010 the team won.", ["10"])
    assert not states_answer("A record $5.02 a gallon.", ["$5"])
    assert states_answer("Gas costs $5, on average.", ["$5"])
    assert states_answer("“Succession” won.", ['"Succession"'])


def cited(*sentences: str) -> AskResult:
    citations = [Citation(n=n, doc_id="d", title="t", sentence=s, start=0, end=len(s), score=0.9) for n, s in enumerate(sentences, 1)]
    answer = " ".join(f"{s} [{n}]" for n, s in enumerate(sentences, 1))
    return AskResult(question="q", answer=answer, abstained=False, citations=citations)


REFUSED = AskResult(question="q", answer="not found", abstained=True)


def test_judge_scores_right_lead_wrong_and_refused():
    lead = cited("The Colorado Avalanche won the Stanley Cup.", "The Lightning won in 2020 and 2021.")
    buried = cited("The Lightning won in 2020 and 2021.", "The Colorado Avalanche won the Stanley Cup.")
    wrong = cited("The Lightning won in 2020 and 2021.")
    answers = ["Colorado Avalanche", "Avalanche"]
    assert judge(answers, lead) == {"outcome": "right", "lead": True}
    assert judge(answers, buried) == {"outcome": "right", "lead": False}
    assert judge(answers, wrong) == {"outcome": "wrong", "lead": False}
    assert judge(answers, REFUSED) == {"outcome": "refused", "lead": False}
    assert judge([], REFUSED)["outcome"] == "refused"
    assert judge([], wrong)["outcome"] == "answered"


def test_summary_shares_per_set_and_half():
    row = lambda set_, outcome, lead=False, turn=0, answers=("x",): {  # noqa: E731
        "set": set_, "split": "check", "outcome": outcome, "lead": lead, "turn": turn, "answers": list(answers)}
    rows = [row("plain", "right", True), row("plain", "right"), row("plain", "refused"), row("plain", "wrong"),
            row("unanswerable", "refused", answers=()), row("unanswerable", "answered", answers=()),
            row("conversations", "right"), row("conversations", "right", turn=1), row("conversations", "refused", turn=2, answers=()),
            row("conversations", "refused", turn=1), row("conversations", "answered", turn=2, answers=())]
    summary = summarise(rows)
    assert summary["plain:check"] == {"n": 4, "right": 0.5, "lead": 0.25, "wrongly_refused": 0.25}
    assert summary["unanswerable:check"] == {"n": 2, "refused": 0.5}
    assert summary["conversations:check"]["follow_ups"] == 4
    assert summary["conversations:check"]["follow_ups_right"] == 0.5
