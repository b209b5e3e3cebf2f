"""Use cases that wire the clock, storage, log and crypto together for the shells."""
