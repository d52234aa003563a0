"""Fixtures for figure tests: compute a figure's data once per test session,
seeded exactly as the build seeds it, so tests check what the figure draws."""
import functools

import pytest

from figures_src.build import pipeline


@functools.lru_cache(maxsize=None)
def _computed(name: str) -> dict:
    (source,) = pipeline.find([name])
    return pipeline.compute(source)


@pytest.fixture(scope="session")
def figure_data():
    """figure_data("rnn-unrolled") -> the dict its compute() returned (cached)."""
    return _computed


@pytest.fixture(scope="session")
def figure_module():
    """figure_module("rnn-unrolled") -> the imported figure module."""
    return lambda name: pipeline.load(pipeline.find([name])[0])
