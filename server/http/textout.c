#include "textout.h"

void textout_csv(struct evbuffer *b, const char *s)
{
    evbuffer_add(b, "\"", 1);
    if (s && (*s == '=' || *s == '+' || *s == '-' || *s == '@'))
        evbuffer_add(b, "'", 1);
    for (; s && *s; s++) {
        if (*s == '"')
            evbuffer_add(b, "\"", 1);
        evbuffer_add(b, s, 1);
    }
    evbuffer_add(b, "\"", 1);
}

void textout_html(struct evbuffer *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            evbuffer_add(b, "&lt;", 4);
            break;
        case '>':
            evbuffer_add(b, "&gt;", 4);
            break;
        case '&':
            evbuffer_add(b, "&amp;", 5);
            break;
        case '"':
            evbuffer_add(b, "&quot;", 6);
            break;
        default:
            evbuffer_add(b, s, 1);
        }
    }
}
