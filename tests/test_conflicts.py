"""Sources that contradict each other are both cited, and the answer says so."""

import json

from rag.service import Byline


QUESTION = "Who won the 2019 Wimbledon title?"
FIRST_REPORT = "Simona Halep defeated Serena Williams in the final on July 13 to win the 2019 Wimbledon title. The match lasted 56 minutes."


def wire_service(tmp_path, seed_settings, second_report: str) -> Byline:
    """A store of two wire reports of the Wimbledon final (the second one's text given) and an unrelated one."""
    records = [
        {"doc_id": "wire-a", "title": "Final report", "text": FIRST_REPORT},
        {"doc_id": "wire-b", "title": "Final recap", "text": second_report},
        {"doc_id": "other", "title": "Rain delays", "text": "Rain delayed several matches on the outer courts on Tuesday."},
    ]
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    service = Byline(seed_settings.model_copy(update={"store": tmp_path / "store"}))
    assert service.ingest([tmp_path / "a.jsonl"]).added == 3
    return service


def test_contradicting_sources_are_surfaced(tmp_path, seed_settings):
    service = wire_service(
        tmp_path, seed_settings, "Angelique Kerber defeated Serena Williams in the final to win the 2019 Wimbledon title. Fans filled the stadium."
    )
    result = service.ask(QUESTION)
    assert {c.doc_id for c in result.citations[:2]} == {"wire-a", "wire-b"}
    assert len(result.warnings) == 1 and "disagree" in result.warnings[0]
    assert "Simona Halep" in result.warnings[0] and "Angelique Kerber" in result.warnings[0]
    assert "compare [1] and [2]" in result.answer


def test_agreeing_sources_raise_no_warning(tmp_path, seed_settings):
    """The same story told in other words (another verb, an abbreviated month) by a second article."""
    service = wire_service(
        tmp_path,
        seed_settings,
        "Simona Halep beat Serena Williams in the final on Jul 13 to win the 2019 Wimbledon title. Fans filled the stadium.",
    )
    result = service.ask(QUESTION)
    assert result.citations and result.citations[0].doc_id in {"wire-a", "wire-b"}
    assert "Simona Halep" in result.answer
    assert result.warnings == [] and "disagree" not in result.answer
