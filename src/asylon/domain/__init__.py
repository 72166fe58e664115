"""Domain words shared by every layer: codes, state machines, safeguards. No database, no web."""
