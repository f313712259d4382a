"""A small W3C WebDriver client over plain HTTP (requests), enough to drive the Tauri app
through tauri-driver: find by CSS, click, type, read text/attributes, run scripts, screenshots,
and bounded waits."""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any, Callable

import requests

ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf"
KEYS = {
    "ENTER": "\ue007", "ESCAPE": "\ue00c", "DELETE": "\ue017", "BACKSPACE": "\ue003", "TAB": "\ue004",
    "CONTROL": "\ue009", "ARROW_LEFT": "\ue012", "ARROW_UP": "\ue013", "ARROW_RIGHT": "\ue014", "ARROW_DOWN": "\ue015",
}


class WebDriverError(RuntimeError):
    pass


class Element:
    def __init__(self, session: "Session", element_id: str, css: str = ""):
        self.session = session
        self.id = element_id
        self.css = css

    def _url(self, suffix: str = "") -> str:
        return f"element/{self.id}{suffix}"

    def click(self) -> "Element":
        self.session.post(self._url("/click"), {})
        return self

    def clear(self) -> "Element":
        self.session.post(self._url("/clear"), {})
        return self

    def send_keys(self, text: str) -> "Element":
        self.session.post(self._url("/value"), {"text": text})
        return self

    @property
    def text(self) -> str:
        return self.session.get(self._url("/text"))

    def attribute(self, name: str) -> Any:
        return self.session.get(self._url(f"/attribute/{name}"))

    def prop(self, name: str) -> Any:
        return self.session.get(self._url(f"/property/{name}"))

    def find(self, css: str) -> "Element":
        value = self.session.post(self._url("/element"), {"using": "css selector", "value": css})
        return Element(self.session, value[ELEMENT_KEY], css)

    def find_all(self, css: str) -> list["Element"]:
        values = self.session.post(self._url("/elements"), {"using": "css selector", "value": css})
        return [Element(self.session, v[ELEMENT_KEY], css) for v in values]

    def as_arg(self) -> dict:
        return {ELEMENT_KEY: self.id}


class Session:
    """One WebDriver session. Every HTTP call has a timeout; every wait is bounded."""

    def __init__(self, base_url: str, capabilities: dict, timeout: float = 60.0):
        self.base = base_url.rstrip("/")
        self.http = requests.Session()
        resp = self.http.post(f"{self.base}/session", json={"capabilities": capabilities}, timeout=timeout)
        body = resp.json()
        if resp.status_code != 200:
            raise WebDriverError(f"could not open a WebDriver session: {resp.status_code} {body}")
        self.session_id = body["value"]["sessionId"]

    def _call(self, method: str, path: str, payload: Any = None, timeout: float = 30.0) -> Any:
        url = f"{self.base}/session/{self.session_id}/{path}"
        resp = self.http.request(method, url, json=payload, timeout=timeout)
        try:
            body = resp.json()
        except ValueError as exc:
            raise WebDriverError(f"{method} {path}: HTTP {resp.status_code}, not JSON: {resp.text[:200]}") from exc
        if resp.status_code != 200:
            value = body.get("value", {}) if isinstance(body, dict) else {}
            raise WebDriverError(f"{method} {path}: {value.get('error')}: {value.get('message')}")
        return body.get("value")

    def get(self, path: str) -> Any:
        return self._call("GET", path)

    def post(self, path: str, payload: Any) -> Any:
        return self._call("POST", path, payload)

    def quit(self) -> None:
        try:
            self.http.delete(f"{self.base}/session/{self.session_id}", timeout=15)
        except requests.RequestException:
            pass

    def navigate(self, url: str) -> None:
        self.post("url", {"url": url})

    # --- finding -----------------------------------------------------------------------------
    def find(self, css: str) -> Element:
        value = self.post("element", {"using": "css selector", "value": css})
        return Element(self, value[ELEMENT_KEY], css)

    def find_all(self, css: str) -> list[Element]:
        values = self.post("elements", {"using": "css selector", "value": css})
        return [Element(self, v[ELEMENT_KEY], css) for v in values]

    def exists(self, css: str) -> bool:
        return bool(self.find_all(css))

    # --- scripts -----------------------------------------------------------------------------
    def execute(self, script: str, *args: Any) -> Any:
        return self.post("execute/sync", {"script": script, "args": [a.as_arg() if isinstance(a, Element) else a for a in args]})

    def execute_async(self, script: str, *args: Any) -> Any:
        """`script` gets its callback as the last argument (arguments[arguments.length - 1])."""
        return self.post("execute/async", {"script": script, "args": list(args)})

    def invoke(self, command: str, args: dict | None = None) -> Any:
        """Calls a Tauri command from the page; returns {"ok": result} or {"err": error}."""
        return self.execute_async(
            "const done = arguments[arguments.length - 1];"
            "window.__TAURI__.core.invoke(arguments[0], arguments[1])"
            ".then(ok => done({ok}), err => done({err}));",
            command, args or {},
        )

    def keys(self, *keys: str) -> None:
        """Presses keys on whatever has focus (W3C actions); modifiers in `keys` are held down."""
        modifiers = [k for k in keys if k in (KEYS["CONTROL"],)]
        rest = [k for k in keys if k not in modifiers]
        actions = [{"type": "keyDown", "value": m} for m in modifiers]
        for k in rest:
            actions += [{"type": "keyDown", "value": k}, {"type": "keyUp", "value": k}]
        actions += [{"type": "keyUp", "value": m} for m in reversed(modifiers)]
        self.post("actions", {"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})
        self._call("DELETE", "actions")

    # --- waiting and pictures ----------------------------------------------------------------
    def wait_until(self, condition: Callable[[], Any], timeout: float = 15.0, interval: float = 0.15, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            try:
                value = condition()
                if value:
                    return value
            except (WebDriverError, requests.RequestException, KeyError, IndexError) as exc:
                last_error = exc
            time.sleep(interval)
        raise TimeoutError(f"timed out after {timeout}s waiting for {what}" + (f" (last error: {last_error})" if last_error else ""))

    def wait_for(self, css: str, timeout: float = 15.0) -> Element:
        return self.wait_until(lambda: (self.find_all(css) or [None])[0], timeout, what=f"element {css!r}")

    def wait_gone(self, css: str, timeout: float = 15.0) -> None:
        self.wait_until(lambda: not self.exists(css), timeout, what=f"{css!r} to disappear")

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(self.get("screenshot")))
        return path
