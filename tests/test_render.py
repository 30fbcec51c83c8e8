"""How an answer reads: labels, claims, markers and sources, rendered from real AskResults over the seed article."""

import xml.etree.ElementTree as ET

import pytest

from rag.schema import AskResult, Citation, Claim
from tests.conftest import SEED_DOC, SEEDS
from ui.render import chat_answer, citation_label, citation_lines, claim_spans, counted, searched_for, shorten

SEED_TITLE = "Syria’s military said Monday it has retaken the last neighborhoods"
CAPTURED = (
    "Reading an army statement on Syrian TV, Gen. Ali Mayhoub said the army captured the former IS strongholds"
    " in the Palestinian Yarmouk camp and Hajar al-Aswad after a monthlong campaign."
)
RETAKEN = (
    "BEIRUT — Syria’s military said Monday it has retaken the last neighborhoods in southern Damascus held by the"
    " Islamic State group and declared the Syrian capital and its surroundings “completely safe” from militants"
    " for the first time in nearly seven years."
)
GAINS = (
    "The gains by President Bashar Assad’s troops bring greater Damascus — including the capital’s far-flung suburbs"
    " — fully under government control for the first time since the civil war began in 2011."
)
INVENTED = "The army also captured Aleppo airport in 2019."
XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def seed_citation(n: int, sentence: str, title: str = SEED_TITLE) -> Citation:
    """A citation of one sentence of the seed article, with its offsets, as the answerers give it."""
    start = (SEEDS / SEED_DOC).read_text(encoding="utf-8").index(sentence)
    return Citation(n=n, doc_id=SEED_DOC, title=title, sentence=sentence, start=start, end=start + len(sentence), score=0.5)


def answer_of(claims: list[tuple[str, list[Citation], str | None]], question: str = "Which neighbourhoods did the Syrian army capture?", **extra) -> AskResult:
    """An AskResult as the answerers build it: `(text, citations, reason if unsupported)` per claim."""
    pieces, checked, cited, offset = [], [], {}, 0
    for text, citations, unsupported in claims:
        start = offset + (1 if pieces else 0)
        checked.append(
            Claim(
                text=text, start=start, end=start + len(text), citations=[c.n for c in citations], supported=unsupported is None, reason=unsupported or "quoted"
            )
        )
        piece = text + "".join(f" [{c.n}]" for c in citations)
        pieces.append(piece)
        offset = start + len(piece)
        cited.update({c.n: c for c in citations})
    return AskResult(question=question, answer=" ".join(pieces), abstained=False, citations=list(cited.values()), claims=checked, **extra)


def tree(html: str) -> ET.Element:
    """The HTML as a tree: it must be well-formed, and any markup from the articles would show up as elements."""
    return ET.fromstring(f"<root>{html}</root>")


def text_of(element: ET.Element) -> str:
    return "".join(element.itertext())


@pytest.fixture(scope="module")
def seed_answer() -> AskResult:
    citations = [seed_citation(1, CAPTURED), seed_citation(2, RETAKEN), seed_citation(3, GAINS)]
    return answer_of([(c.sentence, [c], None) for c in citations])


@pytest.fixture(scope="module")
def contexts(seed_service, seed_answer):
    return seed_service.citation_contexts(seed_answer.citations)


def test_shorten_cuts_on_a_word_boundary():
    sentence = seed_citation(1, CAPTURED).sentence
    label = shorten(sentence)
    assert label.endswith("…") and len(label) <= 91
    assert sentence.startswith(label[:-1]) and sentence[len(label) - 1] == " "
    assert shorten("  A short\nsentence.  ") == "A short sentence."
    assert shorten("x" * 200) == "x" * 90 + "…"


def test_counts_agree_with_their_nouns():
    assert [counted(n, "article") for n in (0, 1, 2)] == ["0 articles", "1 article", "2 articles"]
    assert counted(1, "new chunk") == "1 new chunk"


def test_citations_are_labelled_by_what_they_say(seed_answer, contexts):
    root = tree(chat_answer(seed_answer, contexts, turn=2))
    labels = [text_of(e) for e in root.iter("span") if e.get("class") == "byline-label"]
    assert labels == [f"“{shorten(c.sentence)}”" for c in seed_answer.citations]
    assert len(set(labels)) == 3
    facts = [text_of(e) for e in root.iter("small") if e.get("class") == "byline-facts"]
    assert facts == [f"{SEED_TITLE} · The Associated Press"] * 3


def test_each_marker_links_to_its_own_answers_passage(seed_answer, contexts):
    first, later = tree(chat_answer(seed_answer, contexts, turn=2)), tree(chat_answer(seed_answer, contexts, turn=4))
    for root, turn in ((first, 2), (later, 4)):
        markers = {e.text: e.get("href") for e in root.iter("a") if e.get("class") == "byline-marker"}
        assert markers == {f"[{n}]": f"#byline-a{turn}-c{n}" for n in (1, 2, 3)}
        passages = {e.get("id"): e for e in root.iter("div") if e.get("class") == "byline-passage"}
        assert set(passages) == {f"byline-a{turn}-c{n}" for n in (1, 2, 3)}
        passage = passages[f"byline-a{turn}-c1"]
        assert passage.find("p/mark").text == seed_answer.citations[0].sentence
        assert len(text_of(passage.find("p"))) > len(seed_answer.citations[0].sentence)  # in its passage
    hover = next(e for e in first.iter("a") if e.text == "[3]").get("title")
    assert hover == f"{GAINS} — {SEED_TITLE}, The Associated Press"


def test_unsupported_claim_is_marked_with_its_reason():
    cited = seed_citation(1, CAPTURED)
    reason = 'the name "Aleppo" appears in none of its cited sentences'
    result = answer_of([("The army captured Yarmouk camp and Hajar al-Aswad.", [cited], None), (INVENTED, [], reason)])
    result.warnings = [f'Claim 2 is not supported by the articles: "{INVENTED}" ({reason}).']
    root = tree(chat_answer(result))
    claims = [e for e in root.iter("span") if "byline-claim" in e.get("class", "")]
    assert [e.get("class") for e in claims] == ["byline-claim", "byline-claim byline-unsupported"]
    assert text_of(claims[1]) == f"⚠ {INVENTED}"
    assert claims[1].get("title") == f"Not supported by the articles: {reason}"
    assert "⚠" not in text_of(claims[0]) and claims[0].get("title") is None
    warnings = [text_of(e) for e in root.iter("p") if e.get("class") == "byline-warning"]
    assert warnings == [f"⚠ {result.warnings[0]}"]


def test_claims_whose_offsets_drifted_are_found_or_left_out():
    cited = seed_citation(1, CAPTURED)
    result = answer_of([("The army captured Yarmouk camp.", [cited], None), (INVENTED, [], "no evidence")])
    result.claims[1].start += 3
    result.claims[1].end += 3
    result.claims.append(Claim(text="A claim not in the answer.", start=0, end=26, supported=False, reason="x"))
    spans = claim_spans(result)
    assert [result.answer[start:end] for start, end, _ in spans] == ["The army captured Yarmouk camp.", INVENTED]
    assert INVENTED in text_of(tree(chat_answer(result)))


def test_markers_naming_no_citation_stay_text(seed_answer, contexts):
    result = seed_answer.model_copy(update={"answer": seed_answer.answer + " See [9].", "claims": []})
    root = tree(chat_answer(result, contexts))
    assert [e.text for e in root.iter("a") if e.get("class") == "byline-marker"] == ["[1]", "[2]", "[3]"]
    assert text_of(root.find(".//p[@class='byline-text']")).count("[9]") == 1


def test_searched_for_shows_only_a_rewritten_question():
    result = AskResult(question="Who helped them?", answer="…", abstained=True, standalone_question="Who helped the Syrian army?")
    assert searched_for(result) == "Who helped the Syrian army?"
    root = tree(chat_answer(result))
    assert text_of(root.find(".//p[@class='byline-searched']")) == "Searched for: “Who helped the Syrian army?”"
    same = result.model_copy(update={"standalone_question": "  who helped THEM? "})
    assert searched_for(same) is None and "Searched for" not in chat_answer(same)
    assert searched_for(result.model_copy(update={"standalone_question": None})) is None


def test_untrusted_text_stays_text_everywhere(seed_service):
    cited = seed_citation(1, CAPTURED, title=f'Bridge " onmouseover="alert(3) {XSS}')
    result = answer_of(
        [(f"Quoted {XSS}.", [cited], None), (f'Invented {XSS} " onclick="x.', [], f'reason {XSS} "')],
        question=XSS,
        standalone_question=f"Searched {XSS}",
    )
    result.warnings = [XSS]
    context = seed_service.citation_contexts([cited])[0]
    context.before, context.sentence, context.after = XSS, XSS, XSS
    context.source, context.date, context.url = XSS, XSS, "javascript:alert(4)"
    html = chat_answer(result, [context])
    root = tree(html)
    assert not [e for e in root.iter() if e.tag in {"script", "img"}]
    assert not [name for e in root.iter() for name in e.attrib if name.startswith("on")]
    assert "javascript:" not in html
    assert text_of(root).count(XSS) >= 8


def test_only_web_urls_become_links(seed_service, seed_answer):
    context = seed_service.citation_contexts(seed_answer.citations[:1])[0]
    context.url = "https://news.example/syria"
    link = next(e for e in tree(chat_answer(seed_answer, [context])).iter("a") if e.get("class") != "byline-marker")
    assert link.get("href") == "https://news.example/syria" and text_of(link) == SEED_TITLE


def test_a_deleted_articles_citation_still_shows_its_sentence(seed_answer):
    root = tree(chat_answer(seed_answer, []))
    marks = [e.text for e in root.iter("mark")]
    assert marks == [c.sentence for c in seed_answer.citations]


def test_cli_lines_give_the_sentence_first_and_the_article_second(seed_answer, contexts):
    lines = citation_lines(seed_answer.citations, contexts)
    assert lines[0] == "  [1] “Reading an army statement on Syrian TV, Gen. Ali Mayhoub said the army captured the former…”"
    assert lines[1] == f"      {SEED_TITLE} · The Associated Press · {SEED_DOC}, chars {seed_answer.citations[0].start}-{seed_answer.citations[0].end}"
    assert len(lines) == 6 and len({lines[0], lines[2], lines[4]}) == 3


def test_the_outlets_that_also_carry_a_sentence_are_listed_as_text():
    from rag.schema import AlsoIn

    cited = seed_citation(1, CAPTURED)
    cited.also_in = [
        AlsoIn(doc_id="copy-1", title=f"Copy {XSS}", source=f'Courier {XSS} " onclick="x', url="javascript:alert(4)"),
        AlsoIn(doc_id="copy-2", title="Second copy", url="https://courier.example/syria"),
    ]
    html = chat_answer(answer_of([(CAPTURED, [cited], None)]), [])
    root = tree(html)
    also = next(e for e in root.iter("small") if e.get("class") == "byline-also")
    assert text_of(also) == f'also in: Courier {XSS} " onclick="x, Second copy'
    assert [(a.get("href"), text_of(a)) for a in also.iter("a")] == [("https://courier.example/syria", "Second copy")]
    assert not [e for e in root.iter() if e.tag in {"script", "img"}] and "javascript:" not in html
    lines = citation_lines([cited], [])
    assert lines[2] == f'      also in: Courier {XSS} " onclick="x [copy-1], Second copy [copy-2]'


def test_labels_nest_the_sentences_own_quotes():
    from ui.render import quoted

    assert quoted("“Our presence is essential,” he said.") == "“‘Our presence is essential,’ he said.”"
    assert quoted("We will stay,” he said.") == "“We will stay, he said.”"  # it starts inside a quote
    assert quoted('He said "go home" and left.') == "“He said ‘go home’ and left.”"
    assert quoted("He called it “a long…") == "“He called it a long…”"  # cut before the quote closes
    assert quoted("Syria’s army") == "“Syria’s army”"


def test_an_answer_copies_as_markdown_with_numbered_sources(seed_service, seed_answer, contexts):
    from ui.render import answer_markdown

    contexts[0].url = "https://news.example/syria"
    result = seed_answer.model_copy(update={"warnings": ["Two articles disagree."], "question": "Who <b>won</b>?"})
    markdown = answer_markdown(result, contexts)
    question, answer, warning, sources = markdown.split("\n\n")
    assert question == r"**Q: Who \<b\>won\</b\>?**" and answer == result.answer and warning == "> ⚠ Two articles disagree."
    lines = sources.splitlines()
    assert lines[0] == "Sources:" and len(lines) == 4
    assert lines[1] == f"- [1] {citation_label(seed_answer.citations[0])} — [{SEED_TITLE}](<https://news.example/syria>), The Associated Press"
    assert lines[2].startswith("- [2] “BEIRUT") and lines[2].endswith(f" — {SEED_TITLE}, The Associated Press")
    html = chat_answer(result, contexts)
    assert text_of(tree(html).find(".//div[@class='byline-markdown']")) == markdown
