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
    const char *marking; /* the item's TLP marking definition id */
    int range;
};

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

/* The common properties of an object made by the hub. */
static json_t *sdo(struct bundle *b, const char *type, const char *id,
                   const char *created, const char *modified)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:[s]}", "type", type,
                     "spec_version", "2.1", "id", id, "created", created,
                     "modified", modified, "object_marking_refs", b->marking);
}

/* The English version of object id's text properties (Japanese in the
 * object itself, lang "ja"). */
static int language_content(struct bundle *b, const char *of, const char *key,
                            const char *modified, json_t *en)
{
    char id[STIX_ID_LEN];
    char k[256];
    snprintf(k, sizeof(k), "en:%s", key);
    if (add_id(b, "language-content", k, id)) {
        json_decref(en);
        return IS_ERR_INVALID;
    }
    json_t *o = sdo(b, "language-content", id, modified, modified);
    json_object_set_new(o, "object_ref", json_string(of));
    json_object_set_new(o, "object_modified", json_string(modified));
    json_object_set_new(o, "contents", json_pack("{s:o}", "en", en));
    json_array_append_new(b->objects, o);
    return IS_OK;
}

/* An organisation as an identity (name in Japanese, English as language
 * content); created when it entered the registry, so that every export
 * gives the same object. */
static int identity(struct bundle *b, struct store_conn *c, const char *org,
                    const json_t *name, char id[STIX_ID_LEN])
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
    json_array_append_new(b->objects, o);
    if (en && *en)
        return language_content(b, id, key, when,
                                json_pack("{s:s}", "name", en));
    return IS_OK;
}

/* report_types of an advisory's kind (STIX report-type-ov) */
static const char *report_type(const char *kind)
{
    return strcmp(kind, "warning") == 0         ? "threat-report"
           : strcmp(kind, "security_info") == 0 ? "vulnerability"
           : strcmp(kind, "case") == 0          ? "threat-report"
                                                : "threat-report";
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
    b.range = range_parse(json_string_value(json_object_get(adv, "range")));
    if (b.range < 0)
        b.range = RANGE_RED;
    b.marking = stix_tlp_id((enum share_range)b.range);
    char created[STIX_TIME_LEN];
    stix_time_of(json_string_value(json_object_get(adv, "created_at")),
                 created);
    json_array_append_new(b.objects, marking_json(b.range));
    char author[STIX_ID_LEN], rid[STIX_ID_LEN], key[128];
    rc = identity(&b, c, json_string_value(json_object_get(adv, "author")),
                  json_object_get(adv, "author_name"), author);
    snprintf(key, sizeof(key), "advisory:%.60s", id);
    if (!rc)
        rc = add_id(&b, "report", key, rid);
    json_t *refs = json_array();
    json_array_append_new(refs, json_string(author));
    /* the hops' notes on the reader's path, as notes about the report */
    size_t i;
    json_t *h;
    json_array_foreach (json_object_get(adv, "chain"), i, h) {
        const json_t *note = json_object_get(h, "note");
        const char *nja = json_string_value(json_object_get(note, "ja"));
        const char *nen = json_string_value(json_object_get(note, "en"));
        const char *org = json_string_value(json_object_get(h, "org"));
        if (rc || !org || ((!nja || !*nja) && (!nen || !*nen)))
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
        rc = identity(&b, c, org, hname, hop);
        json_decref(hname);
        if (!rc)
            rc = add_id(&b, "note", nkey, nid);
        if (rc)
            break;
        json_t *n = sdo(&b, "note", nid, when, when);
        json_object_set_new(n, "content", json_string(nja && *nja ? nja : nen));
        json_object_set_new(n, "lang", json_string(nja && *nja ? "ja" : "en"));
        json_object_set_new(n, "created_by_ref", json_string(hop));
        json_object_set_new(n, "object_refs", json_pack("[s]", rid));
        json_array_append_new(b.objects, n);
        if (nja && *nja && nen && *nen)
            rc = language_content(&b, nid, nkey, when,
                                  json_pack("{s:s}", "content", nen));
    }
    if (rc) {
        json_decref(refs);
        json_decref(adv);
        json_decref(b.objects);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the advisory cannot be written as STIX");
    }
    const json_t *title = json_object_get(adv, "title");
    const json_t *body = json_object_get(adv, "body");
    const char *kind = json_string_value(json_object_get(adv, "kind"));
    char sev[32];
    snprintf(sev, sizeof(sev), "severity-%lld",
             (long long)json_integer_value(json_object_get(adv, "severity")));
    json_t *r = sdo(&b, "report", rid, created, created);
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
    json_array_append_new(b.objects, r);
    rc = language_content(&b, rid, key, created,
                          json_pack("{s:O,s:O}", "name",
                                    json_object_get(title, "en"), "description",
                                    json_object_get(body, "en")));
    json_decref(adv);
    char bid[STIX_ID_LEN];
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

/* ---- a report (情報連絡) ---- */

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
    b.range = range_parse(json_string_value(json_object_get(rep, "range")));
    if (b.range < 0)
        b.range = RANGE_RED;
    b.marking = stix_tlp_id((enum share_range)b.range);
    char created[STIX_TIME_LEN], modified[STIX_TIME_LEN];
    stix_time_of(json_string_value(json_object_get(rep, "created_at")),
                 created);
    stix_time_of(json_string_value(json_object_get(rep, "updated_at")),
                 modified);
    if (strcmp(modified, created) < 0)
        memcpy(modified, created, sizeof(modified));
    json_array_append_new(b.objects, marking_json(b.range));
    /* the reporter: its organisation when who may know it, else one
     * identity of this report alone, named as the anonymity rule names it
     * ("an operator in <scope> (via <CEPTOAR>)"), linked to nothing */
    const json_t *who_rep = json_object_get(rep, "reporter");
    const char *org = json_string_value(json_object_get(who_rep, "org"));
    char reporter[STIX_ID_LEN], key[128];
    snprintf(key, sizeof(key), "report:%.60s", id);
    if (org) {
        rc = identity(&b, c, org, json_object_get(who_rep, "name"), reporter);
    } else {
        char akey[160];
        snprintf(akey, sizeof(akey), "anonymous:report:%.60s", id);
        const json_t *label = json_object_get(who_rep, "label");
        rc = add_id(&b, "identity", akey, reporter);
        if (!rc) {
            json_t *o = sdo(&b, "identity", reporter, created, created);
            const char *ja = json_string_value(json_object_get(label, "ja"));
            const char *en = json_string_value(json_object_get(label, "en"));
            json_object_set_new(o, "name",
                                json_string(ja && *ja ? ja : "匿名の事業者"));
            json_object_set_new(o, "identity_class",
                                json_string("organization"));
            json_object_set_new(o, "lang", json_string("ja"));
            json_array_append_new(b.objects, o);
            rc = language_content(
                &b, reporter, akey, created,
                json_pack("{s:s}", "name",
                          en && *en ? en : "an anonymous operator"));
        }
    }
    char iid[STIX_ID_LEN], rid[STIX_ID_LEN];
    if (!rc)
        rc = add_id(&b, "incident", key, iid);
    if (!rc)
        rc = add_id(&b, "report", key, rid);
    if (rc) {
        json_decref(rep);
        json_decref(b.objects);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the report cannot be written as STIX");
    }
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
    json_t *inc = sdo(&b, "incident", iid, created, modified);
    json_object_set_new(inc, "name", json_incref((json_t *)title));
    if (what && *what)
        json_object_set_new(inc, "description", json_string(what));
    json_object_set_new(inc, "labels",
                        json_pack("[s,s,s,s]", "infrashare-report",
                                  kind ? kind : "report", sevl, secl));
    json_object_set_new(inc, "created_by_ref", json_string(reporter));
    json_object_set_new(inc, "external_references", json_deep_copy(ext));
    json_array_append_new(b.objects, inc);
    json_t *r = sdo(&b, "report", rid, created, modified);
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
    json_array_append_new(b.objects, r);
    json_decref(rep);
    char bid[STIX_ID_LEN];
    if ((rc = add_id(&b, "bundle", key, bid))) {
        json_decref(b.objects);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the report cannot be written as STIX");
    }
    *out = json_pack("{s:s,s:s,s:o}", "type", "bundle", "id", bid, "objects",
                     b.objects);
    return *out ? IS_OK
                : svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "out of memory");
}
