"""The HTTP API (FastAPI), versioned under ``/api/v1``. Routes parse, call one service, render."""
