/*
 * textout: text written into documents the server renders itself (CSV
 * exports, printable HTML pages), escaped for where it goes.
 */
#ifndef LEYE_TEXTOUT_H
#define LEYE_TEXTOUT_H

#include <event2/buffer.h>

/* s as one quoted CSV field; a leading = + - @ is neutralised with a quote
 * mark so that a spreadsheet does not take it for a formula. */
void textout_csv(struct evbuffer *b, const char *s);

/* s with < > & " escaped, for HTML text and attribute values. */
void textout_html(struct evbuffer *b, const char *s);

#endif
