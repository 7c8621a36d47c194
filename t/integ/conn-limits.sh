#!/bin/bash
# Connections from users who may only read are limited, so none of them can
# lock root out: at most 32 per user, and 32 of the 256 slots are kept for
# administrators.  Refused connections get a "too many connections" error.
# A connection with no complete request for 30 s is closed (one that keeps
# asking is not), and its slot is free again.
set -eu
. "${0%/*}/../lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root to connect as other users"
command -v python3 >/dev/null 2>&1 || fail "python3 is needed"
start_daemon
chmod 755 "$JSV_TMP"
chmod 666 "$SOCK"

python3 - "$SOCK" "$abs_top_srcdir" <<'PY'
import json, os, sys, time
sys.path.insert(0, sys.argv[2] + "/t")
from peer import Peer, END, ERROR, proto_version

path = sys.argv[1]
version = proto_version(sys.argv[2])
BUSY = 10  # JSV_E_BUSY
failures = []

def check(name, cond, detail=""):
    print("# %-60s %s %s" % (name, "ok" if cond else "FAILED", detail))
    if not cond:
        failures.append(name)

def open_conns(n):
    """Opens n connections, asks status on each; returns (answered,
    refused, other) with the answered ones kept open."""
    kept, refused, other = [], 0, []
    for _ in range(n):
        try:
            p = Peer(path, version)
        except OSError as e:
            other.append(str(e))
            continue
        try:
            p.send({"cmd": "status"})
        except OSError:
            pass  # a refused one may be closed already: read its error
        recs, t, o = p.answer()
        if t == END:
            kept.append(p)
        elif t == ERROR and o.get("code") == BUSY and \
                "too many connections" in o.get("error", ""):
            refused += 1
            check("refused connection is closed", p.closed(10))
            p.close()
        else:
            other.append(repr((t, o)))
    return kept, refused, other

def closed_within(peers, limit):
    """How many of peers the daemon closes within limit seconds."""
    end = time.monotonic() + limit
    return sum(1 for p in peers
               if p.closed(max(0.1, end - time.monotonic())))

class User:
    """A child process acting as uid, holding its connections."""
    def __init__(self, uid, n):
        r1, w1 = os.pipe()
        r2, w2 = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(r1)
            os.close(w2)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(uid)
            kept, refused, other = open_conns(n)
            os.write(w1, (json.dumps([len(kept), refused, other]) +
                          "\n").encode())
            cmd = os.read(r2, 100).decode()
            closed = 0
            if cmd.startswith("idle"):
                closed = closed_within(kept, 90)
            os.write(w1, (json.dumps(closed) + "\n").encode())
            os._exit(0)
        os.close(w1)
        os.close(r2)
        self.rd = os.fdopen(r1)
        self.wr = w2

    def result(self):
        return json.loads(self.rd.readline())

    def tell(self, cmd):
        os.write(self.wr, cmd.encode())

    def wait(self):
        os.waitpid(self.pid, 0)

# One user: 32 answered, the rest refused.
first = User(60001, 40)
kept, refused, other = first.result()
check("uid 60001: 32 of 40 answered", kept == 32, str(kept))
check("uid 60001: 8 refused as too many", refused == 8, str(refused))
check("uid 60001: nothing else", not other, str(other))

# Six more users fill what is not reserved for administrators.
users = [first]
for uid in range(60002, 60008):
    u = User(uid, 32)
    kept, refused, other = u.result()
    check("uid %d: 32 answered" % uid, kept == 32 and not refused
          and not other, str((kept, refused, other)))
    users.append(u)
late = User(60008, 1)
kept, refused, other = late.result()
check("a new user is refused once the others hold 224", refused == 1,
      str((kept, refused, other)))
late.tell("done")
late.result()
late.wait()

# root still gets in, many times over.
roots, refused, other = open_conns(20)
check("root: 20 connections answered", len(roots) == 20 and not refused,
      str((len(roots), refused, other)))

# Idle connections are closed; one that keeps asking is not.
for u in users:
    u.tell("idle")
busy = roots.pop()
start = time.monotonic()
alive = True
while time.monotonic() - start < 40:
    recs, t, o = busy.ask({"cmd": "status"})
    if t != END:
        alive = False
        break
    time.sleep(2)
check("a connection asking every 2 s stays open for 40 s", alive)
for u in users:
    closed = u.result()
    check("a user's idle connections closed", closed == 32, str(closed))
    u.wait()
check("root's idle connections closed",
      closed_within(roots, 60) == len(roots))
kept, refused, other = open_conns(1)
check("after the idle ones are gone, a user gets in", len(kept) == 1,
      str((len(kept), refused, other)))
if failures:
    sys.exit("failed: " + ", ".join(failures))
PY
proc_alive "$(daemon_pid)" || fail "daemon died"
ctl status >/dev/null || fail "daemon does not answer at the end"
pass
