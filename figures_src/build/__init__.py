"""The build: find stale figures, run them, render and write light and dark outputs."""
