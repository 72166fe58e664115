"""Use cases. Each takes a session and the acting user, checks permissions and safeguards, calls engines,
and writes events and audit in the same transaction. Interfaces call exactly one of these per action."""
