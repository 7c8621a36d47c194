# SPDX-License-Identifier: ISC
#
# t/browser/dashtest.py: what the dashboard's browser scripts share: the
# check that prints and stops at the first failure, their common options,
# the browser they drive (t/browser/cdp.py) and their last check.

import argparse
import sys

from cdp import Browser


def check(what, ok, detail=""):
    if not ok:
        print("FAIL: %s%s" % (what, (": " + detail) if detail else ""))
        sys.exit(1)
    print("ok: " + what)


def arg_parser(user=False):
    """--chromium PATH --profile DIR --url URL [--log FILE], and with user
    --user U --password P; the caller adds its own."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--chromium", required=True)
    ap.add_argument("--profile", required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--log")
    if user:
        ap.add_argument("--user", required=True)
        ap.add_argument("--password", required=True)
    return ap


def browser(args):
    log = open(args.log, "a") if args.log else None
    return Browser(args.chromium, args.profile, log=log)


def user_page(b, args):
    """A new page of browser b that signs in as --user."""
    page = b.new_page()
    page.set_basic_auth(args.user, args.password)
    return page


def no_exceptions(b):
    thrown = [e["params"].get("exceptionDetails", {})
              for e in b._events
              if e.get("method") == "Runtime.exceptionThrown"]
    check("no JavaScript exception", not thrown, str(thrown)[:500])


# Clicks the enabled button labelled %r (lower case); false if none.
JS_CLICK_BUTTON = """(() => {
  const el = [...document.querySelectorAll('button')]
      .find(e => e.innerText.trim().toLowerCase() === %r && !e.disabled);
  if (!el) return false;
  el.click();
  return true;
})()"""

# The last action's message on the page, or "".
MESSAGE = ("(document.querySelector('#main .message') || {}).textContent"
           " || ''")

# Ticks the checkbox whose value is the %r; true once it is ticked.
JS_TICK = """(() => {
  const box = [...document.querySelectorAll('input[type=checkbox]')]
      .find(b => b.value === %r);
  if (!box) return false;
  if (!box.checked) box.click();
  return box.checked;
})()"""
