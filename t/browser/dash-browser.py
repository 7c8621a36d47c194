#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# t/browser/dash-browser.py: drives headless chromium (t/browser/cdp.py)
# through the dashboard as a user does, and prints what it checked; exits 1
# on the first check that fails.  Run by t/browser/dash-browser.sh.
#
#   dash-browser.py --chromium PATH --profile DIR --url URL --user U
#                   --password P [--submit-cmd CMD]
#                   [--action PAGE:BUTTON:ROW:MESSAGE]...
#                   [--screenshot FILE] [--screenshot-only]
#
# --submit-cmd is a shell command run once the page is shown; the page's
# polling must then show one more pending job without a reload.  Each
# --action, in order, opens PAGE (relative to URL; the first action after
# --submit-cmd uses the page as polling left it), ticks the row whose
# checkbox value is ROW (none if empty), clicks BUTTON, accepts the
# confirmation (a dialog, or a confirmation page) and waits for MESSAGE.

import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import CDPError  # noqa: E402
from dashtest import (JS_TICK, arg_parser, browser, check,  # noqa: E402
                      no_exceptions)


JS_CLICK = """(() => {
  const want = %s.toLowerCase();
  const els = [...document.querySelectorAll(
      'button, input[type=submit], input[type=button], a')];
  const el = els.find(e => (e.innerText || e.value || '').trim()
                             .toLowerCase() === want && !e.disabled);
  if (!el) return 'none';
  el.click();
  return 'clicked';
})()"""

JS_CONFIRM_PAGE = """(() => {
  const f = [...document.forms].find(f => f.method.toLowerCase() === 'post');
  if (!f) return false;
  const b = f.querySelector('button[type=submit], button:not([type]), input[type=submit]');
  if (!b || b.disabled) return false;
  b.click();
  return true;
})()"""


def pending_total(page):
    """The number the first card shows, as the user reads it."""
    return page.eval("""(() => {
      const t = document.body.innerText;
      const m = t.match(/Pending Jobs In Queues\\D*(\\d[\\d,]*)/i);
      return m ? m[1].replace(/,/g, '') : null;
    })()""")


def main():
    ap = arg_parser()
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--submit-cmd")
    ap.add_argument("--action", action="append", default=[])
    ap.add_argument("--screenshot")
    ap.add_argument("--poll-wait", type=float, default=25)
    args = ap.parse_args()

    b = browser(args)
    try:
        page = b.new_page()
        page.set_basic_auth(args.user, args.password)
        page.goto(args.url)
        text = page.text()
        for card in ("Pending Jobs In Queues", "Schedules", "Workers"):
            check("card %r shown" % card, card.lower() in text.lower(),
                  text[:300])
        check("the donut is an SVG",
              page.eval("!!document.querySelector('svg')"))
        check("the Job Queues tab lists OK", "OK" in text)

        if args.screenshot:
            page.screenshot(args.screenshot, full_page=True)
            check("screenshot written", os.path.getsize(args.screenshot) > 1000)

        if args.submit_cmd:
            before = pending_total(page)
            check("the pending total is readable", before is not None,
                  text[:300])
            subprocess.run(args.submit_cmd, shell=True, check=True)
            deadline = time.monotonic() + args.poll_wait
            after = before
            while time.monotonic() < deadline:
                after = pending_total(page)
                if after is not None and int(after) > int(before):
                    break
                time.sleep(0.5)
            check("polling shows the new job without a reload (%s -> %s)"
                  % (before, after),
                  after is not None and int(after) > int(before))
            check("the page still has its cards after polling",
                  "pending jobs in queues" in page.text().lower())

        for n, spec in enumerate(args.action):
            path, button, t, msg = spec.split(":", 3)
            # Right after polling replaced the page's main region: its
            # buttons must still work.
            if n > 0 or not args.submit_cmd:
                page.goto(args.url + path)
            if t:
                check("row %s can be ticked" % t,
                      page.eval(JS_TICK % t))
            dialogs = len(page.dialogs)
            res = page.eval(JS_CLICK % repr(button))
            check("a live %s button on %r" % (button, path),
                  res == "clicked", res)
            want = msg.lower()
            deadline = time.monotonic() + 15
            confirmed_page = False
            while time.monotonic() < deadline:
                try:
                    body = page.text().lower()
                except CDPError:
                    body = ""
                if want in body and "confirm" not in page.eval(
                        "location.pathname").lower():
                    break
                if (len(page.dialogs) == dialogs and not confirmed_page
                        and t.lower() in body):
                    try:
                        confirmed_page = page.eval(JS_CONFIRM_PAGE)
                    except CDPError:
                        pass
                time.sleep(0.2)
            body = page.text()
            how = ("dialog %r" % page.dialogs[dialogs:]
                   if len(page.dialogs) > dialogs else
                   "confirmation page" if confirmed_page else "none")
            check("a confirmation step (%s)" % how, how != "none")
            if len(page.dialogs) > dialogs:
                check("the dialog names %s" % t,
                      t in " ".join(page.dialogs[dialogs:]))
            check("the message %r shown" % msg,
                  want in body.lower(), body[:400])
        no_exceptions(b)
    finally:
        b.close()


if __name__ == "__main__":
    main()
