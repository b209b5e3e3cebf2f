"""One small module of routes per area."""
