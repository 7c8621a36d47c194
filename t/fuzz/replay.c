/* SPDX-License-Identifier: ISC */
/*
 * Replays fuzz inputs without libFuzzer, so that `make check` runs each
 * target over its corpus with the ordinary compiler (and the sanitizers when
 * configured with --enable-sanitizers).  Arguments are files or directories
 * of files; without any, the JSV_CORPUS_DIR the program was built with.
 * Fails when an input cannot be read or when none was found.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jsv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long replayed;

static int replay_file(const char *path)
{
	struct jsv_buf b = { 0 };
	char chunk[65536];
	uint8_t *copy;
	FILE *fp;
	size_t n;
	int r = 0;

	fp = fopen(path, "rb");
	if (!fp) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		jsv_buf_add(&b, chunk, n);
	if (ferror(fp)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		r = -1;
	} else {
		/* a copy of exactly size bytes, so ASan sees overreads */
		copy = xmalloc(b.len);
		memcpy(copy, b.data ? b.data : "", b.len);
		LLVMFuzzerTestOneInput(copy, b.len);
		free(copy);
		replayed++;
	}
	fclose(fp);
	jsv_buf_free(&b);
	return r;
}

static int replay_dir(const char *dir)
{
	struct dirent **names;
	char *path;
	int i, n, r = 0;

	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			xasprintf(&path, "%s/%s", dir, names[i]->d_name);
			if (replay_file(path) < 0)
				r = -1;
			free(path);
		}
		free(names[i]);
	}
	free(names);
	return r;
}

int main(int argc, char **argv)
{
	const char *const *paths = (const char *const *)argv + 1;
	int i, n = argc - 1, r = 0;
	struct stat st;
#ifdef JSV_CORPUS_DIR
	static const char *const corpus[] = { JSV_CORPUS_DIR };

	if (!n) {
		paths = corpus;
		n = 1;
	}
#endif

	if (!n) {
		fprintf(stderr, "usage: %s corpus-dir-or-file...\n", argv[0]);
		return 2;
	}
	for (i = 0; i < n; i++) {
		if (stat(paths[i], &st) < 0) {
			fprintf(stderr, "replay: %s: %s\n", paths[i],
				strerror(errno));
			r = -1;
		} else if (S_ISDIR(st.st_mode)) {
			if (replay_dir(paths[i]) < 0)
				r = -1;
		} else if (replay_file(paths[i]) < 0) {
			r = -1;
		}
	}
	printf("replayed %lu inputs\n", replayed);
	if (!replayed) {
		fprintf(stderr, "replay: no inputs found\n");
		return 1;
	}
	return r < 0 ? 1 : 0;
}
