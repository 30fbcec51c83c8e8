"""The `byline` command against a real store: in this process through typer's test runner, and once
as a real process through the installed script."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import ASK_FIELDS, CITATION_FIELDS, CLAIM_FIELDS, HIT_FIELDS, SEED_DOC, SEEDS
from ui.cli import app


@pytest.fixture
def byline(monkeypatch, tmp_path):
    """`byline(*args)` runs the command in this process, from an empty working folder; exit 0 unless check=False."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args, check=True):
        result = runner.invoke(app, [str(arg) for arg in args])
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception  # a crash, not an exit the command chose
        if check:
            assert result.exit_code == 0, result.stderr
        return result

    return run


@pytest.fixture
def cli_store(seed_service) -> Path:
    """The session's seed store, which the command opens as a user's store."""
    return seed_service.settings.store


def test_the_installed_script_runs_in_its_own_process(cli_store):
    script = Path(sys.executable).with_name("byline")
    result = subprocess.run([script, "articles", "--store", cli_store], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{SEED_DOC}\t") and "The Associated Press" in result.stdout


def test_ingest_twice_reports_unchanged(byline, cli_store):
    again = byline("ingest", SEEDS, "--store", cli_store)
    assert "1 article (0 added, 0 updated, 1 unchanged)" in again.stdout
    assert "0 new chunks, 0 files skipped" in again.stdout


def test_ingest_unreadable_input_exits_1_naming_the_file(byline, cli_store, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json}\n")
    result = byline("ingest", bad, "--store", cli_store, check=False)
    assert result.exit_code == 1
    assert "bad.jsonl" in result.stderr and "invalid JSON" in result.stderr
    missing = byline("ingest", tmp_path / "missing", "--store", cli_store, check=False)
    assert missing.exit_code == 1 and "no such file" in missing.stderr


def test_ask_json_matches_contract(byline, cli_store):
    result = json.loads(byline("ask", "Which neighbourhoods did the Syrian army capture?", "--json", "--store", cli_store).stdout)
    assert set(result) == ASK_FIELDS
    assert result["id"] is None and result["abstained"] is False
    text = (SEEDS / SEED_DOC).read_text()
    for citation in result["citations"]:
        assert set(citation) == CITATION_FIELDS
        assert text[citation["start"] : citation["end"]] == citation["sentence"]
    assert "Yarmouk" in " ".join(c["sentence"] for c in result["citations"])
    assert result["claims"] and all(set(claim) == CLAIM_FIELDS for claim in result["claims"])
    assert all(result["answer"][c["start"] : c["end"]] == c["text"] for c in result["claims"])
    assert result["standalone_question"] == result["question"]


def test_search_json_matches_contract(byline, cli_store):
    result = json.loads(byline("search", "Iran forces Syria", "--json", "--k", "3", "--store", cli_store).stdout)
    assert set(result) == {"id", "query", "results"}
    assert result["query"] == "Iran forces Syria"
    assert [set(hit) for hit in result["results"]] == [HIT_FIELDS]
    assert result["results"][0]["doc_id"] == SEED_DOC


def test_batch_queries_write_one_json_line_each(byline, cli_store, tmp_path):
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        json.dumps({"id": "q1", "question": "Who is the spokesman of Iran's Foreign Ministry?"})
        + "\n\n"
        + json.dumps({"id": 2, "question": "What is the boiling point of mercury?"})
        + "\n"
    )
    lines = byline("ask", "--queries", queries, "--store", cli_store).stdout.strip().splitlines()
    results = [json.loads(line) for line in lines]
    assert [r["id"] for r in results] == ["q1", 2]
    assert "Bahram Ghasemi" in results[0]["citations"][0]["sentence"]
    assert results[1]["abstained"] is True
    searched = [json.loads(line) for line in byline("search", "--queries", queries, "--store", cli_store).stdout.splitlines()]
    assert [r["id"] for r in searched] == ["q1", 2] and all(set(r) == {"id", "query", "results"} for r in searched)


def test_batch_queries_report_bad_lines(byline, cli_store, tmp_path):
    queries = tmp_path / "queries.jsonl"
    queries.write_text('{"id": "ok", "question": "Who captured Hajar al-Aswad?"}\n{"id": "bad"}\n')
    result = byline("ask", "--queries", queries, "--store", cli_store, check=False)
    assert result.exit_code == 1
    assert "line 2" in result.stderr and "question" in result.stderr
    assert json.loads(result.stdout.splitlines()[0])["id"] == "ok"


def test_human_output_shows_citations(byline, cli_store):
    out = byline("ask", "How many people left the area?", "--store", cli_store).stdout
    assert "1,600" in out and "[1]" in out and SEED_DOC in out


def test_human_output_labels_each_citation_by_its_sentence(byline, cli_store):
    lines = byline("ask", "Which neighbourhoods did the Syrian army capture?", "--store", cli_store).stdout.splitlines()
    labels = [line for line in lines if line.startswith("  [")]
    articles = [line for line in lines if line.startswith("      ")]
    assert len(labels) == len(articles) >= 2 and len(set(labels)) == len(labels)
    assert all(label.split("] ", 1)[1].startswith("“") and len(label) < 110 for label in labels)
    assert all(SEED_DOC in line and "The Associated Press" in line for line in articles)


def test_counts_agree_with_their_nouns(byline, tmp_path):
    (tmp_path / "ferry.md").write_text("# Night ferry returns\n\nThe night ferry returned on Monday.\n", encoding="utf-8")
    store = tmp_path / "store"
    ingested = byline("ingest", tmp_path / "ferry.md", "--store", store).stdout
    assert "1 article (1 added, 0 updated, 0 unchanged), 1 new chunk, 0 files skipped" in ingested
    assert "\t1 chunk\t" in byline("articles", "--store", store).stdout


def test_an_empty_store_says_to_ingest_first(byline, tmp_path):
    (tmp_path / "empty").mkdir()  # a folder that is not there is no store at all (tests/test_terminal.py)
    asked = byline("ask", "How many people left the area?", "--store", tmp_path / "empty")
    assert "I could not find this" in asked.stdout
    assert "No articles are indexed yet" in asked.stderr and "byline ingest" in asked.stderr
    searched = byline("search", "Damascus", "--store", tmp_path / "empty")
    assert "No articles are indexed yet" in searched.stdout


def test_settings_lists_every_variable_with_its_value_and_default_and_masks_keys(byline, monkeypatch):
    from rag.settings import Settings

    monkeypatch.setenv("BYLINE_API_KEYS", "admin-one, admin-two")
    monkeypatch.setenv("BYLINE_LLM_API_KEY", "sk-secret")
    monkeypatch.setenv("BYLINE_LLM_TIMEOUT", "60")
    shown = byline("settings").stdout
    assert [line.split(" = ")[0] for line in shown.splitlines() if " = " in line] == [f"BYLINE_{name.upper()}" for name in Settings.model_fields]
    assert 'BYLINE_API_KEYS = set (2 keys)  (default: "")' in shown
    assert "BYLINE_LLM_API_KEY = set (1 key)  (default: not-needed)" in shown
    assert "admin-one" not in shown and "sk-secret" not in shown
    assert "BYLINE_LLM_TIMEOUT = 60.0  (default: 180.0)" in shown
    assert "BYLINE_RATE_LIMIT = 60  (the default)\n    Questions, searches and feedback a minute per reader key" in shown
    monkeypatch.setenv("BYLINE_RATE_LIMIT", "often")
    bad = byline("settings", check=False)
    assert bad.exit_code == 1 and "BYLINE_RATE_LIMIT: Input should be a valid integer" in bad.stderr and "'often'" in bad.stderr


def test_ingest_skips_links_to_files_outside_the_folders_given(byline, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("The vault code is 4711, the night porter said on Tuesday.\n")
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "ferry.txt").write_text("# Night ferry returns\n\nThe night ferry returned after a long pause. Riders cheered.\n")
    (folder / "ferry-link.txt").symlink_to("ferry.txt")  # a link inside the folder is read
    (folder / "porter.txt").symlink_to(outside / "secret.txt")
    store = tmp_path / "store"
    refused = f"skipped {folder / 'porter.txt'}: a link to {outside / 'secret.txt'}, outside the folders given (--follow-links reads it)"
    ingested = byline("ingest", folder, "--store", store)
    assert refused in ingested.stderr, ingested.stderr
    assert "2 articles (2 added, 0 updated, 0 unchanged), 2 new chunks, 1 file skipped" in ingested.stdout
    named = byline("ingest", folder / "porter.txt", "--store", store)  # named, but still a link out of its folder
    assert refused in named.stderr and "0 articles" in named.stdout
    assert [line.split("\t")[0] for line in byline("articles", "--store", store).stdout.splitlines()] == ["ferry-link.txt", "ferry.txt"]
    # With its target's folder given too, or with --follow-links, the link is read.
    both = byline("ingest", folder, outside, "--store", tmp_path / "both")
    assert "4 articles (4 added" in both.stdout and "skipped" not in both.stderr
    followed = byline("ingest", folder, "--follow-links", "--store", tmp_path / "followed")
    assert "3 articles (3 added" in followed.stdout and "skipped" not in followed.stderr
    assert "4711" in byline("search", "vault code night porter", "--store", tmp_path / "followed").stdout


def test_articles_searches_titles_and_sources_in_any_case_and_pages(byline, tmp_path):
    folder = tmp_path / "desk"
    folder.mkdir()
    for name, title, source in [
        ("elysee", "Talks at the Élysée end late", "Le Monde"),
        ("strasse", "Die Straße bleibt gesperrt", "Berliner Zeitung"),
        ("ferry", "Night ferry returns", "Coastal Courier"),
    ]:
        (folder / f"{name}.md").write_text(f"---\ntitle: {title}\nsource: {source}\n---\n{title}, the desk reported on Monday.\n", encoding="utf-8")
    store = tmp_path / "store"
    assert "3 articles (3 added" in byline("ingest", folder, "--store", store).stdout

    found = byline("articles", "--search", "ÉLYSÉE", "--store", store)
    assert [line.split("\t")[0] for line in found.stdout.splitlines()] == ["elysee.md"]
    assert "1–1 of 1 article matching “ÉLYSÉE”, newest first" in found.stderr
    assert byline("articles", "--search", "strasse berliner", "--store", store).stdout.startswith("strasse.md\t")
    missing = byline("articles", "--search", "élysée courier", "--store", store)
    assert missing.stdout == "" and "no article's title, source or doc_id holds “élysée courier”" in missing.stderr

    pages = [byline("articles", "--limit", "2", "--page", page, "--store", store) for page in (1, 2, 3)]
    listed = [[line.split("\t")[0] for line in page.stdout.splitlines()] for page in pages]
    assert [len(names) for names in listed] == [2, 1, 0]
    assert sorted(listed[0] + listed[1]) == ["elysee.md", "ferry.md", "strasse.md"]
    assert "1–2 of 3 articles, newest first; next: --page 2 --limit 2" in pages[0].stderr
    assert "3–3 of 3 articles, newest first" in pages[1].stderr and "next" not in pages[1].stderr
    assert "no articles past the first 3" in pages[2].stderr
    both = byline("articles", "--page", "2", "--offset", "1", "--store", store, check=False)
    assert both.exit_code == 1 and "give --page or --offset, not both" in both.stderr
