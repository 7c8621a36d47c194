#!/bin/bash
# Bad input on the control socket (garbage, a wrong protocol version, an
# oversized length, malformed JSON, a stalled client, many idle clients)
# gets an ERROR answer and/or a close of that connection, quickly, and the
# daemon keeps serving everyone else.
set -eu
. "${0%/*}/../lib.sh"
command -v python3 >/dev/null 2>&1 || fail "python3 is needed"
start_daemon

version=$(sed -n 's/^#define JSV_PROTO_VERSION //p' "$abs_top_srcdir/lib/proto.h")
python3 - "$SOCK" "$JSV_CTL" "$version" <<'PY'
import json, socket, struct, subprocess, sys, time

path, ctl = sys.argv[1], sys.argv[2]
VERSION = int(sys.argv[3])
REQUEST, RECORD, END, ERROR = 1, 2, 3, 4
failures = []

def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    return s

def frame(payload, version=VERSION, ftype=REQUEST, length=None, reserved=0):
    if isinstance(payload, str):
        payload = payload.encode()
    if length is None:
        length = len(payload)
    return struct.pack(">BBHI", version, ftype, reserved, length) + payload

def read_all(s, limit=5.0):
    """Reads until the peer closes or `limit` seconds pass; returns
    (bytes, closed)."""
    data = b""
    end = time.monotonic() + limit
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return data, False
        s.settimeout(left)
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            return data, False
        except ConnectionResetError:
            return data, True
        if not chunk:
            return data, True
        data += chunk

def frames(data):
    out = []
    while len(data) >= 8:
        v, t, r, n = struct.unpack(">BBHI", data[:8])
        if len(data) < 8 + n:
            break
        out.append((v, t, data[8:8 + n]))
        data = data[8 + n:]
    return out, data

def answer(s, req):
    """Sends req, reads frames until END or ERROR."""
    s.sendall(req)
    buf = b""
    got = []
    end = time.monotonic() + 5
    while time.monotonic() < end:
        fs, rest = frames(buf)
        if fs and fs[-1][1] in (END, ERROR):
            return fs
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        buf += chunk
    fs, rest = frames(buf)
    return fs

def check(name, cond, detail=""):
    status = "ok" if cond else "FAILED"
    print("# %-55s %s %s" % (name, status, detail))
    if not cond:
        failures.append(name)

def expect_error_and_close(name, payload, must_answer):
    try:
        s = conn()
    except OSError as e:
        check(name + ": connect", False, str(e))
        return
    t0 = time.monotonic()
    try:
        s.sendall(payload)
    except OSError:
        pass
    data, closed = read_all(s)
    took = time.monotonic() - t0
    s.close()
    fs, rest = frames(data)
    check(name + ": connection closed", closed, "after %.2fs" % took)
    errs = [f for f in fs if f[1] == ERROR]
    if must_answer:
        check(name + ": ERROR frame", len(errs) == 1 and len(fs) == 1,
              repr(data[:200]))
    else:
        check(name + ": nothing but an ERROR frame", len(fs) == len(errs)
              and not rest, repr(data[:200]))
    for v, t, p in errs:
        try:
            o = json.loads(p)
            ok = isinstance(o.get("code"), int) and isinstance(o.get("error"), str)
        except ValueError:
            ok = False
        check(name + ": ERROR payload has code and error", ok, repr(p[:200]))

def still_serving(after):
    r = subprocess.run([ctl, "-s", path, "status"], capture_output=True,
                       timeout=10)
    check("daemon serves after " + after, r.returncode == 0,
          r.stderr.decode(errors="replace").strip())

# A well-formed request first: the framing this test speaks is right.
s = conn()
fs = answer(s, frame(json.dumps({"cmd": "status"})))
check("valid status request answered with END", bool(fs) and fs[-1][1] == END,
      repr(fs[-1:]))
# An unknown command: an ERROR frame.
fs = answer(s, frame(json.dumps({"cmd": "no.such.command"})))
check("unknown command answered with ERROR", bool(fs) and fs[-1][1] == ERROR,
      repr(fs[-1:]))
s.close()

expect_error_and_close("garbage bytes",
                       b"GET / HTTP/1.0\r\nHost: x\r\n\r\n" + bytes(range(256)),
                       must_answer=False)
still_serving("garbage")
expect_error_and_close("wrong protocol version",
                       frame(json.dumps({"cmd": "status"}), version=VERSION + 1),
                       must_answer=False)
still_serving("a wrong version")
expect_error_and_close("non-zero reserved bytes",
                       frame(json.dumps({"cmd": "status"}), reserved=0x4242),
                       must_answer=False)
expect_error_and_close("unknown frame type",
                       frame(json.dumps({"cmd": "status"}), ftype=99),
                       must_answer=False)
# The length is refused before any payload is awaited.
expect_error_and_close("oversized length (no payload sent)",
                       frame(b"", length=0x7fffffff), must_answer=True)
expect_error_and_close("length just over 256 KiB",
                       frame(b"", length=256 * 1024 + 1), must_answer=True)
still_serving("an oversized length")
expect_error_and_close("malformed JSON", frame('{"cmd": "status", '),
                       must_answer=True)
expect_error_and_close("JSON not an object", frame('["status"]'),
                       must_answer=True)
expect_error_and_close("trailing bytes after JSON",
                       frame('{"cmd": "status"} {"cmd": "status"}'),
                       must_answer=True)
expect_error_and_close("deeply nested JSON",
                       frame('{"cmd": ' + "[" * 5000 + "]" * 5000 + "}"),
                       must_answer=True)
expect_error_and_close("invalid UTF-8", frame(b'{"cmd": "\xff\xfe"}'),
                       must_answer=True)
expect_error_and_close("NUL inside the payload", frame(b'{"cmd": "st\x00atus"}'),
                       must_answer=True)
still_serving("malformed JSON")

# A client that sends half a header and stalls does not block the others.
stalled = conn()
stalled.sendall(bytes([VERSION, REQUEST, 0]))
# Neither do many idle clients.
idle = [conn() for _ in range(100)]
still_serving("a stalled client and 100 idle ones")
# A client that disconnects in the middle of a payload.
s = conn()
s.sendall(frame(b"", length=100) + b'{"cmd"')
s.close()
still_serving("a client gone mid-payload")
# Answers of a big list to a client that never reads.
s = conn()
s.sendall(frame(json.dumps({"cmd": "workers", "all": True})) * 200)
still_serving("a client that does not read its answers")
s.close()
for c in idle:
    c.close()
stalled.close()
still_serving("the end")

if failures:
    print("failed checks: " + ", ".join(failures), file=sys.stderr)
    sys.exit(1)
PY
ctl status >/dev/null || fail "daemon does not answer at the end"
proc_alive "$(daemon_pid)" || fail "daemon died"
pass
