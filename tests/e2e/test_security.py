"""Security end to end, on the real app and a real bp-sandbox:
- secrets: after a full run with refresh-token rotation on, with credentials typed into the
  Connect dialog (tested, then saved in the keychain) and with BEPRODUCT_* variables, no client
  secret or token is in the app's files under its HOME/XDG folders (journal, settings, WebKit
  storage and caches), its log, the events and IPC replies sent to the page, web storage
  (local, session, IndexedDB, cookies, Cache Storage), the DOM or any input's value; in env mode
  no WebKit process inherits the variables;
- the page cannot name paths: made-up paths and forged handles are refused, nothing is queued
  or sent;
- hostile data: script-like folder names, image numbers, names and field values are shown as
  text everywhere they appear;
- bad inputs: IDs that would change the request path, and field values the server refuses, are
  refused through the app's IPC with a message that says what is wrong."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import (SANDBOX_BIN, base_env, choose_folder, dbus_address_of, driver_log, isolated_home, open_app,
                      reload, run_sandbox_with_args, start_driver, stop)
from native_drop import drop_files
from processes import app_processes, webkit_processes
from sandbox_api import SandboxApiAs, create_folder, field_value, requests_seen, revoke_access_tokens
from secret_scan import (CHUNK, TokenWatcher, app_log_files, files_under, keychain_items, newest_access_token,
                         scan_files, scan_text)
from test_app import card_ids, open_card, set_value
from test_upload import make_images
from webdriver import KEYS, Session

# Every event name the app emits to the page (src-tauri/src/uploads.rs, file_handles.rs, lib.rs)
# plus Tauri's own drag-and-drop events, which carry local paths.
EVENT_NAMES = ["upload://event", "upload://lagged", "app://dropped", "app://warning",
               "tauri://drag-enter", "tauri://drag-over", "tauri://drag-drop", "tauri://drag-leave"]

RECORD_EVENTS = """
const done = arguments[arguments.length - 1];
window.__e2eEvents = [];
window.__e2eReplies = [];
Promise.all(arguments[0].map((name) => window.__TAURI__.event.listen(name,
    (e) => window.__e2eEvents.push({name, payload: JSON.stringify(e.payload)}))))
  .then(() => {
    // Every IPC reply too (results and errors; the arguments go UI -> app and are not replies).
    // Tauri's own `core` object is frozen, so the page's __TAURI__ gets a wrapped copy.
    const tauri = window.__TAURI__;
    const original = tauri.core.invoke;
    const invoke = (cmd, args, opts) => original(cmd, args, opts).then(
      (ok) => { window.__e2eReplies.push({cmd, ok: JSON.stringify(ok)}); return ok; },
      (err) => { window.__e2eReplies.push({cmd, err: JSON.stringify(err)}); throw err; });
    try { window.__TAURI__ = {...tauri, core: {...tauri.core, invoke}}; } catch (e) { /* checked below */ }
    done(window.__TAURI__.core.invoke === invoke);
  }, (err) => done('listen failed: ' + err));
"""


def wait_jobs_done(app: Session, n: int, timeout: float = 60) -> list[dict]:
    """Waits until the queue holds `n` jobs, all ended; every one must be done."""
    seen: list[dict] = []

    def settled():
        seen[:] = app.invoke("upload_jobs").get("ok", {}).get("jobs", [])
        ended = all(j["state"]["kind"] in ("done", "failed", "cancelled", "duplicate", "changed") for j in seen)
        return len(seen) >= n and ended

    try:
        app.wait_until(settled, timeout=timeout, what=f"{n} upload jobs to finish")
    except TimeoutError as exc:
        raise AssertionError(f"{exc}: {[(j['fileName'], j['state']) for j in seen]}") from exc
    assert all(j["state"]["kind"] == "done" for j in seen), [(j["fileName"], j["state"]) for j in seen]
    return seen


def save_form(app: Session) -> None:
    app.find("#save").click()
    app.wait_until(lambda: app.find("#save").prop("disabled") is True and app.find("#dirty-marker").prop("hidden") is True,
                   timeout=20, what="the save to finish")


# ------------------------------------------------------------------------------------------
# Secrets
# ------------------------------------------------------------------------------------------

def distinctive_creds() -> dict:
    tag = uuid.uuid4().hex
    return {"company": f"e2eco{tag[:6]}", "client_id": f"e2e-client-{tag[:8]}",
            "client_secret": f"e2e-CLIENT-SECRET-{tag}", "refresh_token": f"e2e-REFRESH-TOKEN-{tag}"}


ROTATION_FLAG = "--rotate-refresh-tokens"


def rotating_sandbox(data: Path, creds: dict):
    """bp-sandbox with these credentials and refresh-token rotation on: every refresh spends the
    token and hands out a new one, so the scan also covers tokens the app only ever got rotated."""
    help_text = subprocess.run([SANDBOX_BIN, "--help"], capture_output=True, text=True, timeout=30).stdout
    if ROTATION_FLAG not in help_text:
        pytest.fail(f"bp-sandbox has no {ROTATION_FLAG} flag: the secret scan must run with rotation on "
                    "(SandboxConfig::rotate_refresh_tokens as a CLI flag, crates/sandbox)")
    return run_sandbox_with_args(data, [
        "--company", creds["company"], "--client-id", creds["client_id"], "--client-secret", creds["client_secret"],
        "--refresh-token", creds["refresh_token"], "--processing-ms", "300", ROTATION_FLAG])


class ServerView(SandboxApiAs):
    """The test's own look at the server. With rotation there is one refresh-token chain and the
    app owns it, so the test borrows the newest access token the server issued."""

    def __init__(self, base: str, creds: dict, data: Path):
        super().__init__(base, creds)
        self.data = data

    def token(self) -> str:
        return newest_access_token(self.data)


@contextmanager
def secret_run(display, tmp_path_factory, env_mode: bool):
    """A rotating sandbox with distinctive credentials and the real app with a fresh HOME. Env
    mode: the credentials come as BEPRODUCT_* variables. Otherwise: none anywhere, and the app
    runs in a private D-Bus session with an unlocked GNOME Keyring (the Connect dialog saves
    there)."""
    if not env_mode and (not shutil.which("dbus-run-session") or not shutil.which("gnome-keyring-daemon")):
        pytest.fail("dbus-run-session and gnome-keyring-daemon are needed (Debian packages dbus, gnome-keyring)")
    creds = distinctive_creds()
    sandbox = rotating_sandbox(tmp_path_factory.mktemp("secret-sandbox-data"), creds)
    base, data = next(sandbox)
    tokens = TokenWatcher(data)
    root = tmp_path_factory.mktemp("secret-app")
    env = base_env() | isolated_home(root) | {"DISPLAY": display, "RUST_LOG": "debug"}
    if env_mode:
        env |= {"BEPRODUCT_COMPANY_DOMAIN": creds["company"], "BEPRODUCT_CLIENT_ID": creds["client_id"],
                "BEPRODUCT_CLIENT_SECRET": creds["client_secret"], "BEPRODUCT_REFRESH_TOKEN": creds["refresh_token"],
                "BEPRODUCT_API_URL": base, "BEPRODUCT_TOKEN_URL": f"{base}/ids/connect/token"}
    driver, url = start_driver(env, in_dbus_with_keyring=not env_mode)
    session = None
    try:
        session = open_app(url)
        yield SimpleNamespace(base=base, data=data, creds=creds, api=ServerView(base, creds, data), app=session,
                              root=root, env=env, driver=driver, log=driver_log(url), tokens=tokens)
    finally:
        tokens.stop()
        if session:
            session.quit()
        stop(driver, group=True)
        sandbox.close()


def connect_through_dialog(app: Session, base: str, creds: dict) -> None:
    app.find("#connect-button").click()
    app.wait_for("#connect-dialog[open]")
    set_value(app, '#connect-form input[name="companyDomain"]', creds["company"])
    set_value(app, '#connect-form input[name="clientId"]', creds["client_id"])
    app.find('#connect-form input[name="clientSecret"]').send_keys(creds["client_secret"])
    app.find('#connect-form input[name="refreshToken"]').send_keys(creds["refresh_token"])
    app.find("#connect-form details.advanced summary").click()
    set_value(app, '#connect-form input[name="apiUrl"]', base)
    set_value(app, '#connect-form input[name="tokenUrl"]', f"{base}/ids/connect/token")
    # Test first (it signs in, and the server rotates the typed refresh token), then Save.
    app.find("#connect-test").click()
    app.wait_until(lambda: "It works" in app.find("#connect-message").text, timeout=30, what="the connection test")
    app.find("#connect-save").click()
    app.wait_gone("#connect-dialog[open]", timeout=30)
    app.wait_until(lambda: app.find("#mode-badge").text == creds["company"], timeout=20, what="the badge to name the company")


def work_like_a_designer(run: SimpleNamespace, display: str, tmp_path: Path) -> None:
    """Browse, edit, create, upload by drop (new images and a version), delete, and keep working
    after the server revoked every access token (a refresh, which rotates the refresh token)."""
    app, api = run.app, run.api
    prints = api.folder("Prints")
    app.wait_for(f'.folder[data-folder-id="{prints["id"]}"]', timeout=20)
    choose_folder(app, prints["id"])
    ids = card_ids(app)
    open_card(app, ids[0])
    set_value(app, '#image-form input[data-field-id="designer"]', "secrets run")
    save_form(app)
    assert field_value(api.header(ids[0]), "designer") == "secrets run"

    number = f"SEC-{uuid.uuid4().hex[:6].upper()}"
    app.find("#new-image").click()
    app.wait_until(lambda: app.find("#save").text == "Create image", what="the new image's form")
    app.wait_for('#image-form input[data-field-id="header_number"]')
    set_value(app, '#image-form input[data-field-id="header_number"]', number)
    set_value(app, '#image-form input[data-field-id="header_name"]', "made in the secrets run")
    app.find("#save").click()
    app.wait_until(lambda: app.find("#detail-number").text == number, timeout=20, what="the created image")

    files = [tmp_path / "sec-a.png", tmp_path / "sec-b.jpg"]
    make_images(files)
    drop_files(app, display, files, f'.folder[data-folder-id="{prints["id"]}"]')
    jobs = wait_jobs_done(app, 2)
    for j in jobs:
        assert api.header(j["imageId"])["files"], f"{j['fileName']} has no file on the server"

    victim = jobs[0]["imageId"]
    app.wait_until(lambda: victim in card_ids(app), timeout=20, what="the uploaded image's card")
    open_card(app, victim)
    app.find("#delete").click()
    app.wait_for("#confirm-dialog[open]")
    app.find("#confirm-ok").click()
    app.wait_until(lambda: victim not in card_ids(app), what="the deleted card to go")
    assert api.header_response(victim).status_code == 404

    graphics = api.folder("Graphics")
    refresh_before = run.tokens.refresh_tokens()
    revoke_access_tokens(run.base)
    choose_folder(app, graphics["id"])
    after_ids = card_ids(app)
    open_card(app, after_ids[0])
    set_value(app, '#image-form input[data-field-id="designer"]', "after the refresh")
    save_form(app)
    assert field_value(api.header(after_ids[0]), "designer") == "after the refresh"
    assert run.tokens.refresh_tokens() - refresh_before, "the refresh after the revocation did not rotate the token"
    version = tmp_path / "sec-version.png"
    make_images([tmp_path / "unused.png", version])
    drop_files(app, display, [version], f'#grid .card[data-image-id="{after_ids[0]}"]')
    wait_jobs_done(app, 3)


PAGE_DUMP = """
const done = arguments[arguments.length - 1];
(async () => {
  const pairs = (s) => Object.keys(s).map((k) => k + '=' + s.getItem(k)).join('\\n');
  const out = {localStorage: pairs(localStorage), sessionStorage: pairs(sessionStorage), cookies: document.cookie,
               dom: document.documentElement.outerHTML, indexedDB: '', caches: '',
               // Values typed into inputs are not in outerHTML.
               inputs: [...document.querySelectorAll('input, textarea, select')]
                 .map((el) => (el.name || el.id || el.tagName) + '=' + el.value).join('\\n')};
  const request = (r) => new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
  for (const info of (await indexedDB.databases?.()) || []) {
    const db = await request(indexedDB.open(info.name));
    for (const store of db.objectStoreNames) {
      const all = await request(db.transaction(store).objectStore(store).getAll());
      out.indexedDB += info.name + '/' + store + ': ' + JSON.stringify(all) + '\\n';
    }
    db.close();
  }
  if (window.caches) {
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const req of await cache.keys()) out.caches += req.url + ' ' + await (await cache.match(req)).text() + '\\n';
    }
  }
  return out;
})().then(done, (e) => done({error: String(e)}));
"""


def page_leaks(app: Session, secrets: dict[str, str]) -> tuple[list[str], int, int]:
    """Secrets in what the page holds: recorded events and IPC replies, web storage (local,
    session, IndexedDB, cookies, Cache Storage), the DOM and every input's value."""
    events = app.execute("return window.__e2eEvents")
    replies = app.execute("return window.__e2eReplies")
    assert len(events) >= 3 and any(e["name"] == "upload://event" for e in events), f"too few events recorded: {len(events)}"
    assert any(r["cmd"] == "list_images" for r in replies), "no IPC reply recorded"
    # The input scan sees a value typed into a field (proof that a clean result means something).
    app.execute("document.querySelector('#url-input').value = arguments[0]", "canary-" + uuid.uuid4().hex)
    canary = app.execute("return document.querySelector('#url-input').value")
    probe = app.execute_async(PAGE_DUMP)
    assert "error" not in probe, probe
    assert scan_text("inputs", probe["inputs"], {"canary": canary}) == ["inputs: canary"], "the input scan missed a value"
    app.execute("document.querySelector('#url-input').value = ''")
    # The page itself keeps nothing in localStorage any more; a probe makes WebKit write its
    # local storage files, so the file scan after quitting provably covers them (a future use
    # of localStorage by the page would be scanned the same way).
    app.execute("localStorage.setItem('e2e-scan-probe', arguments[0])", uuid.uuid4().hex)
    page = app.execute_async(PAGE_DUMP)
    assert "error" not in page, page
    leaks = []
    for e in events:
        leaks += scan_text(f"event {e['name']}", e["payload"], secrets)
    for r in replies:
        leaks += scan_text(f"IPC reply of {r['cmd']}", r.get("ok") or r.get("err") or "", secrets)
    for where, text in page.items():
        leaks += scan_text(where, text, secrets)
    return leaks, len(events), len(replies)


def file_leaks(run: SimpleNamespace, secrets: dict[str, str], exclude: list[Path]) -> tuple[list[str], int]:
    """Secrets in every file under the app's HOME and XDG folders (the journal, settings, WebKit's
    local storage, IndexedDB, cookies and caches, ...) and in the app's log, after it quit."""
    deadline = time.monotonic() + 15
    while app_processes(run.driver) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not app_processes(run.driver), "the app did not quit; its files may not all be written yet"
    files = files_under(run.root, exclude=exclude)
    scanned = [str(p.relative_to(run.root)) for p in files]
    # What must be among them, or the scan would prove little: the journal, the settings and
    # WebKit's local storage, HTTP cache and Cache Storage.
    for what, part in [("the upload journal", "/uploads.sqlite"), ("the settings", "/settings.json"),
                       ("WebKit's local storage", "/localstorage/"), ("WebKit's HTTP cache", "/WebKitCache/"),
                       ("WebKit's Cache Storage", "/CacheStorage/")]:
        assert any(part in f for f in scanned), f"{what} was not found under {run.root}: {sorted(scanned)[:40]}"
    log_text = run.log.read_text(errors="replace")
    assert run.creds["company"] in log_text, "the log does not show this run (the scan would prove nothing)"
    # The app's own log file (rotating, in its log folder) exists, shows this run and is scanned.
    app_logs = app_log_files(run.root / "data")
    assert app_logs, f"no log file in {run.root / 'data'}/com.beproduct.images/logs"
    app_log_text = "".join(p.read_text(errors="replace") for p in app_logs)
    assert "app folders" in app_log_text and "DEBUG" in app_log_text, "the log file does not show this run"
    assert all(str(p.relative_to(run.root)) in scanned for p in app_logs), "the log folder was not scanned"
    canary = run.root / "canary.bin"
    canary.write_bytes(b"x" * (CHUNK - 7) + run.creds["client_secret"].encode("utf-16-le"))
    assert scan_files([canary], secrets) == [f"{canary}: client secret"], "the file scan missed a planted secret"
    canary.unlink()
    return scan_files(files + [run.log], secrets), len(files)


def all_secrets(run: SimpleNamespace) -> dict[str, str]:
    access, refresh = run.tokens.stop()
    assert len(access) >= 2 and len(refresh) >= 3, f"too few tokens seen: {len(access)} access, {len(refresh)} refresh"
    secrets = {"client secret": run.creds["client_secret"], "typed refresh token": run.creds["refresh_token"]}
    secrets |= {f"refresh token {t[:10]}…": t for t in refresh}
    secrets |= {f"access token {t[:10]}…": t for t in access}
    return secrets


def test_no_secret_or_token_leaks_in_account_mode(display, tmp_path_factory, tmp_path):
    """Credentials typed into the Connect dialog (tested, then saved to the keychain)."""
    with secret_run(display, tmp_path_factory, env_mode=False) as run:
        app = run.app
        app.wait_until(lambda: "Sandbox" in app.find("#mode-badge").text, timeout=30, what="the sandbox badge")
        app.wait_for("#folders .folder[data-folder-id]", timeout=30)
        assert app.execute_async(RECORD_EVENTS, EVENT_NAMES) is True, "could not record events and IPC replies"
        connect_through_dialog(app, run.base, run.creds)
        status = app.invoke("connection_status")["ok"]
        assert status["mode"] == "account" and status["hasSavedAccount"] is True, status
        work_like_a_designer(run, display, tmp_path)
        secrets = all_secrets(run)
        leaks, n_events, n_replies = page_leaks(app, secrets)

        # The keychain holds the live (rotated) refresh token: the credentials went where they belong.
        items = keychain_items(dbus_address_of(run.driver))
        stored = [i["secret"] or "" for i in items]
        assert any(run.creds["client_secret"] in s for s in stored), \
            f"the client secret is not in the keychain (items: {[i['label'] for i in items]})"
        assert any(t in s for s in stored for t in run.tokens.current_refresh_tokens()), \
            "the keychain does not hold the refresh token the server accepts now"

        app.quit()
        keyrings = [run.root / "data" / "keyrings", Path(run.env["HOME"]) / ".local" / "share" / "keyrings"]
        found, n_files = file_leaks(run, secrets, exclude=keyrings)
        leaks += found
        assert not leaks, "secrets found:\n" + "\n".join(leaks)
        print(f"\nscanned {n_files} files, the log, {n_events} events, {n_replies} IPC replies for {len(secrets)} secrets")


def test_no_secret_or_token_leaks_in_env_mode(display, tmp_path_factory, tmp_path):
    """Credentials from BEPRODUCT_* variables: they leave the app's environment at start, so no
    WebKit process inherits them, and a rotated token stays in memory."""
    with secret_run(display, tmp_path_factory, env_mode=True) as run:
        app = run.app
        app.wait_for("#folders .folder[data-folder-id]", timeout=30)
        assert app.find("#mode-badge").text == run.creds["company"]
        assert app.execute_async(RECORD_EVENTS, EVENT_NAMES) is True, "could not record events and IPC replies"

        # From outside: the app was started with the variables, its WebKit processes hold none.
        pid = app_processes(run.driver)[0]
        assert b"BEPRODUCT_CLIENT_SECRET=" in Path(f"/proc/{pid}/environ").read_bytes(), \
            "the app was not started with the variables (the check below would prove nothing)"
        webkit = webkit_processes(pid)
        kinds = {name for _, name in webkit}
        assert any("WebProcess" in k for k in kinds) and any("NetworkProcess" in k for k in kinds), kinds
        for child, name in webkit:
            environ = Path(f"/proc/{child}/environ").read_bytes()
            assert b"BEPRODUCT_" not in environ and run.creds["client_secret"].encode() not in environ, \
                f"{name} ({child}) inherited BEPRODUCT_* variables"

        work_like_a_designer(run, display, tmp_path)
        secrets = all_secrets(run)
        leaks, n_events, n_replies = page_leaks(app, secrets)
        app.quit()
        found, n_files = file_leaks(run, secrets, exclude=[])
        leaks += found
        assert not leaks, "secrets found:\n" + "\n".join(leaks)
        print(f"\n{len(webkit)} WebKit processes without BEPRODUCT_*; scanned {n_files} files, the log, "
              f"{n_events} events, {n_replies} IPC replies for {len(secrets)} secrets")


# ------------------------------------------------------------------------------------------
# Hostile data
# ------------------------------------------------------------------------------------------

HOSTILE_FOLDER = """<img src=x onerror="window.__pwned='folder'">"""
HOSTILE_NUMBER = "<script>window.__pwned='number'</script>"
HOSTILE_NAME = """"><svg onload="window.__pwned='name'">"""
HOSTILE_DESIGNER = "javascript:window.__pwned='designer'"
HOSTILE_MEMO = """</textarea><img src=x onerror="window.__pwned='memo'">\n<b>bold</b> &amp; &lt;"""
HOSTILE_NUMBER_2 = "{{constructor.constructor('window.__pwned=1')()}}"
HOSTILE_NAME_2 = """<iframe src="javascript:window.__pwned='iframe'"></iframe>"""
HOSTILE_SAVED = """<img src=x onerror="window.__pwned='saved'">"""
HOSTILE_FILE_STEM = "<img src=x onerror=window.__pwned=7>"

# Anything that could run script: on* attributes anywhere, svg/iframe/object/embed, images with
# the hostile `src=x`, javascript: links, and scripts beyond the page's own.
INJECTED = """
const bad = [...document.querySelectorAll('*')].filter((el) =>
  [...el.attributes].some((a) => a.name.toLowerCase().startsWith('on'))
  || ['svg', 'iframe', 'object', 'embed'].includes(el.tagName.toLowerCase())
  || (el.tagName === 'IMG' && el.getAttribute('src') === 'x')
  || (el.tagName === 'A' && /^\\s*javascript:/i.test(el.getAttribute('href') || '')));
return {bad: bad.map((el) => el.outerHTML.slice(0, 120)), scripts: document.scripts.length,
        pwned: window.__pwned === undefined ? null : String(window.__pwned)};
"""


def text_of(app: Session, css: str) -> str:
    """The element's exact textContent (WebDriver's text trims and collapses spaces)."""
    return app.execute("return document.querySelector(arguments[0]).textContent", css)


def assert_nothing_injected(app: Session, scripts: int, where: str) -> None:
    state = app.execute(INJECTED)
    assert state["pwned"] is None, f"{where}: hostile text ran as script (window.__pwned = {state['pwned']!r})"
    assert not state["bad"], f"{where}: unexpected elements: {state['bad']}"
    assert state["scripts"] == scripts, f"{where}: {state['scripts'] - scripts} script element(s) were added"


def test_hostile_names_and_values_are_shown_as_text(hostile_app, hostile_sandbox, display, tmp_path):
    app, (base, api) = hostile_app, hostile_sandbox
    prints = api.folder("Prints")
    folder_id = create_folder(base, HOSTILE_FOLDER, prints["id"])
    first = api.create(folder_id, {"header_number": HOSTILE_NUMBER, "header_name": HOSTILE_NAME,
                                   "designer": HOSTILE_DESIGNER, "description": HOSTILE_MEMO})
    second = api.create(folder_id, {"header_number": HOSTILE_NUMBER_2, "header_name": HOSTILE_NAME_2})
    reload(app)
    # Dialog functions would be the payload of `javascript:alert(1)`-style text: trap them.
    app.execute("window.alert = window.confirm = window.prompt = (m) => { window.__pwned = 'dialog: ' + m; };")
    scripts = app.execute("return document.scripts.length")
    # The detector itself sees a planted handler (so a clean result means something).
    app.execute("const d = document.createElement('div'); d.id = 'e2e-probe'; d.setAttribute('onclick', 'x'); document.body.append(d);")
    assert app.execute(INJECTED)["bad"], "the injection detector missed a planted on* attribute"
    app.execute("document.getElementById('e2e-probe').remove()")

    # Folder list.
    folder_css = f'#folders .folder[data-folder-id="{folder_id}"]'
    app.wait_for(folder_css, timeout=20)
    assert text_of(app, folder_css + " .folder-name") == HOSTILE_FOLDER
    assert app.find(folder_css).attribute("title") == HOSTILE_FOLDER
    assert_nothing_injected(app, scripts, "folder list")

    # Grid cards.
    choose_folder(app, folder_id)
    app.wait_until(lambda: set(card_ids(app)) == {first["id"], second["id"]}, what="the two hostile cards")
    for image, number, name in [(first, HOSTILE_NUMBER, HOSTILE_NAME), (second, HOSTILE_NUMBER_2, HOSTILE_NAME_2)]:
        card = f'#grid .card[data-image-id="{image["id"]}"]'
        assert text_of(app, card + " .card-number") == number
        assert text_of(app, card + " .card-name") == name
        assert app.find(card).attribute("title") == f"{number} — {name}"
    assert_nothing_injected(app, scripts, "grid")

    # New-image form names the folder.
    app.find("#new-image").click()
    app.wait_until(lambda: text_of(app, "#detail-name") == f"in {HOSTILE_FOLDER}", what="the new-image header")
    assert_nothing_injected(app, scripts, "new-image form")

    # Detail header and form.
    open_card(app, first["id"])
    assert text_of(app, "#detail-number") == HOSTILE_NUMBER
    assert text_of(app, "#detail-name") == HOSTILE_NAME
    form = "#image-form [data-field-id=\"{}\"]"
    assert app.find(form.format("header_number")).prop("value") == HOSTILE_NUMBER
    assert app.find(form.format("header_name")).prop("value") == HOSTILE_NAME
    assert app.find(form.format("designer")).prop("value") == HOSTILE_DESIGNER
    assert app.find(form.format("description")).prop("value") == HOSTILE_MEMO
    assert_nothing_injected(app, scripts, "detail form")

    # Saving a hostile value: the toast names the image as text, the server gets the exact string.
    set_value(app, '#image-form input[data-field-id="designer"]', HOSTILE_SAVED)
    save_form(app)
    app.wait_until(lambda: text_of(app, "#toast .toast-message") == f"Saved {HOSTILE_NUMBER}.", what="the save toast")
    assert field_value(api.header(first["id"]), "designer") == HOSTILE_SAVED
    assert app.find(form.format("designer")).prop("value") == HOSTILE_SAVED
    assert_nothing_injected(app, scripts, "save toast")

    # Quick search results.
    app.find("#search").send_keys("svg onload")
    app.wait_until(lambda: card_ids(app) == [first["id"]], timeout=20, what="the quick search to find the hostile name")
    assert text_of(app, f'#grid .card[data-image-id="{first["id"]}"] .card-name') == HOSTILE_NAME
    assert_nothing_injected(app, scripts, "quick search")
    app.find("#search").send_keys(KEYS["ESCAPE"])
    app.wait_until(lambda: len(card_ids(app)) == 2, what="Escape to clear the search")

    # Delete confirmation and its toast.
    open_card(app, second["id"])
    app.find("#delete").click()
    app.wait_for("#confirm-dialog[open]")
    assert text_of(app, "#confirm-message") == f"Delete {HOSTILE_NUMBER_2} “{HOSTILE_NAME_2}”? This cannot be undone."
    assert_nothing_injected(app, scripts, "delete confirmation")
    app.find("#confirm-ok").click()
    app.wait_until(lambda: second["id"] not in card_ids(app), what="the deleted card to go")
    app.wait_until(lambda: text_of(app, "#toast .toast-message") == f"Deleted {HOSTILE_NUMBER_2}.", what="the delete toast")
    assert api.header_response(second["id"]).status_code == 404

    # Upload tray: a file whose name is markup becomes a tray row and a card, both as text.
    upload = tmp_path / f"{HOSTILE_FILE_STEM}.png"
    make_images([upload])
    drop_files(app, display, [upload], folder_css)
    row = "#upload-tray .upload-row[data-job-id]"
    app.wait_until(lambda: app.exists(row) and text_of(app, row + " .upload-name") == upload.name, timeout=15, what="the tray row")
    job = wait_jobs_done(app, 1)[0]
    app.wait_until(lambda: job["imageId"] in card_ids(app), timeout=20, what="the uploaded image's card")
    assert text_of(app, f'#grid .card[data-image-id="{job["imageId"]}"] .card-number') == HOSTILE_FILE_STEM
    assert api.header(job["imageId"])["headerNumber"] == HOSTILE_FILE_STEM
    assert_nothing_injected(app, scripts, "upload tray")


# ------------------------------------------------------------------------------------------
# Bad inputs through the IPC
# ------------------------------------------------------------------------------------------

GUID = "a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe"
BAD_IDS = ["../Image/Folders", f"{GUID}?x=1", "%2e%2e%2fImage%2fFolders", f"{GUID[:-3]}/..", "..%2F..%2Fids", ""]


def bad_id_calls(bad: str) -> list[tuple[str, dict, str]]:
    """(command, args, argument name the message must name) for every command taking an ID."""
    fields = [{"id": "designer", "value": "x"}]
    handle = "files-" + "0" * 64  # the target is checked first, whatever the handle
    return [
        ("get_image", {"id": bad}, "id"),
        ("update_image", {"id": bad, "folderId": GUID, "fields": fields}, "id"),
        ("delete_image", {"id": bad}, "id"),
        ("folder_schema", {"folderId": bad}, "folderId"),
        ("create_image", {"folderId": bad, "fields": fields}, "folderId"),
        ("enqueue_uploads", {"handle": handle, "target": {"kind": "version", "imageId": bad}}, "imageId"),
        ("enqueue_uploads", {"handle": handle, "target": {"kind": "newImage", "folderId": bad}}, "folderId"),
    ] + ([("list_images", {"folderId": bad}, "folderId")] if bad else [])  # an empty folderId means "all folders"


def test_ids_that_would_change_the_request_path_are_refused(app, sandbox):
    base = sandbox[0]
    probes = ["..", "%2e", "x=1", "%2f"]
    seen_before = {p: requests_seen(base, p) for p in probes}
    jobs_before = app.invoke("upload_jobs")["ok"]["jobs"]
    for bad in BAD_IDS:
        for command, args, name in bad_id_calls(bad):
            res = app.invoke(command, args)
            assert "err" in res, f"{command} accepted the ID {bad!r}: {res}"
            err = res["err"]
            assert err["kind"] == "invalid_input", (command, bad, err)
            message = err["message"]
            assert name in message and "GUID" in message and repr(bad)[1:-1] in message, (command, bad, message)
    assert {p: requests_seen(base, p) for p in probes} == seen_before, "a refused ID still reached the server"
    assert app.invoke("upload_jobs")["ok"]["jobs"] == jobs_before, "a refused upload was queued"


def test_the_page_cannot_queue_paths_of_its_choosing(app, sandbox, tmp_path):
    """Only files the backend received from a native drop or the file dialog can be queued: a
    script in the page naming a path (or forging a handle) is refused, nothing is listed back,
    nothing is queued and nothing reaches the server."""
    base, api = sandbox
    prints = api.folder("Prints")
    target = {"kind": "newImage", "folderId": prints["id"]}
    private = tmp_path / "private"
    private.mkdir()
    make_images([private / "holiday.png"])  # an image a hostile page would love to send away
    counters = ["Header/Create", "/Upload"]
    seen_before = {c: requests_seen(base, c) for c in counters}
    jobs_before = app.invoke("upload_jobs")["ok"]["jobs"]
    attempts = [
        {"paths": ["/etc"], "target": target},
        {"paths": ["~/.ssh"], "target": target},
        {"paths": [str(private)], "target": target},
        {"handle": "/etc", "target": target},
        {"handle": "~/.ssh", "target": target},
        {"handle": str(private / "holiday.png"), "target": target},
        {"handle": "files-" + uuid.uuid4().hex * 2, "target": target},
        {"target": target},
    ]
    for args in attempts:
        res = app.invoke("enqueue_uploads", args)
        assert "err" in res, f"the page queued {args}: {res}"
        err = res["err"]
        assert err["kind"] == "invalid_input", (args, err)
        assert "Drop the files" in err["message"], (args, err["message"])
        for listed in ("passwd", "hosts", "holiday.png", "known_hosts"):
            assert listed not in str(err), f"{args}: the refusal lists {listed!r}: {err}"
    assert app.invoke("upload_jobs")["ok"]["jobs"] == jobs_before, "something was queued"
    # Nothing reached the server (the sandbox counts every request it serves).
    assert {c: requests_seen(base, c) for c in counters} == seen_before, "an upload reached the server"


def test_values_the_schema_refuses_are_named_in_the_error(app, sandbox):
    """The API silently blanks an unknown DropDown/MultiSelect value (HTTP 200), so the app must
    refuse it itself; numbers that are not numbers are refused (by the app or the server). Either
    way the message names the field and nothing on the image changes."""
    api = sandbox[1]
    prints = api.folder("Prints")
    schema = {f["fieldId"]: f for f in api.schema(prints["id"])}
    image = api.all_headers(prints["id"])[6]
    before = api.header(image["id"])
    cases = [("artwork_type", "Plaid-not-a-choice", "invalid_input"), ("season", "<b>Monsoon</b>", "invalid_input"),
             ("colors", ["Red", "Mauve"], "invalid_input"), ("width_px", "12abc", None), ("print_scale", "one and a half", None)]
    for field, value, kind in cases:
        res = app.invoke("update_image", {"id": image["id"], "folderId": prints["id"], "fields": [{"id": field, "value": value}, {"id": "designer", "value": "lost?"}]})
        assert "err" in res, f"{field}={value!r} was accepted: {res}"
        err, name = res["err"], schema[field]["fieldName"]
        assert err["kind"] == kind if kind else err["kind"] in ("api", "invalid_input"), (field, err)
        assert field in err["message"] or name in err["message"], f"the message does not name {field}: {err['message']!r}"
        if kind == "invalid_input":  # refused by the app: it says what was wrong and what is allowed
            bad = value if isinstance(value, str) else value[-1]
            choices = [c["value"] for c in schema[field]["properties"]["Choices"]]
            assert bad in err["message"] and all(c in err["message"] for c in choices), err["message"]
    after = api.header(image["id"])
    assert after["modifiedAt"] == before["modifiedAt"], "a refused save changed the image"
    assert after["headerData"]["fields"] == before["headerData"]["fields"]
    # A valid choice still saves, and clearing a DropDown is allowed.
    ok = app.invoke("update_image", {"id": image["id"], "folderId": prints["id"], "fields": [{"id": "artwork_type", "value": "Pattern"}]})
    assert field_value(api.header(image["id"]), "artwork_type") == "Pattern", ok
    app.invoke("update_image", {"id": image["id"], "folderId": prints["id"], "fields": [{"id": "artwork_type", "value": None}]})
    assert field_value(api.header(image["id"]), "artwork_type") in (None, "")
    # The same refusal when creating: nothing is created.
    count = api.count(prints["id"], [])
    number = f"BAD-{uuid.uuid4().hex[:6]}"
    res = app.invoke("create_image", {"folderId": prints["id"], "fields": [
        {"id": "header_number", "value": number}, {"id": "header_name", "value": "bad"}, {"id": "artwork_type", "value": "Plaid"}]})
    assert "err" in res and res["err"]["kind"] == "invalid_input" and "artwork_type" in res["err"]["message"], res
    assert api.count(prints["id"], []) == count
    assert api.count(prints["id"], [{"field": "header_number", "operator": "Eq", "value": number}]) == 0
