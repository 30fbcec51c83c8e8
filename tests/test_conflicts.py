"""Sources that contradict each other are both cited, and the answer says so."""

import json

from rag.service import Byline


def test_contradicting_sources_are_surfaced(tmp_path, seed_settings):
    records = [
        {"doc_id": "wire-a", "title": "Final report", "text": "Simona Halep defeated Serena Williams in the final to win the 2019 Wimbledon title. The match lasted 56 minutes."},
        {"doc_id": "wire-b", "title": "Final recap", "text": "Angelique Kerber defeated Serena Williams in the final to win the 2019 Wimbledon title. Fans filled the stadium."},
        {"doc_id": "other", "title": "Rain delays", "text": "Rain delayed several matches on the outer courts on Tuesday."},
    ]
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    service = Byline(seed_settings.model_copy(update={"store": tmp_path / "store"}))
    service.ingest([tmp_path / "a.jsonl"])

    result = service.ask("Who won the 2019 Wimbledon title?")
    assert {c.doc_id for c in result.citations[:2]} == {"wire-a", "wire-b"}
    assert len(result.warnings) == 1 and "disagree" in result.warnings[0]
    assert "Simona Halep" in result.warnings[0] and "Angelique Kerber" in result.warnings[0]
    assert "compare [1] and [2]" in result.answer


def test_agreeing_sources_raise_no_warning(seed_service):
    assert seed_service.ask("Which neighbourhoods did the Syrian army capture?").warnings == []
