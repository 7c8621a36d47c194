#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# t/browser/dash-refresh.py: the dashboard's refresh in headless chromium
# (t/browser/cdp.py): it changes the data and nothing the user holds (the
# focus, a ticked box, a chosen page size, the last action's message);
# with the daemon stopped the old data stays under a warning that it may be
# out of date, which goes once the daemon is back; Refresh refreshes at
# once.  Prints what it checked; exits 1 on the first check that fails.
# Run by t/browser/dash-refresh.sh, which stops and starts the daemon when
# asked: a line "stop" or "start" written to the --ask FIFO, answered by
# a line on the --told FIFO; "end" when done.
#
#   dash-refresh.py --chromium PATH --profile DIR --url URL --user U
#                   --password P --submit-cmd CMD --ask FIFO --told FIFO
#                   [--outdir DIR]

import os
import select
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dashtest import (JS_CLICK_BUTTON, JS_TICK, MESSAGE,  # noqa: E402
                      arg_parser, browser, check, no_exceptions,
                      user_page)

# An auto refresh is due every 10 s; a refresh after a failed one as well.
REFRESH_WAIT = 30


class Shell:
    """The test script on the other end of the two FIFOs."""

    def __init__(self, ask, told):
        self.ask = ask
        self.told = os.open(told, os.O_RDONLY | os.O_NONBLOCK)
        self.buf = b""

    def do(self, what, timeout=60):
        with open(self.ask, "w") as f:
            f.write(what + "\n")
        if what == "end":
            return
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            check("the test script did %s in time" % what, left > 0)
            ready, _, _ = select.select([self.told], [], [], left)
            if ready:
                self.buf += os.read(self.told, 256)
        line, self.buf = self.buf.split(b"\n", 1)
        print("ok: the test script did %s (%s)" % (what, line.decode()))


REFRESHES = "+document.getElementById('refresh').dataset.refreshes"
FAILURES = "+document.getElementById('refresh').dataset.failures"
STALE = "document.getElementById('stale').textContent"


def act(page, button, msg):
    """Clicks BUTTON (its confirmation dialog is accepted) and waits for
    the page the action leads to, showing MSG."""
    dialogs = len(page.dialogs)
    page.click_and_wait_load(JS_CLICK_BUTTON % button.lower())
    check("%s confirmed in a dialog" % button, len(page.dialogs) > dialogs)
    page.wait_for("(%s).includes(%r)" % (MESSAGE, msg))
    check("the message %r shown" % msg, True)


def wait_refresh(page, since, what, extra="true", timeout=REFRESH_WAIT):
    try:
        page.wait_for("%s > %d && (%s)" % (REFRESHES, since, extra), timeout)
    except Exception as e:
        check(what, False, str(e))
    check(what, True)


def row_count(page, job_type):
    return page.eval("""(() => {
      const box = [...document.querySelectorAll('input[type=checkbox]')]
          .find(b => b.value === %r);
      return box ? +box.closest('tr').cells[2].textContent : -1;
    })()""" % job_type)


def main():
    ap = arg_parser(user=True)
    ap.add_argument("--submit-cmd", required=True)
    ap.add_argument("--ask", required=True)
    ap.add_argument("--told", required=True)
    ap.add_argument("--outdir")
    args = ap.parse_args()

    shell = Shell(args.ask, args.told)
    b = browser(args)
    try:
        page = user_page(b, args)

        # The queues: a message, a ticked and focused box, new data.
        page.goto(args.url)
        check("row OK ticked", page.eval(JS_TICK % "OK"))
        act(page, "Pause", "Paused OK")
        page.wait_for("!document.getElementById('refresh').hidden")
        check("the refresh bar says when: %r" % page.eval(
            "document.getElementById('updated').textContent"),
              page.eval(r"/^Last updated \d\d:\d\d:\d\d$/.test("
                        "document.getElementById('updated').textContent)"))
        check("row RECORD ticked", page.eval(JS_TICK % "RECORD"))
        page.eval("""window.held = [...document.querySelectorAll(
            'input[type=checkbox]')].find(b => b.value === 'RECORD');
            window.held.focus()""")
        check("the RECORD box has the focus",
              page.eval("document.activeElement === window.held"))
        count = row_count(page, "RECORD")
        n = page.eval(REFRESHES)
        subprocess.run(args.submit_cmd, shell=True, check=True)
        wait_refresh(page, n, "an auto refresh shows RECORD's new job",
                     "(%s) > %d" % ("""(() => {
                       const box = [...document.querySelectorAll(
                           'input[type=checkbox]')]
                           .find(b => b.value === 'RECORD');
                       return box ? +box.closest('tr').cells[2]
                           .textContent : -1; })()""", count))

        def held(when):
            check("%s: the same RECORD box, in the page" % when,
                  page.eval("window.held.isConnected"))
            check("%s: still focused" % when,
                  page.eval("document.activeElement === window.held"))
            check("%s: still ticked" % when,
                  page.eval("window.held.checked"))
            check("%s: OK's box not ticked" % when, page.eval(
                """![...document.querySelectorAll('input[type=checkbox]')]
                   .find(b => b.value === 'OK').checked"""))
            check("%s: the message still shown" % when,
                  "Paused OK" in page.eval(MESSAGE))

        held("after the refresh")
        check("no stale warning", page.eval(STALE) == "")

        # The daemon stops: the data stays, with a warning.
        shell.do("stop")
        failures = page.eval(FAILURES)
        try:
            page.wait_for("%s > %d && (%s).startsWith('Data may be out of "
                          "date')" % (FAILURES, failures, STALE),
                          REFRESH_WAIT)
        except Exception as e:
            check("the stale warning shown", False, str(e))
        stale = page.eval(STALE)
        check("the stale warning shown: %r" % stale, page.eval(
            r"/^Data may be out of date: last updated \d\d:\d\d:\d\d; "
            r"retrying$/.test(%s)" % STALE))
        check("the warning is visible and a status", page.eval(
            """(() => { const s = document.getElementById('stale');
               return s.getClientRects().length > 0 &&
                 s.getAttribute('role') === 'status'; })()"""))
        check("the old data still shown", row_count(page, "RECORD") > count)
        held("after a failed refresh")
        if args.outdir:
            page.screenshot(os.path.join(args.outdir, "stale-light.png"))

        # The daemon is back: the next try clears the warning.
        n = page.eval(REFRESHES)
        shell.do("start")
        wait_refresh(page, n, "an auto refresh once the daemon is back",
                     "(%s) === ''" % STALE)
        check("no stale warning after it", page.eval(STALE) == "")
        held("after the daemon came back")

        # The schedules: a chosen page size, and Refresh.
        page.goto(args.url + "schedules")
        act(page, "Pause All", "Paused all schedules")
        page.eval("""(() => { const s = document.querySelector(
            'select[name=page_size]');
            s.focus(); s.value = '50';
            s.dispatchEvent(new Event('change', {bubbles: true}));
            window.held = s; })()""")
        n = page.eval(REFRESHES)
        wait_refresh(page, n, "an auto refresh of the schedules")
        check("the chosen page size kept", page.eval(
            "document.querySelector('select[name=page_size]').value") ==
              "50")
        check("the page size control kept its focus",
              page.eval("document.activeElement === window.held"))
        check("the message still shown", "Paused all schedules" in
              page.eval(MESSAGE))
        # Right after an auto refresh the next is 10 s away.
        n = page.eval(REFRESHES)
        page.eval("document.getElementById('refresh-now').click()")
        wait_refresh(page, n, "Refresh refreshes at once", timeout=5)
        check("the chosen page size kept", page.eval(
            "document.querySelector('select[name=page_size]').value") ==
              "50")

        no_exceptions(b)
    finally:
        b.close()
        shell.do("end")


if __name__ == "__main__":
    main()
