#include "router.h"

#include <string.h>

static int router_hex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long router_decode(const char *src, size_t len, char *dst, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)src[i];
        if (c == '%') {
            if (i + 2 >= len)
                return -1;
            int h = router_hex(src[i + 1]), l = router_hex(src[i + 2]);
            if (h < 0 || l < 0)
                return -1;
            c = h * 16 + l;
            i += 2;
        }
        if (c == 0 || o + 1 >= cap)
            return -1;
        dst[o++] = (char)c;
    }
    dst[o] = '\0';
    return (long)o;
}

struct router_segs {
    size_t n;
    const char *s[ROUTER_MAX_SEGMENTS];
    size_t len[ROUTER_MAX_SEGMENTS];
};

/* Splits "/a/b/c" into segments; a trailing slash makes an empty last segment. */
static bool router_split(const char *path, struct router_segs *segs)
{
    segs->n = 0;
    if (path[0] != '/')
        return false;
    const char *p = path + 1;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (segs->n == ROUTER_MAX_SEGMENTS)
            return false;
        segs->s[segs->n] = p;
        segs->len[segs->n++] = len;
        if (!slash)
            return true;
        p = slash + 1;
    }
}

static bool router_dot_segment(const char *s, size_t len)
{
    char buf[8];
    if (len > 9)
        return false;
    long n = router_decode(s, len, buf, sizeof buf);
    return n < 0 || (n == 1 && buf[0] == '.') || (n == 2 && buf[0] == '.' && buf[1] == '.');
}

/* Matches one route's pattern; fills params when it matches. */
static bool router_match_pattern(const char *pattern, const struct router_segs *path,
                                 struct router_match *m, bool *bad)
{
    struct router_segs pat;
    if (!router_split(pattern, &pat) || pat.n != path->n)
        return false;
    size_t np = 0;
    for (size_t i = 0; i < pat.n; i++) {
        if (pat.len[i] > 2 && pat.s[i][0] == '{') {
            if (path->len[i] == 0 || np == ROUTER_MAX_PARAMS)
                return false;
            if (router_decode(path->s[i], path->len[i], m->params[np], ROUTER_MAX_PARAM_LEN) < 0 ||
                strchr(m->params[np], '/')) {
                *bad = true;
                return false;
            }
            np++;
        } else if (pat.len[i] != path->len[i] || memcmp(pat.s[i], path->s[i], pat.len[i]) != 0) {
            return false;
        }
    }
    m->nparams = np;
    return true;
}

static void router_allow_add(struct router_match *m, const char *method)
{
    if (strstr(m->allow, method))
        return;
    size_t used = strlen(m->allow);
    size_t need = strlen(method) + (used ? 2 : 0);
    if (used + need + 1 > sizeof m->allow)
        return;
    if (used)
        strcat(m->allow, ", ");
    strcat(m->allow, method);
    if (strcmp(method, "GET") == 0)
        router_allow_add(m, "HEAD");
}

enum router_result router_match(const struct router_route *routes, size_t n, const char *method,
                                const char *path, struct router_match *m)
{
    struct router_segs segs;
    memset(m, 0, sizeof *m);
    if (strlen(path) > 2048 || !router_split(path, &segs))
        return ROUTER_BAD_PATH;
    for (size_t i = 0; i < segs.n; i++)
        if (router_dot_segment(segs.s[i], segs.len[i]))
            return ROUTER_BAD_PATH;
    bool any = false, bad = false;
    const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
    for (size_t i = 0; i < n; i++) {
        if (!router_match_pattern(routes[i].pattern, &segs, m, &bad))
            continue;
        any = true;
        router_allow_add(m, routes[i].method);
        if (strcmp(routes[i].method, want) == 0) {
            m->route = &routes[i];
            return ROUTER_FOUND;
        }
    }
    if (bad)
        return ROUTER_BAD_PATH;
    if (any)
        router_allow_add(m, "OPTIONS");
    return any ? ROUTER_METHOD_NOT_ALLOWED : ROUTER_NOT_FOUND;
}

long router_check_table(const struct router_route *routes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct router_segs s;
        if (!routes[i].policy || !routes[i].handler || !routes[i].method ||
            !router_split(routes[i].pattern, &s))
            return (long)i;
        for (size_t j = 0; j < i; j++)
            if (strcmp(routes[i].method, routes[j].method) == 0 &&
                strcmp(routes[i].pattern, routes[j].pattern) == 0)
                return (long)i;
    }
    return -1;
}
