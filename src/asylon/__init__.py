"""asylon: an open platform for international cooperation on refugee protection."""

__version__ = "0.1.0"
