/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * outfile.c -- write to a temporary, rename at the end (see outfile.h).
 */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int tc_outfile_open(struct tc_outfile *o, const char *path, const char *mode, char *err,
		    size_t n)
{
	struct stat st;
	char *real = NULL, *slash;
	const char *base;
	size_t dlen, len;
	mode_t um, perm;
	int fd;

	memset(o, 0, sizeof(*o));
	if (!strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	if (!(o->path = strdup(path)))
		goto oom;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* A device or a FIFO: write to it. */
		if (!(o->f = fopen(path, mode)))
			goto sys;
		return 0;
	}
	/* Beside the file a symbolic link points to, so that the link stays. */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && (real = realpath(path, NULL))) {
		free(o->path);
		o->path = real;
	}
	slash = strrchr(o->path, '/');
	base = slash ? slash + 1 : o->path;
	dlen = slash ? (size_t)(slash - o->path) + 1 : 0;
	len = dlen + 1 + strlen(base) + 8;
	if (!(o->tmp = malloc(len)))
		goto oom;
	snprintf(o->tmp, len, "%.*s.%s.XXXXXX", (int)dlen, o->path, base);
	fd = mkstemp(o->tmp);
	if (fd < 0) {
		/* A directory we may not create in, with a file we may write:
		 * every argument was checked by now, so write it in place. */
		free(o->tmp);
		o->tmp = NULL;
		if (!(o->f = fopen(o->path, mode)))
			goto sys;
		return 0;
	}
	/* The mode the file would get from fopen, or the one it has. */
	um = umask(0);
	umask(um);
	perm = stat(o->path, &st) == 0 ? (st.st_mode & 07777) : (0666 & ~um);
	(void)fchmod(fd, perm);
	if (!(o->f = fdopen(fd, mode))) {
		close(fd);
		unlink(o->tmp);
		goto sys;
	}
	return 0;
sys:
	snprintf(err, n, "%s: %s", path, strerror(errno));
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
	return -1;
oom:
	snprintf(err, n, "%s: out of memory", path);
	free(o->path);
	memset(o, 0, sizeof(*o));
	return -1;
}

int tc_outfile_finish(struct tc_outfile *o, int ok, char *err, size_t n)
{
	struct stat st;
	int rc = 0;

	if (o->tmp) {
		if (ok && rename(o->tmp, o->path) != 0) {
			snprintf(err, n, "%s: %s", o->path, strerror(errno));
			rc = -1;
		}
		if (!ok || rc)
			unlink(o->tmp);
	} else if (o->path && !ok && stat(o->path, &st) == 0 && S_ISREG(st.st_mode)) {
		unlink(o->path);
	}
	free(o->path);
	free(o->tmp);
	o->path = o->tmp = NULL;
	o->f = NULL;
	return rc;
}
