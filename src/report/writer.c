/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * writer.c -- the table of report formats (see writer.h).
 */
#include "writer.h"

#include <string.h>

extern const struct tc_writer_ops tc_writer_text;
extern const struct tc_writer_ops tc_writer_json;
extern const struct tc_writer_ops tc_writer_csv;
extern const struct tc_writer_ops tc_writer_zeek;

/* The first is the default. */
static const struct tc_writer_ops *const formats[] = {
	&tc_writer_text,
	&tc_writer_json,
	&tc_writer_csv,
	&tc_writer_zeek,
};

#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

const struct tc_writer_ops *tc_writer_find(const char *name)
{
	size_t i;
	for (i = 0; i < NFORMATS; i++)
		if (!strcmp(formats[i]->name, name))
			return formats[i];
	return NULL;
}

const char *tc_writer_names(void)
{
	static char names[256];
	size_t i, len = 0;

	if (names[0])
		return names;
	for (i = 0; i < NFORMATS && len + strlen(formats[i]->name) + 3 < sizeof(names); i++) {
		if (i) {
			memcpy(names + len, ", ", 2);
			len += 2;
		}
		memcpy(names + len, formats[i]->name, strlen(formats[i]->name));
		len += strlen(formats[i]->name);
	}
	names[len] = '\0';
	return names;
}
