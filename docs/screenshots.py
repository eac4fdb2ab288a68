#!/usr/bin/env python3
"""Takes the README's screenshots of the admin UI with headless Chromium, against a demo instance.

    cargo build && python3 docs/screenshots.py [OUTPUT_DIR]     # default: docs/

Starts `edgebss serve --demo` on a free port with a fresh data folder, bills the current month
and records a few payments through the API (so the pages have figures), signs in as the first
admin in a headless Chromium driven over WebDriver (Debian's `chromium` and `chromium-driver`),
and saves dashboard.png, customer.png, invoice.png and phone.png. Standard library only.
"""

import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "debug", "edgebss")
PASSWORD = "correct horse battery staple"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(method, url, body=None, headers=None, form=False):
    data = None
    headers = dict(headers or {})
    if body is not None:
        if form:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            text = r.read().decode()
    except urllib.error.HTTPError as e:
        raise SystemExit(f"{method} {url}: {e.code} {e.read().decode()[:500]}")
    return json.loads(text) if text else {}


class Driver:
    """Just enough of the WebDriver protocol."""

    def __init__(self):
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["chromedriver", f"--port={self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        self.profile = tempfile.mkdtemp()
        for _ in range(100):
            try:
                caps = {
                    "capabilities": {
                        "alwaysMatch": {
                            "goog:chromeOptions": {
                                "binary": "/usr/bin/chromium",
                                "args": [
                                    "--headless",
                                    "--no-sandbox",
                                    "--disable-gpu",
                                    "--hide-scrollbars",
                                    "--force-device-scale-factor=1",
                                    "--lang=en-US",
                                    f"--user-data-dir={self.profile}",
                                ],
                            }
                        }
                    }
                }
                self.session = call("POST", f"{self.base}/session", caps)["value"]["sessionId"]
                return
            except (urllib.error.URLError, ConnectionError, SystemExit):
                time.sleep(0.1)
        raise SystemExit("chromedriver did not start")

    def cmd(self, method, path, body=None):
        return call(method, f"{self.base}/session/{self.session}{path}", body)["value"]

    def go(self, url):
        self.cmd("POST", "/url", {"url": url})

    def run(self, script, *args):
        return self.cmd("POST", "/execute/sync", {"script": script, "args": list(args)})

    def fill(self, css, text):
        el = self.cmd("POST", "/element", {"using": "css selector", "value": css})
        key = next(iter(el.values()))
        self.cmd("POST", f"/element/{key}/clear", {})
        self.cmd("POST", f"/element/{key}/value", {"text": text})

    def click(self, css):
        el = self.cmd("POST", "/element", {"using": "css selector", "value": css})
        self.cmd("POST", f"/element/{next(iter(el.values()))}/click", {})

    def shot(self, path, width, height=None):
        """The whole page at `width` (or its first `height` pixels)."""
        self.cmd("POST", "/window/rect", {"width": width, "height": 900})
        full = self.run("return document.documentElement.scrollHeight")
        self.cmd("POST", "/window/rect", {"width": width, "height": height or min(full, 2400)})
        time.sleep(0.3)
        with open(path, "wb") as f:
            f.write(base64.b64decode(self.cmd("GET", "/screenshot")))
        print("wrote", os.path.relpath(path, ROOT))

    def close(self):
        try:
            call("DELETE", f"{self.base}/session/{self.session}")
        finally:
            self.proc.terminate()
            self.proc.wait()


def main():
    out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "docs"))
    data = tempfile.mkdtemp()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(
        os.environ,
        EDGEBSS_LOG__LEVEL="warn",
        EDGEBSS_OPERATOR__NAME="Harbour Telecom Ltd",
        EDGEBSS_BILLING__TAX_RATE_PERCENT="20",
    )
    server = subprocess.Popen(
        [BIN, "serve", "--demo", "--data-dir", data, "--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    driver = None
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/readyz", timeout=1)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        client = dict(
            line.strip().split("=", 1)
            for line in open(os.path.join(data, "demo-client.txt"))
            if "=" in line
        )
        basic = base64.b64encode(f"{client['client_id']}:{client['client_secret']}".encode())
        token = call(
            "POST",
            f"{base}/oauth/token",
            {"grant_type": "client_credentials"},
            {"Authorization": f"Basic {basic.decode()}"},
            form=True,
        )["access_token"]
        api = {"Authorization": f"Bearer {token}"}
        today = time.strftime("%Y-%m")
        call("POST", f"{base}/v1/bill-runs", {"period": today}, api)
        # A few customers pay at once, in each way people pay.
        customers = call("GET", f"{base}/v1/customers?pageSize=50", headers=api)["data"]
        methods = ["Cash", "Card", "BankTransfer", "MobileMoney"]
        for i, c in enumerate(customers):
            invoices = call("GET", f"{base}/v1/customers/{c['customerId']}/invoices", headers=api)
            for inv in invoices["data"][:1]:
                if i % 5 != 2 and inv["amountDue"] > 0:
                    call(
                        "POST",
                        f"{base}/v1/invoices/{inv['invoiceId']}/payments",
                        {"amount": inv["amountDue"], "method": methods[i % 4]},
                        api,
                    )
        first = open(os.path.join(data, "initial-admin-password.txt")).read().strip()

        driver = Driver()
        driver.go(f"{base}/admin/login")
        driver.fill("#f-username", "admin")
        driver.fill("#f-password", first)
        driver.click("#sign-in")
        driver.fill("#f-current", first)
        driver.fill("#f-new", PASSWORD)
        driver.fill("#f-confirm", PASSWORD)
        driver.click("#change-password")
        # Wait for the dashboard (and its one-time message) before taking it afresh.
        for _ in range(50):
            if driver.cmd("GET", "/url").endswith("/admin/"):
                break
            time.sleep(0.1)

        driver.go(f"{base}/admin/")
        driver.shot(os.path.join(out, "dashboard.png"), 1280)
        paid = next(c for c in customers if c.get("companyName") and c["status"] == "Active")
        driver.go(f"{base}/admin/customers/{paid['customerId']}")
        driver.shot(os.path.join(out, "customer.png"), 1280)
        inv = call("GET", f"{base}/v1/customers/{paid['customerId']}/invoices", headers=api)
        driver.go(f"{base}/admin/invoices/{inv['data'][0]['invoiceId']}")
        driver.shot(os.path.join(out, "invoice.png"), 1280)
        driver.go(f"{base}/admin/invoices")
        driver.shot(os.path.join(out, "phone.png"), 390, 844)
    finally:
        if driver:
            driver.close()
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
