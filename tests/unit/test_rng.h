/*
 * test_rng: the tests' random numbers (splitmix64), the same sequence for a
 * seed on every machine.  test_rng_next steps a state the caller keeps.  A
 * unit test that includes this also gets rnd, pick and chance over a state
 * of its own: set rng_state to seed it.  A file with its own helpers over
 * test_rng_next (the allocation tests, tests/bench/synth.h) defines
 * TEST_RNG_NEXT_ONLY before including this.
 */
#ifndef LEYE_TEST_RNG_H
#define LEYE_TEST_RNG_H

#include <stdbool.h>
#include <stdint.h>

/* The next number of the sequence of *state (advances it). */
static inline uint64_t test_rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

#ifndef TEST_RNG_NEXT_ONLY

static uint64_t rng_state;

static inline uint64_t rnd(void)
{
    return test_rng_next(&rng_state);
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

#endif /* TEST_RNG_NEXT_ONLY */

#endif
