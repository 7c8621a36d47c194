#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""t/soak/soak.py: the soak test of jobsvc's promise that no acknowledged
job is lost and no job runs twice at once, whatever dies.

It starts one redis-server (appendonly yes, appendfsync always) and several
jobsvcd daemons sharing its namespace, submits thousands of jobs through
jobsvc-ctl (most succeed, some always fail, some fail once, some are unique,
some wait a few seconds with --in, some leave their work to a grandchild
process) while a nemesis SIGKILLs daemons (alone, or with every process of
their session: handlers and their children), pauses Redis with CLIENT PAUSE
for longer than the daemons' 2 s command timeout, makes Redis slower than
that timeout (DEBUG SLEEP: what a daemon sent before giving up still runs),
makes Redis refuse writes for a while (maxmemory 1 byte: OOM error replies),
restarts Redis (SIGTERM or SIGKILL, then again on the same AOF directory)
and cuts every client connection (CLIENT KILL TYPE normal), restarting the
daemons it killed.
Then it lets the service settle and checks, for every job whose submission
was answered with an id:
  lost      `job show` does not find it;
  wrong     it did not end as designed (Success, or Error for the job type
            that always fails), or the ledger lacks the runs that ending
            needs (a Success without a successful run, an Error without
            max_retries + 1 failed runs);
  stuck     still Pending, Running or Scheduled when nothing moved for
            SOAK_SETTLE seconds;
and, for every job that ran at all:
  overlaps  two runs of the job were alive at once: a run found the job's
            flock held (t/soak/handler), or two completed runs' [start, end]
            intervals intersect in the ledger;
and counts the daemons that died without being killed (crashes) or did not
exit 0 on the final SIGTERM.  It prints one line
  jobs N, kills K, pauses P, restarts R, cuts C, lost L, stuck S, overlaps O
(then sleeps, ooms, wrong, crashes) and exits 1 when any of lost, stuck,
overlaps, wrong or crashes is not zero, 77 when redis-server is not
installed.

The job plan and the nemesis' choices come from a seeded RNG: the seed is
printed, and SOAK_SEED=n replays the same plan and the same sequence of
faults (their timing against the jobs still depends on the machine).

Knobs, from the environment:
  SOAK_JOBS          jobs to submit (default 1500)
  SOAK_SECS          the nemesis runs at least this long (default 40 s);
                     submissions are spread over its first three quarters
  SOAK_SEED          the RNG seed (default: random, printed)
  SOAK_DAEMONS       daemons (default 3); SOAK_WORKERS workers each (4)
  SOAK_HEARTBEAT, SOAK_DEAD_TIMEOUT
                     the daemons' heartbeat and dead_timeout (500ms, 8s);
                     dead_timeout must outlast the nemesis' Redis outages
                     (pauses and slow spells of up to 3.5 s), or live
                     pools are declared Dead and their jobs rerun while
                     they still run; write refusals (oom) last up to 3 s
                     longer than dead_timeout on purpose
  SOAK_FAULTS        the faults, comma-separated, among kill (a daemon),
                     killgroup (a daemon and its session), pause, sleep,
                     oom, restart and cut (default: all of them; none: a
                     word that names none, as in SOAK_FAULTS=none)
  SOAK_SETTLE        seconds without any job ending before the jobs left
                     are declared stuck (default 30)
  SOAK_KEEP          1: keep the temporary directory; 0: remove it even
                     after a failure (default: kept only after a failure)
  abs_top_builddir   where daemon/jobsvcd and ctl/jobsvc-ctl are (set by
                     make; default: build/ next to t/, else the top)
"""

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP_SRC = os.environ.get('abs_top_srcdir') or os.path.dirname(
    os.path.dirname(HERE))


def default_builddir():
    """The tree that holds the binaries: make's, else build/, else the top."""
    if os.environ.get('abs_top_builddir'):
        return os.environ['abs_top_builddir']
    build = os.path.join(TOP_SRC, 'build')
    if os.path.exists(os.path.join(build, 'daemon', 'jobsvcd')):
        return build
    return TOP_SRC


TOP_BUILD = default_builddir()
JSVD = os.environ.get('JSVD') or os.path.join(TOP_BUILD, 'daemon', 'jobsvcd')
CTL = os.environ.get('JSV_CTL') or os.path.join(TOP_BUILD, 'ctl',
                                                'jobsvc-ctl')

JOBS = int(os.environ.get('SOAK_JOBS', '1500'))
SECS = float(os.environ.get('SOAK_SECS', '40'))
SEED = int(os.environ.get('SOAK_SEED') or random.SystemRandom().randrange(
    1, 1 << 31))
NDAEMONS = int(os.environ.get('SOAK_DAEMONS', '3'))
WORKERS = int(os.environ.get('SOAK_WORKERS', '4'))
HEARTBEAT = os.environ.get('SOAK_HEARTBEAT', '500ms')
DEAD_TIMEOUT = os.environ.get('SOAK_DEAD_TIMEOUT', '8s')


def duration_ms(text):
    """Milliseconds in a jobsvcd.conf duration such as 8s, 500ms, 1m30s."""
    units = {'ms': 1, 's': 1000, 'm': 60000, 'h': 3600000, 'd': 86400000}
    parts = re.findall(r'(\d+)(ms|s|m|h|d)?', text)
    return sum(int(n) * units[u or 's'] for n, u in parts)


SETTLE = float(os.environ.get('SOAK_SETTLE', '30'))
KEEP = os.environ.get('SOAK_KEEP', '')
# The nemesis' faults and their weights.
FAULTS = {'kill': 25, 'killgroup': 20, 'pause': 10, 'sleep': 10,
          'oom': 10, 'restart': 15, 'cut': 20}
ONLY = os.environ.get('SOAK_FAULTS')
if ONLY:
    FAULTS = {f: w for f, w in FAULTS.items() if f in ONLY.split(',')}

# The job types: queue settings, and how a job of the type must end.
FAIL_RETRIES = 2
QUEUES = {
    'SOAK_OK': ('ok', 0, 'Success'),
    'SOAK_FAIL': ('fail', FAIL_RETRIES, 'Error'),
    'SOAK_FLAKY': ('flaky', 3, 'Success'),
    'SOAK_TREE': ('tree', 0, 'Success'),
}
FINAL = ('Success', 'Error', 'Stopped')
JOB_ID = re.compile(r'^[0-9a-f]{24}$')
# Each ctl call is bounded: a daemon may wait on Redis for a while.
CTL_TIMEOUT = 30

T0 = time.monotonic()


def note(msg):
    """Progress on stderr, with the seconds since the start."""
    sys.stderr.write('# %7.2fs %s\n' % (time.monotonic() - T0, msg))
    sys.stderr.flush()


def proc_session(pid):
    """The session id of PID, or None when it is gone."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            st = f.read()
    except OSError:
        return None
    return int(st.rsplit(')', 1)[1].split()[3])


def proc_cmdline(pid):
    """The command line of PID, arguments joined by blanks ('' if gone)."""
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            return f.read().replace(b'\0', b' ').decode(errors='replace')
    except OSError:
        return ''


class Soak:
    """One run: its directory, Redis, daemons, nemesis and counters."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix='jsv-soak.', dir='/tmp')
        for d in ('redis', 'logs', 'locks'):
            os.mkdir(os.path.join(self.tmp, d))
        self.ledger = os.path.join(self.tmp, 'ledger')
        self.fifo = os.path.join(self.tmp, 'fifo')
        os.mkfifo(self.fifo)
        self.handler = os.path.join(self.tmp, 'handler')
        shutil.copy(os.path.join(HERE, 'handler'), self.handler)
        os.chmod(self.handler, 0o755)
        self.redis_sock = os.path.join(self.tmp, 'redis.sock')
        self.redis = None
        self.lock = threading.Lock()
        self.daemons = {}
        self.started_pids = []   # every daemon pid, for the final sweep
        self.counts = dict(kills=0, pauses=0, sleeps=0, ooms=0, restarts=0,
                           cuts=0)
        self.crashes = []
        self.acked = []          # (id, spec index)
        self.refused = 0         # submissions never answered with an id
        self.dups = 0            # unique jobs refused as duplicates

    # ------------------------------------------------------------- redis

    def redis_cli(self, *args, timeout=10):
        try:
            r = subprocess.run(['redis-cli', '-s', self.redis_sock] +
                               list(args), capture_output=True, text=True,
                               timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        return r.stdout.strip() if r.returncode == 0 else None

    def start_redis(self):
        log = open(os.path.join(self.tmp, 'redis.log'), 'a')
        self.redis = subprocess.Popen(
            ['redis-server', '--port', '0', '--unixsocket', self.redis_sock,
             '--unixsocketperm', '700', '--save', '', '--appendonly', 'yes',
             '--appendfsync', 'always', '--enable-debug-command', 'local',
             '--dir',
             os.path.join(self.tmp, 'redis'), '--daemonize', 'no'],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + 60
        while self.redis_cli('ping', timeout=5) != 'PONG':
            if self.redis.poll() is not None:
                raise SystemExit('redis-server exited (%d): see %s/redis.log'
                                 % (self.redis.returncode, self.tmp))
            if time.monotonic() > deadline:
                raise SystemExit('redis-server does not answer after 60 s')
            time.sleep(0.05)

    def stop_redis(self, sig):
        if self.redis is None:
            return
        if self.redis.poll() is None:
            self.redis.send_signal(sig)
            try:
                self.redis.wait(30)
            except subprocess.TimeoutExpired:
                self.redis.kill()
                self.redis.wait()
        self.redis = None

    # ----------------------------------------------------------- daemons

    def write_conf(self, path):
        lines = ['# written by t/soak/soak.py, seed %d' % SEED,
                 '[jobsvcd]',
                 'redis = unix:' + self.redis_sock,
                 'namespace = soak',
                 'workers = %d' % WORKERS,
                 'log_dir = ' + os.path.join(self.tmp, 'logs'),
                 'stop_grace = 1s',
                 'heartbeat = ' + HEARTBEAT,
                 'dead_timeout = ' + DEAD_TIMEOUT,
                 # Runs lost to killed daemons must not end a job in Error.
                 'crash_retries = 1000',
                 'env = SOAK_LEDGER=' + self.ledger,
                 'env = SOAK_LOCKS=' + os.path.join(self.tmp, 'locks'),
                 'env = SOAK_FIFO=' + self.fifo]
        for name, (mode, retries, _) in QUEUES.items():
            lines += ['', '[queue %s]' % name,
                      'exec = ' + self.handler,
                      'max_retries = %d' % retries,
                      'retry_backoff = 100ms',
                      'retry_backoff_max = 400ms',
                      'env = SOAK_MODE=' + mode]
        with open(path, 'w') as f:
            f.write('\n'.join(lines) + '\n')

    def sock(self, name):
        return os.path.join(self.tmp, name + '.sock')

    def start_daemon(self, name):
        """Starts jobsvcd NAME in its own session; does not wait for it."""
        conf = os.path.join(self.tmp, name + '.conf')
        if not os.path.exists(conf):
            self.write_conf(conf)
        logpath = os.path.join(self.tmp, name + '.log')
        log = open(logpath, 'a')
        log.write('--- %.3f start\n' % time.time())
        log.flush()
        p = subprocess.Popen([JSVD, '-d', '-f', conf, '-s', self.sock(name)],
                             stdout=log, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        with self.lock:
            self.daemons[name] = p
            self.started_pids.append(p.pid)

    def daemon_log(self, name, text):
        with open(os.path.join(self.tmp, name + '.log'), 'a') as log:
            log.write('--- %.3f %s\n' % (time.time(), text))

    def session_pids(self, sids):
        """Our processes (their command line names our directory) in the
        sessions SIDS, whose leaders may be gone: pids are not reused while
        a session has members."""
        pids = []
        for d in os.listdir('/proc'):
            if not d.isdigit() or int(d) == os.getpid():
                continue
            pid = int(d)
            if proc_session(pid) in sids and self.tmp in proc_cmdline(pid):
                pids.append(pid)
        return pids

    @staticmethod
    def kill_all(pids):
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def kill_daemon(self, name, group):
        """SIGKILLs daemon NAME, and with GROUP every process of its
        session (its handlers and their children) too."""
        p = self.daemons.pop(name)
        self.kill_all([p.pid] + (self.session_pids({p.pid}) if group else []))
        p.wait()
        if group:
            # A handler may have forked meanwhile: sweep until none is left.
            for _ in range(20):
                left = self.session_pids({p.pid})
                if not left:
                    break
                self.kill_all(left)
                time.sleep(0.01)
        self.daemon_log(name, 'SIGKILL%s' % (' with its session'
                                             if group else ''))

    def reap_crashed(self):
        """Notes the daemons that exited without being killed."""
        for name, p in list(self.daemons.items()):
            if p.poll() is not None:
                del self.daemons[name]
                self.crashes.append('jobsvcd %s exited by itself (%d)' %
                                    (name, p.returncode))
                note('jobsvcd %s exited by itself (%d)' %
                     (name, p.returncode))

    def ctl(self, name, *args):
        """Runs jobsvc-ctl on daemon NAME: (status, stdout, stderr)."""
        try:
            r = subprocess.run([CTL, '-s', self.sock(name)] + list(args),
                               capture_output=True, text=True,
                               timeout=CTL_TIMEOUT)
        except subprocess.TimeoutExpired:
            return (None, '', 'timed out')
        return (r.returncode, r.stdout.strip(), r.stderr.strip())

    def sweep(self):
        """SIGKILLs whatever of ours is left in the sessions of the daemons
        we started."""
        self.kill_all(self.session_pids(set(self.started_pids)))

    # ----------------------------------------------------------- the plan

    def plan(self):
        """The jobs to submit: (type, params, ctl options, expected status);
        a unique job is planned twice in a row, and some jobs wait a few
        seconds (--in) before they are queued."""
        rng = random.Random(SEED)
        specs = []
        i = 0
        while len(specs) < JOBS:
            x = rng.random()
            if x < 0.05:
                d = rng.uniform(1, 3)
            elif x < 0.45:
                d = rng.uniform(0.01, 0.4)
            else:
                d = 0
            kind = rng.choices(['SOAK_OK', 'unique', 'delayed', 'SOAK_FAIL',
                                'SOAK_FLAKY', 'SOAK_TREE'],
                               [50, 10, 5, 10, 10, 15])[0]
            if kind == 'SOAK_TREE':
                d = rng.uniform(0.3, 2)
            params = {'n': str(i), 'd': '%.3f' % d}
            if kind == 'unique':
                # The copy is refused while the first is pending; whichever
                # is acknowledged must end as the first.
                params = {'u': str(i), 'd': '%.3f' % d}
                specs.append(('SOAK_OK', params, ['--unique'], 'Success'))
                specs.append(('SOAK_OK', params, ['--unique'], 'Success'))
            elif kind == 'delayed':
                specs.append(('SOAK_OK', params,
                              ['--in', '%dms' % rng.randrange(500, 5000)],
                              'Success'))
            else:
                specs.append((kind, params, [], QUEUES[kind][2]))
            i += 1
        return specs[:JOBS]

    # --------------------------------------------------------- submitting

    def submit(self, specs, rng, start, rate, nxt):
        """A submitter thread: takes the next spec from NXT, waits for its
        turn (START + index / RATE) and submits it to a random daemon, the
        next daemon again while it is not answered with an id (5 tries),
        but not after a refusal as a duplicate unique job."""
        while True:
            with self.lock:
                i = nxt[0]
                if i >= len(specs):
                    return
                nxt[0] += 1
                name = 'd%d' % rng.randrange(NDAEMONS)
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            jtype, params, opts, _ = specs[i]
            args = ['submit', jtype, '--params', json.dumps(params)] + opts
            for attempt in range(5):
                rc, out, err = self.ctl(name, *args)
                if rc == 0 and JOB_ID.match(out):
                    with self.lock:
                        self.acked.append((out, i))
                    break
                if 'identical unique job' in err:
                    with self.lock:
                        self.dups += 1
                    break
                time.sleep(0.2)
                name = 'd%d' % ((int(name[1:]) + 1) % NDAEMONS)
            else:
                with self.lock:
                    self.refused += 1

    # ------------------------------------------------------------ nemesis

    def nemesis(self, rng, until):
        """Faults at random intervals until UNTIL() is true."""
        down = {}  # daemon name -> when to start it again
        while not until():
            step_end = time.monotonic() + rng.uniform(0.3, 2.0)
            while time.monotonic() < step_end:
                self.reap_crashed()
                for name in ['d%d' % k for k in range(NDAEMONS)]:
                    if name not in self.daemons and \
                            down.get(name, 0) <= time.monotonic():
                        down.pop(name, None)
                        self.start_daemon(name)
                time.sleep(0.05)
            if not FAULTS:
                continue
            action = rng.choices(list(FAULTS), list(FAULTS.values()))[0]
            wait_after = 0
            if action in ('kill', 'killgroup'):
                name = 'd%d' % rng.randrange(NDAEMONS)
                later = rng.choice([0, 0, rng.uniform(0.2, 3)])
                if name in self.daemons:
                    self.kill_daemon(name, action == 'killgroup')
                    down[name] = time.monotonic() + later
                    self.counts['kills'] += 1
                    note('nemesis: SIGKILL %s%s, back in %.1fs' %
                         (name, ' with its handlers'
                          if action == 'killgroup' else '', later))
            elif action == 'pause':
                ms = rng.randrange(2200, 3500)
                if self.redis_cli('client', 'pause', str(ms)) == 'OK':
                    self.counts['pauses'] += 1
                    note('nemesis: CLIENT PAUSE %d' % ms)
                    wait_after = ms / 1000 + 1
            elif action == 'sleep':
                # Redis itself is slow: what the daemons sent meanwhile,
                # even on connections they gave up on, runs afterwards.
                ms = rng.randrange(2200, 3500)
                if self.redis_cli('debug', 'sleep', '%.3f' % (ms / 1000),
                                  timeout=30) == 'OK':
                    self.counts['sleeps'] += 1
                    note('nemesis: DEBUG SLEEP %.3f' % (ms / 1000))
                    wait_after = 1
            elif action == 'oom':
                # Redis refuses writes (OOM error replies) for a while,
                # at times for longer than dead_timeout.
                ms = rng.randrange(300, duration_ms(DEAD_TIMEOUT) + 3000)
                if self.redis_cli('config', 'set', 'maxmemory', '1') == 'OK':
                    time.sleep(ms / 1000)
                    while self.redis_cli('config', 'set', 'maxmemory',
                                         '0') != 'OK':
                        time.sleep(0.1)
                    self.counts['ooms'] += 1
                    note('nemesis: maxmemory 1 byte for %d ms' % ms)
                    wait_after = 1
            elif action == 'restart':
                sig = rng.choice([signal.SIGTERM, signal.SIGKILL])
                down_for = rng.uniform(0, 1)
                self.stop_redis(sig)
                time.sleep(down_for)
                self.start_redis()
                self.counts['restarts'] += 1
                note('nemesis: redis restarted after %s, down %.1fs more' %
                     (signal.Signals(sig).name, down_for))
                wait_after = 1
            else:
                n = self.redis_cli('client', 'kill', 'type', 'normal')
                if n is not None:
                    self.counts['cuts'] += 1
                    note('nemesis: CLIENT KILL TYPE normal: %s' % n)
            # Outages do not follow each other closely: a live pool's
            # heartbeat must not go stale for longer than dead_timeout.
            time.sleep(wait_after)
        self.reap_crashed()
        for name in ['d%d' % k for k in range(NDAEMONS)]:
            if name not in self.daemons:
                self.start_daemon(name)

    # ------------------------------------------------------------ settling

    def job_status(self, jid):
        """'missing', None (no answer) or the job's status."""
        name = 'd%d' % (int(jid[-6:], 16) % NDAEMONS)
        rc, out, err = self.ctl(name, '-j', 'job', 'show', jid)
        if rc == 0:
            try:
                return json.loads(out).get('status')
            except ValueError:
                return None
        if rc == 1 and 'not found' in err:
            return 'missing'
        return None

    def settle(self):
        """Polls the acknowledged jobs until each has ended or nothing moved
        for SETTLE seconds; returns {id: last status seen}."""
        deadline = time.monotonic() + 120
        for name in list(self.daemons):
            while self.ctl(name, 'status')[0] != 0:
                if time.monotonic() > deadline:
                    raise SystemExit('jobsvcd %s does not answer after '
                                     'the nemesis' % name)
                time.sleep(0.1)
        status = {}
        todo = [jid for jid, _ in self.acked]
        last_move = time.monotonic()
        while todo:
            left = []
            for jid in todo:
                s = self.job_status(jid)
                status[jid] = s
                if s in FINAL or s == 'missing':
                    last_move = time.monotonic()
                else:
                    left.append(jid)
            if len(left) != len(todo):
                note('settling: %d jobs not ended' % len(left))
            todo = left
            if todo and time.monotonic() - last_move > SETTLE:
                note('settling: %d jobs did not end in %.0fs' %
                     (len(todo), SETTLE))
                break
            if todo:
                time.sleep(0.5)
        return status

    def stop_all(self):
        """SIGTERM to every daemon; each must exit 0."""
        for p in self.daemons.values():
            p.send_signal(signal.SIGTERM)
        for name, p in list(self.daemons.items()):
            try:
                rc = p.wait(60)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                rc = 'still running 60 s after SIGTERM'
            if rc != 0:
                self.crashes.append('jobsvcd %s exited %s on SIGTERM' %
                                    (name, rc))
            self.daemon_log(name, 'end: %s' % rc)
        self.daemons = {}

    # --------------------------------------------------------- the checks

    def read_ledger(self):
        """{job id: {'runs': {pid: [start, end]}, 'O': n, 'E': [status]}}"""
        jobs = {}
        try:
            f = open(self.ledger)
        except FileNotFoundError:
            return jobs
        with f:
            for line in f:
                w = line.split()
                if len(w) != 5:
                    continue
                j = jobs.setdefault(w[1], {'runs': {}, 'O': 0, 'E': []})
                if w[0] == 'S':
                    j['runs'][w[3]] = [int(w[2]), None]
                elif w[0] == 'E':
                    j['runs'].setdefault(w[3], [None, None])[1] = int(w[2])
                    j['E'].append(w[4])
                elif w[0] == 'O':
                    j['O'] += 1
        return jobs

    @staticmethod
    def overlapped(j):
        """Whether job ledger entry J shows two runs alive at once."""
        if j['O']:
            return True
        spans = sorted(r for r in j['runs'].values() if None not in r)
        return any(b[0] < a[1] for a, b in zip(spans, spans[1:]))

    def check(self, specs, status):
        ledger = self.read_ledger()
        problems = []
        lost = stuck = wrong = 0
        for jid, i in self.acked:
            jtype, params, _, want = specs[i]
            s = status.get(jid)
            runs = ledger.get(jid, {'E': []})['E']
            why = None
            if s == 'missing':
                lost += 1
                why = 'lost'
            elif s not in FINAL:
                stuck += 1
                why = 'stuck'
            elif s != want:
                wrong += 1
                why = 'wrong'
            elif want == 'Success' and '0' not in runs:
                wrong += 1
                why = 'Success without a successful run'
            elif want == 'Error' and runs.count('3') < FAIL_RETRIES + 1:
                wrong += 1
                why = 'Error after %d failed runs' % runs.count('3')
            if why:
                problems.append('%s %s %s: %s, expected %s; ended runs %s' %
                                (why, jid, jtype, s, want, runs))
        overlaps = 0
        types = {jid: specs[i][0] for jid, i in self.acked}
        for jid, j in sorted(ledger.items()):
            if self.overlapped(j):
                overlaps += 1
                problems.append('overlap %s %s: %d runs found the lock held;'
                                ' runs (pid: [start, end] us) %s' %
                                (jid, types.get(jid, '(unacknowledged)'),
                                 j['O'], j['runs']))
        return lost, stuck, wrong, overlaps, problems

    def report_problems(self, problems):
        for line in problems[:40]:
            print('  ' + line)
        if len(problems) > 40:
            print('  ... and %d more' % (len(problems) - 40))

    # ---------------------------------------------------------------- run

    def run(self):
        note('seed %d: %d jobs, %d daemons x %d workers, nemesis %.0fs, '
             'heartbeat %s, dead_timeout %s, in %s' %
             (SEED, JOBS, NDAEMONS, WORKERS, SECS, HEARTBEAT, DEAD_TIMEOUT,
              self.tmp))
        self.start_redis()
        for k in range(NDAEMONS):
            self.start_daemon('d%d' % k)
        specs = self.plan()
        start = time.monotonic()
        rate = len(specs) / max(SECS * 0.75, 1)
        nxt = [0]
        threads = [threading.Thread(
            target=self.submit,
            args=(specs, random.Random(SEED * 7 + k), start, rate, nxt),
            daemon=True)
            for k in range(3)]
        for t in threads:
            t.start()

        def until():
            return time.monotonic() - start >= SECS and \
                not any(t.is_alive() for t in threads)

        self.nemesis(random.Random(SEED + 1), until)
        for t in threads:
            t.join()
        note('nemesis over: %d jobs acknowledged, %d refused as duplicates, '
             '%d never answered; settling' %
             (len(self.acked), self.dups, self.refused))
        status = self.settle()
        self.stop_all()
        self.sweep()
        lost, stuck, wrong, overlaps, problems = self.check(specs, status)
        c = self.counts
        print('seed %d: jobs %d, kills %d, pauses %d, restarts %d, cuts %d, '
              'lost %d, stuck %d, overlaps %d; sleeps %d, ooms %d, '
              'wrong %d, crashes %d' %
              (SEED, len(self.acked), c['kills'], c['pauses'],
               c['restarts'], c['cuts'], lost, stuck, overlaps, c['sleeps'],
               c['ooms'], wrong, len(self.crashes)))
        for line in self.crashes:
            print('  ' + line)
        self.report_problems(problems)
        return 1 if (lost or stuck or overlaps or wrong or self.crashes) \
            else 0

    def cleanup(self, rc):
        for p in self.daemons.values():
            if p.poll() is None:
                p.kill()
                p.wait()
        self.daemons = {}
        self.stop_redis(signal.SIGKILL)
        self.sweep()
        if KEEP == '1' or (rc != 0 and KEEP != '0'):
            print('# kept %s (seed %d)' % (self.tmp, SEED))
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def main():
    if shutil.which('redis-server') is None:
        print('SKIP: soak: redis-server is not installed', file=sys.stderr)
        return 77
    for tool in ('redis-cli', 'flock'):
        if shutil.which(tool) is None:
            print('FAIL: soak: %s is needed' % tool, file=sys.stderr)
            return 99
    for path in (JSVD, CTL):
        if not os.access(path, os.X_OK):
            print('FAIL: soak: no %s (build first)' % path, file=sys.stderr)
            return 99
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    soak = Soak()
    rc = 99
    try:
        rc = soak.run()
    finally:
        soak.cleanup(rc)
    return rc


if __name__ == '__main__':
    sys.exit(main())
