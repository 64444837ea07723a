"""The official Descope Python SDK against our emulator.

Run by the end-to-end test `official_sdk` (tests/it/official_sdk.rs), which
starts the emulator and passes it in DESCOPE_BASE_URL, DESCOPE_PROJECT_ID and
DESCOPE_MANAGEMENT_KEY, plus the ids to use in DESCOPE_TEST_TENANT and DESCOPE_TEST_ROLE (a
project role), DESCOPE_TEST_TP_APP and DESCOPE_TEST_CONSENT (a third-party application and a
user's consent to it), DESCOPE_TEST_OB_APP and DESCOPE_TEST_OB_USER (an outbound application and
a user holding a token for it). No secret (a key's cleartext) is ever printed. Each operation prints one JSON line: {"op", "ok", "status", "error", "result"};
the test fails on any operation that is not ok. Nothing here talks to anything but the emulator.
"""

import json
import os
import sys
import traceback

from descope import AssociatedTenant, DescopeClient

BASE = os.environ["DESCOPE_BASE_URL"]
PROJECT = os.environ["DESCOPE_PROJECT_ID"]
KEY = os.environ["DESCOPE_MANAGEMENT_KEY"]
TENANT = os.environ["DESCOPE_TEST_TENANT"]
ROLE = os.environ["DESCOPE_TEST_ROLE"]
TP_APP = os.environ["DESCOPE_TEST_TP_APP"]
CONSENT = os.environ["DESCOPE_TEST_CONSENT"]
OB_APP = os.environ["DESCOPE_TEST_OB_APP"]
OB_USER = os.environ["DESCOPE_TEST_OB_USER"]
LOGIN = "py.sdk@acme.example"


def report(op, ok, status=None, error=None, result=None):
    print(
        json.dumps(
            {"op": op, "ok": ok, "status": status, "error": error, "result": result},
            default=str,
        ),
        flush=True,
    )


def run(op, fn, summarize=lambda r: None):
    try:
        result = fn()
    except Exception as e:  # every failure is reported, never raised
        status = getattr(e, "status_code", None)
        message = getattr(e, "error_message", None) or str(e)
        report(op, False, status, f"{type(e).__name__}: {message}")
        traceback.print_exc(file=sys.stderr)
        return None
    report(op, True, 200, None, summarize(result))
    return result


def user_of(r):
    user = (r or {}).get("user", r) or {}
    return {
        "userId": user.get("userId"),
        "loginIds": user.get("loginIds"),
        "roleNames": user.get("roleNames"),
        "tenants": [t.get("tenantId") for t in user.get("userTenants") or []],
        "tenantRoles": {
            t.get("tenantId"): t.get("roleNames") for t in user.get("userTenants") or []
        },
        "status": user.get("status"),
        "name": user.get("name"),
    }


def main():
    client = DescopeClient(project_id=PROJECT, management_key=KEY, base_url=BASE)
    m = client.mgmt

    run("tenant.load_all", m.tenant.load_all, lambda r: len(r.get("tenants", [])))
    run(
        "tenant.create",
        lambda: m.tenant.create(name="Py SDK tenant", id="T2PySdkTenant"),
        lambda r: r.get("id"),
    )
    run("role.load_all", m.role.load_all, lambda r: len(r.get("roles", [])))
    run(
        "role.search",
        lambda: m.role.search(tenant_ids=[TENANT], include_project_roles=True),
        lambda r: len(r.get("roles", [])),
    )
    run(
        "permission.create",
        lambda: m.permission.create(name="py:read", description="from the Python SDK"),
    )
    run("permission.load_all", m.permission.load_all, lambda r: len(r.get("permissions", [])))
    run(
        "role.create",
        lambda: m.role.create(name="PySdkRole", description="made by the SDK", permission_names=["py:read"]),
    )
    created = run(
        "user.create",
        lambda: m.user.create(
            login_id=LOGIN,
            email=LOGIN,
            display_name="Py Sdk",
            user_tenants=[AssociatedTenant(TENANT)],
        ),
        user_of,
    )
    user_id = user_of(created)["userId"] if created else LOGIN
    run("user.load", lambda: m.user.load(LOGIN), user_of)
    run("user.load_by_user_id", lambda: m.user.load_by_user_id(user_id), user_of)
    run(
        "user.search_all",
        lambda: m.user.search_all(login_ids=[LOGIN], limit=10),
        lambda r: [u.get("userId") for u in r.get("users", [])],
    )
    run(
        "user.search_all.page",
        lambda: m.user.search_all(limit=5, page=1),
        lambda r: len(r.get("users", [])),
    )
    run(
        "user.update",
        lambda: m.user.update(
            login_id=LOGIN,
            email=LOGIN,
            display_name="Py Sdk Updated",
            user_tenants=[AssociatedTenant(TENANT)],
            verified_email=True,
            verified_phone=False,
        ),
        user_of,
    )
    run("user.patch", lambda: m.user.patch(login_id=LOGIN, display_name="Py Sdk Patched"), user_of)
    run("user.deactivate", lambda: m.user.deactivate(LOGIN), user_of)
    run("user.activate", lambda: m.user.activate(LOGIN), user_of)
    run("user.add_roles", lambda: m.user.add_roles(LOGIN, [ROLE]), user_of)
    run("user.remove_roles", lambda: m.user.remove_roles(LOGIN, [ROLE]), user_of)
    run("user.set_roles", lambda: m.user.set_roles(LOGIN, [ROLE]), user_of)
    run("user.add_tenant", lambda: m.user.add_tenant(LOGIN, "T2PySdkTenant"), user_of)
    run("user.add_tenant_roles", lambda: m.user.add_tenant_roles(LOGIN, TENANT, [ROLE]), user_of)
    run("user.remove_tenant_roles", lambda: m.user.remove_tenant_roles(LOGIN, TENANT, [ROLE]), user_of)
    run("user.remove_tenant", lambda: m.user.remove_tenant(LOGIN, "T2PySdkTenant"), user_of)
    run("user.history", lambda: m.user.history([user_id]), lambda r: len(r))
    run(
        "group.load_all_groups",
        lambda: m.group.load_all_groups(tenant_id=TENANT),
        lambda r: len(r),
    )
    run(
        "access_key.search_all_access_keys",
        lambda: m.access_key.search_all_access_keys(),
        lambda r: len(r.get("keys", [])),
    )
    run("sso_application.load_all", m.sso_application.load_all, lambda r: len(r.get("apps", [])))
    run("audit.search", lambda: m.audit.search(actions=["UserCreated"]), lambda r: len(r.get("audits", [])))

    # Access beyond roles (issue 24).
    tp = m.third_party_application
    run("third_party.load_all", tp.load_all, lambda r: [a.get("id") for a in r.get("apps", [])])
    run(
        "third_party.load",
        lambda: tp.load(TP_APP),
        lambda r: {"id": r.get("id"), "scopes": [s.get("name") for s in r.get("permissionsScopes") or []]},
    )
    consents_of = lambda r: {"ids": [c.get("id") for c in r.get("consents", [])], "total": r.get("total")}
    run("third_party.search_consents.app", lambda: tp.search_consents(app_id=TP_APP), consents_of)
    run("third_party.search_consents.page", lambda: tp.search_consents(page=0, limit=2), consents_of)
    run("third_party.delete_consents", lambda: tp.delete_consents(consent_ids=[CONSENT]))
    run("third_party.search_consents.deleted", lambda: tp.search_consents(consent_id=CONSENT), consents_of)

    ob = m.outbound_application
    run("outbound.load_all", ob.load_all_applications, lambda r: [a.get("id") for a in r.get("apps", [])])
    run("outbound.load", lambda: ob.load_application(OB_APP), lambda r: (r.get("app") or {}).get("id"))
    run("outbound.list_apps_with_user_token", lambda: ob.list_apps_with_user_token(OB_USER), lambda r: r.get("appIds"))
    run("outbound.delete_user_tokens", lambda: ob.delete_user_tokens(app_id=OB_APP, user_id=OB_USER))
    run("outbound.list_apps_with_user_token.after", lambda: ob.list_apps_with_user_token(OB_USER), lambda r: r.get("appIds"))

    run("user.logout_user", lambda: m.user.logout_user(LOGIN))
    run("user.logout_user_by_user_id", lambda: m.user.logout_user_by_user_id(user_id))
    run("user.remove_totp_seed", lambda: m.user.remove_totp_seed(LOGIN))
    run("user.remove_all_passkeys", lambda: m.user.remove_all_passkeys(LOGIN))
    run("user.list_passkeys", lambda: m.user.list_passkeys(LOGIN), lambda r: len(r.get("passkeys") or []))
    run("user.remove_recovery_codes", lambda: m.user.remove_recovery_codes(LOGIN))
    run(
        "user.update_custom_attribute",
        lambda: m.user.update_custom_attribute(LOGIN, "department", "py"),
        lambda r: ((r or {}).get("user") or {}).get("customAttributes"),
    )
    key_of = lambda r: {"id": (r.get("key") or {}).get("id"), "hasSecret": bool(r.get("cleartext"))}
    created_key = run("access_key.create", lambda: m.access_key.create(name="py-key"), key_of)
    key_id = ((created_key or {}).get("key") or {}).get("id", "K2missing")
    run("access_key.rotate", lambda: m.access_key.rotate(key_id), key_of)


if __name__ == "__main__":
    main()
