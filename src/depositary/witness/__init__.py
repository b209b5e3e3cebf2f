"""Witnesses and monitors (c2sp.org/tlog-witness, c2sp.org/tlog-cosignature).

* ``protocol``: the add-checkpoint request and response bodies (pure).
* ``core``: the witness's decision for one request, given its state (pure).
* ``state``: the witness's own SQLite state, with an atomic compare-and-swap.
* ``service``: a witness in a directory: key, state, clock; answers requests.
* ``server``: the FastAPI app serving ``POST /add-checkpoint``.
* ``client``: the log side: submit to witnesses, collect, apply a k-of-n policy.
* ``monitor``: follow a log's tiles, check consistency and cosignatures.
"""
