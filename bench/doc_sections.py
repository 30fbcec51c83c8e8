"""Rewrite one marked section of docs/benchmarks.md, adding it at the end the first time."""

from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def replace_section(name: str, heading: str, body: str, doc: Path = DOC) -> None:
    """Put `body` between `<!-- BENCH:name -->` and `<!-- /BENCH:name -->`; with no such markers
    yet, append them under `heading`."""
    text = doc.read_text()
    start, end = f"<!-- BENCH:{name} -->", f"<!-- /BENCH:{name} -->"
    if start not in text:
        text += f"\n## {heading}\n\n{start}\n{end}\n"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    doc.write_text(f"{head}{start}\n{body}\n{end}{tail}")
