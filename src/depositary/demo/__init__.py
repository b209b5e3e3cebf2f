"""The demo case, replayed on the embedded default."""
