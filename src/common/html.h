/*
 * html.h - the one escaper for text written into HTML, SVG and XML (Atom).
 */
#ifndef INFRASHARE_HTML_H
#define INFRASHARE_HTML_H

#include "common/buf.h"

/* Appends s (NULL is "") to b, safe both as element text and as a quoted
 * attribute value: < > & " ' become &lt; &gt; &amp; &quot; &#39;, and
 * control characters other than tab and newline are dropped (XML 1.0 does
 * not allow them). Other bytes, UTF-8 included, are copied. Returns 0 or the
 * first error of buf_add (b then holds a prefix of the text). */
int html_escape(struct buf *b, const char *s);

#endif
