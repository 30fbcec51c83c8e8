"""The archive question sets (bench/questions/archive_*.jsonl) are well-formed, and the archive
benchmark scores answers as the issue defines: right, right in the lead sentence, refused."""

import pytest

from bench.archive_answers import MINIMUMS, SETS, archive_texts, judge, read_set, set_problems, summarise
from rag.evaluation.metrics import answer_pattern, normalise, states_answer
from rag.schema import AskResult, Citation


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
    problems = set_problems(
        "plain",
        [
            {"id": "a", "question": "Who?", "answers": [], "split": "tune", "source": "written:x"},
            {"id": "a", "question": "", "answers": ["x"], "split": "half", "source": "mine"},
        ],
    )
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
        "set": set_,
        "split": "check",
        "outcome": outcome,
        "lead": lead,
        "turn": turn,
        "answers": list(answers),
    }
    rows = [
        row("plain", "right", True),
        row("plain", "right"),
        row("plain", "refused"),
        row("plain", "wrong"),
        row("unanswerable", "refused", answers=()),
        row("unanswerable", "answered", answers=()),
        row("conversations", "right"),
        row("conversations", "right", turn=1),
        row("conversations", "refused", turn=2, answers=()),
        row("conversations", "refused", turn=1),
        row("conversations", "answered", turn=2, answers=()),
    ]
    summary = summarise(rows)
    assert summary["plain:check"] == {"n": 4, "right": 0.5, "lead": 0.25, "wrongly_refused": 0.25}
    assert summary["unanswerable:check"] == {"n": 2, "refused": 0.5}
    assert summary["conversations:check"]["follow_ups"] == 4
    assert summary["conversations:check"]["follow_ups_right"] == 0.5


@pytest.fixture(scope="module")
def archive() -> list[str]:
    """Every archive article, normalised (read from the files the store is built from)."""
    return [normalise(text) for text in archive_texts().values()]


def in_archive(answer: str, archive: list[str]) -> bool:
    words, pattern = normalise(answer), answer_pattern(answer)
    return any(words in text and pattern.search(text) for text in archive)


def test_every_answer_string_is_in_the_archive(archive):
    answers = [a for r in read_set("plain") for a in r["answers"]]
    answers += [a for r in read_set("conversations") for turn in r["turns"] for a in turn["answers"]]
    assert [a for a in answers if not in_archive(a, archive)] == []


def test_what_would_answer_an_unanswerable_question_is_in_no_article(archive):
    records = read_set("unanswerable")
    assert all(r["checked_absent"] for r in records)
    assert sum(r["kind"] == "near-miss" for r in records) >= len(records) / 2
    found = {r["id"]: a for r in records for a in r["checked_absent"] if in_archive(a, archive)}
    assert found == {}
