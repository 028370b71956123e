"""Peer for the benchmark: sse-starlette under uvicorn, the same shape as
the other peers. GET /sub/{chan} is an event stream of the channel;
POST /pub/{chan} sends its body, as one `data:` line, to every subscriber
of the channel (no database: a fan-out hub only). Written for the
reservas benchmark harness (crates/bench); not a product component."""

import asyncio

from sse_starlette.sse import EventSourceResponse
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

channels: dict[str, set[asyncio.Queue]] = {}


async def sub(request):
    chan = request.path_params["chan"]
    queue: asyncio.Queue = asyncio.Queue()
    # Registered before the response starts, so a client that has the
    # headers is sure to get every later publish.
    subscribers = channels.setdefault(chan, set())
    subscribers.add(queue)

    async def frames():
        try:
            while True:
                yield {"data": await queue.get()}
        finally:
            subscribers.discard(queue)

    # 15 s heartbeat, like reservas-server's default.
    return EventSourceResponse(frames(), ping=15)


async def pub(request):
    chan = request.path_params["chan"]
    body = (await request.body()).decode()
    for queue in list(channels.get(chan, ())):
        queue.put_nowait(body)
    return Response(status_code=204)


app = Starlette(
    routes=[
        Route("/sub/{chan}", sub),
        Route("/pub/{chan}", pub, methods=["POST"]),
    ]
)
