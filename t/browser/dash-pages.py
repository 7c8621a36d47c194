#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# t/browser/dash-pages.py: the dashboard's newer pages and controls in
# headless chromium (t/browser/cdp.py), with JavaScript and without: the
# select-all box, the Free dialog naming the jobs it stops, Pause All and
# Resume All enabled by state, the Audit page after those actions, the
# execution page, the page links and the out-of-range message.  Prints
# what it checked; exits 1 on the first check that fails.  Run by
# t/browser/dash-pages.sh.
#
#   dash-pages.py --chromium PATH --profile DIR --url URL --outdir DIR
#                 --password P --viewer-password P --worker W --job J
#                 --execution E

import os
import sys
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dashtest import JS_TICK, arg_parser, browser, check  # noqa: E402
from dashtest import no_exceptions  # noqa: E402

JS_BOXES = """[...document.querySelectorAll('tbody input[type=checkbox]')]
  .filter(b => !b.disabled).map(b => b.checked)"""
JS_ALL = "document.querySelector('input.select-all')"
JS_BUTTON = """(() => {
  const b = [...document.querySelectorAll('button')]
      .find(e => e.textContent.trim() === %r);
  return b ? (b.disabled ? 'disabled' : 'enabled') : 'none';
})()"""
JS_PRESS = """[...document.querySelectorAll('button')]
  .find(e => e.textContent.trim() === %r).click()"""
JS_LINK = """[...document.querySelectorAll('a')]
  .find(e => e.textContent.trim() === %r).click()"""


def press_for_dialog(page, label):
    """Presses the button LABEL; returns the text of the dialog it opens
    (accepted by cdp.py)."""
    n = len(page.dialogs)
    page.eval(JS_PRESS % label)
    deadline = time.monotonic() + 15
    while len(page.dialogs) == n and time.monotonic() < deadline:
        page.eval("1")
        time.sleep(0.1)
    check("%s: a confirmation dialog" % label, len(page.dialogs) > n)
    return page.dialogs[-1]


def main():
    ap = arg_parser()
    ap.add_argument("--outdir", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--viewer-password", required=True)
    ap.add_argument("--worker", required=True)
    ap.add_argument("--job", required=True)
    ap.add_argument("--execution", required=True)
    args = ap.parse_args()

    b = browser(args)
    try:
        page = b.new_page()
        page.set_basic_auth("admin", args.password)

        # Select all: ticks every row, shows mixed, clears every row.
        page.goto(args.url)
        page.wait_for("!!" + JS_ALL)
        boxes = page.eval(JS_BOXES)
        check("the queue rows have boxes", len(boxes) >= 3, repr(boxes))
        page.eval(JS_ALL + ".click()")
        check("select all ticks every row",
              all(page.eval(JS_BOXES)), repr(page.eval(JS_BOXES)))
        page.eval(JS_TICK.replace("if (!box.checked) box.click();",
                                  "if (box.checked) box.click();") % "OK")
        check("one row cleared: select all shows mixed",
              page.eval(JS_ALL + ".indeterminate && !" + JS_ALL +
                        ".checked"))
        page.eval(JS_ALL + ".click()")
        check("select all again ticks every row",
              all(page.eval(JS_BOXES)))
        page.eval(JS_ALL + ".click()")
        check("and clears every row", not any(page.eval(JS_BOXES)))
        page.eval(JS_ALL + ".click()")
        page.eval("document.getElementById('refresh-now').click()")
        page.wait_for("+document.getElementById('refresh')"
                      ".dataset.refreshes > 0")
        check("a refresh keeps the select-all box and the ticks",
              page.eval("!!" + JS_ALL + " && " + JS_ALL + ".checked") and
              all(page.eval(JS_BOXES)))
        page.screenshot(os.path.join(args.outdir, "select-all.png"))
        text = press_for_dialog(page, "Pause")
        check("the dialog names every queue (%s)" % text,
              "OK" in text and "RECORD" in text and "SLEEP" in text)
        page.wait_for("!!document.querySelector('main .message')", 15)

        # Free: the dialog names the job the worker runs.
        page.goto(args.url + "workers?pool=all")
        page.wait_for("!!" + JS_ALL)
        check("the worker's row can be ticked",
              page.eval(JS_TICK % args.worker))
        text = press_for_dialog(page, "Free")
        check("the Free dialog names its job (%s)" % text,
              ("SLEEP job %s" % args.job) in text)
        page.wait_for("document.body.innerText.includes('Freed 1 worker')",
                      15)

        # Pause All / Resume All: only the one that applies.
        page.goto(args.url)
        check("running: Pause All enabled",
              page.eval(JS_BUTTON % "Pause All") == "enabled")
        check("running: Resume All disabled",
              page.eval(JS_BUTTON % "Resume All") == "disabled")
        press_for_dialog(page, "Pause All")
        page.wait_for("document.body.innerText.includes("
                      "'Paused all schedules')", 15)
        check("paused: Pause All disabled",
              page.eval(JS_BUTTON % "Pause All") == "disabled")
        check("paused: Resume All enabled",
              page.eval(JS_BUTTON % "Resume All") == "enabled")

        # The Audit page shows those actions, newest first.
        page.eval(JS_LINK % "Audit")
        page.wait_for("location.pathname.endsWith('/audit')")
        page.wait_for("document.readyState === 'complete'")
        text = page.text()
        first = [text.find(v) for v in
                 ("schedules.pause", "worker.free", "queue.pause")]
        check("the audit page lists the actions newest first (%s)" % first,
              -1 not in first and first == sorted(first), text[:600])
        check("the audit page says who: admin via the dashboard",
              "admin\nvia " in text or "admin via " in text, text[:600])
        page.screenshot(os.path.join(args.outdir, "audit-actions.png"),
                        full_page=True)

        # The execution page, and its jobs' links.
        page.goto(args.url + "executions/" + args.execution)
        text = page.text()
        check("the execution page shows its status",
              ("Execution " + args.execution) in text, text[:400])
        page.eval("document.querySelector('tbody a').click()")
        page.wait_for("location.pathname.includes('/jobs/')")
        page.wait_for("document.body.innerText.includes('Execution')")
        check("a job of the execution links back to it", page.eval(
            "!!document.querySelector('a[href$=\"executions/%s\"]')"
            % args.execution))

        # Page links and a page past the last, with and without JavaScript.
        for js in (True, False):
            how = "" if js else " (no JavaScript)"
            page.call("Emulation.setScriptExecutionDisabled",
                      {"value": not js})
            page.goto(args.url + "schedules?page_size=2")
            page.eval(JS_LINK % "Last »")
            page.wait_for("location.search.includes('page=3')")
            page.wait_for("document.readyState === 'complete'")
            check("Last leads to page 3%s" % how,
                  "Page 3 of 3" in page.text())
            page.goto(args.url + "schedules?page=9&page_size=2")
            text = page.text()
            check("page 9 says it is past the last%s" % how,
                  "There is no page 9: the last page is 3" in text, text)
            check("and shows no table%s" % how,
                  not page.eval("!!document.querySelector('main table')"))
            page.goto(args.url)
            check("select all only with JavaScript%s" % how,
                  page.eval("!!" + JS_ALL) == js)
            check("row boxes either way%s" % how,
                  len(page.eval(JS_BOXES)) >= 3)
        page.call("Emulation.setScriptExecutionDisabled", {"value": False})

        # The viewer: select all as disabled as the rows.
        page.set_basic_auth("viewer", args.viewer_password)
        page.goto(args.url)
        page.wait_for("!!" + JS_ALL)
        check("the viewer's select-all box is disabled",
              page.eval(JS_ALL + ".disabled"))
        no_exceptions(b)
    finally:
        b.close()


if __name__ == "__main__":
    main()
