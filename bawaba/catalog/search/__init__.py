"""Catalogue search: text analysis (Arabic and English), indexing and querying."""
