#define _POSIX_C_SOURCE 200809L
#include "ratelimit.h"

#include "clock.h"

#include <pthread.h>

#define RATELIMIT_SLOTS 4096

struct ratelimit_slot {
    int64_t key;
    double tokens;
    int64_t at_us;
};

static struct ratelimit_slot ratelimit_slots[RATELIMIT_SLOTS];
static pthread_mutex_t ratelimit_lock = PTHREAD_MUTEX_INITIALIZER;

int ratelimit_take(int64_t key, int per_minute)
{
    if (per_minute <= 0)
        per_minute = 1;
    int64_t now = clock_now_us();
    double rate = per_minute / 60e6; /* tokens per microsecond */
    pthread_mutex_lock(&ratelimit_lock);
    struct ratelimit_slot *s = &ratelimit_slots[(uint64_t)key * 2654435761u % RATELIMIT_SLOTS];
    if (s->key != key) {
        /* a new key (or a rare collision, which starts that key afresh) */
        s->key = key;
        s->tokens = per_minute;
        s->at_us = now;
    }
    s->tokens += (double)(now - s->at_us) * rate;
    if (s->tokens > per_minute)
        s->tokens = per_minute;
    s->at_us = now;
    int wait = 0;
    if (s->tokens >= 1)
        s->tokens -= 1;
    else
        wait = (int)((1 - s->tokens) / rate / 1e6) + 1;
    pthread_mutex_unlock(&ratelimit_lock);
    return wait;
}
