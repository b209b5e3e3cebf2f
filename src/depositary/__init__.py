"""depositary: a neutral depositary for formal acts, on a verifiable log."""

__version__ = "0.1.0"
