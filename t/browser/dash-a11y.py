#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# t/browser/dash-a11y.py: opens each dashboard page in headless chromium
# (t/browser/cdp.py), light and dark (prefers-color-scheme emulated), runs
# the checker t/browser/a11y.js in it (WCAG 2.2 AA: contrast, one h1, skip
# link, accessible names, alt, lang), saves a screenshot of each, and tries
# the skip link with the keyboard.  Prints what it checked; exits 1 on the
# first check that fails.  Run by t/browser/dash-a11y.sh.
#
#   dash-a11y.py --chromium PATH --profile DIR --url URL --outdir DIR
#                --page NAME:USER:PASSWORD:PATH... [--nojs NAME]...

import os
import sys

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dashtest import arg_parser, browser, check, no_exceptions  # noqa: E402


def scheme(page, name):
    page.call("Emulation.setEmulatedMedia", {
        "features": [{"name": "prefers-color-scheme", "value": name}]})
    check("%s scheme in effect" % name, page.eval(
        "matchMedia('(prefers-color-scheme: %s)').matches" % name))


def key(page, name, vk, text=None):
    down = {"type": "rawKeyDown", "key": name, "code": name,
            "windowsVirtualKeyCode": vk}
    if text:
        down.update(type="keyDown", text=text)
    page.call("Input.dispatchKeyEvent", down)
    page.call("Input.dispatchKeyEvent", {
        "type": "keyUp", "key": name, "code": name,
        "windowsVirtualKeyCode": vk})


def main():
    ap = arg_parser()
    ap.add_argument("--outdir", required=True)
    ap.add_argument("--page", action="append", default=[])
    ap.add_argument("--nojs", action="append", default=["queues"],
                    help="a page (by NAME) checked without JavaScript too")
    args = ap.parse_args()

    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "a11y.js")) as f:
        checker = f.read()
    b = browser(args)
    try:
        page = b.new_page()
        for js in (True, False):
            page.call("Emulation.setScriptExecutionDisabled",
                      {"value": not js})
            for mode in ("light", "dark"):
                scheme(page, mode)
                for spec in args.page:
                    name, user, pw, path = spec.split(":", 3)
                    if not js and name not in args.nojs:
                        continue
                    what = "%s (%s, %s%s)" % (
                        name, user, mode, "" if js else ", no JavaScript")
                    page.set_basic_auth(user, pw)
                    page.goto(args.url + path)
                    if js and page.eval("+(document.getElementById('main')"
                                        ".dataset.poll || 0) > 0"):
                        # dashboard.js has run: the refresh bar is shown.
                        page.wait_for("document.getElementById('refresh')"
                                      " && !document.getElementById("
                                      "'refresh').hidden")
                    if not js:
                        check("%s: no refresh bar without JavaScript" % what,
                              page.eval("getComputedStyle(document."
                                        "getElementById('refresh'))"
                                        ".display === 'none'"))
                    problems = page.eval(checker)
                    check("%s passes the checker" % what, problems == [],
                          "\n  ".join([""] + (problems or ["no answer"])))
                    shot = os.path.join(args.outdir, "%s-%s%s.png" % (
                        name, mode, "" if js else "-nojs"))
                    page.screenshot(shot, full_page=True)
                    check("%s: screenshot %s" % (what, shot),
                          os.path.getsize(shot) > 1000)

        # The keyboard: the first Tab shows the skip link, which passes the
        # checker while shown; Enter moves the focus to the main region.
        page.call("Emulation.setScriptExecutionDisabled", {"value": False})
        name, user, pw, path = args.page[0].split(":", 3)
        page.set_basic_auth(user, pw)
        for mode in ("light", "dark"):
            scheme(page, mode)
            page.goto(args.url + path)
            key(page, "Tab", 9)
            check("%s: Tab focuses the skip link" % mode, page.eval(
                "document.activeElement.classList.contains('skip')"))
            check("%s: the focused skip link is in view" % mode, page.eval(
                """(() => { const r = document.activeElement
                       .getBoundingClientRect();
                     return r.top >= 0 && r.left >= 0 && r.width > 20; })()"""))
            problems = page.eval(checker)
            check("%s: the page with the skip link shown passes" % mode,
                  problems == [], "\n  ".join([""] + (problems or ["?"])))
            page.screenshot(os.path.join(args.outdir, "skip-%s.png" % mode))
            key(page, "Enter", 13, "\r")
            page.wait_for("document.activeElement.id === 'main'")
            check("%s: Enter on the skip link focuses main" % mode, True)
        no_exceptions(b)
    finally:
        b.close()


if __name__ == "__main__":
    main()
