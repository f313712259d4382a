"""The same field set on many images with the official BeProduct Python SDK, one image after the
other (`image.attributes_update`), for bp-bench --bulk-edit.

Reads the image ids (one a line) from --ids-file; fetches the token before timing (as bp-bench
does for ours); times from the first update to the last one answered. Prints one JSON line.
"""
import argparse
import json
import time

from beproduct.sdk import BeProduct


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--api", required=True)
    p.add_argument("--ids-file", required=True)
    p.add_argument("--field", required=True)
    p.add_argument("--value", required=True)
    a = p.parse_args()
    with open(a.ids_file) as f:
        ids = [line.strip() for line in f if line.strip()]
    client = BeProduct(client_id="sandbox-client", client_secret="sandbox-secret",
                       refresh_token="sandbox-refresh-token", company_domain="sandbox",
                       public_api_url=a.api, token_endpoint=f"{a.api}/ids/connect/token")
    client.image.folders()  # fetch the token before timing
    start = time.monotonic()
    count = 0
    for image_id in ids:
        client.image.attributes_update(header_id=image_id, fields={a.field: a.value})
        count += 1
    secs = time.monotonic() - start
    print(json.dumps({"secs": secs, "count": count}))


if __name__ == "__main__":
    main()
