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
    if (cap == 0)
        return -1;
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

/* True when a segment is "." or ".." (in any encoding) or has a bad or NUL escape. */
static bool router_bad_segment(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '%')
            continue;
        if (i + 2 >= len)
            return true;
        int h = router_hex(s[i + 1]), l = router_hex(s[i + 2]);
        if (h < 0 || l < 0 || (h == 0 && l == 0))
            return true;
        i += 2;
    }
    char buf[16];
    if (len > 9) /* "%2e%2e" and shorter forms only */
        return false;
    long n = router_decode(s, len, buf, sizeof buf);
    return n < 0 || (n == 1 && buf[0] == '.') || (n == 2 && buf[0] == '.' && buf[1] == '.');
}

/* A "{name}" segment: lower-case letters and underscores. */
static int router_param_segment(const char *s, size_t len)
{
    if (len < 1 || s[0] != '{')
        return 0;
    if (len < 3 || s[len - 1] != '}')
        return -1;
    for (size_t i = 1; i + 1 < len; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
            return -1;
    return 1;
}

/* Matches one route's pattern; fills params when it matches. */
/* Whether pattern's text up to its first parameter (or its end) agrees with
 * the start of path: if not, some segment before any parameter differs, or
 * the segments do not line up, and the pattern cannot match. */
static bool router_prefix_agrees(const char *pattern, const char *path)
{
    while (*pattern && *pattern != '{' && *pattern == *path) {
        pattern++;
        path++;
    }
    return *pattern == '{' || *pattern == *path;
}

static bool router_match_pattern(const char *pattern, const char *raw,
                                 const struct router_segs *path, struct router_match *m, bool *bad)
{
    struct router_segs pat;
    if (!router_prefix_agrees(pattern, raw) || !router_split(pattern, &pat) || pat.n != path->n)
        return false;
    size_t np = 0;
    for (size_t i = 0; i < pat.n; i++) {
        if (router_param_segment(pat.s[i], pat.len[i]) == 1) {
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
        if (router_bad_segment(segs.s[i], segs.len[i]))
            return ROUTER_BAD_PATH;
    bool any = false, bad = false;
    const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
    for (size_t i = 0; i < n; i++) {
        if (!router_match_pattern(routes[i].pattern, path, &segs, m, &bad))
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

/* Same shape: equal but for the names of parameters. */
static bool router_same_shape(const char *a, const char *b)
{
    struct router_segs x, y;
    if (!router_split(a, &x) || !router_split(b, &y) || x.n != y.n)
        return false;
    for (size_t i = 0; i < x.n; i++) {
        int pa = router_param_segment(x.s[i], x.len[i]),
            pb = router_param_segment(y.s[i], y.len[i]);
        if (pa != pb)
            return false;
        if (pa == 0 && (x.len[i] != y.len[i] || memcmp(x.s[i], y.s[i], x.len[i]) != 0))
            return false;
    }
    return true;
}

long router_check_table(const struct router_route *routes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct router_segs s;
        if (!routes[i].policy || !routes[i].handler || !routes[i].method || !routes[i].pattern ||
            !router_split(routes[i].pattern, &s))
            return (long)i;
        size_t params = 0;
        for (size_t k = 0; k < s.n; k++) {
            int p = router_param_segment(s.s[k], s.len[k]);
            if (p < 0 || memchr(s.s[k], '}', s.len[k]) != (p ? s.s[k] + s.len[k] - 1 : NULL))
                return (long)i;
            params += (size_t)p;
        }
        if (params > ROUTER_MAX_PARAMS)
            return (long)i;
        for (size_t j = 0; j < i; j++)
            if (strcmp(routes[i].method, routes[j].method) == 0 &&
                router_same_shape(routes[i].pattern, routes[j].pattern))
                return (long)i;
    }
    return -1;
}
