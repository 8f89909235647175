/*
 * Replays a fuzz target's checked-in corpus with the normal build, as part
 * of make test: one TAP line per corpus file.  Usage: replay DIR
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
#ifdef FUZZ_CORPUS
    const char *dir = argc > 1 ? argv[1] : FUZZ_CORPUS;
#else
    const char *dir = argc > 1 ? argv[1] : getenv("LEYE_FUZZ_CORPUS");
#endif
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d) {
        printf("1..1\nnot ok 1 - corpus folder %s\n", dir ? dir : "(none)");
        return 1;
    }
    char *names[65536];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 65536)
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof names[0], replay_cmp);
    printf("1..%zu\n", n ? n : 1);
    if (!n)
        printf("not ok 1 - the corpus in %s is empty\n", dir);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "rb");
        unsigned char *buf = malloc(1 << 20);
        size_t len = f && buf ? fread(buf, 1, 1 << 20, f) : 0;
        if (f)
            fclose(f);
        LLVMFuzzerTestOneInput(buf, len);
        printf("ok %zu - %s\n", i + 1, names[i]);
        free(buf);
        free(names[i]);
    }
    return n ? 0 : 1;
}
