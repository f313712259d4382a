"""The official BeProduct Python SDK's documented upload loop, for bp-bench.

Bulk mode (--dir): for each JPEG: image.attributes_create, image.attributes_upload, then poll
raw_api.upload_status every 3 s until finished. Single mode (--file --image-id): one
attributes_upload, reporting its time and this process's peak RSS. Prints one JSON line.
"""
import argparse
import json
import os
import sys
import time

from beproduct.sdk import BeProduct

POLL_SECONDS = 3
MAX_POLLS = 200  # bounded: 10 minutes per file at most


def sandbox_client(api):
    return BeProduct(client_id="sandbox-client", client_secret="sandbox-secret",
                     refresh_token="sandbox-refresh-token", company_domain="sandbox",
                     public_api_url=api, token_endpoint=f"{api}/ids/connect/token")


def peak_rss_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def wait_processed(client, upload_id):
    for _ in range(MAX_POLLS):
        finished, error, message = client.raw_api.upload_status(upload_id)
        if finished:
            if error:
                raise RuntimeError(f"processing failed: {message}")
            return
        time.sleep(POLL_SECONDS)
    raise RuntimeError(f"upload {upload_id} still processing after {MAX_POLLS} polls")


def bulk(client, folder_id, directory):
    files = sorted(os.path.join(directory, f) for f in os.listdir(directory) if f.endswith(".jpg"))
    start = time.monotonic()
    for path in files:
        name = os.path.splitext(os.path.basename(path))[0]
        header = client.image.attributes_create(folder_id=folder_id, fields={"header_name": name})
        upload_id = client.image.attributes_upload(header_id=header["id"], filepath=path)
        wait_processed(client, upload_id)
    return {"secs": time.monotonic() - start, "count": len(files)}


def single(client, image_id, path):
    client.image.folders()  # fetch the token before timing, as bp-bench does for ours
    start = time.monotonic()
    upload_id = client.image.attributes_upload(header_id=image_id, filepath=path)
    secs = time.monotonic() - start
    if not upload_id:
        raise RuntimeError("the upload returned no id")
    return {"secs": secs, "peakRssKib": peak_rss_kib()}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--api", required=True)
    p.add_argument("--folder-id")
    p.add_argument("--dir")
    p.add_argument("--image-id")
    p.add_argument("--file")
    a = p.parse_args()
    client = sandbox_client(a.api)
    if a.dir and a.folder_id:
        result = bulk(client, a.folder_id, a.dir)
    elif a.file and a.image_id:
        result = single(client, a.image_id, a.file)
    else:
        sys.exit("use --folder-id with --dir, or --image-id with --file")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
