"""The baseline of `bench-sync`: the official Descope Python SDK dumping a project, serially.

This is the program a user would write with the SDK to read what the connector syncs: users
page by page (100 a page, as the connector pages), then tenants, roles, permissions, access
keys, SSO applications and the SCIM/SSO groups of the tenants the connector asks (those whose
`authType` is not `none`; every tenant with `--groups-of-every-tenant`), one call after
another, each object written to a JSON Lines file. A 429 waits its `Retry-After` and asks
again, as the SDK's docs suggest. It prints one JSON line: the counts and the wall time.

Run by `cargo run --release --example bench-sync` with the pinned SDK of
tests/python/requirements.txt (`descope==2.16.1`) in
target/py-sdk-venv, against the benchmark's emulator (DESCOPE_BASE_URL, DESCOPE_PROJECT_ID,
DESCOPE_MANAGEMENT_KEY). Nothing here talks to anything but the URL it is given.
"""

import json
import os
import sys
import time

from descope import DescopeClient, RateLimitException

BASE = os.environ["DESCOPE_BASE_URL"]
PROJECT = os.environ["DESCOPE_PROJECT_ID"]
KEY = os.environ["DESCOPE_MANAGEMENT_KEY"]
OUT = sys.argv[1]
EVERY_TENANT = "--groups-of-every-tenant" in sys.argv[2:]
PAGE = 100

requests = 0
waited = 0.0


def call(fn, *args, **kwargs):
    """One SDK call; a 429 waits Retry-After (at least a second) and asks again."""
    global requests, waited
    while True:
        requests += 1
        try:
            return fn(*args, **kwargs)
        except RateLimitException as e:
            seconds = max(1, int(e.rate_limit_parameters.get("Retry-After", 0) or 0))
            waited += seconds
            time.sleep(seconds)


def main():
    started = time.monotonic()
    client = DescopeClient(project_id=PROJECT, management_key=KEY, base_url=BASE)
    m = client.mgmt
    counts = {}
    with open(OUT, "w") as out:

        def dump(kind, items):
            counts[kind] = counts.get(kind, 0) + len(items)
            for item in items:
                out.write(json.dumps({"kind": kind, "item": item}))
                out.write("\n")

        page = 0
        while True:
            found = call(m.user.search_all, limit=PAGE, page=page)
            users = found.get("users") or []
            dump("user", users)
            if len(users) < PAGE:
                break
            page += 1
        tenants = call(m.tenant.load_all).get("tenants") or []
        dump("tenant", tenants)
        dump("role", call(m.role.load_all).get("roles") or [])
        dump("permission", call(m.permission.load_all).get("permissions") or [])
        dump("access_key", call(m.access_key.search_all_access_keys).get("keys") or [])
        dump("app", call(m.sso_application.load_all).get("apps") or [])
        for tenant in tenants:
            if EVERY_TENANT or tenant.get("authType", "") != "none":
                groups = call(m.group.load_all_groups, tenant["id"])
                if isinstance(groups, dict):
                    groups = groups.get("groups") or []
                dump("group", groups)
    print(
        json.dumps(
            {
                "wall_s": time.monotonic() - started,
                "requests": requests,
                "rate_limit_wait_s": waited,
                "counts": counts,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
