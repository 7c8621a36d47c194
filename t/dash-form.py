#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# t/dash-form.py: submits an HTML form the way a browser without JavaScript
# would, for the dashboard tests (t/dash-lib.sh's click).
#
#   dash-form.py PAGE.html PAGE_URL [--button LABEL | --post]
#                [--check VALUE | --check NAME=VALUE]... [--set NAME=VALUE]...
#   dash-form.py PAGE.html PAGE_URL --links
#   dash-form.py PAGE.html PAGE_URL --refs
#
# Finds the form with a submit button labelled LABEL (its text or value,
# case and surrounding space ignored; then a label that starts with it), or
# with --post the first form whose method is post; ticks the checkboxes
# (and radios) named by --check, overrides fields with --set, and prints
# three lines: the method, the absolute URL and the urlencoded body.
# Exits 3 when the button (or its form's fieldset) is disabled, 4 when no
# such form exists; the reason is on standard error.
#
# --links prints each link of the page as its text (white space squeezed),
# a tab and its absolute URL; --refs prints every href, src and action
# attribute as written, one a line.

import html.parser
import sys
import urllib.parse


class Form:
    def __init__(self, attrs):
        self.attrs = attrs
        self.fields = []        # [tag, attrs, text] in order
        self.buttons = []       # [attrs, label, disabled]


class Parser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.form = None
        self.button = None      # [attrs, text parts]
        self.select = None
        self.textarea = None
        self.disabled_depth = 0
        self.stack = []
        self.links = []         # [href, text parts]
        self.link = None
        self.refs = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        for k in ("href", "src", "action", "formaction"):
            if k in a:
                self.refs.append(a[k])
        if tag == "a" and "href" in a:
            self.link = [a["href"], []]
            self.links.append(self.link)
        if tag == "fieldset":
            self.stack.append("disabled" in a)
            if "disabled" in a:
                self.disabled_depth += 1
        if tag == "form":
            self.form = Form(a)
            self.forms.append(self.form)
            return
        if self.form is None:
            return
        if self.disabled_depth:
            a["disabled"] = a.get("disabled", "")
        if tag == "input":
            t = a.get("type", "text").lower()
            if t in ("submit", "image"):
                self.form.buttons.append([a, a.get("value", ""),
                                          "disabled" in a])
            else:
                self.form.fields.append(["input", a, None])
        elif tag == "button":
            self.button = [a, []]
        elif tag == "select":
            self.select = ["select", a, []]
            self.form.fields.append(self.select)
        elif tag == "option" and self.select is not None:
            self.select[2].append(a)
        elif tag == "textarea":
            self.textarea = ["textarea", a, ""]
            self.form.fields.append(self.textarea)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "fieldset":
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "a":
            self.link = None
        if tag == "fieldset" and self.stack:
            if self.stack.pop():
                self.disabled_depth -= 1
        elif tag == "form":
            self.form = None
        elif tag == "button" and self.button is not None:
            a, text = self.button
            self.button = None
            if self.form is not None and a.get("type", "submit").lower() == "submit":
                self.form.buttons.append([a, "".join(text), "disabled" in a])
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.link is not None:
            self.link[1].append(data)
        if self.button is not None:
            self.button[1].append(data)
        elif self.textarea is not None:
            self.textarea[2] += data


def norm(s):
    return " ".join(s.split()).lower()


def main():
    args = sys.argv[1:]
    page, url = args[0], args[1]
    label, post, checks, sets, listing = None, False, [], [], None
    i = 2
    while i < len(args):
        if args[i] in ("--links", "--refs"):
            listing = args[i]
            i += 1
        elif args[i] == "--button":
            label = args[i + 1]
            i += 2
        elif args[i] == "--post":
            post = True
            i += 1
        elif args[i] == "--check":
            checks.append(args[i + 1])
            i += 2
        elif args[i] == "--set":
            sets.append(args[i + 1].split("=", 1))
            i += 2
        else:
            sys.exit("dash-form.py: unknown argument " + args[i])
    p = Parser()
    with open(page, encoding="utf-8", errors="replace") as f:
        p.feed(f.read())
    p.close()

    if listing == "--links":
        for href, text in p.links:
            print("%s\t%s" % (" ".join("".join(text).split()),
                              urllib.parse.urljoin(url, href)))
        return
    if listing == "--refs":
        for r in p.refs:
            print(r)
        return

    form = button = None
    if label is not None:
        want = norm(label)
        for exact in (True, False):
            for fm in p.forms:
                for b in fm.buttons:
                    got = norm(b[1])
                    if got == want or (not exact and got.startswith(want)):
                        form, button = fm, b
                        break
                if form:
                    break
            if form:
                break
        if form is None:
            labels = [b[1].strip() for fm in p.forms for b in fm.buttons]
            print("no button %r among %r" % (label, labels), file=sys.stderr)
            sys.exit(4)
        if button[2]:
            print("button %r is disabled" % label, file=sys.stderr)
            sys.exit(3)
    else:
        for fm in p.forms:
            if fm.attrs.get("method", "get").lower() == "post":
                form = fm
                break
        if form is None:
            print("no form with method post", file=sys.stderr)
            sys.exit(4)
        for b in form.buttons:
            button = b
            break
        if button and button[2]:
            print("the form's button is disabled", file=sys.stderr)
            sys.exit(3)

    pairs = []
    for tag, a, extra in form.fields:
        name = a.get("name")
        if not name or "disabled" in a:
            continue
        if tag == "input":
            t = a.get("type", "text").lower()
            value = a.get("value", "on" if t in ("checkbox", "radio") else "")
            if t in ("checkbox", "radio"):
                ticked = "checked" in a or value in checks or \
                    ("%s=%s" % (name, value)) in checks
                if not ticked:
                    continue
            elif t in ("button", "reset", "file"):
                continue
            pairs.append([name, value])
        elif tag == "select":
            opts = extra
            chosen = [o for o in opts if "selected" in o] or opts[:1]
            for o in chosen:
                pairs.append([name, o.get("value", "")])
        elif tag == "textarea":
            pairs.append([name, extra])
    for name, value in sets:
        pairs = [pv for pv in pairs if pv[0] != name]
        pairs.append([name, value])
    if button is not None and button[0].get("name"):
        pairs.append([button[0]["name"], button[0].get("value", "")])

    ba = button[0] if button else {}
    method = (ba.get("formmethod") or form.attrs.get("method") or "get").upper()
    action = ba.get("formaction") or form.attrs.get("action") or url
    target = urllib.parse.urljoin(url, action)
    body = urllib.parse.urlencode([tuple(p) for p in pairs])
    if method == "GET":
        target = target.split("?", 1)[0] + ("?" + body if body else "")
        body = ""
    print(method)
    print(target)
    print(body)


main()
