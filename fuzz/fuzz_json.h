/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_json.h -- a strict little JSON checker shared by the harnesses.
 *
 * The JSON writer promises valid JSON Lines whatever the capture holds;
 * the harnesses hold it to that by parsing every line it writes. RFC 8259
 * grammar, no extensions; nesting bounded so the checker itself cannot
 * recurse without limit.
 */
#ifndef TC_FUZZ_JSON_H
#define TC_FUZZ_JSON_H

#include <stddef.h>
#include <string.h>

struct fj {
	const char *p, *end;
	int depth;
};

static int fj_value(struct fj *j);

static void fj_ws(struct fj *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n'))
		j->p++;
}

static int fj_lit(struct fj *j, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return 0;
	j->p += n;
	return 1;
}

static int fj_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int fj_string(struct fj *j)
{
	if (j->p >= j->end || *j->p != '"')
		return 0;
	j->p++;
	while (j->p < j->end) {
		unsigned char c = (unsigned char)*j->p++;
		if (c == '"')
			return 1;
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			if (j->p >= j->end)
				return 0;
			c = (unsigned char)*j->p++;
			if (c == 'u') {
				int k;
				for (k = 0; k < 4; k++)
					if (j->p >= j->end || !fj_hex(*j->p++))
						return 0;
			} else if (!strchr("\"\\/bfnrt", c) || c == 0) {
				return 0;
			}
		}
	}
	return 0;
}

static int fj_digits(struct fj *j)
{
	const char *s = j->p;
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s;
}

static int fj_number(struct fj *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (!fj_digits(j))
		return 0;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!fj_digits(j))
			return 0;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!fj_digits(j))
			return 0;
	}
	return 1;
}

static int fj_container(struct fj *j, char open, char close, int is_obj)
{
	int first = 1;
	if (++j->depth > 32)
		return 0;
	j->p++; /* open */
	(void)open;
	fj_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		j->depth--;
		return 1;
	}
	for (;;) {
		if (!first) {
			fj_ws(j);
			if (j->p < j->end && *j->p == close) {
				j->p++;
				j->depth--;
				return 1;
			}
			if (j->p >= j->end || *j->p != ',')
				return 0;
			j->p++;
		}
		first = 0;
		fj_ws(j);
		if (is_obj) {
			if (!fj_string(j))
				return 0;
			fj_ws(j);
			if (j->p >= j->end || *j->p != ':')
				return 0;
			j->p++;
		}
		if (!fj_value(j))
			return 0;
	}
}

static int fj_value(struct fj *j)
{
	fj_ws(j);
	if (j->p >= j->end)
		return 0;
	switch (*j->p) {
	case '{': return fj_container(j, '{', '}', 1);
	case '[': return fj_container(j, '[', ']', 0);
	case '"': return fj_string(j);
	case 't': return fj_lit(j, "true");
	case 'f': return fj_lit(j, "false");
	case 'n': return fj_lit(j, "null");
	default: return fj_number(j);
	}
}

/* 1 if buf[0..n) is JSON Lines: one JSON object per '\n'-terminated line. */
static int fj_check_lines(const char *buf, size_t n)
{
	const char *p = buf, *end = buf + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct fj j;
		if (!nl)
			return 0; /* every record ends with a newline */
		j.p = p;
		j.end = nl;
		j.depth = 0;
		fj_ws(&j);
		if (j.p >= j.end || *j.p != '{' || !fj_value(&j))
			return 0;
		fj_ws(&j);
		if (j.p != j.end)
			return 0;
		p = nl + 1;
	}
	return 1;
}

#endif
