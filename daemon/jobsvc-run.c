/* SPDX-License-Identifier: ISC */
/*
 * jobsvc-run: the supervisor of one job's processes, started by jobsvcd for
 * each job as "jobsvc-run [-c CGROUP] HANDLER" and never by hand.
 *
 * It is the handler's parent and a child subreaper, so every process the
 * handler starts, however it detaches (a background job, setsid, a double
 * fork), stays its descendant.  With -c, the handler and its descendants
 * also run in the cgroup CGROUP (created here, removed at the end), which
 * cgroup.kill empties in one step.  When the handler exits, when jobsvcd asks
 * or when jobsvcd dies, whatever is left of the job is killed and reaped, so
 * a job's processes never outlive its run.
 *
 * jobsvcd gives it the handler's fds (0 parameters, 1 and 2 the job log, 3
 * check-ins) and fd 4, where it reports one line before it exits: "exit N",
 * "signal N" (how the handler ended) or "exec ERRNO" (the handler could not
 * be executed).  jobsvcd blocks SIGTERM, SIGUSR1 and SIGCHLD and sets
 * SIGUSR1 as the parent-death signal before it executes this program, so no
 * signal is lost before it waits for them:
 *	SIGTERM	is passed on to every process of the job;
 *	SIGUSR1	kills every process of the job (SIGKILL).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STATUS_FD 4

extern char **environ;

static const char *cgroup; /* the job's cgroup directory, or NULL */
static pid_t handler;
static int handler_status = -1; /* wait status once reaped */

static void report(const char *what, int value)
{
	char line[32];
	int n;

	n = snprintf(line, sizeof(line), "%s %d\n", what, value);
	if (write(STATUS_FD, line, n) != n)
		_exit(1); /* jobsvcd is gone: nobody to tell */
}

/* Reaps every child that ended; returns false when none is left. */
static bool reap(void)
{
	pid_t pid;
	int st;

	for (;;) {
		pid = waitpid(-1, &st, WNOHANG);
		if (pid == 0)
			return true;
		if (pid < 0)
			return errno != ECHILD;
		if (pid == handler)
			handler_status = st;
	}
}

/* The parent of pid from /proc, or -1 when it is gone. */
static pid_t parent_of(const char *pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* "pid (comm) state ppid ...": comm may hold anything but the ')'. */
	p = strrchr(buf, ')');
	if (!p || strlen(p) < 5)
		return -1;
	return (pid_t)strtol(p + 4, NULL, 10);
}

struct proc {
	pid_t pid;
	pid_t ppid;
	size_t parent; /* index of the parent, or SIZE_MAX */
	bool mine;
};

static int proc_cmp(const void *a, const void *b)
{
	const struct proc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/*
 * Sends sig to every descendant of this process, found in /proc.  Orphans
 * come back to us (subreaper), so each process of the job is found as long
 * as its ancestors were; one that a dying parent starts meanwhile is found
 * the next time.
 */
static void signal_tree(int sig)
{
	struct proc *p = NULL, key, *found;
	size_t n = 0, cap = 0, i;
	pid_t me = getpid();
	struct dirent *de;
	bool more;
	DIR *d;

	d = opendir("/proc");
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			p = realloc(p, cap * sizeof(*p));
			if (!p)
				abort();
		}
		p[n].pid = (pid_t)strtol(de->d_name, NULL, 10);
		p[n].ppid = parent_of(de->d_name);
		p[n].mine = p[n].ppid == me;
		n++;
	}
	closedir(d);
	if (n)
		qsort(p, n, sizeof(*p), proc_cmp);
	for (i = 0; i < n; i++) {
		key.pid = p[i].ppid;
		found = bsearch(&key, p, n, sizeof(*p), proc_cmp);
		p[i].parent = found ? (size_t)(found - p) : SIZE_MAX;
	}
	/* Descendants, one generation per pass. */
	do {
		more = false;
		for (i = 0; i < n; i++) {
			if (!p[i].mine && p[i].parent != SIZE_MAX &&
			    p[p[i].parent].mine)
				p[i].mine = more = true;
		}
	} while (more);
	for (i = 0; i < n; i++)
		if (p[i].mine)
			kill(p[i].pid, sig);
	free(p);
}

/*
 * Kills every process of the job: cgroup.kill does it at once; the tree of
 * descendants is the way without a cgroup, and for processes that left it.
 */
static void kill_job(bool tree)
{
	char path[4096];
	int fd;

	if (cgroup && !tree) {
		snprintf(path, sizeof(path), "%s/cgroup.kill", cgroup);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (write(fd, "1", 1) == 1) {
				close(fd);
				return;
			}
			close(fd);
		}
	}
	signal_tree(SIGKILL);
}

/* Kills what is left of the job until nothing is, reaping it all. */
static void kill_all(const sigset_t *set)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	bool tree = false;

	while (reap()) {
		kill_job(tree);
		tree = true;
		sigtimedwait(set, NULL, &ts);
	}
}

/* The cgroup is empty once its processes are reaped; rmdir may lag. */
static void cgroup_remove(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; cgroup && i < 100; i++) {
		if (rmdir(cgroup) == 0 || errno != EBUSY)
			return;
		nanosleep(&ts, NULL);
	}
}

static void cgroup_join(int procs)
{
	/* Outside the cgroup, the tree of descendants is still ours to kill. */
	if (procs >= 0 && write(procs, "0", 1) < 0)
		return;
}

/*
 * Starts the handler: in the job's cgroup when there is one, in its own
 * process group, killed if we die, with the signals we block unblocked.
 * Returns its pid, or -errno when it could not be executed.
 */
static pid_t spawn(char *path, int cgfd)
{
	char *argv[] = { path, NULL };
	pid_t me = getpid(), pid;
	int ep[2], err;
	sigset_t none;
	ssize_t n;

	if (pipe2(ep, O_CLOEXEC) < 0)
		return -errno;
	sigemptyset(&none);
	pid = vfork();
	if (pid == 0) {
		cgroup_join(cgfd);
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != me)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execve(path, argv, environ);
		err = errno;
		if (write(ep[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	if (pid < 0) {
		err = errno;
		close(ep[0]);
		close(ep[1]);
		return -err;
	}
	close(ep[1]);
	do
		n = read(ep[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(ep[0]);
	if (n == sizeof(err)) {
		waitpid(pid, NULL, 0);
		return -err;
	}
	return pid;
}

/* Makes the job's cgroup; returns its cgroup.procs, or -1 without one. */
static int cgroup_setup(void)
{
	char path[4096];
	int fd;

	if (mkdir(cgroup, 0755) < 0 && errno != EEXIST)
		goto out_none;
	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	rmdir(cgroup);
out_none:
	fprintf(stderr, "jobsvc-run: cannot use the cgroup %s: %s\n", cgroup,
		strerror(errno));
	cgroup = NULL;
	return -1;
}

int main(int argc, char *argv[])
{
	siginfo_t si;
	sigset_t set;
	int cgfd = -1;
	pid_t pid;

	if (argc == 4 && strcmp(argv[1], "-c") == 0) {
		cgroup = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc != 2 || fcntl(STATUS_FD, F_SETFD, FD_CLOEXEC) < 0) {
		fprintf(stderr, "usage: jobsvc-run [-c cgroup] handler "
				"(started by jobsvcd, with fd 4 open)\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* Killed (or jobsvcd died) before the handler started: run nothing. */
	if (sigpending(&set) == 0 && sigismember(&set, SIGUSR1)) {
		report("signal", SIGKILL);
		return 0;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGCHLD);

	if (cgroup)
		cgfd = cgroup_setup();
	pid = spawn(argv[1], cgfd);
	if (cgfd >= 0)
		close(cgfd);
	if (pid < 0) {
		report("exec", (int)-pid);
		cgroup_remove();
		return 0;
	}
	handler = pid;
	/* The job's fds are the handler's: keep only stderr, for messages. */
	close(0);
	close(1);
	close(3);

	while (handler_status < 0) {
		if (sigwaitinfo(&set, &si) < 0)
			continue;
		if (si.si_signo == SIGTERM)
			signal_tree(SIGTERM);
		else if (si.si_signo == SIGUSR1)
			kill_job(false);
		else if (!reap())
			break;
	}
	kill_all(&set);
	cgroup_remove();
	if (handler_status < 0)
		report("signal", SIGKILL);
	else if (WIFEXITED(handler_status))
		report("exit", WEXITSTATUS(handler_status));
	else
		report("signal", WTERMSIG(handler_status));
	return 0;
}
