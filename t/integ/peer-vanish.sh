#!/bin/bash
# Peers that send a request, or half of one, and vanish before the answer
# (closing, or resetting the connection), for every kind of request: queue.stop on an
# empty queue (answered at once) and on a full one (answered later), reads,
# actions.  The daemon must not touch a closed connection: it keeps running
# and serving, and a request sent together with another is answered in
# order on a connection that stays.
set -eu
. "${0%/*}/../lib.sh"
command -v python3 >/dev/null 2>&1 || fail "python3 is needed"
start_daemon

ctl queue pause RECORD >/dev/null
done_id=$(submit OK --execution ex-vanish)
wait_status "$done_id" Success

python3 - "$SOCK" "$abs_top_srcdir" "$done_id" <<'PY'
import subprocess, sys
sys.path.insert(0, sys.argv[2] + "/t")
from peer import Peer, END, proto_version

path, job = sys.argv[1], sys.argv[3]
version = proto_version(sys.argv[2])
record = {"name": "RECORD", "parameters": {"file": "/nonexistent"}}
requests = [
    {"cmd": "queue.stop", "types": ["OK"]},
    {"cmd": "queue.stop", "all": True},
    {"cmd": "status"},
    {"cmd": "queues"},
    {"cmd": "pools"},
    {"cmd": "workers", "all": True},
    {"cmd": "job.show", "id": job},
    {"cmd": "job.log", "id": job},
    {"cmd": "execution.show", "id": "ex-vanish"},
    {"cmd": "schedules"},
    {"cmd": "queue.pause", "types": ["FAIL"]},
    {"cmd": "queue.resume", "types": ["FAIL"]},
    {"cmd": "job.stop", "id": "0" * 24},
    {"cmd": "no.such.command"},
]

def fill():
    """RECORD jobs waiting in their paused queue, for a stop that takes
    the loop a while."""
    p = Peer(path, version)
    recs, t, end = p.ask({"cmd": "submit", "jobs": [record] * 500})
    p.close()
    if t != END or end["submitted"] != 500:
        sys.exit("cannot submit: %r" % (end,))

for rnd in range(20):
    fill()
    for i, req in enumerate(requests):
        p = Peer(path, version)
        p.send(req)
        p.vanish(reset=(rnd + i) % 2 == 1)
        # Gone in the middle of a request's frame.
        p = Peer(path, version)
        f = p.frame(req)
        p.s.sendall(f[:len(f) // 2])
        p.vanish(reset=(rnd + i) % 2 == 0)
    # Two requests in one write, the first answered from a callback.
    fill()
    p = Peer(path, version)
    p.send({"cmd": "queue.stop", "types": ["RECORD"]}, {"cmd": "status"})
    first = p.answer()
    second = p.answer()
    p.close()
    if first[1] != END or "Stopped" not in first[2]["message"]:
        sys.exit("queue.stop then status: first answer %r" % (first,))
    if second[1] != END or "workers" not in second[2]:
        sys.exit("queue.stop then status: second answer %r" % (second,))
    # A stop of an empty queue then a status, in one write.
    p = Peer(path, version)
    p.send({"cmd": "queue.stop", "types": ["OK"]}, {"cmd": "status"})
    first, second = p.answer(), p.answer()
    p.close()
    if first[1] != END or second[1] != END:
        sys.exit("empty stop then status: %r %r" % (first, second))
PY

proc_alive "$(daemon_pid)" || fail "daemon died"
ctl status >/dev/null || fail "daemon does not answer at the end"
job=$(submit OK)
wait_status "$job" Success
pass
