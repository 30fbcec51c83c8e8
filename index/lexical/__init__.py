"""The lexical (BM25) index over each chunk's terms: the tokenizer (terms.py), what every index does
and the rows both dialects share (base.py), one module per database (sqlite.py, postgres.py), and
tantivy.py, a search engine's index beside an SQLite docstore."""
