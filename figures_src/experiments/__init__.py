"""Toy tasks and the seeded, cached training that the figures share."""
