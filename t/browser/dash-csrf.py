#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# t/browser/dash-csrf.py: dashboard.js keeps an open page's actions working
# past the anti-CSRF token's life (jobsvc-fcgi's csrf_window, made WINDOW
# seconds by the caller), in headless chromium (t/browser/cdp.py): an action
# whose confirmation dialog stays open until the token it came with has
# expired is done once accepted; a confirmation page left open renews its
# token, and its button pressed after the first token expired acts.
# Prints what it checked; exits 1 on the first check that fails.  Run by
# t/browser/dash-csrf.sh.
#
#   dash-csrf.py --chromium PATH --profile DIR --url URL --user U
#                --password P --window SECONDS

import os
import sys
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dashtest import (JS_CLICK_BUTTON, JS_TICK, MESSAGE,  # noqa: E402
                      arg_parser, browser, check, no_exceptions,
                      user_page)

TOKEN = "document.querySelector('form.confirm-form input[name=csrf]').value"


def expired(window, made):
    """Waits until a token made in window number MADE has expired: the
    clock is two windows on."""
    while int(time.time()) // window < made + 2:
        time.sleep(0.1)


def main():
    ap = arg_parser(user=True)
    ap.add_argument("--window", type=int, required=True)
    args = ap.parse_args()

    b = browser(args)
    try:
        page = user_page(b, args)

        # A dialog left open: the action is done once accepted.
        page.goto(args.url)
        check("row OK ticked", page.eval(JS_TICK % "OK"))
        page.accept_dialogs = None
        mark = b.mark()
        check("Pause pressed", page.eval(JS_CLICK_BUTTON % "pause"))
        b.wait_event("Page.javascriptDialogOpening", page.session, 30, mark)
        made = int(time.time()) // args.window
        check("the confirmation dialog is open", True)
        expired(args.window, made)
        mark = b.mark()
        page.call("Page.handleJavaScriptDialog", {"accept": True})
        page.accept_dialogs = True
        b.wait_event("Page.loadEventFired", page.session, 30, mark)
        page.wait_for("(%s).includes('Paused OK')" % MESSAGE, 30)
        check("accepted after its token expired, the action is done: %r"
              % page.eval(MESSAGE), True)

        # A confirmation page left open renews its token.
        page.goto(args.url + "action/queue-resume?type=OK")
        made = int(time.time()) // args.window
        first = page.eval(TOKEN)
        page.wait_for("%s !== %r" % (TOKEN, first), 3 * args.window)
        check("the open confirmation page renewed its token", True)
        expired(args.window, made)
        page.click_and_wait_load(JS_CLICK_BUTTON % "resume")
        page.wait_for("(%s).includes('Resumed OK')" % MESSAGE, 30)
        check("pressed after its first token expired, the action is "
              "done: %r" % page.eval(MESSAGE), True)
        no_exceptions(b)
    finally:
        b.close()


if __name__ == "__main__":
    main()
