/* SPDX-License-Identifier: MIT */
/* runtime_dir/snapshot (DESIGN 5.2, doc/snapshot.md): the fixed-layout,
 * memory-mapped view of every feature's decision that clients read without
 * system calls, guarded by a seqlock. The reader half is libc-only and is
 * shared with liblicd. */
#ifndef LICD_SNAPSHOT_H
#define LICD_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNAP_FILE		"snapshot"
#define SNAP_MAGIC		"LICDSNAP"	/* 8 bytes, no NUL */
#define SNAP_VERSION		1
#define SNAP_BYTE_ORDER		0x01020304u	/* as the writer stores it */
#define SNAP_NAME_LEN		72	/* 64 characters, NUL, padding */
#define SNAP_REASON_LEN		32	/* 31 characters and NUL */
#define SNAP_DEVICE_LEN		56	/* a k4.pid (51) and NUL, padded */
#define SNAP_MAX_PURPOSES	64	/* bits of snap_entry.purposes */
#define SNAP_MAX_ENTRIES	65536
#define SNAP_READ_TRIES		10000	/* seqlock retries before BUSY */

#define SNAP_F_SUPERSEDED	1u	/* a newer file replaced this one:
					 * re-open runtime_dir/snapshot */

/*
 * The file: one header, then `capacity` entries of entry_size bytes at
 * offset header_size, all in the writer's native byte order (byte_order
 * tells; a reader on another order refuses). Strings are NUL-terminated
 * and NUL-padded. Fields marked (atomic) are read and written with
 * __atomic builtins; everything else only under the seqlock.
 */
struct snap_header {
	char magic[8];				/*    0 */
	uint32_t version;			/*    8 */
	uint32_t header_size;			/*   12 */
	uint32_t entry_size;			/*   16 */
	uint32_t capacity;			/*   20 */
	uint32_t byte_order;			/*   24 */
	uint32_t flags;				/*   28 (atomic) SNAP_F_* */
	uint64_t seq;				/*   32 (atomic) seqlock */
	uint64_t generation;			/*   40 +1 per change */
	int64_t published_mono;			/*   48 (atomic) ns */
	int64_t published_wall;			/*   56 (atomic) s */
	int64_t grace_ns;			/*   64 client_grace */
	uint32_t nentries;			/*   72 */
	uint32_t npurposes;			/*   76 */
	char device[SNAP_DEVICE_LEN];		/*   80 */
	char purposes[SNAP_MAX_PURPOSES][SNAP_NAME_LEN];	/*  136 */
	uint8_t reserved[56];			/* 4744 */
};						/* 4800 */

/* One product/feature decision. feature "" is the product's own row
 * (its state when it has no usable feature). */
struct snap_entry {
	char product[SNAP_NAME_LEN];		/*   0 */
	char feature[SNAP_NAME_LEN];		/*  72 */
	char lid[SNAP_NAME_LEN];		/* 144 */
	char reason[SNAP_REASON_LEN];		/* 216 "" when allowed */
	uint64_t purposes;			/* 248 bit i: purposes[i] */
	uint32_t max_concurrent;		/* 256 0: unlimited */
	uint32_t in_use;			/* 260 leases held */
	uint8_t allowed;			/* 264 */
	uint8_t state;				/* 265 enum lstate */
	uint8_t pad[6];				/* 266 */
};						/* 272 */

/* Reader results. Not LICD_E_*: this half must build without licd's
 * error table, inside the vendor's process. */
enum snap_status {
	SNAP_OK = 0,
	SNAP_E_FORMAT = -1,	/* not a snapshot of this version/order/size */
	SNAP_E_BUSY = -2,	/* the writer held the lock for all retries */
	SNAP_E_NOT_FOUND = -3,	/* no such product/feature */
	SNAP_E_SUPERSEDED = -4,	/* re-open the file */
};

struct snap_result {
	struct snap_entry entry;	/* a consistent copy */
	uint64_t generation;
	uint32_t index;			/* where found: a hint for next time */
	bool purpose_ok;		/* purpose given and permitted */
};

/* The file size for capacity entries. */
size_t snap_file_size(uint32_t capacity);

/* SNAP_OK when map (len bytes) is a snapshot this reader understands. */
int snap_check(const void *map, size_t len);

/*
 * Find product/feature in the mapped snapshot and copy a consistent view
 * (seqlock: retried while the writer is inside, at most SNAP_READ_TRIES).
 * hint is an index to try first (UINT32_MAX: none). purpose (NULL: none)
 * sets out->purpose_ok when it is one of the entry's purposes. No
 * allocation, no system call, no lock: safe from any thread and in a
 * signal handler.
 */
int snap_lookup(const void *map, size_t len, const char *product,
    const char *feature, const char *purpose, uint32_t hint,
    struct snap_result *out);

/* 1 when the daemon refreshed the file within its grace before now_mono
 * (CLOCK_MONOTONIC, ns) and it is not superseded, else 0. */
int snap_fresh(const void *map, size_t len, int64_t now_mono);

/* ---- writer (licd only) ---- */

struct lerr;

struct snap_writer {
	int fd;				/* -1 when closed */
	struct snap_header *map;
	size_t len;
	uint32_t capacity;
	int64_t grace_ns;
	char device[SNAP_DEVICE_LEN];
	char path[1024];
};

/*
 * Create path (runtime_dir/snapshot) with room for capacity entries: a
 * temporary file (O_EXCL|O_NOFOLLOW, 0644: every local user may read),
 * sized, mapped, initialised with no entries and published now, then
 * renamed over path; a previous snapshot there is marked
 * SNAP_F_SUPERSEDED first. Errors: LICD_E_IO, LICD_E_NOMEM.
 */
int snap_create(struct snap_writer *w, const char *path, uint32_t capacity,
    int64_t grace_ns, const char *device, struct lerr *e);

/*
 * Publish n entries and the purpose table (npurposes names) with the
 * seqlock protocol, bump the generation and refresh the timestamps. More
 * entries than the capacity: a larger file replaces this one (readers
 * see SNAP_F_SUPERSEDED). Errors: LICD_E_LIMIT (too many purposes or
 * entries), LICD_E_IO.
 */
int snap_publish(struct snap_writer *w, const struct snap_entry *entries,
    uint32_t n, const char (*purposes)[SNAP_NAME_LEN], uint32_t npurposes,
    struct lerr *e);

/* Replace entry index (< the published count), e.g. a new in_use count,
 * under the seqlock; bumps the generation. Errors: LICD_E_USAGE. */
int snap_update(struct snap_writer *w, uint32_t index,
    const struct snap_entry *entry, struct lerr *e);

/* Refresh published_mono/wall (at least every second) and the grace. */
void snap_refresh(struct snap_writer *w);
void snap_set_grace(struct snap_writer *w, int64_t grace_ns);

/* Unmap and close; the file stays for clients (it goes stale). */
void snap_close(struct snap_writer *w);

#endif
