/**
 * The Python program behind `startLocalDynamoDB`: moto's WSGI app, served one request at a time.
 *
 * Why not `python -m moto.server`: moto's stock threaded server runs requests concurrently, and its DynamoDB backend
 * is not safe under concurrency (seen: two winners in a race of conditional writes on the same keys, acknowledged
 * writes lost, HTTP 500s). Here connections are still accepted on many threads, so an idle keep-alive connection never
 * blocks another client, but every request runs under one lock, which makes races behave as they do on DynamoDB:
 * exactly one conditional writer wins.
 *
 * It prints "listening on <port>" once bound (port 0 picks a free one), logs no requests, stops on SIGTERM, ignores
 * SIGINT (a Ctrl-C reaches the whole process group; the parent decides, and answers with SIGTERM), and exits when its
 * stdin reaches end of file: the parent holds it open, so even a parent killed without cleaning up takes it along.
 *
 * Inlined rather than shipped as a .py file so that every way of loading this package (dist, the sources under jest,
 * a bundler) finds it.
 */
export const MOTO_SERVER_SCRIPT = String.raw`
import argparse
import os
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


def exit_when_parent_goes():
    sys.stdin.read()
    os._exit(0)


class QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def main():
    parser = argparse.ArgumentParser(description="A local DynamoDB endpoint")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    threading.Thread(target=exit_when_parent_goes, daemon=True).start()
    app = serialised(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, app, threaded=True, request_handler=QuietRequestHandler)
    print(f"listening on {server.server_port}", flush=True)
    try:
        server.serve_forever()
    except SystemExit:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
`;
