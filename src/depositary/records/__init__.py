"""What the depositary itself writes to the log, and the requests parties sign.

Pure code: canonical bytes (RFC 8785 via ``acts.canonical``), domain-separated
Ed25519 signatures, strict parsing. A log entry is either a party's signed act
(``acts.Envelope``) or one of the depositary's signed statements here.
"""
