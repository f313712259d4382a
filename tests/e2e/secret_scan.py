"""Looks for secrets (client secret, tokens) in files, text and the OS keychain, for the
secrets test. Files are read in chunks, as bytes, so binary stores (SQLite, WebKit's
UTF-16 localStorage) are covered too."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import threading
from pathlib import Path

CHUNK = 1 << 20


def encodings(secret: str) -> list[bytes]:
    """The byte forms a secret can take on disk: UTF-8 (logs, JSON, SQLite text) and
    UTF-16 (WebKit keeps localStorage values as UTF-16)."""
    return [secret.encode(), secret.encode("utf-16-le")]


def files_under(root: Path, exclude: list[Path]) -> list[Path]:
    """Every regular file below `root` (symlinks not followed), except inside `exclude`."""
    out = []
    excluded = [p.resolve() for p in exclude]
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath).resolve()
        dirnames[:] = [d for d in dirnames if (here / d).resolve() not in excluded]
        for name in filenames:
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                out.append(path)
    return sorted(out)


APP_ID = "com.beproduct.images"


def app_log_files(xdg_data_home: Path) -> list[Path]:
    """The app's rotating log files (src-tauri/src/log_files.rs) under its XDG data folder, where
    Tauri's `app_log_dir` puts them on Linux: `$XDG_DATA_HOME/<identifier>/logs`."""
    folder = xdg_data_home / APP_ID / "logs"
    return sorted(folder.glob("beproduct-images.log*")) if folder.is_dir() else []


def file_contains(path: Path, needles: list[bytes]) -> list[bytes]:
    """Which needles occur in the file, read in chunks with an overlap so none is missed at a seam."""
    overlap = max(len(n) for n in needles) - 1
    found: set[bytes] = set()
    tail = b""
    try:
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                window = tail + chunk
                found.update(n for n in needles if n in window)
                tail = window[-overlap:] if overlap > 0 else b""
    except OSError:
        return []  # vanished (a lock or temp file); nothing left to leak
    return sorted(found)


def scan_files(paths: list[Path], secrets: dict[str, str]) -> list[str]:
    """'<file>: <secret label>' for every secret found in any file."""
    needles = {form: label for label, s in secrets.items() for form in encodings(s)}
    hits = []
    for path in paths:
        for n in file_contains(path, list(needles)):
            hits.append(f"{path}: {needles[n]}")
    return hits


def scan_text(where: str, text: str, secrets: dict[str, str]) -> list[str]:
    return [f"{where}: {label}" for label, s in secrets.items() if s in text]


def sandbox_tokens(data_dir: Path) -> tuple[set[str], set[str]]:
    """(access tokens, refresh tokens) the sandbox currently knows, read from its SQLite database."""
    conn = sqlite3.connect(f"file:{data_dir / 'sandbox.sqlite3'}?mode=ro", uri=True, timeout=10)
    try:
        access = {r[0] for r in conn.execute("SELECT token FROM access_tokens")}
        refresh = {r[0] for r in conn.execute("SELECT token FROM refresh_tokens")}
    finally:
        conn.close()
    return access, refresh


def newest_access_token(data_dir: Path) -> str:
    """The access token the sandbox issued last (the test borrows it for its own API calls)."""
    conn = sqlite3.connect(f"file:{data_dir / 'sandbox.sqlite3'}?mode=ro", uri=True, timeout=10)
    try:
        row = conn.execute("SELECT token FROM access_tokens ORDER BY expires_at DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    if row is None:
        raise RuntimeError("the sandbox has issued no access token yet (has the app signed in?)")
    return row[0]


class TokenWatcher:
    """Every access and refresh token the sandbox holds while a test runs. With rotation a refresh
    token lives only until the next refresh, so the database is sampled every 50 ms (on a thread
    that stops with `stop()`, or after 30 minutes at the latest)."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.access: set[str] = set()
        self.refresh: set[str] = set()
        self.current_refresh: set[str] = set()
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.sample()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def sample(self) -> None:
        try:
            access, refresh = sandbox_tokens(self.data_dir)
        except sqlite3.Error:
            return  # busy for a moment; the next sample gets it
        with self.lock:
            self.access |= access
            self.refresh |= refresh
            self.current_refresh = refresh

    def run(self) -> None:
        for _ in range(30 * 60 * 20):
            if self.done.wait(0.05):
                return
            self.sample()

    def refresh_tokens(self) -> set[str]:
        self.sample()
        with self.lock:
            return set(self.refresh)

    def current_refresh_tokens(self) -> set[str]:
        self.sample()
        with self.lock:
            return set(self.current_refresh)

    def stop(self) -> tuple[set[str], set[str]]:
        """Stops sampling; returns (access tokens, refresh tokens) seen."""
        self.done.set()
        self.thread.join(timeout=10)
        self.sample()
        with self.lock:
            return set(self.access), set(self.refresh)


KEYCHAIN_DUMP = r"""
import json, gi
gi.require_version('Secret', '1')
from gi.repository import Secret
svc = Secret.Service.get_sync(Secret.ServiceFlags.OPEN_SESSION | Secret.ServiceFlags.LOAD_COLLECTIONS, None)
out = []
for col in svc.get_collections():
    col.load_items_sync(None)
    for item in col.get_items():
        item.load_secret_sync(None)
        value = item.get_secret()
        out.append({"label": item.get_label(), "attributes": dict(item.get_attributes()),
                    "secret": value.get_text() if value else None})
print(json.dumps(out))
"""


def keychain_items(dbus_address: str) -> list[dict]:
    """Every item of the Secret Service on `dbus_address`, secrets included (system python + libsecret)."""
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"} | {"DBUS_SESSION_BUS_ADDRESS": dbus_address}
    res = subprocess.run(["/usr/bin/python3", "-c", KEYCHAIN_DUMP], env=env, capture_output=True, text=True, timeout=30)
    if res.returncode != 0:
        raise RuntimeError(f"could not read the keychain: {res.stderr[-800:]}")
    return json.loads(res.stdout)
