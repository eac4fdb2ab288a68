"""Verifies every recorded delivery with the `standardwebhooks` package (the reference
implementation of the Standard Webhooks specification) and checks that each event of the feed
was delivered, with the same id on its retry. Exits non-zero on the first problem."""

import base64
import json
import sys

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

deliveries_path, secret, feed_path = sys.argv[1], sys.argv[2], sys.argv[3]
wh = Webhook(secret)
feed = json.load(open(feed_path, encoding="utf-8"))
expected = {e["eventId"]: e for e in feed}

ok_ids, tries = set(), {}
for line in open(deliveries_path, encoding="utf-8"):
    d = json.loads(line)
    body = base64.b64decode(d["body"])
    headers = {k: d["headers"][k] for k in ("webhook-id", "webhook-timestamp", "webhook-signature")}
    try:
        payload = wh.verify(body, headers)
    except WebhookVerificationError as e:
        sys.exit(f"delivery {headers['webhook-id']} failed verification: {e}")
    wid = headers["webhook-id"]
    if payload != expected.get(wid):
        sys.exit(f"delivery {wid} does not carry the event as the feed shows it")
    tries[wid] = tries.get(wid, 0) + 1
    if d["answered"] == 200:
        ok_ids.add(wid)

missing = set(expected) - ok_ids
if missing:
    sys.exit(f"{len(missing)} events were never delivered: {sorted(missing)[:5]}")
if any(n < 2 for n in tries.values()):
    sys.exit("every event should have been tried twice (refused once, then delivered)")
print(f"standardwebhooks verified {sum(tries.values())} deliveries of {len(expected)} events")
