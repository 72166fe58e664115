"""Input and output shapes shared by the API, imports and services (pydantic). Tables live in ``asylon.db``."""
