"""RFC 6962 / RFC 9162 Merkle tree math on bytes and integers; no I/O."""
