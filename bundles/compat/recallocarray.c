/*
 * recallocarray() for sshd on musl, in place of OpenSSH's portable one (openbsd-compat), which
 * build.sh turns off through HAVE_RECALLOCARRAY in config.h.
 *
 * OpenSSH's buffers (sshbuf) go through recallocarray() whenever they grow (in 256-byte steps)
 * and when a reset shrinks them back to 256 bytes: the packet buffers do both for every packet.
 * The portable version always mallocs a new block, copies, and frees the old one. OpenBSD's
 * malloc caches such blocks; musl's (mallocng) gives freed memory back to the kernel at once,
 * so each step cost an mmap, a page fault per page touched and a munmap: during a 256 MiB scp,
 * more than half of sshd's CPU.
 *
 * The contract is OpenBSD's: bytes in [oldsize, newsize) read as zero, and contents that are
 * dropped or moved away are zeroed before they leave the caller's reach. What differs is where
 * the bytes live:
 *  - growing within the block's capacity happens in place;
 *  - a block that must move gets headroom (half again its old size), so a buffer that grows step
 *    by step moves O(log n) times instead of once per step;
 *  - shrinking happens in place (the dropped bytes are zeroed), except that a block above
 *    KEEP_MAX shrinking to half its capacity or less moves to a block of the new size, so one
 *    burst does not pin memory for the rest of the session.
 * The capacity is malloc_usable_size(): mallocng reports exactly the size that was requested,
 * which is all this code relies on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *recallocarray(void *ptr, size_t oldnmemb, size_t newnmemb, size_t size);

enum { KEEP_MAX = 1 << 20 };

/* A new block of `capacity` bytes holding the first `keep` bytes of ptr, which is zeroed and freed. */
static void *move_block(void *ptr, size_t oldsize, size_t keep, size_t capacity)
{
	void *moved = malloc(capacity);
	if (moved == NULL)
		return NULL;
	memcpy(moved, ptr, keep);
	explicit_bzero(ptr, oldsize);
	free(ptr);
	return moved;
}

void *recallocarray(void *ptr, size_t oldnmemb, size_t newnmemb, size_t size)
{
	size_t oldsize, newsize;

	if (ptr == NULL)
		return calloc(newnmemb, size);
	if (__builtin_mul_overflow(newnmemb, size, &newsize)) {
		errno = ENOMEM;
		return NULL;
	}
	size_t capacity = malloc_usable_size(ptr);
	if (__builtin_mul_overflow(oldnmemb, size, &oldsize) || oldsize > capacity) {
		errno = EINVAL;
		return NULL;
	}

	if (newsize > capacity) {
		/* Headroom: half again the old size, unless the request is larger still. */
		size_t target = newsize;
		if (oldsize <= SIZE_MAX / 3 && oldsize + oldsize / 2 > newsize)
			target = oldsize + oldsize / 2;
		char *moved = move_block(ptr, oldsize, oldsize, target);
		if (moved != NULL)
			memset(moved + oldsize, 0, newsize - oldsize);
		return moved;
	}
	if (newsize >= oldsize) {
		memset((char *)ptr + oldsize, 0, newsize - oldsize);
		return ptr;
	}
	if (capacity > KEEP_MAX && newsize <= capacity / 2)
		return move_block(ptr, oldsize, newsize, newsize == 0 ? 1 : newsize);
	explicit_bzero((char *)ptr + newsize, oldsize - newsize);
	return ptr;
}
