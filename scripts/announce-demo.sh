#!/usr/bin/env bash
# Reads shop-server's first line (its JSON announcement), prints it for people, then passes the
# rest of the output through.
set -euo pipefail
IFS= read -r line
python3 - "$line" <<'PY'
import json, sys
a = json.loads(sys.argv[1])
print()
print(f"  Storefront with the chat widget: {a['widget']}")
print(f"  Emails to customers who left:    {a['widget']}/outbox")
print(f"  Inbox API:                       {a['url']}/api/v1  (spec: {a['url']}/api/v1/openapi.json)")
print(f"  Trust this CA in your browser:   {a['ca']}")
print()
print("  Demo staff sign-ins:")
for s in a.get("demo_staff") or []:
    chat = "chat" if s["chat_permission"] else "no chat permission"
    print(f"    {s['email']:<28} {s['password']:<16} {s['name']} ({chat})")
print()
PY
cat
