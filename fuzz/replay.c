/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * replay.c -- run a fuzz harness's LLVMFuzzerTestOneInput over files,
 * without libFuzzer, so the plain (gcc) build replays every kept crasher
 * in tests/regress/ under CTest -- and under the sanitizers and valgrind
 * when the suite runs there. Exit status 1 if a file cannot be read; a
 * harness check that fails aborts, which CTest reports.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0, k;

	if (!f) {
		perror(path);
		return 1;
	}
	for (;;) {
		if (n == cap) {
			uint8_t *nb;
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return 1;
			}
			buf = nb;
		}
		k = fread(buf + n, 1, cap - n, f);
		if (k == 0)
			break;
		n += k;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	printf("replayed %s (%zu bytes)\n", path, n);
	return 0;
}

int main(int argc, char **argv)
{
	int i, st = 0;
	for (i = 1; i < argc; i++)
		st |= replay(argv[i]);
	return st;
}
