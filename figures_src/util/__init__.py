"""Plumbing that moves bytes and never shapes one: paths, atomic writes, seeds, source hashes."""
