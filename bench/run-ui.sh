#!/usr/bin/env bash
# Admin UI benchmark: server time of the admin pages at 100,000 customers (release build): the
# customer list (filtered, sorted, searched), a customer, the dashboard, the invoice list (sorted,
# filtered, searched) over two months of invoices, an invoice, the bill-run history and a run,
# the collections page (aging report and tomorrow's dunning), and the subscription and payment
# lists (filtered, sorted, searched).
# The UI answers every page with `Server-Timing: app;dur=<ms>` (time spent in the server, from
# the request entering the /admin routes to the rendered page: session check, queries,
# templates); this script signs in, asks for each kind of page many times one after another, and
# prints the median (p50), p90 and p99 of that figure, and the first request's (for the
# dashboard: its figures summed afresh, before they are kept). See bench/README.md.
#
#   bash bench/run-ui.sh              # N=300 requests per kind of page
#   N=1000 SIZE=100000 bash bench/run-ui.sh
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-300}
SIZE=${SIZE:-100000}
work=target/bench
dir="$work/ui-billed-$SIZE"
port=18399
base="http://127.0.0.1:$port"
mkdir -p "$work"

cargo build --release --quiet --bin edgebss --example seed
bin=target/release/edgebss
# Two months billed: the previous month's invoices 70 % paid and 10 % overdue, this month's open.
prev=$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m)
cur=$(date +%Y-%m)
if [ ! -f "$dir/invoice-ids.txt" ]; then
  rm -rf "$dir"
  target/release/examples/seed "$dir" "$SIZE" "$(date -d "$prev-01 -1 month" +%Y-%m-01)" >/dev/null
  for period in "$prev" "$cur"; do
    EDGEBSS_LOG__LEVEL=warn "$bin" --data-dir "$dir" bill-run --period "$period" >/dev/null
  done
  sqlite3 "$dir/edgebss.db" <<SQL
INSERT INTO payments (id, invoice_id, amount, currency, paid_at, method, created_at)
  SELECT printf('pay_%026d', seq), id, total_amount, currency, invoice_date || 'T10:00:00.000Z',
         'BankTransfer', invoice_date || 'T10:00:00.000Z'
    FROM invoices WHERE period = '$prev' AND seq % 10 < 7;
UPDATE invoices SET status = 'Paid', amount_paid = total_amount
 WHERE period = '$prev' AND seq % 10 < 7;
UPDATE invoices SET status = 'Overdue' WHERE period = '$prev' AND seq % 10 = 7;
SQL
  EDGEBSS_LOG__LEVEL=warn "$bin" --data-dir "$dir" admin create-user --username bench \
    --role viewer | sed -n 's/.*: //p' | tail -1 >"$dir/bench-password.txt"
  sqlite3 "$dir/edgebss.db" "SELECT id FROM invoices ORDER BY seq" >"$dir/invoice-ids.txt"
  sqlite3 "$dir/edgebss.db" "SELECT id FROM bill_runs ORDER BY seq DESC LIMIT 1" >"$dir/run-id.txt"
fi

EDGEBSS_LOG__LEVEL=warn "$bin" serve --bind "127.0.0.1:$port" --data-dir "$dir" \
  >"$work/ui-server.log" 2>&1 &
server=$!
trap 'kill $server; wait $server || true' EXIT
for _ in $(seq 1 200); do curl -fsS "$base/readyz" >/dev/null 2>&1 && break; sleep 0.1; done

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores; $SIZE customers; $N sequential requests per page kind"
BASE="$base" N="$N" SIZE="$SIZE" DIR="$dir" CUR="$cur" PREV="$prev" PASSWORD_FILE="$dir/bench-password.txt" python3 - <<'PY'
import http.cookiejar, os, random, re, statistics, urllib.parse, urllib.request

base, n, size = os.environ["BASE"], int(os.environ["N"]), int(os.environ["SIZE"])
data, cur, prev = os.environ["DIR"], os.environ["CUR"], os.environ["PREV"]
customer_ids = open(os.path.join(data, "customer-ids.txt")).read().split()
invoice_ids = open(os.path.join(data, "invoice-ids.txt")).read().split()
run_id = open(os.path.join(data, "run-id.txt")).read().strip()
jar = http.cookiejar.CookieJar()
web = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

def get(path):
    with web.open(base + path) as r:
        return r.read().decode(), r.headers.get("server-timing", "")

def post(path, fields):
    page, _ = get(path if path != "/admin/login" else "/admin/login")
    token = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(dict(fields, _csrf=token)).encode()
    with web.open(base + path, data) as r:
        return r.read().decode()

password_file = os.environ["PASSWORD_FILE"]
password = open(password_file).read().strip()
new = "sturdy-horse-battery-0123"
try:
    post("/admin/login", {"username": "bench", "password": password, "next": "/admin/"})
    post("/admin/password", {"current": password, "new": new, "confirm": new})
    open(password_file, "w").write(new)
except Exception:
    post("/admin/login", {"username": "bench", "password": new, "next": "/admin/"})
assert "Customers" in get("/admin/customers")[0], "signed in"

pages = size // 25
kinds = [
    ("first page", lambda: "/admin/customers"),
    ("any page", lambda: f"/admin/customers?page={random.randint(1, pages)}"),
    ("status=Active, any page", lambda: f"/admin/customers?status=Active&page={random.randint(1, pages * 8 // 10)}"),
    ("type=Business, any page", lambda: f"/admin/customers?type=Business&page={random.randint(1, pages * 2 // 10)}"),
    ("search: one match (e-mail)", lambda: f"/admin/customers?q=customer{random.randint(0, size - 1)}%40"),
    ("search: common word, page 1", lambda: "/admin/customers?q=sam"),
    ("search: common word + status, page 3", lambda: "/admin/customers?q=acme+trading&status=Active&page=3"),
    ("search: phone digits", lambda: "/admin/customers?q=555-0100"),
    ("name order, any page", lambda: f"/admin/customers?sort=name&page={random.randint(1, pages)}"),
    ("newest first, any page", lambda: f"/admin/customers?sort=-account&page={random.randint(1, pages)}"),
    ("status=Active, name order, page 1-40", lambda: f"/admin/customers?status=Active&sort=name&page={random.randint(1, 40)}"),
    ("a customer", lambda: f"/admin/customers/{random.choice(customer_ids)}"),
    ("dashboard", lambda: "/admin/"),
    ("invoices: first page", lambda: "/admin/invoices"),
    ("invoices: page 1-40", lambda: f"/admin/invoices?page={random.randint(1, 40)}"),
    ("invoices: overdue, oldest due first", lambda: "/admin/invoices?status=Overdue&sort=due"),
    ("invoices: this month", lambda: f"/admin/invoices?from={cur}-01&to={cur}-28"),
    ("invoices: search by number", lambda: f"/admin/invoices?q={random.randint(1, len(invoice_ids) // 2):06d}"),
    ("invoices: search by customer e-mail", lambda: f"/admin/invoices?q=customer{random.randint(0, size - 1)}%40"),
    ("an invoice", lambda: f"/admin/invoices/{random.choice(invoice_ids)}"),
    ("bill-run history", lambda: "/admin/bill-runs"),
    ("a bill run with its invoices", lambda: f"/admin/bill-runs/{run_id}"),
    ("collections (aging, tomorrow's dunning)", lambda: "/admin/collections"),
    ("subscriptions: first page", lambda: "/admin/subscriptions"),
    ("subscriptions: page 1-40", lambda: f"/admin/subscriptions?page={random.randint(1, 40)}"),
    ("subscriptions: a product, highest charge first", lambda: f"/admin/subscriptions?product=prd_{1:026d}&sort=-charge"),
    ("subscriptions: active, start dates, page 1-40", lambda: f"/admin/subscriptions?status=Active&from=2000-01-15&to={cur}-20&page={random.randint(1, 40)}"),
    ("subscriptions: search by customer e-mail", lambda: f"/admin/subscriptions?q=customer{random.randint(0, size - 1)}%40"),
    ("payments: first page", lambda: "/admin/payments"),
    ("payments: page 1-40", lambda: f"/admin/payments?page={random.randint(1, 40)}"),
    ("payments: bank transfers since last month, largest first", lambda: f"/admin/payments?method=BankTransfer&from={prev}-01&sort=-amount"),
    ("payments: search by invoice number", lambda: f"/admin/payments?q={random.randint(1, len(invoice_ids) // 2):06d}"),
    ("payments: search by customer e-mail", lambda: f"/admin/payments?q=customer{random.randint(0, size - 1)}%40"),
]
for label, path in kinds:
    times = []
    for _ in range(n):
        _, timing = get(path())
        times.append(float(re.search(r"dur=([0-9.]+)", timing).group(1)))
    first = times[0]
    times.sort()
    q = lambda p: times[min(len(times) - 1, int(p * len(times)))]
    print(f"RESULT {label:40s} p50 {statistics.median(times):6.2f} ms  p90 {q(0.9):6.2f} ms  p99 {q(0.99):6.2f} ms  first {first:6.2f} ms")
PY
