/*
 * test_rng: the unit tests' random numbers (splitmix64), the same sequence
 * for a seed on every machine.  Each test file that includes this has its
 * own state: set rng_state to seed it.
 */
#ifndef LEYE_TEST_RNG_H
#define LEYE_TEST_RNG_H

#include <stdbool.h>
#include <stdint.h>

static uint64_t rng_state;

static inline uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A number below n. */
static inline unsigned pick(unsigned n)
{
    return (unsigned)(rnd() % n);
}

/* True percent times in a hundred. */
static inline bool chance(unsigned percent)
{
    return pick(100) < percent;
}

#endif
