/*
 * stix.c - advisories as STIX 2.1 bundles (issue 16, first part; see
 * service/stix.h and docs/stix.md).
 */
#include "service/stix.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "core/range.h"
#include "core/stix.h"
#include "core/c4tap.h"
#include "service/c4tap.h"
#include "service/observation.h"
#include "service/provision.h"
#include "service/reporting.h"
#include "store/store_stix.h"

static int namespace_read(struct store_conn *c, unsigned char ns[16])
{
    char text[64];
    int rc = store_meta_get(c, "stix_namespace", text, sizeof(text));
    return rc ? rc : stix_uuid_parse(text, ns);
}

int stix_namespace_load(struct store_conn *c, unsigned char ns[16])
{
    int rc = namespace_read(c, ns);
    if (rc != IS_ERR_NOTFOUND)
        return rc;
    /* the first use: a random (version 4) UUID, made in a write
     * transaction (two first uses make one), kept for the hub's lifetime:
     * every id the hub exports derives from it */
    if ((rc = store_begin(c)))
        return rc;
    rc = namespace_read(c, ns);
    if (rc == IS_ERR_NOTFOUND) {
        randombytes_buf(ns, 16);
        ns[6] = (unsigned char)((ns[6] & 0x0f) | 0x40);
        ns[8] = (unsigned char)((ns[8] & 0x3f) | 0x80);
        char hex[33], text[64];
        util_hex(hex, ns, 16);
        snprintf(text, sizeof(text), "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8,
                 hex + 12, hex + 16, hex + 20);
        rc = store_meta_set(c, "stix_namespace", text);
    }
    if (!rc)
        rc = store_commit(c);
    if (rc)
        store_rollback(c);
    return rc;
}

/* ---- building objects ---- */

struct bundle {
    unsigned char ns[16];
    json_t *objects;
    const char *marking; /* the TLP marking definition of what is made now */
    int range;
    bool used[RANGE_COUNT]; /* the ranges the bundle's objects carry */
};

/* The range of an object's marking (-1 when it has none). */
static int obj_range(const json_t *o)
{
    const json_t *m = json_object_get(o, "object_marking_refs");
    return m ? stix_tlp_range(json_string_value(json_array_get(m, 0))) : -1;
}

/* Adds o (its reference taken) to b: one object per id. An object made
 * twice (an organisation's identity in two reports of one event) keeps
 * the narrower of its markings. */
static void put(struct bundle *b, json_t *o)
{
    if (!o)
        return;
    const char *id = json_string_value(json_object_get(o, "id"));
    int r = obj_range(o);
    if (r >= 0)
        b->used[r] = true;
    size_t i;
    json_t *x;
    json_array_foreach (b->objects, i, x) {
        const char *xid = json_string_value(json_object_get(x, "id"));
        if (!id || !xid || strcmp(id, xid) != 0)
            continue;
        int xr = obj_range(x);
        if (r >= 0 && xr >= 0 && r < xr)
            json_object_set(x, "object_marking_refs",
                            json_object_get(o, "object_marking_refs"));
        json_decref(o);
        return;
    }
    json_array_append_new(b->objects, o);
}

static int add_id(struct bundle *b, const char *type, const char *key,
                  char out[STIX_ID_LEN])
{
    return stix_id(b->ns, type, key, out);
}

/* "2026-12-01T09:30:00Z" (the API's) as a STIX timestamp */
static void stix_time_of(const char *rfc3339, char out[STIX_TIME_LEN])
{
    int64_t t = 0;
    if (!rfc3339 || util_time_parse(rfc3339, &t))
        t = 0;
    stix_time(t, 0, out);
}

/* The official TLP 2.0 marking definition object of range r. */
static json_t *marking_json(int r)
{
    return json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:{s:{s:s,s:s}}}", "type", "marking-definition",
        "spec_version", "2.1", "id", stix_tlp_id((enum share_range)r),
        "created", STIX_TLP2_CREATED, "name",
        stix_tlp_name((enum share_range)r), "extensions", STIX_TLP2_EXTENSION,
        "extension_type", "property-extension", "tlp_2_0",
        stix_tlp_value((enum share_range)r));
}

json_t *stix_tlp_marking(int r)
{
    return marking_json(r);
}

/* The common properties of an object made by the hub. */
static json_t *sdo(struct bundle *b, const char *type, const char *id,
                   const char *created, const char *modified)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:[s]}", "type", type,
                     "spec_version", "2.1", "id", id, "created", created,
                     "modified", modified, "object_marking_refs", b->marking);
}

/* The English version of object id's text properties (Japanese in the
 * object itself, lang "ja"), of the object's version modified, itself
 * created when the object was. */
static int language_content_of(struct bundle *b, const char *of,
                               const char *key, const char *created,
                               const char *modified, json_t *en);

static int language_content(struct bundle *b, const char *of, const char *key,
                            const char *modified, json_t *en)
{
    return language_content_of(b, of, key, modified, modified, en);
}

static int language_content_of(struct bundle *b, const char *of,
                               const char *key, const char *created,
                               const char *modified, json_t *en)
{
    char id[STIX_ID_LEN];
    char k[256];
    snprintf(k, sizeof(k), "en:%s", key);
    if (add_id(b, "language-content", k, id)) {
        json_decref(en);
        return IS_ERR_INVALID;
    }
    json_t *o = sdo(b, "language-content", id, created, modified);
    json_object_set_new(o, "object_ref", json_string(of));
    json_object_set_new(o, "object_modified", json_string(modified));
    json_object_set_new(o, "contents", json_pack("{s:o}", "en", en));
    put(b, o);
    return IS_OK;
}

/* Is org a national body (NISC, a ministry, a CEPTOAR, a council, an
 * agency), whose identity is public registry information? */
static bool national_body(struct store_conn *c, const char *org)
{
    struct access_org rel;
    return store_org_rel(c, org, &rel) == IS_OK &&
           strcmp(rel.kind, "operator") != 0 &&
           strcmp(rel.kind, "external") != 0;
}

/* An organisation as an identity (name in Japanese, English as language
 * content) with b's marking; created when it entered the registry, so
 * that every export gives the same object. */
static int identity_marked(struct bundle *b, struct store_conn *c,
                           const char *org, const json_t *name,
                           char id[STIX_ID_LEN])
{
    int64_t t = 0;
    store_stix_org_created(c, org, &t);
    char when[STIX_TIME_LEN];
    stix_time(t, 0, when);
    char key[128];
    snprintf(key, sizeof(key), "org:%.63s", org);
    if (add_id(b, "identity", key, id))
        return IS_ERR_INVALID;
    const char *ja = json_string_value(json_object_get(name, "ja"));
    const char *en = json_string_value(json_object_get(name, "en"));
    json_t *o = sdo(b, "identity", id, when, when);
    json_object_set_new(o, "name", json_string(ja && *ja ? ja : org));
    json_object_set_new(o, "identity_class", json_string("organization"));
    json_object_set_new(o, "lang", json_string("ja"));
    json_object_set_new(o, "external_references",
                        json_pack("[{s:s,s:s}]", "source_name", "infrashare",
                                  "external_id", org));
    put(b, o);
    if (en && *en)
        return language_content(b, id, key, when,
                                json_pack("{s:s}", "name", en));
    return IS_OK;
}

/* The identity of org: a national body's is public registry information
 * (the same object in every bundle and in the TAXII collections), marked
 * TLP:CLEAR; an operator's carries its item's marking. */
static int identity(struct bundle *b, struct store_conn *c, const char *org,
                    const json_t *name, char id[STIX_ID_LEN])
{
    const char *item_marking = b->marking;
    if (national_body(c, org))
        b->marking = stix_tlp_id(RANGE_WHITE);
    int rc = identity_marked(b, c, org, name, id);
    b->marking = item_marking;
    return rc;
}

/* report_types of an advisory's kind (STIX report-type-ov) */
static const char *report_type(const char *kind)
{
    return strcmp(kind, "warning") == 0         ? "threat-report"
           : strcmp(kind, "security_info") == 0 ? "vulnerability"
           : strcmp(kind, "case") == 0          ? "threat-report"
                                                : "threat-report";
}

static void markings_first(struct bundle *b);

/* The advisory adv (as advisory_read or advisory_json_system gives it)
 * into b: its marking definition, its author's identity, with_notes the
 * hops' notes on the reader's path (a reader's: the chain it was shown),
 * and the report with its language content, in that order. */
static int advisory_objects(struct bundle *b, struct store_conn *c,
                            const json_t *adv, const char *id, bool with_notes)
{
    b->range = range_parse(json_string_value(json_object_get(adv, "range")));
    if (b->range < 0)
        b->range = RANGE_RED;
    b->marking = stix_tlp_id((enum share_range)b->range);
    char created[STIX_TIME_LEN];
    stix_time_of(json_string_value(json_object_get(adv, "created_at")),
                 created);
    b->used[b->range] = true;
    char author[STIX_ID_LEN], rid[STIX_ID_LEN], key[128];
    const char *aorg = json_string_value(json_object_get(adv, "author"));
    int rc =
        aorg ? identity(b, c, aorg, json_object_get(adv, "author_name"), author)
             : IS_ERR_INVALID;
    snprintf(key, sizeof(key), "advisory:%.60s", id);
    if (!rc)
        rc = add_id(b, "report", key, rid);
    if (rc)
        return rc;
    json_t *refs = json_array();
    json_array_append_new(refs, json_string(author));
    /* the hops' notes on the reader's path, as notes about the report */
    size_t i;
    json_t *h;
    json_array_foreach (with_notes ? json_object_get(adv, "chain") : NULL, i,
                        h) {
        const json_t *note = json_object_get(h, "note");
        const char *nja = json_string_value(json_object_get(note, "ja"));
        const char *nen = json_string_value(json_object_get(note, "en"));
        const char *org = json_string_value(json_object_get(h, "org"));
        if (!org || ((!nja || !*nja) && (!nen || !*nen)))
            continue;
        char when[STIX_TIME_LEN], hop[STIX_ID_LEN], nid[STIX_ID_LEN];
        stix_time_of(json_string_value(json_object_get(h, "relayed_at")), when);
        if (strcmp(when, "1970-01-01T00:00:00.000Z") == 0)
            memcpy(when, created, sizeof(when));
        char nkey[192];
        snprintf(nkey, sizeof(nkey), "advisory:%.60s:hop:%.63s", id, org);
        json_t *hname = json_pack("{s:s,s:s}", "ja", org, "en", org);
        char ja[601] = "", en[601] = "";
        if (store_names(c, "org", org, ja, sizeof(ja), en, sizeof(en)) ==
            IS_OK) {
            json_decref(hname);
            hname = json_pack("{s:s,s:s}", "ja", ja, "en", en);
        }
        rc = identity(b, c, org, hname, hop);
        json_decref(hname);
        if (!rc)
            rc = add_id(b, "note", nkey, nid);
        if (rc)
            break;
        json_t *n = sdo(b, "note", nid, when, when);
        json_object_set_new(n, "content", json_string(nja && *nja ? nja : nen));
        json_object_set_new(n, "lang", json_string(nja && *nja ? "ja" : "en"));
        json_object_set_new(n, "created_by_ref", json_string(hop));
        json_object_set_new(n, "object_refs", json_pack("[s]", rid));
        json_array_append_new(b->objects, n);
        if (nja && *nja && nen && *nen)
            rc = language_content(b, nid, nkey, when,
                                  json_pack("{s:s}", "content", nen));
        if (rc)
            break;
    }
    if (rc) {
        json_decref(refs);
        return rc;
    }
    const json_t *title = json_object_get(adv, "title");
    const json_t *body = json_object_get(adv, "body");
    const char *kind = json_string_value(json_object_get(adv, "kind"));
    char sev[32];
    snprintf(sev, sizeof(sev), "severity-%lld",
             (long long)json_integer_value(json_object_get(adv, "severity")));
    /* a narrowed range is a new version (docs/stix.md) */
    int64_t narrowed = 0;
    char modified[STIX_TIME_LEN];
    memcpy(modified, created, sizeof(modified));
    int64_t issued = 0;
    util_time_parse(json_string_value(json_object_get(adv, "created_at")),
                    &issued);
    /* strictly after the first version, even within its second */
    if (store_advisory_range_at(c, id, &narrowed) == IS_OK && narrowed > 0)
        stix_time(narrowed > issued ? narrowed : issued,
                  narrowed > issued ? 0 : 1, modified);
    json_t *r = sdo(b, "report", rid, created, modified);
    json_object_set_new(r, "name", json_incref(json_object_get(title, "ja")));
    json_object_set_new(r, "description",
                        json_incref(json_object_get(body, "ja")));
    json_object_set_new(r, "lang", json_string("ja"));
    json_object_set_new(r, "published", json_string(created));
    json_object_set_new(r, "report_types",
                        json_pack("[s]", report_type(kind ? kind : "")));
    json_object_set_new(r, "labels",
                        json_pack("[s,s,s]", "infrashare-advisory",
                                  kind ? kind : "advisory", sev));
    json_object_set_new(r, "created_by_ref", json_string(author));
    json_object_set_new(r, "object_refs", refs);
    json_object_set_new(r, "external_references",
                        json_pack("[{s:s,s:s}]", "source_name", "infrashare",
                                  "external_id", id));
    json_array_append_new(b->objects, r);
    rc = language_content_of(
        b, rid, key, created, modified,
        json_pack("{s:O,s:O}", "name", json_object_get(title, "en"),
                  "description", json_object_get(body, "en")));
    /* the definitions of the markings used (the item's; TLP:CLEAR of a
     * national body's identity), first */
    if (!rc)
        markings_first(b);
    return rc;
}

int advisory_stix(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, const char *id, int64_t now,
                  json_t **out, struct svc_error *e)
{
    json_t *adv = NULL;
    /* the advisory as who may read it (the range decided there, the read
     * audited as any read) */
    int rc = advisory_read(a, c, who, id, now, &adv, e);
    if (rc)
        return rc;
    struct bundle b = {.objects = json_array()};
    if ((rc = stix_namespace_load(c, b.ns))) {
        json_decref(adv);
        json_decref(b.objects);
        return svc_fail(e, rc, "internal", NULL, "the hub's STIX namespace");
    }
    rc = advisory_objects(&b, c, adv, id, true);
    json_decref(adv);
    char bid[STIX_ID_LEN], key[128];
    snprintf(key, sizeof(key), "advisory:%.60s", id);
    if (!rc)
        rc = add_id(&b, "bundle", key, bid);
    if (rc) {
        json_decref(b.objects);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the advisory cannot be written as STIX");
    }
    *out = json_pack("{s:s,s:s,s:o}", "type", "bundle", "id", bid, "objects",
                     b.objects);
    return *out ? IS_OK
                : svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "out of memory");
}

int stix_advisory_objects(struct app *a, struct store_conn *c,
                          const char *adv_id, int64_t now, json_t **objects,
                          int *range)
{
    IS_UNUSED(a);
    json_t *adv = NULL;
    int rc = advisory_json_system(c, adv_id, now, &adv);
    if (rc)
        return rc;
    struct bundle b = {.objects = json_array()};
    rc = stix_namespace_load(c, b.ns);
    if (!rc)
        rc = advisory_objects(&b, c, adv, adv_id, false);
    json_decref(adv);
    if (rc) {
        json_decref(b.objects);
        return rc == IS_ERR_NOTFOUND ? IS_ERR_INTERNAL : rc;
    }
    *objects = b.objects;
    if (range)
        *range = b.range;
    return IS_OK;
}

int stix_national_identity_objects(struct store_conn *c, const char *org,
                                   json_t **objects)
{
    if (!national_body(c, org))
        return IS_ERR_NOTFOUND;
    /* the names an advisory's author_name gives (provision.c) */
    char ja[256], en[256];
    store_names(c, "org", org, ja, sizeof(ja), en, sizeof(en));
    json_t *name = json_pack("{s:s,s:s}", "ja", ja, "en", en);
    struct bundle b = {.objects = json_array()};
    char id[STIX_ID_LEN];
    int rc = name && b.objects ? stix_namespace_load(c, b.ns) : IS_ERR_NOMEM;
    if (!rc)
        rc = identity(&b, c, org, name, id);
    json_decref(name);
    if (rc) {
        json_decref(b.objects);
        return rc;
    }
    *objects = b.objects;
    return IS_OK;
}

/* ---- a report (情報連絡) ---- */

/* The report rep (as report_read gives it to the reader) into b: the
 * reporter's identity as the reader may know it, the incident, and
 * with_report the report about it, with the report's marking. iid: the
 * incident's id; *modified (may be NULL): its modified. */
static int report_objects(struct bundle *b, struct store_conn *c,
                          const json_t *rep, const char *id, bool with_report,
                          char iid[STIX_ID_LEN], char *modified_out)
{
    b->range = range_parse(json_string_value(json_object_get(rep, "range")));
    if (b->range < 0)
        b->range = RANGE_RED;
    b->marking = stix_tlp_id((enum share_range)b->range);
    b->used[b->range] = true;
    char created[STIX_TIME_LEN], modified[STIX_TIME_LEN];
    stix_time_of(json_string_value(json_object_get(rep, "created_at")),
                 created);
    stix_time_of(json_string_value(json_object_get(rep, "updated_at")),
                 modified);
    if (strcmp(modified, created) < 0)
        memcpy(modified, created, sizeof(modified));
    if (modified_out)
        memcpy(modified_out, modified, STIX_TIME_LEN);
    /* the reporter: its organisation when who may know it, else one
     * identity of this report alone, named as the anonymity rule names it
     * ("an operator in <scope> (via <CEPTOAR>)"), linked to nothing */
    const json_t *who_rep = json_object_get(rep, "reporter");
    const char *org = json_string_value(json_object_get(who_rep, "org"));
    char reporter[STIX_ID_LEN], key[128];
    snprintf(key, sizeof(key), "report:%.60s", id);
    int rc;
    if (org) {
        rc = identity(b, c, org, json_object_get(who_rep, "name"), reporter);
    } else {
        char akey[160];
        snprintf(akey, sizeof(akey), "anonymous:report:%.60s", id);
        const json_t *label = json_object_get(who_rep, "label");
        rc = add_id(b, "identity", akey, reporter);
        if (!rc) {
            json_t *o = sdo(b, "identity", reporter, created, created);
            const char *ja = json_string_value(json_object_get(label, "ja"));
            const char *en = json_string_value(json_object_get(label, "en"));
            json_object_set_new(o, "name",
                                json_string(ja && *ja ? ja : "匿名の事業者"));
            json_object_set_new(o, "identity_class",
                                json_string("organization"));
            json_object_set_new(o, "lang", json_string("ja"));
            put(b, o);
            rc = language_content(
                b, reporter, akey, created,
                json_pack("{s:s}", "name",
                          en && *en ? en : "an anonymous operator"));
        }
    }
    char rid[STIX_ID_LEN];
    if (!rc)
        rc = add_id(b, "incident", key, iid);
    if (!rc)
        rc = add_id(b, "report", key, rid);
    if (rc)
        return rc;
    const json_t *title = json_object_get(rep, "title");
    const char *what = json_string_value(json_object_get(rep, "what_happened"));
    const json_t *sev = json_object_get(rep, "severity");
    char sevl[32];
    snprintf(sevl, sizeof(sevl), "severity-%lld",
             (long long)json_integer_value(json_object_get(sev, "effective")));
    const char *kind = json_string_value(json_object_get(rep, "kind"));
    const char *sector = json_string_value(json_object_get(rep, "sector"));
    char secl[96];
    snprintf(secl, sizeof(secl), "sector-%.63s", sector ? sector : "");
    json_t *ext = json_pack("[{s:s,s:s}]", "source_name", "infrashare",
                            "external_id", id);
    json_t *inc = sdo(b, "incident", iid, created, modified);
    json_object_set_new(inc, "name", json_incref((json_t *)title));
    if (what && *what)
        json_object_set_new(inc, "description", json_string(what));
    json_object_set_new(inc, "labels",
                        json_pack("[s,s,s,s]", "infrashare-report",
                                  kind ? kind : "report", sevl, secl));
    json_object_set_new(inc, "created_by_ref", json_string(reporter));
    json_object_set_new(inc, "external_references", json_deep_copy(ext));
    put(b, inc);
    if (!with_report) {
        json_decref(ext);
        return IS_OK;
    }
    json_t *r = sdo(b, "report", rid, created, modified);
    json_object_set_new(r, "name", json_incref((json_t *)title));
    if (what && *what)
        json_object_set_new(r, "description", json_string(what));
    json_object_set_new(r, "published", json_string(created));
    json_object_set_new(r, "report_types", json_pack("[s]", "threat-report"));
    json_object_set_new(r, "labels",
                        json_pack("[s,s,s]", "infrashare-report", sevl, secl));
    json_object_set_new(r, "created_by_ref", json_string(reporter));
    json_object_set_new(r, "object_refs", json_pack("[s,s]", iid, reporter));
    json_object_set_new(r, "external_references", ext);
    put(b, r);
    return IS_OK;
}

/* The bundle of b's objects (taken) with id <bundle--key>. */
static int bundle_of(struct bundle *b, const char *key, json_t **out,
                     struct svc_error *e, const char *what)
{
    char bid[STIX_ID_LEN];
    if (add_id(b, "bundle", key, bid)) {
        json_decref(b->objects);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the %s cannot be written as STIX", what);
    }
    /* nothing the reader may have (STIX 2.1 §8: objects is optional, and
     * one or more when present) */
    if (!json_array_size(b->objects)) {
        json_decref(b->objects);
        *out = json_pack("{s:s,s:s}", "type", "bundle", "id", bid);
    } else {
        *out = json_pack("{s:s,s:s,s:o}", "type", "bundle", "id", bid,
                         "objects", b->objects);
    }
    return *out ? IS_OK
                : svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "out of memory");
}

/* The marking definitions of every range b's objects carry, first. */
static void markings_first(struct bundle *b)
{
    size_t at = 0;
    for (int r = 0; r < RANGE_COUNT; r++)
        if (b->used[r])
            json_array_insert_new(b->objects, at++, marking_json(r));
}

int report_stix(struct app *a, struct store_conn *c, const struct auth_ctx *who,
                const char *id, int64_t now, json_t **out, struct svc_error *e)
{
    json_t *rep = NULL;
    /* the report as who may read it: its reporter as the anonymity rule
     * shows it to who (report_read decides and audits) */
    int rc = report_read(a, c, who, id, now, &rep, e);
    if (rc)
        return rc;
    struct bundle b = {.objects = json_array()};
    if ((rc = stix_namespace_load(c, b.ns))) {
        json_decref(rep);
        json_decref(b.objects);
        return svc_fail(e, rc, "internal", NULL, "the hub's STIX namespace");
    }
    char iid[STIX_ID_LEN], key[128];
    rc = report_objects(&b, c, rep, id, true, iid, NULL);
    json_decref(rep);
    if (rc) {
        json_decref(b.objects);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the report cannot be written as STIX");
    }
    markings_first(&b);
    snprintf(key, sizeof(key), "report:%.60s", id);
    return bundle_of(&b, key, out, e, "report");
}

/* ---- an event (linked reports) ---- */

int event_stix(struct app *a, struct store_conn *c, const struct auth_ctx *who,
               const char *id, int64_t now, json_t **out, struct svc_error *e)
{
    json_t *ev = NULL;
    /* the event as who may read it: its linked reports only those who may
     * read (event_read decides) */
    int rc = event_read(a, c, who, id, now, &ev, e);
    if (rc)
        return rc;
    struct bundle b = {.objects = json_array()};
    if ((rc = stix_namespace_load(c, b.ns))) {
        json_decref(ev);
        json_decref(b.objects);
        return svc_fail(e, rc, "internal", NULL, "the hub's STIX namespace");
    }
    char created[STIX_TIME_LEN], modified[STIX_TIME_LEN];
    stix_time_of(json_string_value(json_object_get(ev, "created_at")), created);
    memcpy(modified, created, sizeof(modified));
    json_t *refs = json_array();
    /* each linked report as the report export gives it to who (its
     * incident and its reporter as the anonymity rule shows it, with its
     * own marking; the read decided and audited by report_read) */
    size_t i;
    json_t *it;
    json_array_foreach (json_object_get(ev, "reports"), i, it) {
        const char *rid = json_string_value(json_object_get(it, "id"));
        json_t *rep = NULL;
        struct svc_error re = {0};
        if (!rid)
            continue;
        int r = report_read(a, c, who, rid, now, &rep, &re);
        if (r == IS_ERR_NOTFOUND)
            continue;
        if (r) {
            rc = r;
            break;
        }
        char iid[STIX_ID_LEN], rmod[STIX_TIME_LEN];
        rc = report_objects(&b, c, rep, rid, false, iid, rmod);
        json_decref(rep);
        if (rc)
            break;
        json_array_append_new(refs, json_string(iid));
        if (strcmp(rmod, modified) > 0)
            memcpy(modified, rmod, sizeof(modified));
    }
    /* the event itself: NISC's and the ministries' (only their analysts
     * read events), so TLP:RED */
    b.range = RANGE_RED;
    b.marking = stix_tlp_id(RANGE_RED);
    b.used[RANGE_RED] = true;
    char key[128], creator[STIX_ID_LEN], iid[STIX_ID_LEN], rid[STIX_ID_LEN];
    snprintf(key, sizeof(key), "event:%.60s", id);
    const char *by = json_string_value(json_object_get(ev, "created_by"));
    if (!rc && by) {
        char ja[601] = "", en[601] = "";
        json_t *name =
            store_names(c, "org", by, ja, sizeof(ja), en, sizeof(en)) == IS_OK
                ? json_pack("{s:s,s:s}", "ja", ja, "en", en)
                : json_pack("{s:s,s:s}", "ja", by, "en", by);
        rc = identity(&b, c, by, name, creator);
        json_decref(name);
    }
    if (!rc)
        rc = add_id(&b, "incident", key, iid);
    if (!rc)
        rc = add_id(&b, "report", key, rid);
    if (rc) {
        json_decref(refs);
        json_decref(ev);
        json_decref(b.objects);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the event cannot be written as STIX");
    }
    const json_t *title = json_object_get(ev, "title");
    char sevl[32];
    snprintf(sevl, sizeof(sevl), "severity-%lld",
             (long long)json_integer_value(
                 json_object_get(json_object_get(ev, "severity"), "level")));
    json_t *ext = json_pack("[{s:s,s:s}]", "source_name", "infrashare",
                            "external_id", id);
    json_t *inc = sdo(&b, "incident", iid, created, modified);
    json_object_set_new(inc, "name", json_incref(json_object_get(title, "ja")));
    json_object_set_new(inc, "lang", json_string("ja"));
    json_object_set_new(inc, "labels",
                        json_pack("[s,s]", "infrashare-event", sevl));
    if (by)
        json_object_set_new(inc, "created_by_ref", json_string(creator));
    json_object_set_new(inc, "external_references", json_deep_copy(ext));
    put(&b, inc);
    json_t *r = sdo(&b, "report", rid, created, modified);
    json_object_set_new(r, "name", json_incref(json_object_get(title, "ja")));
    json_object_set_new(r, "lang", json_string("ja"));
    json_object_set_new(r, "published", json_string(created));
    json_object_set_new(r, "report_types", json_pack("[s]", "threat-report"));
    json_object_set_new(r, "labels",
                        json_pack("[s,s]", "infrashare-event", sevl));
    if (by)
        json_object_set_new(r, "created_by_ref", json_string(creator));
    json_array_insert_new(refs, 0, json_string(iid));
    json_object_set_new(r, "object_refs", refs);
    json_object_set_new(r, "external_references", ext);
    put(&b, r);
    const char *en = json_string_value(json_object_get(title, "en"));
    if (en && *en) {
        char ikey[160];
        snprintf(ikey, sizeof(ikey), "incident:event:%.60s", id);
        rc = language_content(&b, iid, ikey, modified,
                              json_pack("{s:s}", "name", en));
        if (!rc)
            rc = language_content(&b, rid, key, modified,
                                  json_pack("{s:s}", "name", en));
    }
    json_decref(ev);
    if (rc) {
        json_decref(b.objects);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the event cannot be written as STIX");
    }
    markings_first(&b);
    return bundle_of(&b, key, out, e, "event");
}

/* ---- a C4TAP submission ---- */

struct c4x {
    struct bundle *b;
    char sub[32]; /* the submission's id */
    int range[C4_TYPE_COUNT];
    bool may[C4_TYPE_COUNT];
    char provider[STIX_ID_LEN]; /* its identity; "" when not shown */
    int prov_range;
    char created[STIX_TIME_LEN], modified[STIX_TIME_LEN];
    json_t *refs[C4_TYPE_COUNT]; /* each type's observables */
};

/* The provider as the creator of an object of range r: only when who may
 * know it and its information is shared at least as widely as r (an
 * object passed on under its own marking never names the provider more
 * widely than the provider's range lets). */
static void c4_creator(const struct c4x *x, int r, json_t *o)
{
    if (x->provider[0] && r <= x->prov_range)
        json_object_set_new(o, "created_by_ref", json_string(x->provider));
}

static void add_ref(json_t *refs, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach (refs, i, v)
        if (strcmp(json_string_value(v), id) == 0)
            return;
    json_array_append_new(refs, json_string(id));
}

/* A cyber-observable object of range r into b and refs: props its
 * properties (taken), its id (STIX 2.1 §2.9) from its ID-contributing
 * properties contrib (taken; NULL: the hub's id of key). */
static int c4_sco(struct c4x *x, int r, json_t *refs, const char *type,
                  json_t *props, json_t *contrib, const char *key,
                  char id[STIX_ID_LEN])
{
    int rc;
    if (contrib) {
        char *canon = json_dumps(contrib, JSON_COMPACT | JSON_SORT_KEYS);
        rc = canon ? stix_sco_id(type, canon, id) : IS_ERR_NOMEM;
        free(canon);
        json_decref(contrib);
    } else {
        rc = add_id(x->b, type, key, id);
    }
    if (rc) {
        json_decref(props);
        return rc;
    }
    json_t *o = json_pack("{s:s,s:s,s:s}", "type", type, "spec_version", "2.1",
                          "id", id);
    json_object_update(o, props);
    json_decref(props);
    json_object_set_new(o, "object_marking_refs",
                        json_pack("[s]", stix_tlp_id((enum share_range)r)));
    put(x->b, o);
    add_ref(refs, id);
    return IS_OK;
}

/* A single-value observable ({"value": v}) of type t. */
static int c4_value(struct c4x *x, enum c4tap_type t, const char *type,
                    const char *v, char id[STIX_ID_LEN])
{
    return c4_sco(x, x->range[t], x->refs[t], type,
                  json_pack("{s:s}", "value", v),
                  json_pack("{s:s}", "value", v), NULL, id);
}

/* An indicator of type t's information: [path = 'value']. */
static int c4_indicator(struct c4x *x, enum c4tap_type t, const char *kind,
                        const char *what, const char *path, const char *value)
{
    size_t cap = strlen(value) * 2 + strlen(path) + 16;
    char *q = malloc(cap), *pat = malloc(cap + 8);
    char *key = malloc(strlen(value) + 96);
    int rc = q && pat && key ? stix_pattern_quote(value, q, cap) : IS_ERR_NOMEM;
    char id[STIX_ID_LEN];
    if (!rc) {
        snprintf(pat, cap + 8, "[%s = %s]", path, q);
        snprintf(key, strlen(value) + 96, "c4tap:%s:%s:%s", x->sub, kind,
                 value);
        rc = add_id(x->b, "indicator", key, id);
    }
    if (!rc) {
        int r = x->range[t];
        x->b->marking = stix_tlp_id((enum share_range)r);
        char name[128], tl[48], ext[48];
        snprintf(name, sizeof(name), "C4TAP %s: %s", x->sub, what);
        snprintf(tl, sizeof(tl), "c4tap-%s", c4tap_type_name(t));
        snprintf(ext, sizeof(ext), "c4tap:%s", x->sub);
        json_t *o = sdo(x->b, "indicator", id, x->created, x->modified);
        json_object_set_new(o, "name", json_string(name));
        json_object_set_new(o, "indicator_types",
                            json_pack("[s]", "malicious-activity"));
        json_object_set_new(o, "pattern", json_string(pat));
        json_object_set_new(o, "pattern_type", json_string("stix"));
        json_object_set_new(o, "pattern_version", json_string("2.1"));
        json_object_set_new(o, "valid_from", json_string(x->created));
        json_object_set_new(o, "labels",
                            json_pack("[s,s]", "infrashare-c4tap", tl));
        json_object_set_new(o, "external_references",
                            json_pack("[{s:s,s:s}]", "source_name",
                                      "infrashare", "external_id", ext));
        c4_creator(x, r, o);
        put(x->b, o);
    }
    free(q);
    free(pat);
    free(key);
    return rc;
}

static bool usable(const char *v)
{
    return v && *v && strlen(v) <= C4TAP_VALUE_MAX;
}

/* An address or host as ipv4-addr, ipv6-addr or domain-name (NULL: none
 * of them, e.g. "unknown" or a bracketed literal). */
static const char *host_type(const char *h)
{
    if (!usable(h))
        return NULL;
    if (stix_ipv4_ok(h))
        return "ipv4-addr";
    if (strchr(h, ':'))
        return strspn(h, "0123456789abcdefABCDEF:.") == strlen(h) ? "ipv6-addr"
                                                                  : NULL;
    if (!strchr(h, '.') || strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
                                     "OPQRSTUVWXYZ0123456789.-_") != strlen(h))
        return NULL;
    return "domain-name";
}

static int c4_sender(struct c4x *x, const json_t *sub, char from[STIX_ID_LEN])
{
    const json_t *f = json_object_get(sub, "from");
    const char *addr = json_string_value(json_object_get(f, "address"));
    const char *dn = json_string_value(json_object_get(f, "display_name"));
    int rc = IS_OK;
    if (usable(addr)) {
        json_t *p = json_pack("{s:s}", "value", addr);
        if (dn && *dn)
            json_object_set_new(p, "display_name", json_string(dn));
        rc = c4_sco(x, x->range[C4_SENDER], x->refs[C4_SENDER], "email-addr", p,
                    json_pack("{s:s}", "value", addr), NULL, from);
        if (!rc)
            rc = c4_indicator(x, C4_SENDER, "sender_address", "sender address",
                              "email-message:from_ref.value", addr);
    }
    size_t i;
    json_t *v;
    char id[STIX_ID_LEN];
    json_array_foreach (json_object_get(sub, "reply_to"), i, v) {
        const char *a = json_string_value(v);
        if (rc || !usable(a))
            continue;
        rc = c4_value(x, C4_SENDER, "email-addr", a, id);
        if (!rc)
            rc = c4_indicator(x, C4_SENDER, "reply_to", "Reply-To address",
                              "email-addr:value", a);
    }
    const char *rp = json_string_value(json_object_get(sub, "return_path"));
    if (!rc && usable(rp)) {
        rc = c4_value(x, C4_SENDER, "email-addr", rp, id);
        if (!rc)
            rc = c4_indicator(x, C4_SENDER, "return_path",
                              "Return-Path address", "email-addr:value", rp);
    }
    return rc;
}

/* The e-mail itself: From (sender) and Subject, Date, Message-ID
 * (headers), marked with the narrower of the two types it carries. */
static int c4_message(struct c4x *x, const json_t *sub, const char *from)
{
    bool hdr = x->may[C4_HEADERS];
    const char *subject =
        hdr ? json_string_value(json_object_get(sub, "subject")) : NULL;
    const char *mid =
        hdr ? json_string_value(json_object_get(sub, "message_id")) : NULL;
    const char *date =
        hdr ? json_string_value(json_object_get(sub, "date")) : NULL;
    bool has_from = from && *from;
    bool has_hdr = (subject && *subject) || (mid && *mid) || (date && *date);
    if (!has_from && !has_hdr)
        return IS_OK;
    int r = RANGE_WHITE;
    if (has_from)
        r = x->range[C4_SENDER];
    if (has_hdr && x->range[C4_HEADERS] < r)
        r = x->range[C4_HEADERS];
    /* is_multipart (required): the hub keeps no MIME structure apart from
     * the original; an e-mail with attachments the reader sees is one */
    bool multi = x->may[C4_ATTACHMENTS] &&
                 json_array_size(json_object_get(sub, "attachments")) > 0;
    json_t *p = json_pack("{s:b}", "is_multipart", multi);
    json_t *contrib = json_object();
    if (date && *date) {
        char d[STIX_TIME_LEN];
        stix_time_of(date, d);
        json_object_set_new(p, "date", json_string(d));
    }
    if (has_from) {
        json_object_set_new(p, "from_ref", json_string(from));
        json_object_set_new(contrib, "from_ref", json_string(from));
    }
    if (subject && *subject) {
        json_object_set_new(p, "subject", json_string(subject));
        json_object_set_new(contrib, "subject", json_string(subject));
    }
    if (mid && *mid)
        json_object_set_new(p, "additional_header_fields",
                            json_pack("{s:s}", "Message-ID", mid));
    char key[64], id[STIX_ID_LEN];
    snprintf(key, sizeof(key), "c4tap:%s", x->sub);
    if (!json_object_size(contrib)) {
        json_decref(contrib);
        contrib = NULL;
    }
    return c4_sco(x, r, x->refs[has_hdr ? C4_HEADERS : C4_SENDER],
                  "email-message", p, contrib, key, id);
}

static int c4_received(struct c4x *x, const json_t *sub)
{
    size_t i;
    json_t *h;
    const char *origin = NULL, *otype = NULL;
    char id[STIX_ID_LEN];
    int rc = IS_OK;
    json_array_foreach (json_object_get(sub, "received"), i, h) {
        const char *ip = json_string_value(json_object_get(h, "from_ip"));
        const char *host = json_string_value(json_object_get(h, "from_host"));
        const char *it = host_type(ip), *ht = host_type(host);
        if (!rc && it && strcmp(it, "domain-name") != 0) {
            rc = c4_value(x, C4_RECEIVED, it, ip, id);
            /* the origin: the earliest hop with an address (the last
             * Received field), the sender's infrastructure */
            origin = ip;
            otype = it;
        }
        if (!rc && ht)
            rc = c4_value(x, C4_RECEIVED, ht, host, id);
    }
    if (!rc && origin) {
        char path[32];
        snprintf(path, sizeof(path), "%s:value", otype);
        rc = c4_indicator(x, C4_RECEIVED, "origin_ip", "origin address", path,
                          origin);
    }
    return rc;
}

static int c4_urls(struct c4x *x, const json_t *sub)
{
    size_t i;
    json_t *u;
    char id[STIX_ID_LEN], path[32];
    int rc = IS_OK;
    json_array_foreach (json_object_get(sub, "urls"), i, u) {
        const char *url = json_string_value(json_object_get(u, "url"));
        const char *host = json_string_value(json_object_get(u, "host"));
        const char *ht = host_type(host);
        if (!rc && usable(url)) {
            rc = c4_value(x, C4_URLS, "url", url, id);
            if (!rc)
                rc = c4_indicator(x, C4_URLS, "url", "URL", "url:value", url);
        }
        if (!rc && ht) {
            rc = c4_value(x, C4_URLS, ht, host, id);
            snprintf(path, sizeof(path), "%s:value", ht);
            if (!rc)
                rc = c4_indicator(x, C4_URLS, "url_host", "URL host", path,
                                  host);
        }
    }
    return rc;
}

static int c4_attachments(struct c4x *x, const json_t *sub)
{
    size_t i;
    json_t *f;
    char id[STIX_ID_LEN];
    int rc = IS_OK;
    json_array_foreach (json_object_get(sub, "attachments"), i, f) {
        const char *h = json_string_value(json_object_get(f, "sha256"));
        const char *name = json_string_value(json_object_get(f, "filename"));
        const char *mt = json_string_value(json_object_get(f, "declared_type"));
        if (rc || !h || strlen(h) != 64)
            continue;
        json_t *p = json_pack("{s:{s:s}}", "hashes", "SHA-256", h);
        json_t *contrib = json_pack("{s:{s:s}}", "hashes", "SHA-256", h);
        if (name && *name) {
            json_object_set_new(p, "name", json_string(name));
            json_object_set_new(contrib, "name", json_string(name));
        }
        json_t *size = json_object_get(f, "size");
        if (json_is_integer(size))
            json_object_set(p, "size", size);
        if (mt && strchr(mt, '/'))
            json_object_set_new(p, "mime_type", json_string(mt));
        rc = c4_sco(x, x->range[C4_ATTACHMENTS], x->refs[C4_ATTACHMENTS],
                    "file", p, contrib, NULL, id);
        if (!rc)
            rc = c4_indicator(x, C4_ATTACHMENTS, "attachment_sha256",
                              "attachment SHA-256", "file:hashes.'SHA-256'", h);
    }
    return rc;
}

int c4tap_stix(struct app *a, struct store_conn *c, const struct auth_ctx *who,
               const char *id, int64_t now, json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    json_t *sub = NULL;
    /* the submission as who may read it: only the information types its
     * ranges let who read (c4tap_submission_read decides, as for GET
     * /api/v1/c4tap/submissions/{id}) */
    int rc = c4tap_submission_read(c, who, id, now, &sub, e);
    if (rc)
        return e->err ? rc
                      : svc_fail(e, rc, "internal", NULL, "the hub failed");
    struct bundle b = {.objects = json_array()};
    struct c4x x = {.b = &b};
    if ((rc = stix_namespace_load(c, b.ns))) {
        json_decref(sub);
        json_decref(b.objects);
        return svc_fail(e, rc, "internal", NULL, "the hub's STIX namespace");
    }
    snprintf(x.sub, sizeof(x.sub), "%lld",
             (long long)json_integer_value(json_object_get(sub, "id")));
    const json_t *rg = json_object_get(sub, "ranges");
    for (int t = 0; t < C4_TYPE_COUNT; t++) {
        x.range[t] = range_parse(json_string_value(
            json_object_get(rg, c4tap_type_name((enum c4tap_type)t))));
        if (x.range[t] < 0)
            x.range[t] = RANGE_RED;
        x.may[t] = true;
        x.refs[t] = json_array();
    }
    size_t i;
    json_t *v;
    json_array_foreach (json_object_get(sub, "hidden"), i, v) {
        int t = c4tap_type_parse(json_string_value(v));
        if (t >= 0)
            x.may[t] = false;
    }
    int64_t at = 0;
    util_time_parse(json_string_value(json_object_get(sub, "received_at")),
                    &at);
    json_int_t ver = json_integer_value(json_object_get(sub, "version"));
    stix_time(at, 0, x.created);
    /* a change of the ranges is a new version of every object */
    stix_time(at, ver > 1 ? (int)(ver - 1 > 999 ? 999 : ver - 1) : 0,
              x.modified);
    /* the provider, to who may know it (an anonymous submission: the
     * provider and the secretariat only, so TLP:RED) */
    const json_t *pv = json_object_get(sub, "provider");
    const char *org = json_string_value(json_object_get(pv, "org"));
    if (json_is_true(json_object_get(pv, "shown")) && org) {
        x.prov_range = json_is_true(json_object_get(sub, "anonymous"))
                           ? RANGE_RED
                           : x.range[C4_PROVIDER];
        b.marking = stix_tlp_id((enum share_range)x.prov_range);
        json_t *name =
            json_pack("{s:O,s:O}", "ja", json_object_get(pv, "name_ja"), "en",
                      json_object_get(pv, "name_en"));
        rc = identity(&b, c, org, name, x.provider);
        json_decref(name);
        if (rc)
            x.provider[0] = '\0';
    }
    char from[STIX_ID_LEN] = "";
    rc = IS_OK;
    if (x.may[C4_SENDER])
        rc = c4_sender(&x, sub, from);
    if (!rc && x.may[C4_HEADERS]) {
        const char *subject =
            json_string_value(json_object_get(sub, "subject"));
        if (usable(subject))
            rc = c4_indicator(&x, C4_HEADERS, "subject", "subject",
                              "email-message:subject", subject);
    }
    if (!rc && (x.may[C4_SENDER] || x.may[C4_HEADERS]))
        rc = c4_message(&x, sub, from);
    if (!rc && x.may[C4_RECEIVED])
        rc = c4_received(&x, sub);
    if (!rc && x.may[C4_URLS])
        rc = c4_urls(&x, sub);
    if (!rc && x.may[C4_ATTACHMENTS])
        rc = c4_attachments(&x, sub);
    /* per information type, what was observed: its observables */
    for (int t = 0; t < C4_TYPE_COUNT; t++) {
        if (!rc && json_array_size(x.refs[t])) {
            char key[96], oid[STIX_ID_LEN], tl[48], ext[48];
            snprintf(key, sizeof(key), "c4tap:%s:%s", x.sub,
                     c4tap_type_name((enum c4tap_type)t));
            snprintf(tl, sizeof(tl), "c4tap-%s",
                     c4tap_type_name((enum c4tap_type)t));
            snprintf(ext, sizeof(ext), "c4tap:%s", x.sub);
            rc = add_id(&b, "observed-data", key, oid);
            if (rc)
                break;
            b.marking = stix_tlp_id((enum share_range)x.range[t]);
            json_t *o = sdo(&b, "observed-data", oid, x.created, x.modified);
            json_object_set_new(o, "first_observed", json_string(x.created));
            json_object_set_new(o, "last_observed", json_string(x.created));
            json_object_set_new(o, "number_observed", json_integer(1));
            json_object_set_new(o, "object_refs", json_incref(x.refs[t]));
            json_object_set_new(o, "labels",
                                json_pack("[s,s]", "infrashare-c4tap", tl));
            json_object_set_new(o, "external_references",
                                json_pack("[{s:s,s:s}]", "source_name",
                                          "infrashare", "external_id", ext));
            c4_creator(&x, x.range[t], o);
            put(&b, o);
        }
    }
    for (int t = 0; t < C4_TYPE_COUNT; t++)
        json_decref(x.refs[t]);
    json_decref(sub);
    if (rc) {
        json_decref(b.objects);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the submission cannot be written as STIX");
    }
    markings_first(&b);
    char key[64];
    snprintf(key, sizeof(key), "c4tap:%s", x.sub);
    return bundle_of(&b, key, out, e, "submission");
}

/* ---- a website-observation alert ---- */

int obs_alert_stix(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, const char *id, int64_t now,
                   json_t **out, struct svc_error *e)
{
    long want = 0;
    if (!id || util_parse_long(id, 1, INT64_MAX, &want))
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL, "no such alert");
    /* the alert as who sees it among its alerts (obs_alerts decides: the
     * sites only those who may see) */
    json_t *list = NULL;
    int rc = obs_alerts(a, c, who, "", "", "", now, &list, e);
    if (rc)
        return rc;
    json_t *al = NULL, *it;
    size_t i;
    json_array_foreach (json_object_get(list, "items"), i, it)
        if (json_integer_value(json_object_get(it, "id")) == want)
            al = it;
    if (!al) {
        json_decref(list);
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL, "no such alert");
    }
    struct bundle b = {.objects = json_array()};
    if ((rc = stix_namespace_load(c, b.ns))) {
        json_decref(list);
        json_decref(b.objects);
        return svc_fail(e, rc, "internal", NULL, "the hub's STIX namespace");
    }
    /* observations are for the sites' organisations, their secretariats
     * and NISC: TLP:RED */
    b.range = RANGE_RED;
    b.marking = stix_tlp_id(RANGE_RED);
    b.used[RANGE_RED] = true;
    char key[64], since[STIX_TIME_LEN], raised[STIX_TIME_LEN],
        last[STIX_TIME_LEN];
    snprintf(key, sizeof(key), "obs-alert:%ld", want);
    stix_time_of(json_string_value(json_object_get(al, "since")), since);
    stix_time_of(json_string_value(json_object_get(al, "raised_at")), raised);
    const char *closed = json_string_value(json_object_get(al, "closed_at"));
    if (closed)
        stix_time_of(closed, last);
    else
        memcpy(last, raised, sizeof(last));
    if (strcmp(last, since) < 0)
        memcpy(last, since, sizeof(last));
    char created[STIX_TIME_LEN];
    memcpy(created, strcmp(raised, since) < 0 ? since : raised,
           sizeof(created));
    if (strcmp(last, created) < 0)
        memcpy(last, created, sizeof(last));
    const char *kind = json_string_value(json_object_get(al, "kind"));
    const char *cond = json_string_value(json_object_get(al, "condition"));
    const char *gkey = json_string_value(json_object_get(al, "key"));
    const char *sector = json_string_value(json_object_get(al, "sector"));
    kind = kind ? kind : "site";
    cond = cond ? cond : "";
    char kl[48], cl[48];
    snprintf(kl, sizeof(kl), "alert-%.40s", kind);
    snprintf(cl, sizeof(cl), "condition-%.36s", cond);
    /* the sites who sees, as observables */
    json_t *refs = json_array();
    const char *label = NULL;
    json_array_foreach (json_object_get(al, "sites"), i, it) {
        const char *host = json_string_value(json_object_get(it, "host"));
        const char *ht = host_type(host);
        if (!label)
            label = json_string_value(json_object_get(it, "label"));
        if (!ht || rc)
            continue;
        char sid[STIX_ID_LEN];
        char *canon = NULL;
        json_t *contrib = json_pack("{s:s}", "value", host);
        canon = json_dumps(contrib, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(contrib);
        rc = canon ? stix_sco_id(ht, canon, sid) : IS_ERR_NOMEM;
        free(canon);
        if (rc)
            break;
        put(&b, json_pack("{s:s,s:s,s:s,s:s,s:[s]}", "type", ht, "spec_version",
                          "2.1", "id", sid, "value", host,
                          "object_marking_refs", b.marking));
        add_ref(refs, sid);
    }
    char oid[STIX_ID_LEN], inf[STIX_ID_LEN], sgt[STIX_ID_LEN];
    if (!rc)
        rc = add_id(&b, "observed-data", key, oid);
    if (!rc)
        rc = add_id(&b, "infrastructure", key, inf);
    if (!rc)
        rc = add_id(&b, "sighting", key, sgt);
    json_t *ext = json_pack("[{s:s,s:s}]", "source_name", "infrashare",
                            "external_id", key);
    bool observed = json_array_size(refs) > 0;
    if (!rc && observed) {
        json_t *o = sdo(&b, "observed-data", oid, created, last);
        json_object_set_new(o, "first_observed", json_string(since));
        json_object_set_new(o, "last_observed", json_string(last));
        json_object_set_new(o, "number_observed", json_integer(1));
        json_object_set_new(o, "object_refs", json_incref(refs));
        json_object_set_new(
            o, "labels",
            json_pack("[s,s,s]", "infrashare-observation", kl, cl));
        json_object_set_new(o, "external_references", json_deep_copy(ext));
        put(&b, o);
    }
    /* what was seen: the infrastructure the alert is about (a site, or
     * the sites of a sector, a prefix, a DNS or hosting provider) */
    char ja[400], en[400];
    bool site = strcmp(kind, "site") == 0;
    if (site) {
        snprintf(ja, sizeof(ja), "ウェブサイト %.300s",
                 label ? label : "（非表示）");
        snprintf(en, sizeof(en), "Website %.300s", label ? label : "(hidden)");
    } else if (strcmp(kind, "sector") == 0) {
        /* the sector's names (鉄道, railway); its id when not found */
        char sja[128], sen[128];
        store_names(c, "sector", sector ? sector : "", sja, sizeof(sja), sen,
                    sizeof(sen));
        snprintf(ja, sizeof(ja), "%s分野の登録ウェブサイト群", sja);
        snprintf(en, sizeof(en), "Registered websites of the %s sector", sen);
    } else {
        snprintf(ja, sizeof(ja), "%.20s %.200s の登録ウェブサイト群", kind,
                 gkey ? gkey : "");
        snprintf(en, sizeof(en), "Registered websites on %.20s %.200s", kind,
                 gkey ? gkey : "");
    }
    const char *rja = json_string_value(json_object_get(al, "reason_ja"));
    const char *ren = json_string_value(json_object_get(al, "reason_en"));
    if (!rc) {
        json_t *o = sdo(&b, "infrastructure", inf, created, last);
        json_object_set_new(o, "name", json_string(ja));
        if (rja && *rja)
            json_object_set_new(o, "description", json_string(rja));
        json_object_set_new(o, "lang", json_string("ja"));
        json_object_set_new(o, "labels",
                            json_pack("[s,s]", "infrashare-observation", kl));
        json_object_set_new(o, "external_references", json_deep_copy(ext));
        put(&b, o);
        json_t *lc = json_pack("{s:s}", "name", en);
        if (ren && *ren)
            json_object_set_new(lc, "description", json_string(ren));
        char lkey[96];
        snprintf(lkey, sizeof(lkey), "infrastructure:%s", key);
        rc = language_content(&b, inf, lkey, last, lc);
    }
    if (!rc) {
        json_t *o = sdo(&b, "sighting", sgt, created, last);
        json_object_set_new(o, "sighting_of_ref", json_string(inf));
        json_object_set_new(o, "first_seen", json_string(since));
        json_object_set_new(o, "last_seen", json_string(last));
        json_object_set_new(o, "count", json_integer(1));
        if (observed)
            json_object_set_new(o, "observed_data_refs", json_pack("[s]", oid));
        if (ren && *ren)
            json_object_set_new(o, "description", json_string(ren));
        json_object_set_new(
            o, "labels",
            json_pack("[s,s,s]", "infrashare-observation", kl, cl));
        json_object_set_new(o, "external_references", json_deep_copy(ext));
        put(&b, o);
    }
    json_decref(ext);
    json_decref(refs);
    json_decref(list);
    if (rc) {
        json_decref(b.objects);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the alert cannot be written as STIX");
    }
    markings_first(&b);
    return bundle_of(&b, key, out, e, "alert");
}
