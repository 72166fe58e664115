"""Caseload files: CSV, HXL-tagged CSV and JSON, read and written in one shape (see ``columns``)."""
