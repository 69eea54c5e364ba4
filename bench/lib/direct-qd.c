// direct-qd: O_DIRECT write patterns into one new file, as a writer of a capture could issue them
// (bench/direct-qd.sh runs it). Prints "PATTERN seconds MB/s"; the time includes open and fdatasync.
//
//   direct-qd FILE TOTAL_MIB seq   BLOCK_KIB                   one write at a time, each growing the file (dd oflag=direct)
//   direct-qd FILE TOTAL_MIB pipe  BLOCK_KIB THREADS WIN_MIB   THREADS writes always in flight; the file's size kept
//                                                              ahead of them by fallocate() in WIN_MIB steps (0: none)
//   direct-qd FILE TOTAL_MIB split BLOCK_KIB PIECES WIN_MIB    each block written as PIECES concurrent writes, all
//                                                              awaited before the next block (lockstep)
//
// On ext4 a write that grows the file holds the inode lock until it completes, so concurrent
// writes only overlap where the file's size already covers them (fallocate; cut back at the end).
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long total, block, win, allocated;
static int fd, threads;
static atomic_long next;
static pthread_mutex_t grow = PTHREAD_MUTEX_INITIALIZER;

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static void fail(const char *what) { perror(what); exit(1); }
static char *buffer(long size) { void *b; if (posix_memalign(&b, 4096, size)) fail("posix_memalign"); memset(b, 0x5a, size); return b; }
static void write_at(const char *b, long length, long at) { if (pwrite(fd, b, length, at) != length) fail("pwrite"); }
static void cover(long end) { // the file's size reaches end (fallocate windows), under the lock
  pthread_mutex_lock(&grow);
  while (allocated < end) { if (fallocate(fd, 0, allocated, win)) fail("fallocate"); allocated += win; }
  pthread_mutex_unlock(&grow);
}
static void *pipe_writer(void *unused) {
  char *b = buffer(block);
  for (long at; (at = atomic_fetch_add(&next, block)) < total;) { if (win) cover(at + block); write_at(b, block, at); }
  return unused;
}
struct piece { const char *b; long length, at; };
static void *piece_writer(void *p) { struct piece *x = p; write_at(x->b, x->length, x->at); return 0; }

int main(int argc, char **argv) {
  if (argc < 5) { fprintf(stderr, "usage: direct-qd FILE TOTAL_MIB seq|pipe|split BLOCK_KIB [N WIN_MIB]\n"); return 2; }
  total = atol(argv[2]) << 20; const char *mode = argv[3]; block = atol(argv[4]) << 10;
  int n = argc > 5 ? atoi(argv[5]) : 1; win = argc > 6 ? atol(argv[6]) << 20 : 0;
  double start = now();
  fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0644);
  if (fd < 0) fail("open");
  if (!strcmp(mode, "seq")) {
    char *b = buffer(block);
    for (long at = 0; at < total; at += block) write_at(b, block, at);
  } else if (!strcmp(mode, "pipe")) {
    threads = n; pthread_t t[64];
    for (int i = 0; i < threads; i++) pthread_create(&t[i], 0, pipe_writer, 0);
    for (int i = 0; i < threads; i++) pthread_join(t[i], 0);
  } else if (!strcmp(mode, "split")) {
    char *b = buffer(block); long part = block / n; pthread_t t[64]; struct piece p[64];
    for (long at = 0; at < total; at += block) {
      if (win) cover(at + block);
      for (int i = 1; i < n; i++) { p[i] = (struct piece){ b + i * part, part, at + i * part }; pthread_create(&t[i], 0, piece_writer, &p[i]); }
      write_at(b, part, at);
      for (int i = 1; i < n; i++) pthread_join(t[i], 0);
    }
  } else { fprintf(stderr, "direct-qd: unknown pattern %s\n", mode); return 2; }
  if (ftruncate(fd, total) || fdatasync(fd) || close(fd)) fail("finish");
  double s = now() - start;
  printf("%s-%ldK", mode, block >> 10);
  if (strcmp(mode, "seq")) printf("x%d%s%ld", n, win ? "-win" : "", win >> 20);
  printf(" %.3f %.0f\n", s, total / s / 1e6);
  return 0;
}
