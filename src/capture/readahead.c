/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * readahead.c -- frames read and decoded in a thread of their own
 * (readahead.h).
 *
 * A ring of NBATCH batches of BATCH decoded frames: the reader fills the
 * batch after the last one published, the caller reads the oldest one
 * published. A lock and two conditions hand whole batches over, so the
 * threads meet once per BATCH frames, not once per frame; batches are
 * small enough that the ring (~200 KiB) stays in the cache the two cores
 * share.
 */
#include "readahead.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#define BATCH 256u
#define NBATCH 4u

struct batch {
	size_t n;
	struct tc_engine_item it[BATCH];
};

struct tc_readahead {
	struct tc_source *src;
	const struct tc_engine *e;
	struct tc_progress *prog;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t not_full;  /* the reader waits for a batch to fill */
	pthread_cond_t not_empty; /* the caller waits for a batch to read */
	/* Batches published (wr) and given back by the caller (rd): the ones
	 * in [rd, wr) are the caller's to read, wr % NBATCH the reader's to
	 * fill. Under lock. */
	uint64_t wr, rd;
	int done;              /* the reader has published its last batch (under lock) */
	int holding;           /* the caller is reading batch rd (caller only) */
	atomic_int stop;       /* the caller wants no more frames */
	int first_dlt;         /* reader only until joined */
	uint64_t limit, nread; /* reader only until joined */
	int limited;           /* the limit stopped it (reader only until joined) */
	struct batch b[NBATCH];
};

/* Publish the batch being filled; wait for room for the next. Returns
 * nonzero if the caller asked the reader to stop. */
static int publish(struct tc_readahead *ra)
{
	int stop;

	pthread_mutex_lock(&ra->lock);
	ra->wr++;
	pthread_cond_signal(&ra->not_empty);
	while (ra->wr - ra->rd == NBATCH && !atomic_load(&ra->stop))
		pthread_cond_wait(&ra->not_full, &ra->lock);
	stop = atomic_load(&ra->stop);
	pthread_mutex_unlock(&ra->lock);
	ra->b[ra->wr % NBATCH].n = 0;
	return stop;
}

static int read_frame(const struct tc_frame *fr, void *arg)
{
	struct tc_readahead *ra = arg;
	struct batch *b = &ra->b[ra->wr % NBATCH];

	tc_progress_frame(ra->prog, ra->src, fr->frame);
	if (ra->first_dlt < 0)
		ra->first_dlt = fr->dlt;
	(void)tc_engine_prepare(ra->e, &b->it[b->n++], fr->dlt, fr->ts_ns, fr->frame, fr->data,
				fr->caplen, fr->wirelen);
	if (ra->limit && ++ra->nread >= ra->limit) {
		ra->limited = 1;
		(void)publish(ra);
		return 1;
	}
	if (b->n == BATCH)
		return publish(ra);
	return atomic_load_explicit(&ra->stop, memory_order_relaxed);
}

static void *reader(void *arg)
{
	struct tc_readahead *ra = arg;

	if (!tc_source_each(ra->src, read_frame, ra) && ra->b[ra->wr % NBATCH].n)
		(void)publish(ra);
	pthread_mutex_lock(&ra->lock);
	ra->done = 1;
	pthread_cond_signal(&ra->not_empty);
	pthread_mutex_unlock(&ra->lock);
	return NULL;
}

struct tc_readahead *tc_readahead_start(struct tc_source *src, const struct tc_engine *e,
					struct tc_progress *prog, uint64_t limit)
{
	struct tc_readahead *ra = calloc(1, sizeof(*ra));

	if (!ra)
		return NULL;
	ra->src = src;
	ra->e = e;
	ra->prog = prog;
	ra->first_dlt = -1;
	ra->limit = limit;
	atomic_init(&ra->stop, 0);
	if (pthread_mutex_init(&ra->lock, NULL) != 0)
		goto fail;
	if (pthread_cond_init(&ra->not_full, NULL) != 0)
		goto fail_lock;
	if (pthread_cond_init(&ra->not_empty, NULL) != 0)
		goto fail_full;
	if (pthread_create(&ra->thread, NULL, reader, ra) != 0)
		goto fail_empty;
	return ra;
fail_empty:
	pthread_cond_destroy(&ra->not_empty);
fail_full:
	pthread_cond_destroy(&ra->not_full);
fail_lock:
	pthread_mutex_destroy(&ra->lock);
fail:
	free(ra);
	return NULL;
}

const struct tc_engine_item *tc_readahead_next(struct tc_readahead *ra, size_t *n)
{
	const struct batch *b;

	pthread_mutex_lock(&ra->lock);
	if (ra->holding) {
		ra->holding = 0;
		ra->rd++;
		pthread_cond_signal(&ra->not_full);
	}
	while (ra->rd == ra->wr && !ra->done)
		pthread_cond_wait(&ra->not_empty, &ra->lock);
	if (ra->rd == ra->wr) {
		pthread_mutex_unlock(&ra->lock);
		return NULL;
	}
	ra->holding = 1;
	b = &ra->b[ra->rd % NBATCH];
	pthread_mutex_unlock(&ra->lock);
	*n = b->n;
	return b->it;
}

int tc_readahead_end(struct tc_readahead *ra, int *first_dlt)
{
	int limited;

	pthread_mutex_lock(&ra->lock);
	atomic_store(&ra->stop, 1);
	pthread_cond_signal(&ra->not_full);
	pthread_mutex_unlock(&ra->lock);
	pthread_join(ra->thread, NULL);
	*first_dlt = ra->first_dlt;
	limited = ra->limited;
	pthread_cond_destroy(&ra->not_empty);
	pthread_cond_destroy(&ra->not_full);
	pthread_mutex_destroy(&ra->lock);
	free(ra);
	return limited;
}
