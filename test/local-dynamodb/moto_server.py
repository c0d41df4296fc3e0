"""A local DynamoDB endpoint: moto's WSGI app served on 127.0.0.1, one request at a time.

moto's stock threaded server runs requests concurrently, and its DynamoDB backend is not safe under concurrency
(two winners in a race of conditional writes, lost acknowledged writes). Connections are still accepted on many
threads, so an idle keep-alive connection never blocks another client, but every request runs under one lock,
which makes races behave as they do on DynamoDB: exactly one conditional writer wins.

Prints "listening on <port>" once the socket is bound (port 0 picks a free one), then serves until terminated.
"""

import argparse
import signal
import sys
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import WSGIRequestHandler, make_server


def serialised(app):
    lock = threading.Lock()

    def application(environ, start_response):
        with lock:
            # The body is consumed inside the lock: moto may build it lazily.
            return list(app(environ, start_response))

    return application


class QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    app = serialised(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, app, threaded=True, request_handler=QuietRequestHandler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"listening on {server.server_port}", flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
