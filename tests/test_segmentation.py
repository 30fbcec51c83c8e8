from index.chunking import chunk_sentences
from index.sentences import MAX_SENTENCE_WORDS, split_sentences
from tests.conftest import SEED_DOC, SEEDS


def test_sentences_are_verbatim_spans_with_abbreviations():
    text = "WASHINGTON — Gen. Ali Mayhoub spoke at 3 p.m. Monday. U.S. troops left.\nA new line starts here."
    spans = split_sentences(text)
    assert [text[s.start : s.end] for s in spans] == [
        "WASHINGTON — Gen. Ali Mayhoub spoke at 3 p.m. Monday.",
        "U.S. troops left.",
        "A new line starts here.",
    ]


def test_a_title_before_a_name_does_not_end_a_sentence():
    text = "If Gov. Andy Beshear signs the bill, Lt. Gov. Jacqueline Coleman and Sgt. Ann Lee will attend. It passed."
    assert [text[s.start : s.end] for s in split_sentences(text)] == [
        "If Gov. Andy Beshear signs the bill, Lt. Gov. Jacqueline Coleman and Sgt. Ann Lee will attend.",
        "It passed.",
    ]


def test_seed_sentences_cover_the_text_in_order():
    text = (SEEDS / SEED_DOC).read_text()
    spans = split_sentences(text)
    assert len(spans) > 25
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))
    assert all(text[s.start : s.end] == text[s.start : s.end].strip() for s in spans)
    assert text[spans[1].start : spans[1].end].startswith("Reading an army statement")


def test_run_on_text_is_cut_into_word_windows():
    menu = " ".join(f"Item{n}" for n in range(200))
    spans = split_sentences(menu)
    assert len(spans) > 2
    assert all(len(menu[s.start : s.end].split()) <= MAX_SENTENCE_WORDS for s in spans)


def test_chunks_are_whole_sentence_windows_with_overlap():
    text = " ".join(f"Sentence number {n} has exactly seven words." for n in range(40))
    spans = split_sentences(text)
    chunks = chunk_sentences(text, spans, max_words=50, overlap=1)
    assert chunks[0].first == 0 and chunks[-1].last == len(spans)
    for chunk, following in zip(chunks, chunks[1:]):
        words = sum(len(text[s.start : s.end].split()) for s in spans[chunk.first : chunk.last])
        assert words <= 50
        assert following.first == chunk.last - 1
