# SPDX-License-Identifier: ISC
#
# t/browser/cdp.py: a minimal Chrome DevTools Protocol client for the
# browser tests, with nothing outside Python's standard library: chromium
# runs headless with --remote-debugging-pipe, reading commands on its fd 3
# and writing answers and events on its fd 4, each message one JSON text
# ended by a NUL byte.
#
#	b = Browser("/usr/bin/chromium", "/tmp/profile")
#	page = b.new_page()
#	page.set_basic_auth("admin", "secret")
#	page.goto("http://127.0.0.1:8080/harbor/job-service-dashboard/")
#	print(page.eval("document.title"))
#	b.close()
#
# JavaScript dialogs (confirm, alert) are accepted as they open and
# remembered in page.dialogs.

import base64
import fcntl
import json
import os
import select
import signal
import subprocess
import time


class CDPError(Exception):
    pass


class Browser:
    def __init__(self, chromium, user_data_dir, width=1280, height=900,
                 log=None):
        to_chrome_r, self._w = os.pipe()
        self._r, from_chrome_w = os.pipe()
        # Chromium's ends, away from 3 and 4 where the shell puts them.
        to_chrome_r = self._high(to_chrome_r)
        from_chrome_w = self._high(from_chrome_w)
        args = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--no-default-browser-check",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-extensions",
            "--disable-dev-shm-usage", "--hide-scrollbars",
            "--user-data-dir=" + user_data_dir,
            "--window-size=%d,%d" % (width, height),
            "--remote-debugging-pipe", "about:blank",
        ]
        # bash (dash knows no fd above 9) puts the pipes on fds 3 and 4,
        # then becomes chromium.
        script = 'exec "$0" "$@" 3<&%d 4>&%d %d<&- %d>&-' % (
            to_chrome_r, from_chrome_w, to_chrome_r, from_chrome_w)
        self.proc = subprocess.Popen(
            ["bash", "-c", script, chromium] + args,
            pass_fds=(to_chrome_r, from_chrome_w),
            stdin=subprocess.DEVNULL,
            stdout=log or subprocess.DEVNULL,
            stderr=log or subprocess.DEVNULL,
            start_new_session=True)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._next_id = 0
        self._events = []
        self._pages = {}

    @staticmethod
    def _high(fd):
        high = fcntl.fcntl(fd, fcntl.F_DUPFD, 100)
        os.close(fd)
        return high

    # ---------------------------------------------------------- transport

    def _send(self, method, params=None, session=None):
        self._next_id += 1
        msg = {"id": self._next_id, "method": method,
               "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            n = os.write(self._w, data)
            data = data[n:]
        return self._next_id

    def _read_one(self, deadline):
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CDPError("timed out waiting for chromium")
            ready, _, _ = select.select([self._r], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._r, 1 << 20)
            if not chunk:
                raise CDPError("chromium closed its pipe (exited %s)"
                               % self.proc.poll())
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def _dispatch(self, msg):
        """Handles an event as it arrives; returns it to be queued."""
        if msg.get("method") == "Page.javascriptDialogOpening":
            page = self._pages.get(msg.get("sessionId"))
            if page is not None:
                page.dialogs.append(msg["params"].get("message", ""))
                if page.accept_dialogs is not None:
                    self._send("Page.handleJavaScriptDialog",
                               {"accept": page.accept_dialogs},
                               msg.get("sessionId"))
        return msg

    def call(self, method, params=None, session=None, timeout=30):
        mid = self._send(method, params, session)
        deadline = time.monotonic() + timeout
        while True:
            msg = self._read_one(deadline)
            if msg.get("id") == mid:
                if "error" in msg:
                    raise CDPError("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            if "method" in msg:
                self._events.append(self._dispatch(msg))

    def wait_event(self, method, session=None, timeout=30, since=0):
        """The first event METHOD (of SESSION) queued at index >= since,
        waiting for it if need be."""
        deadline = time.monotonic() + timeout
        i = since
        while True:
            while i < len(self._events):
                ev = self._events[i]
                i += 1
                if ev.get("method") == method and (
                        session is None or ev.get("sessionId") == session):
                    return ev
            msg = self._read_one(deadline)
            if "method" in msg:
                self._events.append(self._dispatch(msg))

    def mark(self):
        return len(self._events)

    # -------------------------------------------------------------- pages

    def new_page(self):
        target = self.call("Target.createTarget",
                           {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget",
                            {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        self._pages[session] = page
        page.call("Page.enable")
        page.call("Runtime.enable")
        page.call("Network.enable")
        return page

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except (CDPError, OSError):
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        for fd in (self._r, self._w):
            try:
                os.close(fd)
            except OSError:
                pass


class Page:
    def __init__(self, browser, session):
        self.b = browser
        self.session = session
        self.dialogs = []
        self.accept_dialogs = True  # None: left open for the caller
        self.console_errors = []

    def call(self, method, params=None, timeout=30):
        return self.b.call(method, params, self.session, timeout)

    def set_basic_auth(self, user, password):
        token = base64.b64encode(("%s:%s" % (user, password)).encode())
        self.call("Network.setExtraHTTPHeaders", {
            "headers": {"Authorization": "Basic " + token.decode()}})

    def goto(self, url, timeout=30):
        mark = self.b.mark()
        res = self.call("Page.navigate", {"url": url})
        if res.get("errorText"):
            raise CDPError("navigate %s: %s" % (url, res["errorText"]))
        self.b.wait_event("Page.loadEventFired", self.session, timeout, mark)

    def eval(self, expr, timeout=30):
        res = self.call("Runtime.evaluate", {
            "expression": expr, "returnByValue": True,
            "awaitPromise": True}, timeout)
        if "exceptionDetails" in res:
            raise CDPError("%s: %s" % (expr, json.dumps(
                res["exceptionDetails"])[:500]))
        return res.get("result", {}).get("value")

    def wait_for(self, expr, timeout=10):
        """Polls the JavaScript expression until it is truthy."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                v = self.eval(expr)
            except CDPError:
                v = None
            if v:
                return v
            if time.monotonic() > deadline:
                raise CDPError("timed out waiting for: " + expr)
            time.sleep(0.1)

    def click_and_wait_load(self, expr, timeout=30):
        """Runs EXPR (which clicks something) and waits for the page it
        loads; a dialog it opens is accepted meanwhile."""
        mark = self.b.mark()
        self.eval(expr)
        self.b.wait_event("Page.loadEventFired", self.session, timeout, mark)

    def text(self):
        return self.eval("document.body ? document.body.innerText : ''")

    def screenshot(self, path, full_page=False):
        params = {"format": "png"}
        if full_page:
            m = self.call("Page.getLayoutMetrics")
            size = m.get("cssContentSize") or m["contentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"],
                              "height": size["height"], "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.call("Page.captureScreenshot", params)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
