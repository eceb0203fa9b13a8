/*
 * registry_view.c - the registry and the catalogue as the API shows them:
 * encodes what the store lists (plain structs) as the JSON of
 * docs/openapi.json, and applies who may see which organisation.
 */
#include "service/registry.h"

#include "core/access.h"

/* A string, or json null for NULL: a new reference. */
static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *name_pair(const struct store_name *n)
{
    return json_pack("{s:o,s:o}", "ja", str_or_null(n->ja), "en",
                     str_or_null(n->en));
}

/* Parses stored JSON text; NULL when absent or not JSON. */
static json_t *stored_json(const char *text)
{
    return text ? json_loads(text, 0, NULL) : NULL;
}

/* A new array of enc(item) for each of the n items of size bytes; NULL
 * when out of memory. */
static json_t *encode_all(const void *items, size_t n, size_t size,
                          json_t *(*enc)(const void *item))
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        if (json_array_append_new(arr, enc((const char *)items + i * size))) {
            json_decref(arr);
            arr = NULL;
        }
    return arr;
}

/* The scope's CEPTOAR, or json null when it has none. */
static json_t *ceptoar_json(const struct store_scope_entry *s)
{
    if (!s->ceptoar_id)
        return json_null();
    json_t *attrs = stored_json(s->ceptoar_attrs);
    json_t *o =
        json_pack("{s:o,s:o,s:{s:O,s:O},s:O}", "id", str_or_null(s->ceptoar_id),
                  "name", name_pair(&s->ceptoar_name), "secretariat", "ja",
                  json_object_get(attrs, "secretariat_ja"), "en",
                  json_object_get(attrs, "secretariat_en"), "members",
                  json_object_get(attrs, "members"));
    json_decref(attrs);
    return o ? o : json_null();
}

json_t *registry_sectors_encode(const struct store_sectors *s)
{
    json_t *sectors = json_array();
    for (size_t i = 0; sectors && i < s->nsectors; i++) {
        const struct store_sector_entry *se = &s->sectors[i];
        json_array_append_new(
            sectors,
            json_pack("{s:o,s:o,s:{s:o,s:o},s:[]}", "id", str_or_null(se->id),
                      "name", name_pair(&se->name), "ministry", "id",
                      str_or_null(se->ministry_id), "name",
                      name_pair(&se->ministry_name), "scopes"));
    }
    for (size_t i = 0; sectors && i < s->nscopes; i++) {
        const struct store_scope_entry *sc = &s->scopes[i];
        json_t *related = stored_json(sc->related);
        json_t *o = json_pack("{s:o,s:o,s:o,s:o}", "id", str_or_null(sc->id),
                              "name", name_pair(&sc->name), "related_scopes",
                              related ? related : json_array(), "ceptoar",
                              ceptoar_json(sc));
        /* under its sector; a scope of no listed sector is left out */
        json_t *sector = NULL;
        for (size_t k = 0; sc->sector_id && k < s->nsectors; k++)
            if (s->sectors[k].id && !strcmp(s->sectors[k].id, sc->sector_id))
                sector = json_array_get(sectors, k);
        if (sector)
            json_array_append_new(json_object_get(sector, "scopes"), o);
        else
            json_decref(o);
    }
    return sectors;
}

json_t *registry_org_encode(const struct store_org_entry *e)
{
    json_t *o = json_pack(
        "{s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:b}", "id", str_or_null(e->id), "kind",
        str_or_null(e->kind), "name", name_pair(&e->name), "short_en",
        str_or_null(e->short_en), "scope", str_or_null(e->scope_id), "sector",
        str_or_null(e->sector_id), "observer", e->observer, "demo", e->demo);
    if (!o)
        return NULL;
    json_t *attrs = stored_json(e->attrs);
    if (json_is_object(attrs) && json_object_size(attrs))
        json_object_set(o, "registry", attrs);
    json_decref(attrs);
    json_t *groups = json_array();
    for (size_t i = 0; i < e->nmember_of; i++)
        json_array_append_new(groups, json_string(e->member_of[i]));
    json_object_set_new(o, "member_of", groups);
    return o;
}

int registry_sectors_json(struct store_conn *c, json_t **out)
{
    struct store_sectors s;
    int rc = store_sectors_list(c, &s);
    if (rc)
        return rc;
    *out = registry_sectors_encode(&s);
    store_sectors_release(&s);
    return *out ? IS_OK : IS_ERR_NOMEM;
}

int registry_org_visible(struct store_conn *c, const struct access_org *viewer,
                         unsigned roles, const char *id,
                         struct access_org *target)
{
    int rc = store_org_rel(c, id, target);
    if (rc)
        return rc;
    return access_may_see_org(viewer, roles, target) ? IS_OK : IS_ERR_NOTFOUND;
}

int registry_org_json(struct store_conn *c, const char *id, json_t **out)
{
    struct store_org_entry *e;
    int rc = store_org_get(c, id, &e);
    if (rc)
        return rc;
    *out = registry_org_encode(e);
    store_orgs_free(e, 1);
    return *out ? IS_OK : IS_ERR_NOMEM;
}

static json_t *org_item(const void *e)
{
    return registry_org_encode(e);
}

int registry_orgs_json(struct store_conn *c, const struct store_org_filter *f,
                       json_t **items, char **next)
{
    struct store_org_entry *e;
    size_t n;
    int rc = store_orgs_list(c, f, &e, &n, next);
    if (rc)
        return rc;
    json_t *arr = encode_all(e, n, sizeof(*e), org_item);
    store_orgs_free(e, n);
    if (!arr) {
        free(*next);
        *next = NULL;
        return IS_ERR_NOMEM;
    }
    *items = arr;
    return IS_OK;
}

int registry_catalogue_json(struct store_conn *c, const char *scope,
                            json_t **out)
{
    struct store_catalogue_item *k;
    size_t n;
    int rc = store_catalogue_list(c, scope, &k, &n);
    if (rc)
        return rc;
    json_t *o = json_pack("{s:[],s:[]}", "system_classes", "ci_services");
    for (size_t i = 0; o && i < n; i++) {
        json_t *doc = stored_json(k[i].doc);
        if (doc)
            json_array_append_new(json_object_get(o, k[i].system_class
                                                         ? "system_classes"
                                                         : "ci_services"),
                                  doc);
    }
    store_catalogue_free(k, n);
    if (!o)
        return IS_ERR_NOMEM;
    *out = o;
    return IS_OK;
}

static json_t *contact_item(const void *p)
{
    const struct store_contact_entry *k = p;
    return json_pack("{s:I,s:s,s:s,s:i,s:b,s:s}", "id", (json_int_t)k->id,
                     "channel", k->channel, "address", k->address, "priority",
                     k->priority, "emergency", k->emergency, "lang", k->lang);
}

int registry_contacts_json(struct store_conn *c, const char *org_id,
                           json_t **out)
{
    struct store_contact_entry *k;
    size_t n;
    int rc = store_contacts_list(c, org_id, &k, &n);
    if (rc)
        return rc;
    *out = encode_all(k, n, sizeof(*k), contact_item);
    store_contacts_free(k, n);
    return *out ? IS_OK : IS_ERR_NOMEM;
}
