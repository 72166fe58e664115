"""Data shipped with asylon: country facts (World Bank, UNHCR). See ``PROVENANCE.md`` and :mod:`asylon.data.facts`."""
