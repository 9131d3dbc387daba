/*
 * A few freed large blocks kept for the next malloc() of the same size (linked with
 * -Wl,--wrap=malloc -Wl,--wrap=free -Wl,--wrap=calloc).
 *
 * sftp (scp's protocol since OpenSSH 9.0) moves files in requests of up to 256 KiB, and sshd's
 * sftp server allocates a fresh block for each one (the data of a write, the reply to a read)
 * and frees it right after. musl's malloc (mallocng) serves blocks above ~128 KiB with their own
 * mmap and munmaps them on free, so every request paid an mmap, a page fault per 4 KiB touched
 * and a munmap: a third of the sftp process's CPU during a 256 MiB scp.
 *
 * Rules that keep this invisible to the program and to musl:
 *  - only blocks of at least LARGE bytes are kept, at most SLOTS of them, each at most KEEP_MAX;
 *  - a kept block goes only to a malloc() asking for exactly its size (malloc_usable_size(),
 *    which mallocng reports as the size once requested), so it is in every respect the block
 *    that malloc would have returned, except that its bytes are not fresh zero pages;
 *  - hence calloc() is wrapped too: musl's calloc trusts a large block to be zero (it came
 *    straight from mmap), so a calloc() that a kept block can serve takes and zeroes it itself,
 *    and any other goes to musl's, whose malloc() then finds no kept block of that size.
 * sshd is single-threaded (privilege separation uses processes), so there is no locking.
 * Freed blocks are not zeroed, as with any malloc; sshd zeroes its sensitive buffers itself
 * (sshbuf_free, explicit_bzero) before freeing them.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

void *__real_malloc(size_t size);
void __real_free(void *ptr);
void *__real_calloc(size_t nmemb, size_t size);
void *__wrap_malloc(size_t size);
void __wrap_free(void *ptr);
void *__wrap_calloc(size_t nmemb, size_t size);

enum { LARGE = 128 * 1024, KEEP_MAX = 1024 * 1024, SLOTS = 4 };

static struct {
	void *ptr;
	size_t size;
} kept[SLOTS];
static unsigned next_victim;

/* A kept block of exactly `size` bytes, or NULL. */
static void *take(size_t size)
{
	for (unsigned i = 0; i < SLOTS; i++) {
		if (kept[i].ptr != NULL && kept[i].size == size) {
			void *ptr = kept[i].ptr;
			kept[i].ptr = NULL;
			return ptr;
		}
	}
	return NULL;
}

void *__wrap_malloc(size_t size)
{
	if (size >= LARGE && size <= KEEP_MAX) {
		void *ptr = take(size);
		if (ptr != NULL)
			return ptr;
	}
	return __real_malloc(size);
}

void __wrap_free(void *ptr)
{
	if (ptr == NULL)
		return;
	size_t size = malloc_usable_size(ptr);
	if (size < LARGE || size > KEEP_MAX) {
		__real_free(ptr);
		return;
	}
	for (unsigned i = 0; i < SLOTS; i++) {
		if (kept[i].ptr == NULL) {
			kept[i].ptr = ptr;
			kept[i].size = size;
			return;
		}
	}
	/* All slots taken: the oldest-placed one makes room, round robin. */
	unsigned i = next_victim++ % SLOTS;
	__real_free(kept[i].ptr);
	kept[i].ptr = ptr;
	kept[i].size = size;
}

void *__wrap_calloc(size_t nmemb, size_t size)
{
	size_t total;
	if (!__builtin_mul_overflow(nmemb, size, &total) && total >= LARGE && total <= KEEP_MAX) {
		void *ptr = take(total);
		if (ptr != NULL)
			return memset(ptr, 0, total);
	}
	/* musl's calloc() now calls malloc(total), which finds no kept block of that size: the
	 * block it trusts to be zero is a fresh one. */
	return __real_calloc(nmemb, size);
}
