"""A stand-in for the Kubernetes API as the restore test's script uses it, backed by a real
PostgreSQL restore: creating the throwaway Cluster restores a base backup of the primary and
replays the archived WAL up to the recovery target the script asked for; the Cluster is Ready
once that copy is promoted; deleting it stops and removes the copy.

Usage: restore-api.py CONFIG.json   (port, certificate, key, token, bin, runuser, directory,
base, archive, restored port, admin user, log of requests, and optionally restoreDelaySeconds)
"""
import http.server
import json
import os
import shutil
import ssl
import subprocess
import sys
import threading
import time

config = json.load(open(sys.argv[1]))
data = os.path.join(config["directory"], "restored")
state = {"cluster": None}
lock = threading.Lock()


def as_postgres(*arguments, detached=False):
    # A server pg_ctl starts outlives it: it must not hold this process's pipes open.
    output = subprocess.DEVNULL if detached else subprocess.PIPE
    return subprocess.run([config["runuser"], "-u", "postgres", "--", *arguments], stdout=output, stderr=output, text=True)


def restore(target_time):
    # A larger database takes longer: how much longer, a test may say.
    time.sleep(config.get("restoreDelaySeconds", 0))
    as_postgres("cp", "-a", config["base"], data)
    with open(os.path.join(data, "postgresql.auto.conf"), "a") as settings:
        settings.write(f"restore_command = 'cp {config['archive']}/%f %p'\n")
        if target_time:
            settings.write(f"recovery_target_time = '{target_time}'\n")
        settings.write("recovery_target_action = 'promote'\narchive_mode = 'off'\n")
    as_postgres("touch", os.path.join(data, "recovery.signal"))
    options = f"-c port={config['restoredPort']} -c listen_addresses=127.0.0.1 -c unix_socket_directories={config['directory']}"
    as_postgres(os.path.join(config["bin"], "pg_ctl"), "--pgdata", data, "--log", data + ".log", "--options", options, "start", detached=True)


def ready():
    result = as_postgres(os.path.join(config["bin"], "psql"), "--no-psqlrc", "--tuples-only", "--no-align",
                         "--host", config["directory"], "--port", str(config["restoredPort"]),
                         "--username", config["admin"], "--dbname", "postgres", "--command", "SELECT pg_is_in_recovery()")
    return result.returncode == 0 and result.stdout.strip() == "f"


def remove():
    as_postgres(os.path.join(config["bin"], "pg_ctl"), "--pgdata", data, "--mode", "immediate", "stop")
    shutil.rmtree(data, ignore_errors=True)


class API(http.server.BaseHTTPRequestHandler):
    def log_message(self, *arguments):
        pass

    def answer(self, status, body=None):
        payload = json.dumps(body or {}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def record(self, body=None):
        with open(config["log"], "a") as log:
            log.write(json.dumps({"method": self.command, "path": self.path, "body": body}) + "\n")

    def authorized(self):
        if self.headers.get("Authorization") != f"Bearer {config['token']}":
            self.answer(401, {"reason": "Unauthorized"})
            return False
        return True

    def do_GET(self):
        if not self.authorized():
            return
        self.record()
        with lock:
            cluster = state["cluster"]
        if cluster is None or not self.path.endswith("/" + cluster["metadata"]["name"]):
            return self.answer(404, {"reason": "NotFound"})
        status = "True" if ready() else "False"
        self.answer(200, {**cluster, "status": {"conditions": [{"type": "Ready", "status": status}]}})

    def do_POST(self):
        if not self.authorized():
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.record(body)
        with lock:
            state["cluster"] = body
        target = body["spec"]["bootstrap"]["recovery"].get("recoveryTarget", {}).get("targetTime")
        restore(target)
        self.answer(201, body)

    def do_DELETE(self):
        if not self.authorized():
            return
        self.record()
        with lock:
            state["cluster"] = None
        remove()
        self.answer(200, {"status": "Success"})


server = http.server.ThreadingHTTPServer(("127.0.0.1", config["port"]), API)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(config["certificate"], config["key"])
server.socket = context.wrap_socket(server.socket, server_side=True)
print("listening", flush=True)
server.serve_forever()
