"""The application the rehearsal deploys in place of the stack's own images.

A real HTTP server with the behaviour the generated files rely on: it answers the health
path, says which release and container served a request, serves Prometheus metrics, stops
gracefully on SIGTERM (in-flight requests finish, as `stop_grace_period` expects), and, as a
web service, reaches the database it was given through the host and port Compose set. A
worker (no PORT) waits for SIGTERM, touching HEARTBEAT every few seconds: the worker's health command (written into
the image by the rehearsal) passes while it is fresh. A release built with APP_HEALTHY=0
fails its health checks, a worker's too: the rollback rehearsal deploys one.
"""
import http.server
import itertools
import os
import signal
import socket
import subprocess
import sys
import threading

VERSION = os.environ.get("APP_VERSION", "unknown")
HEALTH_PATH = os.environ.get("APP_HEALTH_PATH", "/healthz")
HEALTHY = os.environ.get("APP_HEALTHY", "1") == "1"
HEARTBEAT = "/tmp/heartbeat"
METRICS_PATH = os.environ.get("APP_METRICS_PATH", "/metrics")
SERVED = itertools.count()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path == HEALTH_PATH:
            self.reply(200 if HEALTHY else 500, "ok\n" if HEALTHY else "failing on purpose\n")
        elif self.path == "/db":
            self.reply(*database_check())
        elif self.path == METRICS_PATH:
            # Prometheus's text format: what the stack's ServesMetrics promises the scraper.
            self.reply(200, "# HELP rehearsal_app_requests_total Requests answered.\n# TYPE rehearsal_app_requests_total counter\n"
                            f"rehearsal_app_requests_total{{release=\"{VERSION}\"}} {next(SERVED)}\n")
        else:
            next(SERVED)
            self.reply(200, f"release={VERSION} host={socket.gethostname()} client={self.headers.get('X-Real-IP', '')} "
                            f"site={self.headers.get('Host', '')}\n")

    def reply(self, status, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def database_check():
    """SELECT through the connection settings Compose gave the app (DB_HOST, DB_PORT, ...)."""
    prefix = next((k[: -len("_HOST")] for k in os.environ if k.endswith("_HOST") and k[: -len("_HOST")] + "_NAME" in os.environ), None)
    if prefix is None:
        return 404, "no database\n"
    env = dict(os.environ, PGPASSWORD=os.environ.get(prefix + "_PASSWORD", ""), PGCONNECT_TIMEOUT="5")
    query = ("SELECT current_user || ' via ' || coalesce(current_setting('application_name'), '')"
             " || ' superuser=' || current_setting('is_superuser')")
    result = subprocess.run(
        ["psql", "--no-psqlrc", "-tA", "-h", os.environ[prefix + "_HOST"], "-p", os.environ[prefix + "_PORT"],
         "-U", os.environ[prefix + "_USER"], "-d", os.environ[prefix + "_NAME"], "-c", query],
        env=env, capture_output=True, text=True)
    if result.returncode != 0:
        return 503, result.stderr
    return 200, result.stdout


def main():
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    port = os.environ.get("PORT")
    if not port:
        print(f"worker {VERSION} waiting for work", flush=True)
        while HEALTHY:
            with open(HEARTBEAT, "w") as beat:
                beat.write(VERSION)
            if stop.wait(5):
                break
        stop.wait()
        return
    server = http.server.ThreadingHTTPServer(("0.0.0.0", int(port)), Handler)
    server.daemon_threads = False
    server.block_on_close = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"web {VERSION} listening on {port}", flush=True)
    stop.wait()
    server.shutdown()
    server.server_close()
    print("stopped after in-flight requests finished", flush=True)


if __name__ == "__main__":
    sys.exit(main())
