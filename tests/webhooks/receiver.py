"""A real localhost webhook receiver for tests: records every request; fails with 500 while ``failing()`` says so."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    def __init__(self, failing: Callable[[], bool] = lambda: False) -> None:
        self.failing = failing
        self.received: list[dict[str, Any]] = []  # accepted (2xx) requests
        self.rejected = 0
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                fail = owner.failing()
                with owner.lock:
                    if fail:
                        owner.rejected += 1
                    else:
                        owner.received.append({"headers": {k.lower(): v for k, v in self.headers.items()},
                                               "body": body, "doc": json.loads(body)})
                self.send_response(500 if fail else 200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"no" if fail else b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
