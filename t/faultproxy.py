#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""faultproxy: a Redis proxy that injects faults, for the integration tests.

    faultproxy.py serve LISTEN UPSTREAM CONTROL
    faultproxy.py ctl CONTROL COMMAND...

`serve` listens on the Unix socket LISTEN and relays every connection to
the Redis server on the Unix socket UPSTREAM, command by command, applying
the rules set through the Unix socket CONTROL.  It logs each fault it
injects on stderr.

Each command is matched as one line of text: its name in capitals and its
arguments, space-separated, where the SHA of EVALSHA (and the body of EVAL)
is replaced by the script's name, read from its "-- NAME: ARGV" header
comment when the script went through SCRIPT LOAD or EVAL on any connection.
So "^EVALSHA finish " matches jobsvcd's finish script.

`ctl` sends one command to a running proxy and prints the answer (exit 1
when it starts with "ERR"):

    add ACTION TIMES REGEX  a rule: the next TIMES commands (0: every one)
                            matching the Python regex REGEX get ACTION;
                            prints the rule's number
        cut                 the command runs, its reply is dropped and the
                            connection is closed (a connection lost after
                            Redis ran the command)
        drop                the command runs, its reply and all later ones
                            on that connection are withheld (Redis slower
                            than the client's timeout)
        delay:MS            the reply is held back MS milliseconds
        error:CODE          the command is not forwarded: the client gets
                            the error "CODE injected by faultproxy"
        hold                the command is not forwarded until `release`,
                            and then on a connection of its own; no reply
                            reaches the client on its connection (a
                            command that Redis runs after the client gave
                            up on it)
    fired N                 how many times rule N fired
    del N | clear           removes rule N, or every rule
    release                 sends the held commands; prints how many
    cutall                  closes every connection at once
    conns                   the number of relayed connections open
"""

import hashlib
import os
import queue
import re
import socket
import sys
import threading
import time

lock = threading.Lock()
rules = {}  # number -> Rule
next_rule = 1
scripts = {}  # sha1 -> script name
conns = set()
held = []  # commands held back, raw


def log(msg):
    sys.stderr.write("%s faultproxy: %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


class Rule:
    def __init__(self, action, times, regex):
        self.action = action
        self.left = times if times > 0 else -1
        self.regex = re.compile(regex)
        self.fired = 0


class Reader:
    """Buffered reads from a socket; EOFError when it closes."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        self.buf += data

    def line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                out, self.buf = self.buf[: i + 2], self.buf[i + 2:]
                return out
            self.fill()

    def exact(self, n):
        while len(self.buf) < n:
            self.fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def reply(self):
        """One RESP reply, raw."""
        head = self.line()
        kind = head[:1]
        if kind in (b"$", b"=", b"!"):
            n = int(head[1:-2])
            return head if n < 0 else head + self.exact(n + 2)
        if kind in (b"*", b"~", b">", b"%", b"|"):
            n = int(head[1:-2])
            if kind in (b"%", b"|"):
                n *= 2
            out = head
            for _ in range(max(n, 0)):
                out += self.reply()
            return out
        return head

    def command(self):
        """One command: (raw bytes, list of arguments)."""
        head = self.line()
        if head[:1] != b"*":
            return head, head.split()
        raw, args = head, []
        for _ in range(int(head[1:-2])):
            h = self.line()
            data = self.exact(int(h[1:-2]) + 2)
            raw += h + data
            args.append(data[:-2])
        return raw, args


def script_name(body):
    m = re.search(rb"^-- ([a-z_]+): ARGV", body, re.M)
    return m.group(1).decode() if m else "?"


def describe(args):
    """The text rules match: arguments, with scripts named."""
    if not args:
        return ""
    words = [a.decode("utf-8", "replace") for a in args[:24]]
    name = words[0].upper()
    words[0] = name
    with lock:
        if name == "SCRIPT" and len(args) > 2 and \
                words[1].upper() == "LOAD":
            scripts[hashlib.sha1(args[2]).hexdigest()] = \
                script_name(args[2])
            words[2] = script_name(args[2])
        elif name == "EVAL" and len(args) > 1:
            scripts[hashlib.sha1(args[1]).hexdigest()] = \
                script_name(args[1])
            words[1] = script_name(args[1])
        elif name == "EVALSHA" and len(args) > 1:
            words[1] = scripts.get(words[1].lower(), words[1])
    return " ".join(words)


def decide(text):
    """The action of the first rule that matches text, counted, or None."""
    with lock:
        for n in sorted(rules):
            r = rules[n]
            if r.left != 0 and r.regex.search(text):
                if r.left > 0:
                    r.left -= 1
                r.fired += 1
                log("rule %d: %s: %s" % (n, r.action, text[:200]))
                return r.action
    return None


class Relay:
    """One client connection and its own connection to Redis."""

    def __init__(self, client, upstream_path):
        self.client = client
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.connect(upstream_path)
        self.pending = queue.Queue()  # per command: ("fwd", action) | ...
        self.closed = False

    def close(self):
        with lock:
            conns.discard(self)
            if self.closed:
                return
            self.closed = True
        for s in (self.client, self.server):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.pending.put(None)

    def start(self):
        with lock:
            conns.add(self)
        threading.Thread(target=self.upward, daemon=True).start()
        threading.Thread(target=self.downward, daemon=True).start()

    def upward(self):
        rd = Reader(self.client)
        try:
            while True:
                raw, args = rd.command()
                text = describe(args)
                action = decide(text)
                if action and action.startswith("error:"):
                    self.pending.put(("inject", action[6:]))
                    continue
                if action == "hold":
                    with lock:
                        held.append(raw)
                    self.pending.put(("hold", None))
                    continue
                self.server.sendall(raw)
                if text.split(" ", 1)[0] in ("SUBSCRIBE", "PSUBSCRIBE"):
                    self.pending.put(("raw", None))
                else:
                    self.pending.put(("fwd", action))
        except (EOFError, OSError, ValueError):
            pass
        self.close()

    def downward(self):
        rd = Reader(self.server)
        withheld = False
        try:
            while True:
                item = self.pending.get()
                if item is None:
                    break
                kind, arg = item
                if kind == "raw":
                    while True:
                        if rd.buf:
                            self.client.sendall(rd.buf)
                            rd.buf = b""
                        rd.fill()
                if kind == "hold":
                    withheld = True
                    continue
                if kind == "inject":
                    if not withheld:
                        self.client.sendall(
                            b"-%s injected by faultproxy\r\n" % arg.encode())
                    continue
                reply = rd.reply()
                if arg == "cut":
                    break
                if arg == "drop":
                    withheld = True
                if arg and arg.startswith("delay:"):
                    time.sleep(int(arg[6:]) / 1000)
                if not withheld:
                    self.client.sendall(reply)
        except (EOFError, OSError, ValueError):
            pass
        self.close()


def release(upstream_path):
    """Runs the held commands, each on a connection of its own."""
    with lock:
        cmds = held[:]
        held.clear()
    for raw in cmds:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(upstream_path)
        s.sendall(raw)
        log("released: %s" % Reader(s).reply()[:200])
        s.close()
    return str(len(cmds))


def control(cmd, upstream_path):
    global next_rule
    words = cmd.split(" ", 3)
    if words[0] == "add" and len(words) == 4:
        action, times, regex = words[1], int(words[2]), words[3]
        if not re.match(r"^(cut|drop|hold|delay:\d+|error:\S+)$", action):
            return "ERR unknown action %s" % action
        with lock:
            n = next_rule
            next_rule += 1
            rules[n] = Rule(action, times, regex)
        return str(n)
    if words[0] == "fired" and len(words) == 2:
        with lock:
            r = rules.get(int(words[1]))
        return str(r.fired) if r else "ERR no rule %s" % words[1]
    if words[0] == "del" and len(words) == 2:
        with lock:
            rules.pop(int(words[1]), None)
        return "OK"
    if words[0] == "clear":
        with lock:
            rules.clear()
        return "OK"
    if words[0] == "cutall":
        with lock:
            victims = list(conns)
        for c in victims:
            c.close()
        log("cut %d connections" % len(victims))
        return "OK"
    if words[0] == "release":
        return release(upstream_path)
    if words[0] == "conns":
        with lock:
            return str(len(conns))
    return "ERR unknown command"


def listen(path):
    if os.path.exists(path):
        os.unlink(path)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(64)
    return s


def serve_control(path, upstream_path):
    srv = listen(path)
    while True:
        c, _ = srv.accept()
        with c:
            data = b""
            while not data.endswith(b"\n"):
                chunk = c.recv(4096)
                if not chunk:
                    break
                data += chunk
            try:
                answer = control(data.decode().strip(), upstream_path)
            except (ValueError, re.error, OSError, EOFError) as e:
                answer = "ERR %s" % e
            c.sendall(answer.encode() + b"\n")


def serve(listen_path, upstream_path, control_path):
    srv = listen(listen_path)
    threading.Thread(target=serve_control,
                     args=(control_path, upstream_path),
                     daemon=True).start()
    log("relaying %s to %s" % (listen_path, upstream_path))
    while True:
        c, _ = srv.accept()
        try:
            Relay(c, upstream_path).start()
        except OSError as e:
            log("cannot reach Redis: %s" % e)
            c.close()


def ctl(control_path, words):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(control_path)
    s.sendall(" ".join(words).encode() + b"\n")
    answer = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        answer += chunk
    text = answer.decode().strip()
    print(text)
    return 1 if text.startswith("ERR") else 0


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) >= 4 and sys.argv[1] == "ctl":
        sys.exit(ctl(sys.argv[2], sys.argv[3:]))
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
