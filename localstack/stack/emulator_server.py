"""The local AWS emulator: moto's server, its state kept in the service directory across restarts (ADR 0041, 0043).

The state is a snapshot (moto's DynamoDB and Secrets Manager backends, pickled) plus a journal of every mutating
request since that snapshot, one JSON line each, appended before the request is handled, so a kill -9 loses at
most the request being written. On start the snapshot is loaded and the journal applied in-process, and only then
does the port open: the time to ready that `up` prints is the whole restore.

The journal is folded into a new snapshot by a forked child (the fork is a consistent copy of the state, taken
between two requests; the server goes on answering while the child pickles): when writes pause, every
FOLD_AFTER_BYTES of journal while they go on, after a start that applied a journal, and at SIGTERM/SIGINT (bounded by
SHUTDOWN_FOLD_SECONDS, within `down`'s grace period; not tried when the last fold took longer). So a restart after
`down` usually loads a snapshot alone, and one after kill -9 applies the journal of a few MB (what arrived since the
fold before last).

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
from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict
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
# A journal being folded is renamed to journal.folded-<fold number>.jsonl; the snapshot records the last fold it
# holds, so a kill between the snapshot's rename and the folded journal's removal never applies a request twice.
FOLDED_JOURNAL = re.compile(r"^journal\.folded-(\d+)\.jsonl$")
# moto's own recorder files from before (ADR 0050): applied once like a journal, then folded into the snapshot.
LEGACY_RECORDINGS = ("replay.jsonl", "recording.jsonl")
# Applying a journal costs ~30 times more per byte than loading a snapshot: fold often (a fold costs the server only
# a fork), so a restart after kill -9 applies little.
FOLD_WHEN_IDLE_SECONDS = 2
FOLD_AFTER_BYTES = 4 * 1024 * 1024
FOLD_CHECK_SECONDS = 0.5
# What SIGTERM may spend folding the journal before the process exits (`down` waits 10 s): a fold that does not
# finish in time is abandoned, the journal is complete without it.
SHUTDOWN_FOLD_SECONDS = 6
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


def rebuild_dynamo_type(type_name, value):
    rebuilt = DynamoType.__new__(DynamoType)
    rebuilt.type = type_name
    rebuilt.value = value
    return rebuilt


def reduce_dynamo_type(value):
    """An attribute value as (type, value) rather than a generic object with its dict: a third smaller and faster to
    pickle (every attribute of every item is one). Lists and maps hold DynamoTypes, reduced the same way."""
    if len(vars(value)) != 2:
        return value.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
    return rebuild_dynamo_type, (value.type, value.value)


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


def write_snapshot(directory, fold):
    """Pickles the backends with the number of the last fold they hold; written aside, fsynced, then renamed."""
    temporary = os.path.join(directory, SNAPSHOT + ".tmp")
    with open(temporary, "wb") as file:
        pickler = pickle.Pickler(file, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = {LimitedSizeDict: reduce_limited_size_dict, DynamoType: reduce_dynamo_type}
        pickler.dump({"fold": fold, "backends": {name: get_backend(name) for name in PERSISTED_SERVICES}})
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, os.path.join(directory, SNAPSHOT))


class PersistentEmulator:
    """moto's WSGI app behind one lock: each mutating request is journaled, then handled; a fold forks between two."""

    def __init__(self, directory):
        self.directory = directory
        self.app = DomainDispatcherApplication(create_backend_app)
        self.lock = threading.Lock()
        # Held while a fold child runs: one fold at a time, and shutdown waits for the one in progress.
        self.folding = threading.Lock()
        self.journal_path = os.path.join(directory, JOURNAL)
        self.journal = None
        self.fold = 0
        self.fold_child = None
        # How long the last fold took: a stop does not start one it cannot finish within its bound.
        self.last_fold_seconds = 0.0
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
                # A snapshot from before folds were numbered holds the backends alone.
                self.fold, backends_by_name = (saved["fold"], saved["backends"]) if "fold" in saved else (0, saved)
                for name, backends in backends_by_name.items():
                    live = get_backend(name)
                    live.clear()
                    live.update(backends)
            applied = 0
            for path in self.journals():
                applied += self.apply(path)
        finally:
            # The restored objects live as long as the process: out of the collector's sight for good, or its next
            # full collections walk all of them (seconds with a few hundred thousand items).
            gc.freeze()
            gc.enable()
        log(f"restored in {time.monotonic() - started:.1f} s ({applied} journaled requests applied)")
        return applied

    def folded_journals(self):
        """(fold number, path) of the journals renamed for a fold, oldest first."""
        found = (FOLDED_JOURNAL.match(name) for name in os.listdir(self.directory))
        return sorted((int(match.group(1)), os.path.join(self.directory, match.group(0))) for match in found if match)

    def journals(self):
        """The journals to apply, oldest first: those of folds the snapshot does not hold, then the live one. A
        replay.jsonl is an old replay cut short: the recording.jsonl beside it holds only that partial replay (ADR
        0050), so it is left out."""
        replay, recording = (os.path.join(self.directory, name) for name in LEGACY_RECORDINGS)
        legacy = [replay] if os.path.exists(replay) else [recording]
        folded = [path for fold, path in self.folded_journals() if fold > self.fold]
        return [path for path in (*legacy, *folded, self.journal_path) if os.path.exists(path)]

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

    # ------------------------------------------------------------------ folds

    def start_fold(self):
        """Between two requests: sets the journal aside for the fold and forks the child that writes the snapshot.
        Returns the child's pid and the fold number (None when there is nothing to fold). Call with self.lock held."""
        pending = [number for number, _ in self.folded_journals()]
        legacy = any(os.path.exists(os.path.join(self.directory, name)) for name in LEGACY_RECORDINGS)
        if os.fstat(self.journal.fileno()).st_size == 0 and not pending and not legacy:
            return None
        # Past every journal already set aside (a fold cut short by a kill leaves its journal behind).
        fold = max([self.fold, *pending]) + 1
        self.journal.close()
        os.replace(self.journal_path, os.path.join(self.directory, f"journal.folded-{fold}.jsonl"))
        self.journal = open(self.journal_path, "ab")
        pid = os.fork()
        if pid == 0:  # the child: a frozen copy of the state; only this thread exists here
            status = 1
            try:
                gc.disable()  # a collection would touch (copy) every page of the parent's state
                write_snapshot(self.directory, fold)
                status = 0
            except BaseException as error:  # noqa: BLE001 - reported, and the parent keeps the journal
                os.write(2, f"emulator state: fold {fold} failed: {error!r}\n".encode())
            finally:
                os._exit(status)
        self.fold_child = pid
        return pid, fold

    def finish_fold(self, pid, fold, started, deadline=None):
        """Waits for the fold child (killing it at the deadline); on success the journals it holds are removed."""
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if deadline is not None and time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                self.fold_child = None
                log(f"fold {fold} abandoned after {time.monotonic() - started:.1f} s; the journal holds its requests")
                return False
            time.sleep(0.05)
        self.fold_child = None
        if os.waitstatus_to_exitcode(status) != 0:
            log(f"fold {fold} failed (exit {os.waitstatus_to_exitcode(status)}); the journal holds its requests")
            return False
        self.fold = fold
        self.last_fold_seconds = time.monotonic() - started
        for number, path in self.folded_journals():
            if number <= fold:
                os.remove(path)
        for name in LEGACY_RECORDINGS:
            path = os.path.join(self.directory, name)
            if os.path.exists(path):
                os.remove(path)
        log(f"snapshot written in {time.monotonic() - started:.1f} s (fold {fold}, in a forked child)")
        return True

    def fold_once(self, deadline=None):
        with self.folding:
            started = time.monotonic()
            with self.lock:
                forked = self.start_fold()
            if forked:
                self.finish_fold(*forked, started, deadline)

    def fold_when_due(self, fold_now):
        if fold_now:
            self.fold_once()
        while True:
            time.sleep(FOLD_CHECK_SECONDS)
            size = os.path.getsize(self.journal_path)
            idle = time.monotonic() - self.last_write > FOLD_WHEN_IDLE_SECONDS
            if size > FOLD_AFTER_BYTES or (size > 0 and idle):
                self.fold_once()

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
        """Folds what the journal holds, within a bound, so the next start loads a snapshot alone; then exits once the
        request in progress is done (the lock). Whatever is not folded in time stays in the journal. When the last
        fold took longer than the bound (a large state on a loaded machine), no fold is tried: `down` stays quick."""
        started = time.monotonic()
        deadline = started + SHUTDOWN_FOLD_SECONDS
        may_fold = self.last_fold_seconds < SHUTDOWN_FOLD_SECONDS
        # A fold in progress is waited for (it holds the journal set aside so far), up to the deadline.
        may_fold = may_fold and self.folding.acquire(timeout=SHUTDOWN_FOLD_SECONDS)
        self.lock.acquire()
        if may_fold and time.monotonic() < deadline:
            forked = self.start_fold()
            if forked:
                self.finish_fold(*forked, started, deadline)
        elif self.fold_child:
            # Not left behind to write a snapshot while the next emulator starts.
            os.kill(self.fold_child, signal.SIGKILL)
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
