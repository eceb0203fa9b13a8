#include "common/html.h"

int html_escape(struct buf *b, const char *s)
{
    int rc = IS_OK;
    for (const char *p = s ? s : ""; *p && !rc; p++) {
        switch (*p) {
        case '<': rc = buf_adds(b, "&lt;"); break;
        case '>': rc = buf_adds(b, "&gt;"); break;
        case '&': rc = buf_adds(b, "&amp;"); break;
        case '"': rc = buf_adds(b, "&quot;"); break;
        case '\'': rc = buf_adds(b, "&#39;"); break;
        default:
            if ((unsigned char)*p >= 0x20 || *p == '\n' || *p == '\t')
                rc = buf_add(b, p, 1);
        }
    }
    return rc;
}
