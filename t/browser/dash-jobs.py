#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# t/browser/dash-jobs.py: finding a job in headless chromium
# (t/browser/cdp.py), with JavaScript and without: the Job Queues row of
# TYPE leads to its pending jobs, newest first; Next and Previous page
# through them keeping the filter; the filter form shows the Stopped jobs;
# a job's ID opens its page; the queues card's "Error jobs" link lists
# the Error jobs.  The Jobs page passes t/browser/a11y.js, light and dark,
# and a screenshot of each is saved.  With JavaScript, the page's refresh
# shows a job submitted while it is open.  Prints what it checked; exits 1
# on the first check that fails.  Run by t/browser/dash-jobs.sh.
#
#   dash-jobs.py --chromium PATH --profile DIR --url URL --outdir DIR
#                --user U --password P --type TYPE --pending ID,ID,...
#                --stopped ID --error ID --submit-cmd CMD

import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dashtest import arg_parser, browser, check, no_exceptions  # noqa: E402

# The job IDs the table shows, in order.
JS_ROWS = """[...document.querySelectorAll('#main table.grid tbody a')]
  .map(a => a.textContent.trim()).filter(t => /^[0-9a-f]{24}$/.test(t))"""

# Clicks the first link whose text is (or starts with) %r.
JS_LINK = """(() => {
  const want = %r.toLowerCase();
  const as = [...document.querySelectorAll('a')];
  const a = as.find(a => a.textContent.trim().toLowerCase() === want) ||
      as.find(a => a.textContent.trim().toLowerCase().startsWith(want));
  if (!a) return false;
  a.click();
  return true;
})()"""

# Chooses %r in the filter form's status select and submits the form.
JS_FILTER = """(() => {
  const s = document.querySelector('form.toolbar select[name=status]');
  if (!s) return false;
  s.value = %r;
  const b = s.form.querySelector('button[type=submit]');
  b.click();
  return true;
})()"""


def scheme(page, name):
    page.call("Emulation.setEmulatedMedia", {
        "features": [{"name": "prefers-color-scheme", "value": name}]})


def follow(page, what, js):
    page.click_and_wait_load(js)
    check(what, True)


def main():
    ap = arg_parser()
    ap.add_argument("--outdir", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--type", required=True)
    ap.add_argument("--pending", required=True)
    ap.add_argument("--stopped", required=True)
    ap.add_argument("--error", required=True)
    ap.add_argument("--submit-cmd", required=True)
    args = ap.parse_args()
    pending = args.pending.split(",")  # newest first

    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "a11y.js")) as f:
        checker = f.read()
    b = browser(args)
    try:
        page = b.new_page()
        page.set_basic_auth(args.user, args.password)
        for js in (True, False):
            how = "" if js else " (no JavaScript)"
            page.call("Emulation.setScriptExecutionDisabled",
                      {"value": not js})
            scheme(page, "light")
            page.goto(args.url)
            follow(page, "the %s row's link%s" % (args.type, how),
                   JS_LINK % args.type)
            url = page.eval("location.href")
            check("it leads to the pending %s jobs%s" % (args.type, how),
                  "type=%s" % args.type in url and "status=Pending" in url,
                  url)
            rows = page.eval(JS_ROWS)
            check("the pending jobs, newest first%s" % how,
                  rows == pending, "%s, not %s" % (rows, pending))

            # Two a page, and through them.
            page.goto(url + "&page_size=2")
            check("page 1 of them%s" % how, page.eval(JS_ROWS) == pending[:2])
            follow(page, "Next%s" % how, JS_LINK % "Next")
            check("page 2 of them%s" % how,
                  page.eval(JS_ROWS) == pending[2:4],
                  str(page.eval(JS_ROWS)))
            check("Next kept the filter%s" % how,
                  "type=%s" % args.type in page.eval("location.href"))
            follow(page, "Previous%s" % how, JS_LINK % "\u2039 Previous")
            check("back on page 1%s" % how,
                  page.eval(JS_ROWS) == pending[:2])

            # The form, then a job's page.
            follow(page, "the filter form, Stopped%s" % how,
                   JS_FILTER % "Stopped")
            check("the Stopped jobs of %s%s" % (args.type, how),
                  page.eval(JS_ROWS) == [args.stopped],
                  str(page.eval(JS_ROWS)))
            follow(page, "the job's link%s" % how, JS_LINK % args.stopped)
            check("the job's page%s" % how, page.eval(
                "location.pathname.endsWith('/jobs/%s')" % args.stopped))
            check("it shows the job%s" % how, "Stopped" in page.text())

            # The card's link to the Error jobs, from the job's page.
            follow(page, "the card's Error jobs link%s" % how,
                   JS_LINK % "Error jobs")
            check("the Error jobs%s" % how,
                  page.eval(JS_ROWS) == [args.error],
                  str(page.eval(JS_ROWS)))

            # What it looks like, and the checker, light and dark.
            for mode in ("light", "dark"):
                scheme(page, mode)
                page.goto(args.url + "jobs")
                problems = page.eval(checker)
                check("the Jobs page passes the checker (%s)%s" % (mode, how),
                      problems == [],
                      "\n  ".join([""] + (problems or ["no answer"])))
                shot = os.path.join(args.outdir, "jobs-%s%s.png" % (
                    mode, "" if js else "-nojs"))
                page.screenshot(shot, full_page=True)
                check("screenshot %s" % shot, os.path.getsize(shot) > 1000)

        # With JavaScript the page's data refreshes: a new job appears.
        page.call("Emulation.setScriptExecutionDisabled", {"value": False})
        scheme(page, "light")
        page.goto(args.url + "jobs?type=%s&status=Pending" % args.type)
        page.wait_for("!document.getElementById('refresh').hidden")
        before = page.eval(JS_ROWS)
        subprocess.run(args.submit_cmd, shell=True, check=True)
        deadline = time.monotonic() + 25
        rows = before
        while time.monotonic() < deadline and len(rows) <= len(before):
            time.sleep(0.5)
            rows = page.eval(JS_ROWS)
        check("the refresh shows the new job first, without a reload",
              len(rows) == len(before) + 1 and rows[1:] == before,
              "%s -> %s" % (before, rows))
        no_exceptions(b)
    finally:
        b.close()


if __name__ == "__main__":
    main()
