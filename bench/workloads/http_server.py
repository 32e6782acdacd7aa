"""A stdlib ThreadingHTTPServer on localhost under 8 client threads (urllib), for SECONDS seconds.

Usage: python3 http_server.py [SECONDS]   (default 10)
"""
import http.server
import json
import sys
import threading
import time
import urllib.request

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
CLIENTS = 8


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        body = json.dumps({"path": self.path, "items": list(range(50))}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


def client(port, deadline, counts, index):
    n = 0
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/item/{index}/{n}") as response:
            json.loads(response.read())
        n += 1
    counts[index] = n


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="server", daemon=True).start()
    deadline = time.monotonic() + SECONDS
    counts = [0] * CLIENTS
    threads = [threading.Thread(target=client, args=(server.server_address[1], deadline, counts, i), name=f"client-{i}") for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    server.shutdown()
    print(f"{sum(counts)} requests", file=sys.stderr)


main()
