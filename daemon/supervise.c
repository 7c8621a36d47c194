/* SPDX-License-Identifier: ISC */
/*
 * The supervisor of one job's processes: the handler's parent and a child
 * subreaper, so every process the handler starts, however it detaches (a
 * background job, setsid, a double fork), stays its descendant.  With a
 * cgroup, the handler and its descendants also run in the job's cgroup
 * (made here, removed at the end), which cgroup.kill empties in one step.
 * When the handler exits, when jobsvcd asks, or when jobsvcd dies (the
 * parent-death signal), whatever is left of the job is killed and reaped,
 * so a job's processes never outlive its run.  It tells on fd 4 how the
 * handler ended, once all of it is gone:
 *	SIGTERM	is passed on to every process of the job;
 *	SIGUSR1	(SUPERVISOR_KILL) kills every process of the job (SIGKILL).
 *
 * Its name (comm) is jobsvc-run.  It costs one process, not one program: a clone of the daemon that
 * shares the daemon's memory (CLONE_VM, as vfork does) and runs on a stack
 * of its own, so that starting it copies nothing and executes nothing;
 * starting a job costs about what starting its handler does.  Sharing the
 * daemon's memory while both run, it must not touch what the daemon uses:
 * it calls no C library function that keeps state (no malloc, no stdio,
 * not even errno: system calls are made directly, sv_call), reads only the
 * area its stack is in, and is built without the address sanitizer's
 * instrumentation (whose run-time state is the daemon's).  Where sv_call
 * has no direct form, or under valgrind (which refuses such a clone), the supervisor is
 * an ordinary copy of the daemon instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "supervise.h"

#if defined(__x86_64__) || defined(__aarch64__)
#define SV_SHARED_VM CLONE_VM
#else
#define SV_SHARED_VM 0
#endif

/* What runs in the supervisor (and its vfork child) is not instrumented. */
#define SV_CHILD __attribute__((no_sanitize("address")))

#define SV_PAGE 4096
#define SV_HANDLER_STACK (32 * 1024) /* the handler until its execve */
#define SV_STACK (128 * 1024) /* the supervisor */
/* Descendants found at a time; the rest, the next time. */
#define SV_MAX_PROCS 1024

struct supervise_area {
	const char *path;
	char *const *env;
	char cgroup[PATH_MAX]; /* "" when none */
	int fd[5];
	unsigned nice; /* added to the daemon's nice value */
	pid_t daemon; /* the supervisor's parent */
	pid_t self; /* the supervisor */
	int cgfd; /* the cgroup's cgroup.procs, or -1 */
	int exec_fd; /* where the handler's execve tells why it failed */
	pid_t handler;
	int handler_status; /* wait status once reaped, or -1 */
};

/* The layout of an area's mapping, each stack above a guard page. */
#define SV_AREA_SIZE \
	((sizeof(struct supervise_area) + SV_PAGE - 1) / SV_PAGE * SV_PAGE)
#define SV_HANDLER_BASE (SV_AREA_SIZE + SV_PAGE)
#define SV_STACK_BASE (SV_HANDLER_BASE + SV_HANDLER_STACK + SV_PAGE)
#define SV_MAP_SIZE (SV_STACK_BASE + SV_STACK)

/* A system call that leaves errno alone: the result, or -errno. */
#if defined(__x86_64__)
SV_CHILD static long sv_call(long n, long a, long b, long c, long d, long e)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
SV_CHILD static long sv_call(long n, long a, long b, long c, long d, long e)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;

	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4)
			 : "memory", "cc");
	return x0;
}
#else
/* In a copy of the daemon, errno is the copy's own. */
static long sv_call(long n, long a, long b, long c, long d, long e)
{
	long ret = syscall(n, a, b, c, d, e);

	return ret < 0 ? -errno : ret;
}
#endif

#define SV0(n) sv_call(SYS_##n, 0, 0, 0, 0, 0)
#define SV1(n, a) sv_call(SYS_##n, (long)(a), 0, 0, 0, 0)
#define SV2(n, a, b) sv_call(SYS_##n, (long)(a), (long)(b), 0, 0, 0)
#define SV3(n, a, b, c) sv_call(SYS_##n, (long)(a), (long)(b), (long)(c), 0, 0)
#define SV4(n, a, b, c, d) \
	sv_call(SYS_##n, (long)(a), (long)(b), (long)(c), (long)(d), 0)

/* The kernel's sigset_t and struct sigaction. */
typedef unsigned long sv_sigset;
#define SV_SIG(s) (1UL << ((s)-1))

struct sv_sigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	sv_sigset mask;
};

SV_CHILD static void sv_exit(int code)
{
	for (;;)
		SV1(exit, code);
}

SV_CHILD static size_t sv_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* Appends s to buf[*n] within cap, always terminated. */
SV_CHILD static void sv_cat(char *buf, size_t cap, size_t *n, const char *s)
{
	while (*s && *n + 1 < cap)
		buf[(*n)++] = *s++;
	buf[*n] = '\0';
}

/* Appends the decimal v (at least 0) to buf[*n] within cap. */
SV_CHILD static void sv_cat_num(char *buf, size_t cap, size_t *n, long v)
{
	char digits[24];
	size_t k = sizeof(digits) - 1;

	digits[k] = '\0';
	do
		digits[--k] = (char)('0' + v % 10);
	while ((v /= 10) && k);
	sv_cat(buf, cap, n, digits + k);
}

SV_CHILD static long sv_parse_num(const char *s)
{
	long v = 0;

	while (*s >= '0' && *s <= '9')
		v = 10 * v + (*s++ - '0');
	return v;
}

SV_CHILD static int sv_open(const char *path, int flags)
{
	return (int)SV4(openat, AT_FDCWD, path, flags | O_CLOEXEC, 0);
}

/* The one line jobsvcd reads before the supervisor exits. */
SV_CHILD static void sv_report(const char *what, long value)
{
	char line[48];
	size_t n = 0;

	sv_cat(line, sizeof(line), &n, what);
	sv_cat(line, sizeof(line), &n, " ");
	sv_cat_num(line, sizeof(line), &n, value);
	sv_cat(line, sizeof(line), &n, "\n");
	if (SV3(write, 4, line, n) != (long)n)
		sv_exit(1); /* jobsvcd is gone: nobody to tell */
}

/* Reaps every child that ended; returns false when none is left. */
SV_CHILD static bool sv_reap(struct supervise_area *a)
{
	long pid;
	int st;

	for (;;) {
		pid = SV4(wait4, -1, &st, WNOHANG, 0);
		if (pid == 0)
			return true;
		if (pid == -EINTR)
			continue;
		if (pid < 0)
			return pid != -ECHILD;
		if (pid == a->handler)
			a->handler_status = st;
	}
}

/* The parent of the process /proc/name, or -1 when it is gone. */
SV_CHILD static long sv_parent_of(const char *name)
{
	char path[64], buf[512], *p = NULL;
	size_t n = 0, i;
	long len;
	int fd;

	sv_cat(path, sizeof(path), &n, "/proc/");
	sv_cat(path, sizeof(path), &n, name);
	sv_cat(path, sizeof(path), &n, "/stat");
	fd = sv_open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	len = SV3(read, fd, buf, sizeof(buf) - 1);
	SV1(close, fd);
	if (len <= 0)
		return -1;
	buf[len] = '\0';
	/* "pid (comm) state ppid ...": comm may hold anything but the ')'. */
	for (i = 0; i < (size_t)len; i++)
		if (buf[i] == ')')
			p = buf + i;
	if (!p || sv_strlen(p) < 5)
		return -1;
	return sv_parse_num(p + 4);
}

SV_CHILD static bool sv_holds(const long *set, size_t n, long pid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (set[i] == pid)
			return true;
	return false;
}

/*
 * Adds to mine[*n] the processes of /proc whose parent is in it (or is
 * this process); returns whether it found any.
 */
SV_CHILD static bool sv_scan(long self, long *mine, size_t *n)
{
	char buf[4096];
	bool found = false;
	long len, off, pid, ppid;
	int fd;

	fd = sv_open("/proc", O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return false;
	while ((len = SV3(getdents64, fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < len;) {
			/* struct linux_dirent64: ino, off, reclen, type, name */
			const unsigned char *rec = (unsigned char *)buf + off;
			const char *name = buf + off + 19;

			off += rec[16] | rec[17] << 8;
			if (name[0] < '1' || name[0] > '9')
				continue;
			pid = sv_parse_num(name);
			if (pid == self || sv_holds(mine, *n, pid))
				continue;
			ppid = sv_parent_of(name);
			if (ppid != self && !sv_holds(mine, *n, ppid))
				continue;
			if (*n < SV_MAX_PROCS) {
				mine[(*n)++] = pid;
				found = true;
			}
		}
	}
	SV1(close, fd);
	return found;
}

/*
 * Sends sig to every descendant of this process, found in /proc.  Orphans
 * come back to us (subreaper), so each process of the job is found as long
 * as its ancestors were; one that a dying parent starts meanwhile is found
 * the next time.
 */
SV_CHILD static void sv_signal_tree(const struct supervise_area *a, int sig)
{
	long mine[SV_MAX_PROCS];
	size_t n = 0, i;

	while (sv_scan(a->self, mine, &n))
		;
	for (i = 0; i < n; i++)
		SV2(kill, mine[i], sig);
}

/*
 * Kills every process of the job: cgroup.kill does it at once; the tree of
 * descendants is the way without a cgroup, and for processes that left it.
 */
SV_CHILD static void sv_kill_job(const struct supervise_area *a, bool tree)
{
	char path[PATH_MAX + 16];
	size_t n = 0;
	int fd;

	if (a->cgroup[0] && !tree) {
		sv_cat(path, sizeof(path), &n, a->cgroup);
		sv_cat(path, sizeof(path), &n, "/cgroup.kill");
		fd = sv_open(path, O_WRONLY);
		if (fd >= 0) {
			n = (size_t)SV3(write, fd, "1", 1);
			SV1(close, fd);
			if (n == 1)
				return;
		}
	}
	sv_signal_tree(a, SIGKILL);
}

/* Kills what is left of the job until nothing is, reaping it all. */
SV_CHILD static void sv_kill_all(struct supervise_area *a, sv_sigset *set)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	bool tree = false;
	siginfo_t si;

	while (sv_reap(a)) {
		sv_kill_job(a, tree);
		tree = true;
		SV4(rt_sigtimedwait, set, &si, &ts, sizeof(*set));
	}
}

/* The cgroup is empty once its processes are reaped; rmdir may lag. */
SV_CHILD static void sv_cgroup_remove(const struct supervise_area *a)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	long rv;
	int i;

	for (i = 0; a->cgroup[0] && i < 100; i++) {
		rv = SV3(unlinkat, AT_FDCWD, a->cgroup, AT_REMOVEDIR);
		if (rv != -EBUSY)
			return;
		SV2(nanosleep, &ts, 0);
	}
}

/* Makes the job's cgroup and opens its cgroup.procs, or says why not. */
SV_CHILD static void sv_cgroup_setup(struct supervise_area *a)
{
	char path[PATH_MAX + 64];
	size_t n = 0;
	long rv;

	a->cgfd = -1;
	if (!a->cgroup[0])
		return;
	rv = SV3(mkdirat, AT_FDCWD, a->cgroup, 0755);
	if (rv == 0 || rv == -EEXIST) {
		sv_cat(path, sizeof(path), &n, a->cgroup);
		sv_cat(path, sizeof(path), &n, "/cgroup.procs");
		a->cgfd = sv_open(path, O_WRONLY);
		if (a->cgfd >= 0)
			return;
		rv = a->cgfd;
		SV3(unlinkat, AT_FDCWD, a->cgroup, AT_REMOVEDIR);
	}
	n = 0;
	sv_cat(path, sizeof(path), &n, "jobsvcd: cannot use the cgroup ");
	sv_cat(path, sizeof(path), &n, a->cgroup);
	sv_cat(path, sizeof(path), &n, ": error ");
	sv_cat_num(path, sizeof(path), &n, -rv);
	sv_cat(path, sizeof(path), &n, "\n");
	SV3(write, 2, path, n);
	a->cgroup[0] = '\0';
	a->cgfd = -1;
}

/*
 * The handler, until its execve: in the job's cgroup when there is one, in
 * its own process group, killed if the supervisor dies, with SIGPIPE as
 * the default and no signal blocked.
 */
SV_CHILD static int sv_handler_main(void *arg)
{
	struct supervise_area *a = arg;
	struct sv_sigaction dfl = { 0 };
	char *argv[2] = { (char *)a->path, NULL };
	sv_sigset none = 0;
	long err;

	/* Outside the cgroup, the tree of descendants is still ours to kill. */
	if (a->cgfd >= 0)
		SV3(write, a->cgfd, "0", 1);
	SV2(setpgid, 0, 0);
	SV2(prctl, PR_SET_PDEATHSIG, SIGKILL);
	if (SV0(getppid) != a->self)
		sv_exit(127);
	SV4(rt_sigaction, SIGPIPE, &dfl, 0, sizeof(sv_sigset));
	SV4(rt_sigprocmask, SIG_SETMASK, &none, 0, sizeof(none));
	err = SV3(execve, a->path, argv, a->env);
	SV3(write, a->exec_fd, &err, sizeof(err));
	sv_exit(127);
	return 127;
}

/* The job's fds become 0 to 4, 4 close-on-exec, and no other is open. */
SV_CHILD static void sv_take_fds(const struct supervise_area *a)
{
	int i;

	for (i = 0; i < 5; i++)
		SV3(dup3, a->fd[i], i, 0);
	SV3(fcntl, 4, F_SETFD, FD_CLOEXEC);
	SV3(close_range, 5, ~0U, 0);
}

/*
 * Makes the job inc nice levels nicer than the daemon (19 at most), so
 * that the daemon's loop, which ends jobs and starts the next ones, and the
 * Redis it waits for are not kept waiting by the handlers they run: on a
 * busy machine a pool of handlers would otherwise take the CPUs from them
 * and leave workers idle.  Raising a nice value needs no privilege.
 */
SV_CHILD static void sv_renice(unsigned inc)
{
	/* The system call gives 20 - nice, 1 to 40, or -errno. */
	long prio = SV2(getpriority, PRIO_PROCESS, 0);
	long nice = 20 - prio + (long)inc;

	if (inc == 0 || prio <= 0)
		return;
	SV3(setpriority, PRIO_PROCESS, 0, nice > 19 ? 19 : nice);
}

/* Runs the handler to its end and everything it left behind with it. */
SV_CHILD static int sv_main(void *arg)
{
	struct supervise_area *a = arg;
	struct sv_sigaction ign = { .handler = SIG_IGN };
	sv_sigset set = SV_SIG(SIGTERM) | SV_SIG(SUPERVISOR_KILL) |
			SV_SIG(SIGCHLD),
		  pending = 0;
	siginfo_t si;
	long pid, sig, err = 0;
	int ep[2];

	SV4(rt_sigprocmask, SIG_SETMASK, &set, 0, sizeof(set));
	SV4(rt_sigaction, SIGPIPE, &ign, 0, sizeof(sv_sigset));
	SV2(setpgid, 0, 0);
	/* Dies with the daemon; if it is already gone, runs nothing. */
	SV2(prctl, PR_SET_PDEATHSIG, SUPERVISOR_KILL);
	if (SV0(getppid) != a->daemon)
		sv_exit(127);
	SV2(prctl, PR_SET_CHILD_SUBREAPER, 1);
	/* Its command line is the daemon's: its name says what it is. */
	SV2(prctl, PR_SET_NAME, "jobsvc-run");
	a->self = (pid_t)SV0(getpid);
	sv_take_fds(a);
	sv_renice(a->nice);
	/* Killed before the handler started: run nothing. */
	SV2(rt_sigpending, &pending, sizeof(pending));
	if (pending & SV_SIG(SUPERVISOR_KILL)) {
		sv_report("signal", SIGKILL);
		sv_exit(0);
	}
	sv_cgroup_setup(a);
	a->handler_status = -1;
	err = SV2(pipe2, ep, O_CLOEXEC);
	pid = -1;
	if (err == 0) {
		a->exec_fd = ep[1];
		/* clone() sets errno only when it fails: no handler then. */
		pid = clone(sv_handler_main,
			    (char *)a + SV_HANDLER_BASE + SV_HANDLER_STACK,
			    SV_SHARED_VM | CLONE_VFORK | SIGCHLD, a);
		SV1(close, ep[1]);
		if (pid < 0 ||
		    SV3(read, ep[0], &err, sizeof(err)) != (long)sizeof(err))
			err = pid < 0 ? -EAGAIN : 0;
		SV1(close, ep[0]);
	}
	if (a->cgfd >= 0)
		SV1(close, a->cgfd);
	if (err < 0) {
		if (pid > 0)
			SV4(wait4, pid, 0, 0, 0);
		sv_report("exec", -err);
		sv_cgroup_remove(a);
		sv_exit(0);
	}
	a->handler = (pid_t)pid;
	/* The job's fds are the handler's: keep only stderr, for messages. */
	SV1(close, 0);
	SV1(close, 1);
	SV1(close, 3);

	while (a->handler_status < 0) {
		sig = SV4(rt_sigtimedwait, &set, &si, 0, sizeof(set));
		if (sig == SIGTERM)
			sv_signal_tree(a, SIGTERM);
		else if (sig == SUPERVISOR_KILL)
			sv_kill_job(a, false);
		else if (sig == SIGCHLD && !sv_reap(a))
			break;
	}
	sv_kill_all(a, &set);
	sv_cgroup_remove(a);
	if (a->handler_status < 0)
		sv_report("signal", SIGKILL);
	else if (WIFEXITED(a->handler_status))
		sv_report("exit", WEXITSTATUS(a->handler_status));
	else
		sv_report("signal", WTERMSIG(a->handler_status));
	sv_exit(0);
	return 0;
}

/*
 * How to start a supervisor: sharing the daemon's memory, except under
 * valgrind, which stops a program that clones that way: a copy then.
 */
static int sv_clone_flags(void)
{
	static int flags = -1;
	const char *preload;

	if (flags < 0) {
		preload = getenv("LD_PRELOAD");
		flags = SIGCHLD;
		if (!preload || !strstr(preload, "/vgpreload_"))
			flags |= SV_SHARED_VM;
	}
	return flags;
}

pid_t supervise_start(struct supervise_area **area,
		      const struct supervise_job *job)
{
	struct supervise_area *a = *area;
	char *map;
	pid_t pid;
	size_t len;

	if (!a) {
		map = mmap(NULL, SV_MAP_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
		if (map == MAP_FAILED)
			return -1;
		if (mprotect(map + SV_AREA_SIZE, SV_PAGE, PROT_NONE) < 0 ||
		    mprotect(map + SV_STACK_BASE - SV_PAGE, SV_PAGE,
			     PROT_NONE) < 0) {
			munmap(map, SV_MAP_SIZE);
			return -1;
		}
		*area = a = (struct supervise_area *)map;
	}
	a->path = job->path;
	a->env = job->env;
	a->cgroup[0] = '\0';
	if (job->cgroup) {
		len = strlen(job->cgroup);
		if (len >= sizeof(a->cgroup)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(a->cgroup, job->cgroup, len + 1);
	}
	memcpy(a->fd, job->fd, sizeof(a->fd));
	a->nice = job->nice;
	a->daemon = getpid();
	map = (char *)a + SV_STACK_BASE + SV_STACK;
	pid = clone(sv_main, map, sv_clone_flags(), a);
	/* Both sides set the group, so signals reach it from the start. */
	if (pid > 0)
		setpgid(pid, pid);
	return pid;
}

void supervise_free(struct supervise_area *area)
{
	if (area)
		munmap(area, SV_MAP_SIZE);
}
