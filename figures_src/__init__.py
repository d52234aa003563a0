"""The blog's figures: small real models, drawn light and dark.

Run `python -m figures_src.build --help` (or `make figures`). This file stays free of
imports so that listing stale figures never pays for torch or matplotlib.
"""
