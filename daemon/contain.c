/* SPDX-License-Identifier: ISC */
/*
 * Keeping each job's processes together, so that none outlives its run:
 * not when the handler exits, not when the job is stopped, and not when the
 * daemon dies (recovery then reruns the job elsewhere, and two runs of one
 * job must never overlap).
 *
 * Every handler runs under its own supervisor (supervise.c), which kills
 * whatever is left of the job when the handler exits, when asked, and when
 * the daemon dies (its parent-death signal).  Where the daemon runs in
 * a delegated cgroup v2 subtree (systemd's Delegate=yes: the cgroup is
 * writable and marked with the user.delegate or trusted.delegate attribute),
 * each job also gets a cgroup of its own, job-<id>, emptied at once by
 * cgroup.kill; elsewhere the supervisor finds the job's processes as its
 * descendants, which they stay because it is a child subreaper.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "jobsvcd.h"

static char *cgroup_base; /* the delegated cgroup, or NULL */

/* The first line of file that starts with prefix, without it, or NULL. */
static char *contain_read_line(const char *file, const char *prefix)
{
	char *line = NULL, *found = NULL;
	size_t cap = 0, len = strlen(prefix);
	ssize_t n;
	FILE *fp;

	fp = fopen(file, "re");
	if (!fp)
		return NULL;
	while ((n = getline(&line, &cap, fp)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (strncmp(line, prefix, len) == 0) {
			found = xstrdup(line + len);
			break;
		}
	}
	free(line);
	fclose(fp);
	return found;
}

/* Where the cgroup2 hierarchy is mounted, and the root it shows. */
static int contain_cgroup2_mount(char **mnt, char **root)
{
	char *line = NULL, *f[5], *s, *save;
	size_t cap = 0;
	int i, rv = -ENOENT;
	FILE *fp;

	fp = fopen("/proc/self/mountinfo", "re");
	if (!fp)
		return -errno;
	while (getline(&line, &cap, fp) > 0) {
		s = strstr(line, " - cgroup2 ");
		if (!s)
			continue;
		*s = '\0';
		/* id parent major:minor root mountpoint ... */
		for (i = 0, s = line; i < 5; i++, s = NULL)
			if (!(f[i] = strtok_r(s, " ", &save)))
				break;
		if (i < 5)
			continue;
		*root = xstrdup(f[3]);
		*mnt = xstrdup(f[4]);
		rv = 0;
		break;
	}
	free(line);
	fclose(fp);
	return rv;
}

static bool contain_delegated(const char *dir)
{
	static const char *const attr[] = { "user.delegate",
					    "trusted.delegate" };
	char val[8];
	ssize_t n;
	size_t i;

	for (i = 0; i < JSV_ARRAY_SIZE(attr); i++) {
		n = getxattr(dir, attr[i], val, sizeof(val));
		if (n == 1 && val[0] == '1')
			return true;
	}
	return false;
}

/* This process's cgroup directory when it may make job cgroups there. */
static char *contain_find_cgroup(void)
{
	char *rel, *mnt = NULL, *root = NULL, *dir = NULL, *procs = NULL;
	char *kill_file = NULL;
	size_t rlen;

	rel = contain_read_line("/proc/self/cgroup", "0::");
	if (!rel || contain_cgroup2_mount(&mnt, &root) < 0 || !mnt || !root)
		goto out;
	rlen = strcmp(root, "/") ? strlen(root) : 0;
	if (strncmp(rel, root, rlen) || (rel[rlen] && rel[rlen] != '/'))
		goto out;
	xasprintf(&dir, "%s%s", mnt, rel + rlen);
	xasprintf(&procs, "%s/cgroup.procs", dir);
	xasprintf(&kill_file, "%s/cgroup.kill", dir);
	if (access(dir, W_OK) < 0 || access(procs, W_OK) < 0 ||
	    access(kill_file, F_OK) < 0 || !contain_delegated(dir)) {
		free(dir);
		dir = NULL;
	}
out:
	free(kill_file);
	free(procs);
	free(root);
	free(mnt);
	free(rel);
	return dir;
}

int contain_init(void)
{
	cgroup_base = contain_find_cgroup();
	if (cgroup_base)
		log_info("job processes are contained by cgroups under %s",
			 cgroup_base);
	else
		log_info("job processes are contained by their supervisor "
			 "(no delegated cgroup)");
	return 0;
}

void contain_cleanup(void)
{
	free(cgroup_base);
	cgroup_base = NULL;
}

char *contain_cgroup(const char *job_id)
{
	char *path;

	if (!cgroup_base)
		return NULL;
	xasprintf(&path, "%s/job-%s", cgroup_base, job_id);
	return path;
}

void contain_kill_leftovers(const char *job_id)
{
	char *dir = contain_cgroup(job_id), *file;
	int fd;

	if (!dir)
		return;
	xasprintf(&file, "%s/cgroup.kill", dir);
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1", 1) < 0)
			log_warn("job %s: cannot kill the cgroup %s", job_id,
				 dir);
		close(fd);
	}
	/* Busy while the killed processes exit; the next run reuses it. */
	rmdir(dir);
	free(file);
	free(dir);
}
