/*
 * ratelimit: a token bucket per broker API key, shared by the process's
 * threads.  Each server instance limits on its own: behind a load balancer
 * of n instances a key gets at most n times its rate.
 */
#ifndef LEYE_RATELIMIT_H
#define LEYE_RATELIMIT_H

#include <stdint.h>

/* Takes one request for key at per_minute; returns 0, or the seconds to
 * wait before the next one is allowed. */
int ratelimit_take(int64_t key, int per_minute);

#endif
