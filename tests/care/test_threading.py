"""thread_roots: each message to the root of its reply tree; cycles cut at the earliest member."""

from __future__ import annotations

import time

import numpy as np
import pytest

from beancan.care.threading import thread_roots


def reference_roots(parent: list[int], order: list[int]) -> list[int]:
    """The obvious way: walk up one parent at a time; on meeting the walk again, cut that
    cycle at its earliest member by `order`; then walk every node up to its root."""
    n = len(parent)
    parent = [p if 0 <= p < n and p != i else -1 for i, p in enumerate(parent)]
    for start in range(n):
        walk: list[int] = []
        node = start
        while node >= 0 and node not in walk:
            walk.append(node)
            node = parent[node]
        if node >= 0:
            cycle = walk[walk.index(node) :]
            parent[min(cycle, key=lambda i: order[i])] = -1
    roots = []
    for start in range(n):
        node = start
        while parent[node] >= 0:
            node = parent[node]
        roots.append(node)
    return roots


def roots_of(parent, order=None) -> tuple[list[int], int]:
    parent = np.asarray(parent, dtype=np.int64)
    order = np.arange(len(parent), dtype=np.int64) if order is None else np.asarray(order)
    roots, cut = thread_roots(parent, order)
    return np.asarray(roots).tolist(), cut


def test_empty():
    roots, cut = thread_roots(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    assert len(roots) == 0
    assert cut == 0


def test_single_message():
    assert roots_of([-1]) == ([0], 0)


def test_chain():
    # 0 <- 1 <- 2 <- 3
    assert roots_of([-1, 0, 1, 2]) == ([0, 0, 0, 0], 0)


def test_chain_listed_backwards():
    # 3 <- 2 <- 1 <- 0: the root is the last element.
    assert roots_of([1, 2, 3, -1], [3, 2, 1, 0]) == ([3, 3, 3, 3], 0)


def test_forest():
    #   0        3       6
    #  / \       |
    # 1   2      4
    #            |
    #            5
    parent = [-1, 0, 0, -1, 3, 4, -1]
    assert roots_of(parent) == ([0, 0, 0, 3, 3, 3, 6], 0)


def test_missing_parent_starts_a_tree():
    # -1 and out-of-range parents (not in the data) start trees.
    assert roots_of([-1, 0, 99, 2, -5]) == ([0, 0, 2, 2, 4], 0)


def test_self_parent_is_a_root():
    roots, cut = roots_of([0, 0, 1])
    assert roots == [0, 0, 0]
    assert cut == 0


def test_two_cycle_cut_at_the_earliest():
    # 0 and 1 answer each other; 1 is earlier by order.
    roots, cut = roots_of([1, 0], [5, 2])
    assert roots == [1, 1]
    assert cut == 1
    roots, cut = roots_of([1, 0], [2, 5])
    assert roots == [0, 0]
    assert cut == 1


def test_three_cycle_cut_at_the_earliest():
    # 0 -> 1 -> 2 -> 0 (child -> parent); 2 is the earliest.
    roots, cut = roots_of([1, 2, 0], [1, 2, 0])
    assert roots == [2, 2, 2]
    assert cut == 1


def test_four_cycle_cut_at_the_earliest():
    roots, cut = roots_of([1, 2, 3, 0], [3, 1, 2, 4])
    assert roots == [1, 1, 1, 1]
    assert cut == 1


def test_tail_hanging_off_a_cycle():
    # Cycle 0 <-> 1 (1 earliest), with 2 -> 0 and 3 -> 2 hanging off it; 4 alone.
    roots, cut = roots_of([1, 0, 0, 2, -1], [3, 0, 5, 6, 1])
    assert roots == [1, 1, 1, 1, 4]
    assert cut == 1
    # A three-cycle 0 -> 1 -> 2 -> 0 with tail 3 -> 1; 0 earliest.
    roots, cut = roots_of([1, 2, 0, 1], [0, 1, 2, 3])
    assert roots == [0, 0, 0, 0]
    assert cut == 1


def test_several_cycles_are_counted():
    parent = [1, 0, 3, 4, 2, -1, 5, 8, 7, 7]
    order = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
    roots, cut = roots_of(parent, order)
    assert cut == 3
    assert roots == [1, 1, 4, 4, 4, 5, 5, 8, 8, 8]


def test_does_not_change_its_input():
    parent = np.array([1, 0, 1], dtype=np.int64)
    order = np.array([0, 1, 2], dtype=np.int64)
    thread_roots(parent, order)
    assert parent.tolist() == [1, 0, 1]
    assert order.tolist() == [0, 1, 2]


def test_long_chain_is_fast():
    n = 100_000
    parent = np.arange(-1, n - 1, dtype=np.int64)  # i answers i - 1
    order = np.arange(n, dtype=np.int64)
    started = time.perf_counter()
    roots, cut = thread_roots(parent, order)
    assert time.perf_counter() - started < 2.0
    assert cut == 0
    assert np.all(np.asarray(roots) == 0)


def test_long_chain_shuffled_is_fast():
    n = 100_000
    rng = np.random.default_rng(3)
    position = rng.permutation(n)  # message k of the chain is stored at position[k]
    parent = np.full(n, -1, dtype=np.int64)
    parent[position[1:]] = position[:-1]
    order = np.empty(n, dtype=np.int64)
    order[position] = np.arange(n)
    started = time.perf_counter()
    roots, cut = thread_roots(parent, order)
    assert time.perf_counter() - started < 2.0
    assert cut == 0
    assert np.all(np.asarray(roots) == position[0])


def test_long_cycle_is_cut_once():
    n = 100_000
    parent = np.roll(np.arange(n, dtype=np.int64), 1)  # i answers i - 1, 0 answers n - 1
    order = np.roll(np.arange(n, dtype=np.int64), 7)  # order[7] == 0: message 7 is earliest
    started = time.perf_counter()
    roots, cut = thread_roots(parent, order)
    assert time.perf_counter() - started < 5.0
    assert cut == 1
    assert np.all(np.asarray(roots) == 7)


def random_forest(rng: np.random.Generator, n: int, cycles: int) -> tuple[np.ndarray, np.ndarray]:
    """Random parents pointing at earlier nodes (a forest), some rewired into cycles, plus
    missing and self parents; a random order of events."""
    parent = np.array([rng.integers(-1, i) if i else -1 for i in range(n)], dtype=np.int64)
    parent[rng.random(n) < 0.1] = -1
    for _ in range(cycles):
        node = int(rng.integers(0, n))
        parent[node] = int(rng.integers(node, n))  # to itself or a later node: may close one
    parent[rng.random(n) < 0.02] = n + 5  # missing from the data
    order = rng.permutation(n).astype(np.int64)
    return parent, order


@pytest.mark.parametrize("seed", range(30))
def test_matches_a_naive_reference_on_random_forests(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    parent, order = random_forest(rng, n, cycles=int(rng.integers(0, 8)))
    roots, _ = thread_roots(parent.copy(), order)
    assert np.asarray(roots).tolist() == reference_roots(parent.tolist(), order.tolist())


@pytest.mark.parametrize("length", [2, 3, 4, 5, 6, 7, 8, 16, 17])
def test_cycles_of_every_length(length):
    rng = np.random.default_rng(length)
    members = rng.permutation(length + 3)[:length]  # a cycle among some of length + 3 nodes
    n = length + 3
    parent = np.full(n, -1, dtype=np.int64)
    parent[members] = np.roll(members, 1)
    order = rng.permutation(n).astype(np.int64)
    roots, cut = thread_roots(parent, order)
    earliest = members[np.argmin(order[members])]
    assert cut == 1
    assert np.asarray(roots)[members].tolist() == [earliest] * length
    assert np.asarray(roots).tolist() == reference_roots(parent.tolist(), order.tolist())
