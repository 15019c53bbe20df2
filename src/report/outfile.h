/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * outfile.h -- an output file that replaces its target only when complete.
 *
 * -o and -w write to a temporary file beside the target (same directory,
 * so the rename is atomic) and rename it over the target at the end; on
 * failure the temporary is removed and the target is left as it was. A
 * report the user already has is never truncated by a run that fails.
 * "-" is standard output; a target that is not a regular file (/dev/null,
 * a FIFO, a terminal) is opened directly, since renaming over it would
 * replace the device rather than write to it.
 */
#ifndef TCPCLOSE_OUTFILE_H
#define TCPCLOSE_OUTFILE_H

#include <stdio.h>

struct tc_outfile {
	FILE *f;    /* write here; the caller closes it */
	char *path; /* the target */
	char *tmp;  /* the temporary, or NULL when written directly */
};

/* 0, or -1 with "PATH: reason" in err. mode is fopen's ("w", "wb"). */
int tc_outfile_open(struct tc_outfile *o, const char *path, const char *mode, char *err,
		    size_t n);
/*
 * After the caller closed o->f: rename the temporary over the target (ok),
 * or remove it (!ok; a direct target is removed only if it is a regular
 * file). 0, or -1 with err if the rename failed. Frees the names.
 */
int tc_outfile_finish(struct tc_outfile *o, int ok, char *err, size_t n);

#endif
