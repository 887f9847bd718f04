// A Ray sweep's queue, written next to the sweep and run detached on the host with the host's
// Python (standard library only, so it runs whatever the training runner is): it submits the
// planned Ray jobs through the Jobs REST API, keeping at most `cap` of them pending or running,
// and skips a run whose directory holds `cancelled`. It lives with Distillery rather than in the
// runner package because it is job plumbing, not training.
export const RAY_QUEUE_PY = `"""Distillery: submits a sweep's Ray jobs, at most cap at a time (written by Distillery)."""
import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def http(address, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(address.rstrip("/") + path, data=data, method=method, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def main(plan_path, poll_sec=0.5):
    plan = json.loads(Path(plan_path).read_text())
    address, cap = plan["address"], int(plan["cap"])
    active = []
    for job in plan["jobs"]:
        while True:
            still = []
            for job_id in active:
                code, info = http(address, "GET", "/api/jobs/" + job_id)
                if code == 200 and info.get("status") in ("PENDING", "RUNNING"):
                    still.append(job_id)
            active = still
            if len(active) < cap:
                break
            time.sleep(poll_sec)
        if (Path(job["dir"]) / "cancelled").exists():
            print("skipped " + job["id"] + " (cancelled)", flush=True)
            continue
        code, info = http(address, "POST", "/api/jobs/", job["body"])
        print("submitted %s: %s %s" % (job["id"], code, info), flush=True)
        if code == 200:
            active.append(job["id"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
`;
