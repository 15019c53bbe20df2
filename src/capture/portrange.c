/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * portrange.c -- the capturing host's ephemeral port range (portrange.h).
 */
#include "portrange.h"

#include <stdio.h>
#include <string.h>

uint32_t tc_local_port_range(const char *path, unsigned *lo, unsigned *hi)
{
	char buf[64], tail;
	unsigned a, b;
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Two numbers and nothing after them but white space. */
	if (sscanf(buf, "%u %u %c", &a, &b, &tail) != 2)
		return 0;
	if (a == 0 || a > b || b > 65535)
		return 0;
	*lo = a;
	*hi = b;
	return b - a + 1;
}
