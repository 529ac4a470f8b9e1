"""The local AWS emulator: moto's server, its state kept in the service directory across restarts (ADR 0041).

The state is a snapshot (moto's DynamoDB and Secrets Manager backends, pickled) plus a journal of every mutating
request since that snapshot, one JSON line each, appended before the request is handled, so a kill -9 loses at
most the request being written. On start the snapshot is loaded and the journal applied in-process, and only then
does the port open: the time to ready that `up` prints is the whole restore. A journal that grows past
FOLD_AFTER_BYTES, or sees writes pause, or was applied at start, is folded into a new snapshot in the background, so a restart never
replays a stack's whole life. SIGTERM and SIGINT end the process once the request in progress is done.

Usage: python emulator_server.py <service dir> --host <host> --port <port>
(the service dir comes first so `down` and `status` recognise the process by its command line).
"""

import base64
import gc
import io
import json
import os
import pickle
import re
import signal
import sys
import threading
import time

from moto.backends import get_backend
from moto.dynamodb.models.dynamo_type import LimitedSizeDict
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple
from werkzeug.test import Client

PERSISTED_SERVICES = ("dynamodb", "secretsmanager")
SNAPSHOT = "snapshot.pickle"
JOURNAL = "journal.jsonl"
# moto's own recorder files from before (ADR 0050): applied once like a journal, then folded into the snapshot.
LEGACY_RECORDINGS = ("replay.jsonl", "recording.jsonl")
# The journal is folded into the snapshot once writes pause for FOLD_WHEN_IDLE_SECONDS (a restart after kill -9
# then applies nothing), or while they go on once it passes FOLD_AFTER_BYTES (bounding what such a restart applies;
# each fold pickles the whole state while requests wait).
FOLD_WHEN_IDLE_SECONDS = 5
FOLD_AFTER_BYTES = 16 * 1024 * 1024
FOLD_CHECK_SECONDS = 1
# Reads change nothing (DynamoDB and Secrets Manager operation names): not journaled, not applied.
READ_ONLY_OPERATION = re.compile(r"\.(Get|BatchGet|TransactGet|Query|Scan|Describe|List)\w*$")
DROPPED_HEADERS = {"content-length", "transfer-encoding", "connection"}


def log(message):
    print(f"emulator state: {message}", flush=True)


def rebuild_limited_size_dict(items):
    """moto checks an item's size on every attribute set; a snapshot's items were checked when first written."""
    rebuilt = LimitedSizeDict.__new__(LimitedSizeDict)
    dict.update(rebuilt, items)
    return rebuilt


def reduce_limited_size_dict(value):
    return rebuild_limited_size_dict, (dict(value),)


def is_mutating(method, path, headers):
    if path.startswith("/moto-api"):
        return False
    target = next((value for name, value in headers.items() if name.lower() == "x-amz-target"), None)
    return not (target and READ_ONLY_OPERATION.search(target))


def request_headers(environ):
    headers = {
        name[5:].replace("_", "-").title(): value for name, value in environ.items() if name.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    return headers


def read_body(environ):
    length = environ.get("CONTENT_LENGTH")
    stream = environ["wsgi.input"]
    if length:
        return stream.read(int(length))
    return stream.read() if environ.get("wsgi.input_terminated") else b""


class PersistentEmulator:
    """moto's WSGI app behind one lock: each mutating request is journaled, then handled; snapshots see no request."""

    def __init__(self, directory):
        self.directory = directory
        self.app = DomainDispatcherApplication(create_backend_app)
        self.lock = threading.Lock()
        self.journal_path = os.path.join(directory, JOURNAL)
        self.journal = None
        self.last_write = time.monotonic()

    # ------------------------------------------------------------------ restore

    def restore(self):
        started = time.monotonic()
        snapshot = os.path.join(self.directory, SNAPSHOT)
        gc.disable()  # millions of new objects, none garbage: collecting during the load only costs time
        try:
            if os.path.exists(snapshot):
                with open(snapshot, "rb") as file:
                    saved = pickle.load(file)
                for name, backends in saved.items():
                    live = get_backend(name)
                    live.clear()
                    live.update(backends)
            applied = 0
            for path in self.journals():
                applied += self.apply(path)
        finally:
            gc.enable()
        log(f"restored in {time.monotonic() - started:.1f} s ({applied} journaled requests applied)")
        return applied

    def journals(self):
        """The journals to apply, oldest first. A replay.jsonl is an old replay cut short: the recording.jsonl beside
        it holds only that partial replay (ADR 0050), so it is left out."""
        replay, recording = (os.path.join(self.directory, name) for name in LEGACY_RECORDINGS)
        legacy = [replay] if os.path.exists(replay) else [recording]
        return [path for path in (*legacy, self.journal_path) if os.path.exists(path)]

    def apply(self, path):
        client = Client(self.app)
        applied = 0
        with open(path, "rb") as file:
            lines = file.read().splitlines()
        for index, line in enumerate(lines):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                # Only the last line can be cut short (the process was killed mid-write); nothing came after it.
                if index == len(lines) - 1:
                    break
                raise SystemExit(f"{path} line {index + 1} is not JSON; delete the state dir for a fresh emulator")
            method, target, headers, body = normalise(entry)
            if not is_mutating(method, target, headers):
                continue
            headers = {name: value for name, value in headers.items() if name.lower() not in DROPPED_HEADERS}
            client.open(target, method=method, headers=headers, data=body)
            applied += 1
        return applied

    # ------------------------------------------------------------------ snapshots

    def compact(self):
        """Writes the state as a new snapshot and starts an empty journal, atomically with respect to requests."""
        with self.lock:
            started = time.monotonic()
            temporary = os.path.join(self.directory, SNAPSHOT + ".tmp")
            gc.disable()
            try:
                with open(temporary, "wb") as file:
                    pickler = pickle.Pickler(file, protocol=pickle.HIGHEST_PROTOCOL)
                    pickler.dispatch_table = {LimitedSizeDict: reduce_limited_size_dict}
                    pickler.dump({name: get_backend(name) for name in PERSISTED_SERVICES})
                    file.flush()
                    os.fsync(file.fileno())
            finally:
                gc.enable()
            os.replace(temporary, os.path.join(self.directory, SNAPSHOT))
            # The snapshot holds everything the journals held: they start afresh.
            self.journal.close()
            self.journal = open(self.journal_path, "wb")
            for name in LEGACY_RECORDINGS:
                path = os.path.join(self.directory, name)
                if os.path.exists(path):
                    os.remove(path)
            log(f"snapshot written in {time.monotonic() - started:.1f} s")

    def fold_when_due(self, fold_now):
        if fold_now:
            self.compact()
        while True:
            time.sleep(FOLD_CHECK_SECONDS)
            size = os.path.getsize(self.journal_path)
            idle = time.monotonic() - self.last_write > FOLD_WHEN_IDLE_SECONDS
            if size > FOLD_AFTER_BYTES or (size > 0 and idle):
                self.compact()

    # ------------------------------------------------------------------ serving

    def __call__(self, environ, start_response):
        body = read_body(environ)
        environ["wsgi.input"] = io.BytesIO(body)
        target = environ.get("PATH_INFO", "/") + (f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else "")
        method = environ["REQUEST_METHOD"]
        with self.lock:
            headers = request_headers(environ)
            if is_mutating(method, target, headers):
                entry = {"method": method, "path": target, "headers": headers, "body": base64.b64encode(body).decode()}
                self.journal.write(json.dumps(entry).encode() + b"\n")
                self.journal.flush()
                self.last_write = time.monotonic()
            return list(self.app(environ, start_response))

    def stop(self, _signum, _frame):
        # Taking the lock waits for the request in progress; the journal is already written.
        self.lock.acquire()
        os._exit(0)


def normalise(entry):
    """A journal line, or a line of moto's recorder (the format before ADR 0041), as method, path, headers, body."""
    if "path" in entry:
        return entry["method"], entry["path"], entry["headers"], base64.b64decode(entry["body"])
    url = entry["url"]
    target = re.sub(r"^[a-z]+://[^/]+", "", url) or "/"
    body = entry.get("body") or b""
    if body and entry.get("body_encoded"):
        body = base64.b64decode(body)
    elif isinstance(body, str):
        body = body.encode()
    return entry["method"], target, entry.get("headers") or {}, body


def main():
    directory, *argv = sys.argv[1:]
    host = argv[argv.index("--host") + 1]
    port = int(argv[argv.index("--port") + 1])
    os.environ.setdefault("MOTO_PORT", str(port))
    emulator = PersistentEmulator(directory)
    applied = emulator.restore()
    emulator.journal = open(emulator.journal_path, "ab")
    signal.signal(signal.SIGTERM, emulator.stop)
    signal.signal(signal.SIGINT, emulator.stop)
    legacy = any(os.path.exists(os.path.join(directory, name)) for name in LEGACY_RECORDINGS)
    threading.Thread(target=emulator.fold_when_due, args=(applied > 0 or legacy,), daemon=True).start()
    run_simple(host, port, emulator, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
