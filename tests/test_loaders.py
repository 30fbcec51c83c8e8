import json

import pytest

from index.ingest import IngestReport, load_paths
from index.loaders import iter_file, iter_files
from tests.conftest import SEED_DOC, SEEDS


def load(path):
    report = IngestReport()
    articles = load_paths([path], report)
    return articles, report


def test_seed_article_dateline_footer_and_source():
    (article,), report = load(SEEDS)
    assert article.doc_id == SEED_DOC
    assert article.dateline == "BEIRUT"
    assert article.source == "The Associated Press"
    assert article.footer.startswith("Copyright 2018 The Associated Press")
    assert "Copyright" not in article.text and "All Rights Reserved" not in article.text
    assert article.text.startswith("BEIRUT — Syria’s military")
    assert article.title and "Copyright" not in article.title


def test_text_file_with_title_line_and_wire_dateline(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "story.txt").write_text(
        "Storm floods coastal towns\n\nNEW ORLEANS (AP) — Heavy rain flooded streets on Tuesday.\n"
        "Officials opened shelters.\n\n(c) 2024 Example Wire. All rights reserved.\n"
    )
    (article,), _ = load(tmp_path)
    assert article.doc_id == "sub/story.txt"
    assert article.title == "Storm floods coastal towns"
    assert article.dateline == "NEW ORLEANS"
    assert article.text.endswith("Officials opened shelters.")
    assert "rights reserved" in article.footer


def test_markdown_front_matter_and_heading(tmp_path):
    (tmp_path / "a.md").write_text(
        "---\ntitle: Council votes\ndate: 2024-03-05\nsource: Gazette\n---\n# Ignored heading\n\n"
        "The council voted **7-2** to approve the [budget](http://x.test).\n"
    )
    (article,), _ = load(tmp_path)
    assert (article.title, article.date, article.source) == ("Council votes", "2024-03-05", "Gazette")
    assert "voted 7-2 to approve the budget." in article.text
    assert "**" not in article.text and "](" not in article.text


def test_jsonl_records_fields_and_ids(tmp_path):
    records = [
        {"doc_id": "a1", "title": "One", "text": "First body.", "publish_date": "2022/06/16", "authors": ["X"]},
        {"id": 7, "title": "Two", "body": "Second body.", "published_at": "2022-06-17T10:00:00Z", "source": "Wire"},
        {"title": "Three", "content": "Third body.", "date": "June 18, 2022"},
        {"title": "no text"},
    ]
    (tmp_path / "export.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    articles, report = load(tmp_path)
    assert [a.doc_id for a in articles] == ["a1", "7", "export.jsonl#L3"]
    assert [a.date for a in articles] == ["2022-06-16", "2022-06-17", "2022-06-18"]
    assert articles[1].source == "Wire" and articles[0].authors == ["X"]
    (error,) = report.errors
    assert "export.jsonl, line 4: no article text" in error and "'text'" in error


def test_json_array_and_wrapped_articles(tmp_path):
    (tmp_path / "list.json").write_text(json.dumps([{"id": "x", "text": "Body x."}]))
    (tmp_path / "wrapped.json").write_text(json.dumps({"articles": [{"id": "y", "text": "Body y."}]}))
    articles, _ = load(tmp_path)
    assert sorted(a.doc_id for a in articles) == ["x", "y"]


def test_html_page_main_text_and_metadata(tmp_path):
    paragraphs = "".join(f"<p>The city council approved a new transit plan that adds {n} bus lines across the northern districts.</p>" for n in range(3, 9))
    (tmp_path / "page.html").write_text(
        "<html><head><title>Transit plan approved | Gazette</title>"
        '<meta property="og:title" content="Transit plan approved">'
        '<meta name="author" content="Jane Roe"><meta property="article:published_time" content="2024-05-02">'
        '<meta property="og:site_name" content="Gazette"></head><body>'
        "<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/sports'>Sports</a></nav>"
        f"<article><h1>Transit plan approved</h1>{paragraphs}</article>"
        "<footer>Subscribe now! Cookie settings.</footer></body></html>"
    )
    (article,), _ = load(tmp_path)
    assert article.title == "Transit plan approved"
    assert article.date == "2024-05-02"
    assert article.authors == ["Jane Roe"]
    assert "adds 5 bus lines" in article.text
    assert "Sports" not in article.text and "Cookie" not in article.text


def test_unreadable_and_invalid_files_name_the_file(tmp_path):
    bad = tmp_path / "broken.jsonl"
    bad.write_text('{"id": "ok", "text": "fine"}\n{not json\n')
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    errors = []
    assert [a.doc_id for a in iter_file(bad, tmp_path, errors, [], 10**6)] == ["ok"]
    assert list(iter_file(binary, tmp_path, errors, [], 10**6)) == []
    assert errors[0].startswith(f"{bad}, line 2: invalid JSON")
    assert errors[1].startswith(f"{binary}, line 3: a NUL byte")
    _, report = load(tmp_path)
    assert len(report.errors) == 2


def test_missing_path_and_unsupported_files(tmp_path):
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.txt").write_text("hidden text.")
    _, report = load(tmp_path)
    assert [s.reason for s in report.skipped] == ["unsupported file type '.png'"]
    _, report = load(tmp_path / "nope")
    assert "no such file" in report.errors[0]
    assert [f.name for f, _ in iter_files(tmp_path)] == ["image.png"]


def test_html_inside_json_records_is_extracted(tmp_path):
    body = "".join(f"<p>Flood waters rose {n} feet along the river on Sunday, officials said.</p>" for n in range(2, 8))
    page = f"<html><head><title>Floods</title></head><body><nav>Home | Weather | Sports</nav><article>{body}</article></body></html>"
    (tmp_path / "pages.jsonl").write_text(json.dumps({"doc_id": "p1", "title": "River floods", "text": page}))
    (article,), _ = load(tmp_path)
    assert article.title == "River floods"
    assert "rose 4 feet along the river" in article.text
    assert "<p>" not in article.text and "Sports" not in article.text


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("https://news.example.com/2022/06/12/media/river-ferry-returns-after-pause/index.html", "River ferry returns after pause"),
        ("https://news.example.com/world/harbour-bridge-reopens-20221004.html", "Harbour bridge reopens"),
        ("https://news.example.com/article/city-council-budget-vote-9c4a3f2b1e0d", "City council budget vote"),
        ("https://news.example.com/news/12345678", ""),
        ("https://news.example.com/", ""),
        (None, ""),
    ],
)
def test_title_from_url_slug(url, title):
    from index.loaders.urls import title_from_url

    assert title_from_url(url) == title


def test_a_title_from_a_url_reads_like_a_headline():
    """Dates that end the slug go; words take the capitals the article gives them."""
    from index.loaders.urls import title_from_url

    text = "Russia said on Monday that Ukraine's forces... The war in Ukraine goes on. Russia and its war aims."
    assert title_from_url("https://news.example/live-news/russia-ukraine-war-news-10-24-22/index.html", text) == "Russia Ukraine war news"
    cpi = "The CPI rose in June. Economists expected the CPI to rise less."
    assert title_from_url("https://news.example/2022/07/13/economy/cpi-inflation-june/index.html", cpi) == "CPI inflation June"


def test_records_without_a_title_take_it_from_the_url(tmp_path):
    records = [
        {"doc_id": "a", "url": "https://news.example.com/2022/06/12/local/night-ferry-returns/index.html", "text": "The ferry is back."},
        {"doc_id": "b", "title": "Given title", "url": "https://news.example.com/2022/06/12/local/other-slug-here/", "text": "Body."},
    ]
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    articles, _ = load(tmp_path)
    assert [a.title for a in articles] == ["Night ferry returns", "Given title"]


def test_an_article_without_a_title_or_slug_takes_a_headline_from_its_first_sentence(tmp_path):
    """Its first sentence, cut before a clause where it is long, never mid-phrase with "…" (issue 20)."""
    from index.loaders.text import headline

    (article,), _ = load(SEEDS)
    assert article.title == "Syria’s military said Monday it has retaken the last neighborhoods"
    (tmp_path / "short.txt").write_text("LONDON (AP) — Prices rose 3% in June, the statistics office said.\nMore followed.\n")
    records = [
        {
            "doc_id": "r",
            "url": "https://news.example.com/",
            "text": "The council, which met on Monday after a long recess forced by floods that shut the town hall, voted.",
        }
    ]
    (tmp_path / "r.jsonl").write_text(json.dumps(records[0]))
    assert sorted(a.title for a in load(tmp_path)[0]) == [
        "Prices rose 3% in June, the statistics office said",
        "The council, which met on Monday after a long recess forced by floods",
    ]
    assert headline("Gen. Ali Mayhoub said so. Then more.") == "Gen. Ali Mayhoub said so"  # Punkt's sentence, not the first stop
    assert headline("Word " * 30) == "Word " * 17 + "Word…"  # no clause to stop before


def test_html_page_without_a_title_takes_it_from_its_canonical_url(tmp_path):
    body = "".join(f"<p>The night ferry returned on Monday after a pause of {n} months, officials said.</p>" for n in range(2, 8))
    page = f'<html><head><link rel="canonical" href="https://news.example.com/2022/06/12/night-ferry-returns/"></head><body><article>{body}</article></body></html>'
    (tmp_path / "page.html").write_text(page)
    articles, _ = load(tmp_path)
    assert articles[0].title == "Night ferry returns"


@pytest.mark.parametrize(
    ("opening", "place", "agency"),
    [
        ("New York CNN Business —\n\nStocks fell.", "New York", "CNN Business"),
        ("Colombo, Sri Lanka CNN —\n\nProtesters gathered.", "Colombo, Sri Lanka", "CNN"),
        ("London (CNN) The prime minister resigned.", "London", "CNN"),
        ("CNN —\n\nNetflix renewed the show.", None, "CNN"),
        ("BEIRUT (AP) — Troops advanced.", "BEIRUT", "AP"),
        ("BEIRUT — Troops advanced.", "BEIRUT", None),
        ("The president — who spoke first — left.", None, None),
        ("Apple and AP — a partnership.", None, None),
    ],
)
def test_datelines_of_wire_and_web_articles(opening, place, agency):
    from index.loaders.text import parse_dateline

    assert parse_dateline(opening) == (place, agency)


def test_records_take_dateline_and_outlet_from_the_text(tmp_path):
    records = [
        {"doc_id": "a", "text": "Washington CNN —\n\nThe Senate passed the bill on Friday."},
        {"doc_id": "b", "source": "Daily Planet", "dateline": "METROPOLIS", "text": "Washington CNN —\n\nBody."},
    ]
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    first, second = load(tmp_path)[0]
    assert (first.dateline, first.source) == ("Washington", "CNN")
    assert first.text.startswith("Washington CNN —")  # offsets stay those of the text as given
    assert (second.dateline, second.source) == ("METROPOLIS", "Daily Planet")
