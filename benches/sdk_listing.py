"""Enumerates a folder with the official SDK iterator image.attributes_list, for bp-bench.

Prints one JSON line: total seconds, seconds to the first item, and the item count.
"""
import argparse
import json
import time

from beproduct.sdk import BeProduct


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--api", required=True)
    p.add_argument("--folder-id", required=True)
    a = p.parse_args()
    client = BeProduct(client_id="sandbox-client", client_secret="sandbox-secret",
                       refresh_token="sandbox-refresh-token", company_domain="sandbox",
                       public_api_url=a.api, token_endpoint=f"{a.api}/ids/connect/token")
    client.image.folders()  # fetch the token before timing, as bp-bench does for ours
    start = time.monotonic()
    first = None
    count = 0
    for _ in client.image.attributes_list(folder_id=a.folder_id):
        if first is None:
            first = time.monotonic() - start
        count += 1
    secs = time.monotonic() - start
    print(json.dumps({"secs": secs, "firstSecs": first if first is not None else secs, "count": count}))


if __name__ == "__main__":
    main()
