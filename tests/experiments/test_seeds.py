"""A measure over seeds becomes the summary the post quotes."""
import pytest

from figures_src.experiments import seeds


def test_summary_of_numbers_is_median_and_range():
    assert seeds.summary([0.9, 1.0, 0.5, 0.7, 0.8]) == {"median": 0.8, "min": 0.5, "max": 1.0}


def test_summary_of_booleans_is_k_of_n():
    assert seeds.summary([True, False, True, True, True]) == {"k": 4, "n": 5}


def test_seed_facts_are_flat_keys():
    assert seeds.seed_facts("acc", [1.0, 0.5, 0.75]) == {"acc_median": 0.75, "acc_min": 0.5,
                                                         "acc_max": 1.0}
    assert seeds.seed_facts("ok", [True, False]) == {"ok_k": 1, "ok_n": 2}


def test_median_seed_is_the_seed_of_the_median_value():
    assert seeds.median_seed([0.3, 0.1, 0.9, 0.5, 0.2], (0, 1, 2, 3, 4)) == 0
    assert seeds.median_seed([4, 3, 2, 1], (7, 8, 9, 10)) == 9  # lower of the middle two


def test_at_least_five_seeds():
    assert len(set(seeds.SEEDS)) >= 5


def test_no_seeds_is_an_error():
    with pytest.raises(ValueError):
        seeds.summary([])
