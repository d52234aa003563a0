"""Seeds: a claim about a trained toy is a statement over several training seeds.

A toy model trained once is an anecdote. Each toy trains one model per seed of
SEEDS (training.cached_seeds); the seed sets the initial weights and the
order of the training batches, never the held-out data, which every seed is
scored on. A measure taken on each seed becomes the summary the post quotes:
median and range for numbers, "k of n" for yes/no, through seed_facts(); the
per-seed values go to the manifest (a figure's data["per_seed"]).
"""
import statistics

SEEDS = (0, 1, 2, 3, 4)


def summary(values):
    """{"median", "min", "max"} of numbers; {"k", "n"} (how many are true, of how many) of booleans.
    """
    values = list(values)
    if not values:
        raise ValueError("no seeds")
    if all(isinstance(v, bool) for v in values):
        return {"k": sum(values), "n": len(values)}
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def seed_facts(key, values):
    """Flat manifest facts of one measure over seeds: key_median, key_min, key_max
    (numbers) or key_k, key_n (booleans: "in k of n seeds")."""
    return {f"{key}_{part}": value for part, value in summary(values).items()}


def median_seed(values, seeds=SEEDS):
    """The seed whose value is the median (the lower of the middle two for an even
    count): the one a figure that draws a single seed shows, as the typical one."""
    order = sorted(range(len(values)), key=lambda i: (values[i], seeds[i]))
    return seeds[order[(len(values) - 1) // 2]]
