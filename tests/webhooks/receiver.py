"""A webhook receiver for the end-to-end test: records every delivery (headers and body) as a
JSON line, and answers 500 to the first attempt of every event, 200 afterwards, so retries are
exercised too."""

import base64
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

out_path = sys.argv[1]
lock = threading.Lock()
seen = set()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(length)
        wid = self.headers.get("webhook-id", "")
        with lock:
            first = wid not in seen
            seen.add(wid)
            with open(out_path, "a", encoding="utf-8") as f:
                f.write(json.dumps({
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": base64.b64encode(body).decode(),
                    "answered": 500 if first else 200,
                }) + "\n")
        self.send_response(500 if first else 200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
