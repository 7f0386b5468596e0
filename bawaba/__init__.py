"""Bawaba (بوابة): an open-source national e-government platform."""

__version__ = "0.1.0"
