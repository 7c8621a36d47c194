# SPDX-License-Identifier: ISC
"""Raw control-protocol peers for the integration tests (lib/proto.h):
frames built and read by hand, so a test can misbehave on purpose."""
import json
import socket
import struct
import time

REQUEST, RECORD, END, ERROR = 1, 2, 3, 4


def proto_version(srcdir):
    with open(srcdir + "/lib/proto.h") as f:
        for line in f:
            if line.startswith("#define JSV_PROTO_VERSION "):
                return int(line.split()[2])
    raise RuntimeError("no JSV_PROTO_VERSION in lib/proto.h")


class Peer:
    def __init__(self, path, version, timeout=10):
        self.version = version
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.buf = b""

    def frame(self, obj):
        payload = json.dumps(obj).encode()
        return struct.pack(">BBHI", self.version, REQUEST, 0,
                           len(payload)) + payload

    def send(self, *objs):
        """Sends requests in one write."""
        self.s.sendall(b"".join(self.frame(o) for o in objs))

    def next(self):
        """The next frame as (type, payload object); None when closed."""
        while True:
            if len(self.buf) >= 8:
                _, t, _, n = struct.unpack(">BBHI", self.buf[:8])
                if len(self.buf) >= 8 + n:
                    p = self.buf[8:8 + n]
                    self.buf = self.buf[8 + n:]
                    return t, json.loads(p)
            try:
                chunk = self.s.recv(65536)
            except ConnectionResetError:
                return None
            if not chunk:
                return None
            self.buf += chunk

    def answer(self):
        """(records, last frame type, last payload) of one answer."""
        records = []
        while True:
            f = self.next()
            if f is None:
                return records, None, None
            if f[0] == RECORD:
                records.append(f[1])
                continue
            return records, f[0], f[1]

    def ask(self, obj):
        self.send(obj)
        return self.answer()

    def closed(self, limit):
        """Waits up to limit seconds for the daemon to close; True if it
        did."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            self.s.settimeout(max(0.1, end - time.monotonic()))
            try:
                chunk = self.s.recv(65536)
            except socket.timeout:
                continue
            except ConnectionResetError:
                return True
            if not chunk:
                return True
            self.buf += chunk
        return False

    def vanish(self, reset=False):
        if reset:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                              struct.pack("ii", 1, 0))
        self.s.close()

    def close(self):
        self.s.close()
