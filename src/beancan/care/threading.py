"""Threading: which conversation each message belongs to.

A conversation is a reply-chain tree: every message belongs to the tree of its earliest ancestor
present in the data. A missing parent starts a tree. A reply cycle (A answers B answers A, as broken
exports have) is cut at its earliest member by (created_at, id), which then starts the tree.
Works on whole exports at once with numpy (pointer jumping), and on one conversation the same way.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def thread_roots(
    parent: np.ndarray, order: np.ndarray | Callable[[], np.ndarray]
) -> tuple[np.ndarray, int]:
    """The root index of every message, and how many reply cycles were cut.

    `parent[i]` is the index of message i's parent, or -1 when it has none in the data.
    `order[i]` ranks messages by (created_at, id); it decides where a cycle is cut. It may be a
    function that returns it, called only when there is a cycle to cut (the audit computes the
    order on another thread meanwhile).
    """
    parent = np.asarray(parent, dtype=np.int64).copy()
    n = len(parent)
    index = np.arange(n, dtype=np.int64)
    parent[(parent < 0) | (parent >= n) | (parent == index)] = -1
    cycles_cut = 0
    while True:
        jump = np.where(parent >= 0, parent, index)
        # Doubling: after k rounds every message points 2**k steps up or at its root.
        for _ in range(max(1, int(np.ceil(np.log2(max(n, 2)))) + 1)):
            nxt = jump[jump]
            if np.array_equal(nxt, jump):
                break
            jump = nxt
        # Resolved means pointing at a true root (no parent). Members of a reply cycle never get
        # there; a cycle of even length can even make them point at themselves.
        stuck = np.flatnonzero(parent[jump] >= 0)
        if len(stuck) == 0:
            return jump, cycles_cut
        if callable(order):
            order = order()
        cut = _cut_cycles(parent, order, stuck)
        if cut == 0:  # pragma: no cover - chains are shorter than n, so doubling always ends
            raise RuntimeError("threading did not converge")
        cycles_cut += cut


def _cut_cycles(parent: np.ndarray, order: np.ndarray, stuck: np.ndarray) -> int:
    """Cut every cycle reachable from the stuck messages at its earliest member; how many cut."""
    cut = 0
    state: dict[int, int] = {}  # 1 = on the current walk, 2 = done
    for start in stuck.tolist():
        walk: list[int] = []
        node = start
        while node >= 0 and state.get(node) is None:
            state[node] = 1
            walk.append(node)
            node = int(parent[node])
        if node >= 0 and state.get(node) == 1:
            cycle = walk[walk.index(node) :]
            earliest = min(cycle, key=lambda i: order[i])
            parent[earliest] = -1
            cut += 1
        for visited in walk:
            state[visited] = 2
    return cut
