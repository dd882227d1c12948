"""API of similar conversations (the `ml` extra): the answered conversations of the workspace
that opened like this one, with the reply that answered each, ready to reuse."""

from __future__ import annotations

from dataclasses import asdict

from ninja import Router

from beancan.api import io
from beancan.similar.selectors import similar_for

similar = Router(tags=["conversations"])


@similar.get(
    "/conversations/{conversation_id}/similar",
    response={200: io.SimilarOut, 403: io.Detail, 404: io.Detail},
)
def conversation_similar(request, conversation_id: int):
    """Up to three answered conversations most like this one, best first. `state` is `off` when
    the server has no `ml` extra and `pending` until the worker has embedded this conversation."""
    from beancan.api.service import _actor

    found = similar_for(_actor(request), conversation_id)
    return {"state": found.state, "conversations": [asdict(s) for s in found.items]}
