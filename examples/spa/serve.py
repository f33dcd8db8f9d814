"""Serve this example on http://127.0.0.1:5173 (the demo-spa client's origin): python3 examples/spa/serve.py

Static files only, no build step; /callback (the client's redirect URI) is callback.html.
"""

import argparse
import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent


class Handler(SimpleHTTPRequestHandler):
    def translate_path(self, path: str) -> str:
        route = path.split("?", 1)[0]
        if route == "/callback":
            path = "/callback.html" + path[len(route) :]
        return super().translate_path(path)

    def end_headers(self):
        # The example's own policy: scripts from this origin only, fetch to any API origin the person types.
        self.send_header("Content-Security-Policy", "default-src 'self'; connect-src *; base-uri 'none'")
        super().end_headers()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=5173)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), functools.partial(Handler, directory=str(HERE)))
    print(f"Open http://127.0.0.1:{args.port}/ (not localhost: another origin, see the README)", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
