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


def arg_parser():
    """--chromium PATH --profile DIR --url URL [--log FILE]; the caller
    adds its own."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--chromium", required=True)
    ap.add_argument("--profile", required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--log")
    return ap


def browser(args):
    log = open(args.log, "a") if args.log else None
    return Browser(args.chromium, args.profile, log=log)


def no_exceptions(b):
    thrown = [e["params"].get("exceptionDetails", {})
              for e in b._events
              if e.get("method") == "Runtime.exceptionThrown"]
    check("no JavaScript exception", not thrown, str(thrown)[:500])


# Ticks the checkbox whose value is the %r; true once it is ticked.
JS_TICK = """(() => {
  const box = [...document.querySelectorAll('input[type=checkbox]')]
      .find(b => b.value === %r);
  if (!box) return false;
  if (!box.checked) box.click();
  return box.checked;
})()"""
