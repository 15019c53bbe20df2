/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * poison_probe.c -- compiled (never linked) with src/core/core_purity.h
 * force-included, as every core source is: the build test expects the
 * compiler to refuse it. If it compiles, the core could print.
 */
#include <stdio.h>

void tc_probe(void);

void tc_probe(void)
{
	printf("the core never prints\n");
}
