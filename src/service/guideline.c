/*
 * guideline.c - the safety-standards guideline's editions (see
 * service/guideline.h).
 */
#include "service/guideline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/embed.h"
#include "common/util.h"
#include "service/app.h"
#include "store/store_survey.h"

extern const struct embed_file guideline_editions[];
extern const size_t guideline_editions_count;

#define GL_MAX_EDITIONS 8

static struct gl_edition editions[GL_MAX_EDITIONS];
static int neditions;

static int bad(struct svc_error *e, const char *field, const char *why)
{
    return svc_fail(e, IS_ERR_INVALID, "invalid_catalogue", field, "%s: %s",
                    field, why);
}

/* {"ja": "...", "en": "..."}, both non-empty */
static bool bilingual(const json_t *o)
{
    const char *ja = json_string_value(json_object_get(o, "ja"));
    const char *en = json_string_value(json_object_get(o, "en"));
    return ja && en && *ja && *en;
}

static bool id_ok(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n >= GUIDELINE_ID_LEN || !util_utf8_ok(id, n))
        return false;
    for (const char *p = id; *p; p++)
        if ((unsigned char)*p < 0x21 || *p == '/' || *p == '"' || *p == ',')
            return false;
    return true;
}

static struct gl_item *find(struct gl_edition *ed, const char *id)
{
    for (int i = 0; i < ed->nitems; i++)
        if (strcmp(ed->items[i].id, id) == 0)
            return &ed->items[i];
    return NULL;
}

static int add(struct gl_edition *ed, const char *id, const char *parent,
               const char *pdca, const char *field, struct svc_error *e)
{
    if (!id_ok(id))
        return bad(e, field, "an id of 1 to 47 bytes without spaces");
    if (find(ed, id))
        return bad(e, field, "the same id twice");
    if (ed->nitems >= GUIDELINE_MAX_ITEMS)
        return bad(e, field, "too many items");
    struct gl_item *it = &ed->items[ed->nitems++];
    util_xcopy(it->id, sizeof(it->id), id);
    util_xcopy(it->parent, sizeof(it->parent), parent ? parent : "");
    util_xcopy(it->pdca, sizeof(it->pdca), pdca);
    it->answerable = true;
    return IS_OK;
}

int guideline_parse(const json_t *doc, struct gl_edition *out,
                    struct svc_error *e)
{
    memset(out, 0, sizeof(*out));
    const char *edition = json_string_value(json_object_get(doc, "edition"));
    if (!edition || !*edition || strlen(edition) >= sizeof(out->edition) ||
        !id_ok(edition))
        return bad(e, "edition", "a short name (\"ed5\")");
    util_xcopy(out->edition, sizeof(out->edition), edition);
    if (!bilingual(json_object_get(doc, "title")))
        return bad(e, "title", "needs ja and en");
    out->items = calloc(GUIDELINE_MAX_ITEMS, sizeof(*out->items));
    if (!out->items)
        return svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "out of memory");
    char field[96];
    size_t i;
    json_t *c;
    json_array_foreach (json_object_get(doc, "classes"), i, c) {
        snprintf(field, sizeof(field), "classes[%zu]", i);
        if (!json_string_value(json_object_get(c, "id")) ||
            !bilingual(json_object_get(c, "name")))
            return bad(e, field, "needs an id and a name in ja and en");
    }
    static const char *const phases[] = {"plan", "do", "check", "act"};
    json_array_foreach (json_object_get(doc, "items"), i, c) {
        snprintf(field, sizeof(field), "items[%zu]", i);
        const char *id = json_string_value(json_object_get(c, "id"));
        const char *pdca = json_string_value(json_object_get(c, "pdca"));
        const json_t *par = json_object_get(c, "parent");
        const char *parent = json_string_value(par);
        bool phase = false;
        for (size_t k = 0; pdca && k < IS_ARRAY_LEN(phases); k++)
            phase |= strcmp(pdca, phases[k]) == 0;
        if (!phase)
            return bad(e, field, "pdca must be plan, do, check or act");
        if (!bilingual(json_object_get(c, "title")) ||
            !bilingual(json_object_get(c, "text")))
            return bad(e, field, "needs a title and a text in ja and en");
        if (par && !json_is_null(par) && !parent)
            return bad(e, field, "parent must be an id or null");
        struct gl_item *p = parent ? find(out, parent) : NULL;
        if (parent && !p)
            return bad(e, field, "its parent is not an earlier item");
        int rc = add(out, id, parent, pdca, field, e);
        if (rc)
            return rc;
        if (p)
            p->answerable = false; /* a heading of its children */
    }
    json_array_foreach (json_object_get(doc, "bcp"), i, c) {
        snprintf(field, sizeof(field), "bcp[%zu]", i);
        const char *id = json_string_value(json_object_get(c, "id"));
        if (!bilingual(json_object_get(c, "title")) ||
            !bilingual(json_object_get(c, "point")))
            return bad(e, field, "needs a title and a point in ja and en");
        int rc = add(out, id, NULL, "bcp", field, e);
        if (rc)
            return rc;
        struct gl_item *head = &out->items[out->nitems - 1];
        head->answerable = false;
        size_t k;
        json_t *ck;
        json_array_foreach (json_object_get(c, "checks"), k, ck) {
            snprintf(field, sizeof(field), "bcp[%zu].checks[%zu]", i, k);
            if (!bilingual(json_object_get(ck, "text")))
                return bad(e, field, "needs a text in ja and en");
            char parent[GUIDELINE_ID_LEN];
            util_xcopy(parent, sizeof(parent), id);
            if ((rc = add(out, json_string_value(json_object_get(ck, "id")),
                          parent, "bcp", field, e)))
                return rc;
        }
    }
    for (int k = 0; k < out->nitems; k++)
        out->nanswerable += out->items[k].answerable;
    if (out->nanswerable == 0)
        return bad(e, "items", "no item to answer");
    out->doc = json_incref((json_t *)doc);
    return IS_OK;
}

void guideline_release(struct gl_edition *ed)
{
    if (!ed)
        return;
    free(ed->items);
    json_decref(ed->doc);
    memset(ed, 0, sizeof(*ed));
}

int guideline_load(char *err, size_t errlen)
{
    guideline_unload();
    for (size_t i = 0; i < guideline_editions_count; i++) {
        const struct embed_file *f = &guideline_editions[i];
        json_error_t je;
        json_t *doc = json_loadb((const char *)f->data, f->len,
                                 JSON_REJECT_DUPLICATES, &je);
        struct svc_error e = {0};
        int rc = IS_ERR_INVALID;
        if (!doc)
            snprintf(err, errlen, "%s:%d: %s", f->name, je.line, je.text);
        else if (neditions >= GL_MAX_EDITIONS)
            snprintf(err, errlen, "%s: too many editions", f->name);
        else if ((rc = guideline_parse(doc, &editions[neditions], &e)))
            snprintf(err, errlen, "%s: %s", f->name, e.message);
        json_decref(doc);
        if (rc) {
            guideline_release(&editions[neditions]);
            guideline_unload();
            return rc;
        }
        neditions++;
    }
    return IS_OK;
}

void guideline_unload(void)
{
    for (int i = 0; i < neditions; i++)
        guideline_release(&editions[i]);
    neditions = 0;
}

const struct gl_edition *guideline_edition(const char *edition)
{
    if (neditions == 0)
        return NULL;
    if (!edition || !*edition)
        return &editions[neditions - 1]; /* listed oldest first */
    for (int i = 0; i < neditions; i++)
        if (strcmp(editions[i].edition, edition) == 0)
            return &editions[i];
    return NULL;
}

const struct gl_item *guideline_item(const struct gl_edition *ed,
                                     const char *id)
{
    return ed && id ? find((struct gl_edition *)ed, id) : NULL;
}

bool guideline_item_known(const char *id)
{
    return guideline_item(guideline_edition(NULL), id) != NULL;
}

const struct gl_edition *guideline_edition_stored(struct store_conn *c,
                                                  const char *edition,
                                                  struct gl_edition *own)
{
    const struct gl_edition *ed = guideline_edition(edition);
    if (ed)
        return ed;
    char *stored = NULL;
    json_t *doc = NULL;
    if (store_gl_edition_get(c, edition, &stored) == IS_OK)
        doc = json_loads(stored, 0, NULL);
    free(stored);
    struct svc_error pe = {0};
    int rc = doc ? guideline_parse(doc, own, &pe) : IS_ERR_NOTFOUND;
    json_decref(doc);
    if (rc) {
        guideline_release(own);
        return NULL;
    }
    return own;
}
