"""One story once: a wire story carried by several outlets is grouped at ingest and shown once,
with the other outlets listed in `also_in`; a different article on the same event stays apart."""

import json
import random

import numpy as np
import pytest
from datasketch import MinHashLSH

from index.copies import CANDIDATE_THRESHOLD, METHOD, NUM_PERM, CopyGrouper, jaccard, minhash, shingles
from rag.service import Byline
from tests.conftest import ALSO_IN_FIELDS, HIT_FIELDS

WIRE = (
    "PORT ELLING (Wire) — Ferry crews on the Elling Sound walked off the job on Monday, stranding thousands of "
    "commuters who rely on the crossing to reach the mainland. The union said 240 deck hands and engineers joined "
    "the strike after talks over night-shift pay collapsed late on Sunday. Island Lines, which runs the service, "
    "said it had cancelled all 38 daily sailings and urged passengers to use the coastal bus instead, though the "
    "journey takes three hours longer. Union organiser Mara Quill said crews were prepared to stay out for a week "
    "unless the company restored the night-shift allowance it cut in March. The company said the allowance was "
    "unaffordable after fuel costs doubled, and offered a one-off payment instead. Talks are due to resume on "
    "Thursday with a mediator from the regional labour office."
)
OUTLETS = [
    {
        "doc_id": "herald/ferry-strike",
        "title": "Ferry crews strike over night pay",
        "source": "Harbour Herald",
        "url": "https://herald.example/ferry-strike",
        "text": "Get the Harbour Herald every morning: subscribe for local news.\n\n" + WIRE + "\n\nRead more: harbour events this weekend.",
    },
    {
        "doc_id": "courier/ferry-strike",
        "title": "Island Lines cancels every sailing as crews walk out",
        "source": "Coast Courier",
        "url": "https://courier.example/news/ferry",
        "text": "By Courier wire staff\n\n" + WIRE + "\n\nThe Coast Courier is an independent newspaper. Support our journalism today.",
    },
    {
        "doc_id": "voice/ferry-strike",
        "title": "Strike strands Elling commuters",
        "source": "Valley Voice",
        "url": "https://voice.example/ferry",
        "text": WIRE.rsplit(" Talks are due", 1)[0] + "\n\nShare this story with your friends and follow the Valley Voice online.",
    },
]
SAME_EVENT = {
    "doc_id": "gazette/terminal",
    "title": "Empty terminal as the crossing stops",
    "source": "Sound Gazette",
    "text": (
        "Commuters queued outside a shuttered terminal in Port Elling on Monday morning after a walkout by ferry crews "
        "halted every crossing of the Elling Sound. Some waited for the coastal bus, which adds three hours to the trip; "
        "others gave up and went home. Shopkeepers on the island said deliveries of bread and milk had not arrived. "
        "Island Lines apologised to passengers and said it hoped the dispute over night-shift pay would end soon, "
        "while the crews' union promised to keep picketing the pier until its members' allowance is restored."
    ),
}
UNRELATED = {
    "doc_id": "herald/library",
    "title": "Library reopens",
    "source": "Harbour Herald",
    "text": "The town library reopened on Saturday after a two-year renovation that added a reading garden and a children's wing.",
}
QUERY = "ferry crews strike Elling Sound sailings cancelled"


def build(folder, settings, records) -> Byline:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "news.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    service = Byline(settings.model_copy(update={"store": folder / "store"}))
    report = service.ingest([folder / "news.jsonl"])
    assert report.added == len(records) and not report.errors
    return service


@pytest.fixture(scope="module")
def news(tmp_path_factory, seed_settings) -> Byline:
    return build(tmp_path_factory.mktemp("wire"), seed_settings, [*OUTLETS, SAME_EVENT, UNRELATED])


def test_the_copies_are_alike_and_the_other_article_is_not():
    copies = [shingles(o["text"]) for o in OUTLETS]
    assert all(jaccard(copies[0], other) >= 0.7 for other in copies[1:])
    assert jaccard(copies[0], shingles(SAME_EVENT["text"])) < 0.1


def test_a_wire_story_in_three_outlets_is_one_search_hit(news):
    results = news.search(QUERY, k=5).results
    wire = [hit for hit in results if hit.doc_id in {o["doc_id"] for o in OUTLETS}]
    assert len(wire) == 1, [hit.doc_id for hit in results]
    shown = json.loads(wire[0].model_dump_json())
    assert set(shown) == HIT_FIELDS and all(set(copy) == ALSO_IN_FIELDS for copy in shown["also_in"])
    listed = {a.doc_id: a for a in wire[0].also_in}
    assert set(listed) == {o["doc_id"] for o in OUTLETS} - {wire[0].doc_id}
    for outlet in OUTLETS:
        if outlet["doc_id"] in listed:
            assert listed[outlet["doc_id"]].model_dump() == {k: outlet[k] for k in ("doc_id", "title", "source", "url")}
    # The article on the same event, written differently, is a result of its own.
    other = next(hit for hit in results if hit.doc_id == SAME_EVENT["doc_id"])
    assert other.also_in == []
    assert len(news.retriever.documents(QUERY, 5, fold_copies=False)) == len(results) + 2


def test_a_cited_sentence_lists_the_copies_that_carry_it(news):
    result = news.ask("How many deck hands and engineers joined the strike?")
    assert not result.abstained and "240" in result.citations[0].sentence
    first = result.citations[0]
    assert {a.doc_id for a in first.also_in} == {o["doc_id"] for o in OUTLETS} - {first.doc_id}
    sentences = [c.sentence for c in result.citations]
    assert len(sentences) == len(set(sentences)), "a sentence the copies share is cited once"
    assert result.warnings == []


def test_deleting_the_article_shown_shows_the_story_through_another(tmp_path, seed_settings):
    service = build(tmp_path, seed_settings, [*OUTLETS, UNRELATED])
    shown = service.search(QUERY, k=3).results[0]
    assert shown.doc_id in {o["doc_id"] for o in OUTLETS} and len(shown.also_in) == 2
    assert service.delete(shown.doc_id)
    now = service.search(QUERY, k=3).results[0]
    assert now.doc_id in {a.doc_id for a in shown.also_in}
    assert [a.doc_id for a in now.also_in] == [a.doc_id for a in shown.also_in if a.doc_id != now.doc_id]


def test_an_article_joins_its_closest_copy_and_groups_never_merge():
    texts = {"a": WIRE, "b": OUTLETS[1]["text"], "c": SAME_EVENT["text"], "tiny": "Ferry crews walked off the job."}
    grouper = CopyGrouper([], texts.get)
    placed = {doc_id: grouper.place(doc_id, text) for doc_id, text in texts.items()}
    assert placed["a"].group_id == placed["b"].group_id != placed["c"].group_id
    assert placed["tiny"].signature == b"" and placed["tiny"].group_id not in {p.group_id for k, p in placed.items() if k != "tiny"}
    # Reloaded from stored placements, it places a third copy in the same group.
    again = CopyGrouper([(p.doc_id, p.group_id, p.signature) for p in placed.values()], texts.get)
    assert again.place("d", OUTLETS[2]["text"]).group_id == placed["a"].group_id


def test_the_candidates_are_those_datasketchs_lsh_finds():
    """The grouper's band test over its matrix of signatures finds what MinHashLSH.query finds."""
    rng = random.Random(3)
    vocabulary = [f"w{i}" for i in range(300)]
    texts = {}
    for story in range(25):
        words = [rng.choice(vocabulary) for _ in range(120)]
        for copy in range(4):  # more and more words changed: some copies are candidates, some not
            texts[f"{story}-{copy}"] = " ".join(rng.choice(vocabulary) if rng.random() < 0.04 * copy else w for w in words)
    signatures = {doc_id: minhash(shingles(text)) for doc_id, text in texts.items()}
    lsh = MinHashLSH(threshold=CANDIDATE_THRESHOLD, num_perm=NUM_PERM)
    for doc_id, signature in signatures.items():
        lsh.insert(doc_id, signature)
    grouper = CopyGrouper([(d, "g", s.hashvalues.astype(np.uint32).tobytes()) for d, s in signatures.items()], texts.get)
    grouper.forget("0-0")
    lsh.remove("0-0")
    sizes = []
    for doc_id, signature in signatures.items():
        found = grouper.candidates(signature.hashvalues.astype(np.uint32))
        assert set(found) == set(lsh.query(signature)), doc_id
        assert all(found[c] == pytest.approx(signature.jaccard(signatures[c])) for c in found)
        sizes.append(len(set(found) - {doc_id}))
    assert 0 in sizes and max(sizes) >= 2  # strangers apart, copies found


def test_a_store_of_format_1_keeps_its_copy_groups_under_their_new_table_name(tmp_path, seed_settings):
    """Format 1 kept copy groups in a table named `story_groups`: opened by this Byline, the store
    groups and shows the copies as before, from `copy_groups`, and `story_groups` is gone."""
    from index.migrations import KEY, VERSION
    from index.store import MANIFEST

    doc_ids = [o["doc_id"] for o in OUTLETS[:2]]
    with build(tmp_path, seed_settings, OUTLETS[:2]) as service:
        docs = service.store.docs
        groups = docs.copy_groups(doc_ids)
        before = service.search(QUERY, k=3).model_dump()
        with docs.transaction():  # the docstore as format 1 wrote it
            docs._write("ALTER TABLE copy_groups RENAME TO story_groups")
            docs._write("DROP INDEX copy_groups_group")
            docs._write("CREATE INDEX story_groups_group ON story_groups(group_id)")
    assert len(groups) == 2 and len(set(groups.values())) == 1
    file = tmp_path / "store" / MANIFEST
    file.write_text(json.dumps({**json.loads(file.read_text()), KEY: 1}))

    with Byline(seed_settings.model_copy(update={"store": tmp_path / "store"})) as reopened:
        docs = reopened.store.docs
        assert docs.copy_groups(doc_ids) == groups
        assert reopened.search(QUERY, k=3).model_dump() == before
        kept = docs._rows("SELECT name FROM sqlite_master WHERE name LIKE '%groups%' AND name NOT LIKE 'sqlite%' ORDER BY name")
        assert kept == [("copy_groups",), ("copy_groups_group",)]
    assert json.loads(file.read_text())[KEY] == VERSION


def test_a_store_built_before_copy_groups_is_grouped_on_the_next_ingest(news):
    """Last: it takes the module's store apart and puts it back."""
    docs = news.store.docs
    with docs.transaction():
        docs._write("DELETE FROM copy_groups")
    assert docs.unplaced(METHOD) and len(news.search(QUERY, k=6).results) == 5
    news.store.copy_grouper = None  # as a process that opens such a store has none
    report = news.ingest([news.store.path.parent / "news.jsonl"])
    assert report.unchanged == 5 and report.chunks == 0
    assert not docs.unplaced(METHOD)
    assert len(set(docs.copy_groups([o["doc_id"] for o in OUTLETS]).values())) == 1
    assert len(news.search(QUERY, k=6).results) == 3


def test_an_ingest_keeps_the_grouper_and_reads_it_again_after_another_process_wrote(tmp_path, seed_settings, monkeypatch):
    """The copy grouper of one ingest serves the next (reading every placement again was most of an upload at
    100,000 articles), until another writer changes the store: its articles are then compared with too."""
    settings = seed_settings.model_copy(update={"store": tmp_path / "store"})
    here, elsewhere = Byline(settings), Byline(settings)  # `elsewhere` stands for another process: its own connection
    reads, placements = [], type(here.store.docs).placements
    monkeypatch.setattr(type(here.store.docs), "placements", lambda docs, method: reads.append(docs) or placements(docs, method))
    scans, unplaced = [], type(here.store.docs).unplaced  # an unplaced article looked for among every article
    monkeypatch.setattr(type(here.store.docs), "unplaced", lambda docs, method, among=None: scans.append(among is None) or unplaced(docs, method, among))

    def ingest(service, *records):
        path = tmp_path / f"{records[0]['doc_id'].replace('/', '-')}.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in records))
        assert service.ingest([path]).added == len(records)

    ingest(here, UNRELATED)
    ingest(here, SAME_EVENT)
    assert reads == [here.store.docs]  # the second ingest placed its article with the first one's grouper
    assert scans == [True, False]  # ... and looked for unplaced articles only among those it stored
    ingest(elsewhere, OUTLETS[0])
    ingest(here, OUTLETS[1])
    assert len(reads) == 3  # `elsewhere` read the placements, then `here` again: the generation moved past its own writes
    assert scans == [True, False, True, True]
    groups = here.store.docs.copy_groups([o["doc_id"] for o in OUTLETS[:2]])
    assert len(groups) == 2 and len(set(groups.values())) == 1  # the copy `elsewhere` stored was found


def test_articles_an_interrupted_ingest_stored_are_grouped_by_the_next(tmp_path, seed_settings, monkeypatch):
    """An ingest stopped after storing, before grouping its copies: the next ingest of the process, which looks
    for unplaced articles only among those it stored since its last grouping, places them too."""
    import index.ingest

    service = Byline(seed_settings.model_copy(update={"store": tmp_path / "store"}))
    for number, record in enumerate([UNRELATED, OUTLETS[0], OUTLETS[1]]):
        path = tmp_path / f"{number}.jsonl"
        path.write_text(json.dumps(record))
        if number == 1:
            with monkeypatch.context() as patch:
                patch.setattr(index.ingest, "group_copies", lambda store, signatures=None: (_ for _ in ()).throw(KeyboardInterrupt()))
                with pytest.raises(KeyboardInterrupt):
                    service.ingest([path])
            assert service.store.docs.unplaced(METHOD) == [OUTLETS[0]["doc_id"]]
        else:
            assert service.ingest([path]).added == 1
    assert not service.store.docs.unplaced(METHOD)
    groups = service.store.docs.copy_groups([o["doc_id"] for o in OUTLETS[:2]])
    assert len(groups) == 2 and len(set(groups.values())) == 1


def test_a_grouper_made_ahead_serves_the_first_ingest(tmp_path, seed_settings, monkeypatch):
    """`keep_copy_grouper` (run by `byline serve` once started) makes the grouper, grouping what had none: the next
    ingest reads no placements and groups its copy with the stored one."""
    from index.ingest import keep_copy_grouper

    service = build(tmp_path, seed_settings, [OUTLETS[0], UNRELATED])
    docs = service.store.docs
    service.store.copy_grouper = None
    with docs.transaction():
        docs._write("DELETE FROM copy_groups WHERE doc_id = ?", (UNRELATED["doc_id"],))
    keep_copy_grouper(service.store)
    assert not docs.unplaced(METHOD) and service.store.copy_grouper is not None
    reads = []
    monkeypatch.setattr(type(docs), "placements", lambda docs, method: reads.append(method) or [])
    (tmp_path / "more.jsonl").write_text(json.dumps(OUTLETS[1]))
    assert service.ingest([tmp_path / "more.jsonl"]).added == 1
    assert reads == []
    groups = docs.copy_groups([o["doc_id"] for o in OUTLETS[:2]])
    assert len(groups) == 2 and len(set(groups.values())) == 1
