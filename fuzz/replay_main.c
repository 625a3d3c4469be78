/*
 * replay_main.c: runs a fuzz target's LLVMFuzzerTestOneInput over files and
 * directories of inputs without libFuzzer, so any C compiler with
 * AddressSanitizer can replay the committed corpus (tests/unit/
 * shim_pure_test.ts does, with gcc). Prints "replayed N inputs"; a broken
 * invariant or a sanitizer report aborts.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long replayed = 0;

static int replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  long size;
  uint8_t *data;
  if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
      fseek(f, 0, SEEK_SET) != 0) {
    fprintf(stderr, "cannot read %s\n", path);
    return 1;
  }
  /* Exactly the input's size, as libFuzzer allocates it. */
  data = (uint8_t *)malloc(size != 0 ? (size_t)size : 1);
  if (data == NULL || fread(data, 1, (size_t)size, f) != (size_t)size) {
    fprintf(stderr, "cannot read %s\n", path);
    return 1;
  }
  fclose(f);
  LLVMFuzzerTestOneInput(data, (size_t)size);
  free(data);
  replayed++;
  return 0;
}

static int replay(const char *path) {
  struct stat st;
  DIR *dir;
  struct dirent *entry;
  int failed = 0;
  if (stat(path, &st) != 0) {
    fprintf(stderr, "no such input: %s\n", path);
    return 1;
  }
  if (!S_ISDIR(st.st_mode)) {
    return replay_file(path);
  }
  dir = opendir(path);
  if (dir == NULL) {
    fprintf(stderr, "cannot list %s\n", path);
    return 1;
  }
  while ((entry = readdir(dir)) != NULL) {
    char child[4096];
    if (entry->d_name[0] == '.') {
      continue;
    }
    snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
    failed |= replay(child);
  }
  closedir(dir);
  return failed;
}

int main(int argc, char **argv) {
  int failed = 0;
  int i;
  for (i = 1; i < argc; i++) {
    failed |= replay(argv[i]);
  }
  printf("replayed %lu inputs\n", replayed);
  return failed;
}
