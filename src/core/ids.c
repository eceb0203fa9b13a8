#include "core/ids.h"

bool ids_has(const struct ids *l, const char *id)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->id[i], id) == 0)
            return true;
    return false;
}

int ids_add(struct ids *l, const char *id)
{
    if (!id[0] || ids_has(l, id))
        return IS_OK;
    size_t len = strlen(id);
    if (l->n >= IDS_MAX || len >= IDS_LEN)
        return IS_ERR_LIMIT;
    memcpy(l->id[l->n], id, len + 1);
    l->n++;
    return IS_OK;
}
