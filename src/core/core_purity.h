/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core_purity.h -- what the core may not call, enforced by the compiler.
 *
 * The core (src/core) turns bytes into verdicts, diagnoses and findings and
 * hands them to the front ends; it never prints, reads or writes files,
 * exits, reads the environment or a clock, starts processes or draws
 * random numbers. Time comes in with each frame, seeds come in with the
 * options, output goes out through callbacks. That keeps it testable and
 * fuzzable alone, and makes a capture's report a function of the capture.
 *
 * CMake force-includes this header first into every source of the
 * tcpclose_core target (-include), so a forbidden call anywhere in the core
 * is a compile error ("attempt to use poisoned ..."), not a review comment.
 * The standard headers the core uses are included here, before the poison,
 * so their own declarations do not trip it. Allowed and used: the string
 * functions, snprintf into a caller's buffer, malloc/calloc/realloc/free,
 * qsort, madvise (a hint, no I/O).
 *
 * Not poisoned because the core uses the words as field names: close
 * (tc_verdict.close), clock (the aggregator's window clock). tests/CMakeLists
 * (label build) checks that no core file includes libpcap or curses.
 */
#ifndef TCPCLOSE_CORE_PURITY_H
#define TCPCLOSE_CORE_PURITY_H

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* stdio: streams, the console, files. */
#pragma GCC poison printf vprintf fprintf vfprintf dprintf vdprintf puts fputs putchar fputc
#pragma GCC poison putc getchar getc fgetc fgets gets scanf vscanf fscanf vfscanf
#pragma GCC poison fopen fdopen freopen fclose fflush fread fwrite fseek ftell rewind
#pragma GCC poison tmpfile tmpnam popen pclose perror setvbuf setbuf remove rename
/* POSIX file descriptors and the file system. */
#pragma GCC poison open openat creat read write pread pwrite lseek fsync unlink mkstemp
/* The process: leaving it, signals, children, the environment. */
#pragma GCC poison exit _exit _Exit abort atexit at_quick_exit quick_exit
#pragma GCC poison getenv secure_getenv setenv unsetenv putenv system
#pragma GCC poison fork vfork execl execlp execle execv execvp execve kill raise signal sigaction
/* Clocks and sleeping: the core's time is the capture's. */
#pragma GCC poison time clock_gettime gettimeofday timespec_get localtime localtime_r
#pragma GCC poison gmtime gmtime_r mktime strftime sleep usleep nanosleep
/* Randomness: seeds are options (tc_engine_opts, tc_agg_opts). */
#pragma GCC poison rand srand random srandom rand_r getrandom getentropy arc4random
/* Diagnostics that write to a terminal or a log. */
#pragma GCC poison syslog openlog malloc_stats

#endif
