"""Normalise the many date spellings of news exports to ISO `YYYY-MM-DD`."""

from datetime import datetime


def iso_date(value) -> str | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    for candidate in (text, text.replace("/", "-"), text[:10].replace("/", "-")):
        try:
            return datetime.fromisoformat(candidate.replace("Z", "+00:00")).date().isoformat()
        except ValueError:
            continue
    for pattern in ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%a, %d %b %Y %H:%M:%S %z"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return text
