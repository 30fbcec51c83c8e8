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


CORRECTED = (
    "LONDON (Wire) — Simona Halep won her first Wimbledon title on Saturday, beating Serena Williams 6-2, 6-2 in a "
    "final that lasted {minutes} minutes on Centre Court. The Romanian made only three unforced errors, a record low "
    "for a women's final at the All England Club. Williams, chasing a record-tying 24th major singles title, said "
    "Halep had played out of her mind and that she had no answer to her opponent's speed. Halep said she had dreamed "
    "of the title since she was a girl practising on clay courts in Constanta."
)


def test_a_number_corrected_in_one_copy_of_a_story_is_still_a_conflict(tmp_path, seed_settings):
    """Three outlets carry one wire story (one copy group); one of them corrected the match length."""
    records = [
        {"doc_id": "herald", "source": "Herald", "title": "Halep wins Wimbledon", "text": CORRECTED.format(minutes=56) + "\n\nSubscribe to the Herald."},
        {
            "doc_id": "courier",
            "source": "Courier",
            "title": "Halep crushes Serena",
            "text": CORRECTED.format(minutes=57) + "\n\nCorrection: an earlier version gave the wrong length of the final.",
        },
        {"doc_id": "voice", "source": "Voice", "title": "Halep's day", "text": "By Voice wire staff\n\n" + CORRECTED.format(minutes=56)},
    ]
    (tmp_path / "wire.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    service = Byline(seed_settings.model_copy(update={"store": tmp_path / "store"}))
    assert service.ingest([tmp_path / "wire.jsonl"]).added == 3
    assert len(set(service.store.docs.copy_groups(["herald", "courier", "voice"]).values())) == 1
    result = service.ask("How many minutes did the 2019 Wimbledon final last?")
    assert len(result.warnings) == 1 and "disagree" in result.warnings[0]
    assert {"56", "57"} <= set(result.warnings[0].replace('"', " ").split())
    assert {c.doc_id for c in result.citations[:2]} & {"herald", "voice"} and "courier" in {c.doc_id for c in result.citations[:2]}
    # The copy that says 56 too is listed under the citation that says 56, not under the one that says 57.
    says_56 = next(c for c in result.citations if "56 minutes" in c.sentence)
    says_57 = next(c for c in result.citations if "57 minutes" in c.sentence)
    assert [a.doc_id for a in says_56.also_in] == sorted({"herald", "voice"} - {says_56.doc_id})
    assert says_57.also_in == []
