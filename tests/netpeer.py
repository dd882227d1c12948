"""A local stand-in for a network's posting endpoint, speaking the webhook channel's protocol:
POST JSON with an Idempotency-Key header and an HMAC signature; answers {"id", "posted_at"}.
It posts once per key however often it is asked, can fail the first N requests, and can hold a
request for a while (to kill a worker in the middle of a send)."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from beancan.connectors.webhook import SIGNATURE_HEADER, signature_ok


class NetPeer:
    def __init__(self, secret: str, fail_first: int = 0, hold_seconds: float = 0.0):
        self.secret = secret
        self.fail_first = fail_first
        self.hold_seconds = hold_seconds
        self.requests: list[dict] = []
        self.posts: dict[str, dict] = {}  # idempotency key -> the post
        self.bad_signatures = 0
        self.lock = threading.Lock()
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if not signature_ok(peer.secret, body, self.headers.get(SIGNATURE_HEADER)):
                    with peer.lock:
                        peer.bad_signatures += 1
                    return self._answer(401, {"error": "bad signature"})
                key = self.headers.get("Idempotency-Key", "")
                with peer.lock:
                    peer.requests.append({"key": key, "at": time.time()})
                    n = len(peer.requests)
                if n <= peer.fail_first:
                    return self._answer(503, {"error": "try later"})
                if peer.hold_seconds:
                    time.sleep(peer.hold_seconds)
                with peer.lock:
                    post = peer.posts.get(key)
                    if post is None:
                        post = peer.posts[key] = {
                            "id": f"post-{len(peer.posts) + 1}",
                            "posted_at": datetime.now(UTC).isoformat(),
                            "body": json.loads(body),
                        }
                self._answer(200, {"id": post["id"], "posted_at": post["posted_at"]})

            def _answer(self, status, data):
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/post"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> NetPeer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
