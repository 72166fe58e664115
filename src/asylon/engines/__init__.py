"""Pure computation: no database, no web. Plain data in, results out."""
