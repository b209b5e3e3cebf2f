"""C2SP byte formats: signed notes, checkpoints, cosignatures, tlog-proof and tlog-tiles.

Pure code (no I/O, no clock), byte-exact with golang.org/x/mod/sumdb/note and the
C2SP specifications:

* ``note``: c2sp.org/signed-note v1 (Ed25519 type 0x01), vkeys and Go-style skeys.
* ``checkpoint``: c2sp.org/tlog-checkpoint note text, signing and opening.
* ``cosignature``: c2sp.org/tlog-cosignature ``cosignature/v1`` (type 0x04) and k-of-n policy.
* ``tlog_proof``: c2sp.org/tlog-proof@v1 offline inclusion proofs.
* ``tiles``: c2sp.org/tlog-tiles paths, entry bundles and the tiles of a tree size.
"""
