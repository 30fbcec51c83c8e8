"""What a doc_id may be: the key of an article in the store, in `/api/articles/{doc_id}` URLs
and in citations."""

import re

MAX_DOC_ID_CHARS = 255
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def checked_doc_id(value) -> str:
    doc_id = str(value).strip()
    if not doc_id:
        raise ValueError("empty doc_id")
    if len(doc_id) > MAX_DOC_ID_CHARS:
        raise ValueError(f"the doc_id is {len(doc_id)} characters long; the limit is {MAX_DOC_ID_CHARS}")
    if _CONTROLS.search(doc_id):
        raise ValueError(f"doc_id {doc_id!r} contains control characters")
    parts = doc_id.replace("\\", "/").split("/")
    if doc_id.startswith(("/", "\\")) or ".." in parts:
        raise ValueError(f"doc_id '{doc_id}' climbs out of its folder ('..' or a leading '/'): use a plain name")
    return doc_id
