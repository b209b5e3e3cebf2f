"""Ed25519 keys and signatures: the only package that touches crypto libraries."""
