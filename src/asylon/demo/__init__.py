"""The demo world: generated organisations, users and households for trying asylon out."""
