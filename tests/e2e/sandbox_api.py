"""Talks to a running bp-sandbox directly (token + Image endpoints) so tests can check what the
app really did on the server, independently of the app."""

from __future__ import annotations

import requests

CREDS = {
    "company": "sandbox",
    "client_id": "sandbox-client",
    "client_secret": "sandbox-secret",
    "refresh_token": "sandbox-refresh-token",
}


class SandboxApi:
    def __init__(self, base_url: str, company: str = CREDS["company"]):
        self.base = base_url.rstrip("/")
        self.api = f"{self.base}/api/{company}/"
        self.http = requests.Session()
        self._token: str | None = None

    def token(self) -> str:
        if self._token is None:
            resp = self.http.post(f"{self.base}/ids/connect/token", data={
                "grant_type": "refresh_token", "refresh_token": CREDS["refresh_token"],
                "client_id": CREDS["client_id"], "client_secret": CREDS["client_secret"],
            }, timeout=10)
            resp.raise_for_status()
            self._token = resp.json()["access_token"]
        return self._token

    def _request(self, method: str, path: str, **kw) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token()}"}
        return self.http.request(method, self.api + path, headers=headers, timeout=15, **kw)

    def folders(self) -> list[dict]:
        resp = self._request("GET", "Image/Folders")
        resp.raise_for_status()
        return resp.json()

    def folder(self, name: str) -> dict:
        return next(f for f in self.folders() if f["name"] == name)

    def schema(self, folder_id: str) -> list[dict]:
        resp = self._request("GET", "Image/FolderSchema", params={"folderId": folder_id})
        resp.raise_for_status()
        return resp.json()

    def search(self, folder_id: str, filters: list[dict], page_size: int = 1) -> dict:
        resp = self._request("POST", "Image/Headers", params={"folderId": folder_id, "pageSize": page_size, "pageNumber": 0},
                             json={"filters": filters, "colorwayFilters": None})
        resp.raise_for_status()
        return resp.json()

    def count(self, folder_id: str, filters: list[dict]) -> int:
        return int(self.search(folder_id, filters)["total"])

    def all_headers(self, folder_id: str) -> list[dict]:
        out, page = [], 0
        while True:
            resp = self._request("POST", "Image/Headers", params={"folderId": folder_id, "pageSize": 200, "pageNumber": page},
                                 json={"filters": [], "colorwayFilters": None})
            resp.raise_for_status()
            body = resp.json()
            out += body["result"]
            if not body["result"] or len(out) >= body["total"]:
                return out
            page += 1

    def header_response(self, image_id: str) -> requests.Response:
        return self._request("GET", f"Image/Header/{image_id}")

    def header(self, image_id: str) -> dict:
        resp = self.header_response(image_id)
        resp.raise_for_status()
        return resp.json()

    def create(self, folder_id: str, fields: dict) -> dict:
        resp = self._request("POST", "Image/Header/Create", params={"folderId": folder_id},
                             json={"fields": [{"id": k, "value": v} for k, v in fields.items()]})
        resp.raise_for_status()
        return resp.json()

    def tags(self, image_id: str) -> list[str]:
        resp = self._request("GET", f"Tag/Header/{image_id}")
        resp.raise_for_status()
        return [t["name"] for t in resp.json()]

    def comments(self, image_id: str) -> list[dict]:
        # The Python SDK's own spelling of the path.
        resp = self._request("GET", f"Comment/Heeader/{image_id}")
        resp.raise_for_status()
        return resp.json()

    def fail_next(self, path: str, kind: str = "Status503", n: int = 1) -> None:
        resp = self.http.post(f"{self.base}/__sandbox/fail-next", json={"n": n, "path": path, "kind": kind}, timeout=10)
        resp.raise_for_status()


def field_value(header: dict, field_id: str):
    for f in header["headerData"]["fields"]:
        if f["id"] == field_id:
            return f["value"]
    return None


class SandboxApiAs(SandboxApi):
    """A SandboxApi for a sandbox started with credentials of its own (not `CREDS`)."""

    def __init__(self, base_url: str, creds: dict):
        super().__init__(base_url, creds["company"])
        self.creds = creds

    def token(self) -> str:
        if self._token is None:
            resp = self.http.post(f"{self.base}/ids/connect/token", data={
                "grant_type": "refresh_token", "refresh_token": self.creds["refresh_token"],
                "client_id": self.creds["client_id"], "client_secret": self.creds["client_secret"],
            }, timeout=10)
            resp.raise_for_status()
            self._token = resp.json()["access_token"]
        return self._token


def create_folder(base_url: str, name: str, schema_from: str | None = None) -> str:
    """Test hook: adds a folder with any name (schema copied from `schema_from`); returns its id."""
    resp = requests.post(f"{base_url}/__sandbox/create-folder", json={"name": name, "schemaFrom": schema_from}, timeout=10)
    resp.raise_for_status()
    return resp.json()["id"]


def requests_seen(base_url: str, path_substring: str) -> int:
    resp = requests.get(f"{base_url}/__sandbox/requests-seen", params={"path": path_substring}, timeout=10)
    resp.raise_for_status()
    return int(resp.json()["count"])


def revoke_access_tokens(base_url: str) -> None:
    requests.post(f"{base_url}/__sandbox/revoke-access-tokens", timeout=10).raise_for_status()


def put_source(base_url: str, name: str, data: bytes, content_type: str = "image/png",
               hold: bool = False, kbps: int | None = None) -> str:
    """Test hook: the sandbox serves `data` at the returned URL (an upload source on the app's own
    API server). With `hold` a GET waits until `release_source`; `kbps` serves it slowly."""
    params = {"hold": "true" if hold else "false"} | ({"kbps": kbps} if kbps else {})
    resp = requests.put(f"{base_url}/__sandbox/sources/{name}", params=params, data=data,
                        headers={"Content-Type": content_type}, timeout=10)
    resp.raise_for_status()
    return resp.json()["url"]


def release_source(base_url: str, name: str) -> None:
    requests.post(f"{base_url}/__sandbox/sources/{name}/release", timeout=10).raise_for_status()
