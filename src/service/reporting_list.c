/*
 * reporting_list.c - lists, counts, CSV export and attachments of reports.
 * Each row the store pre-selects goes through core/range before anything
 * of it is shown or counted.
 */
#include "service/reporting_internal.h"

#include "core/access.h"
#include "common/buf.h"
#include "common/csv.h"
#include "common/jv.h"
#include "common/util.h"

#define EXPORT_MAX_ROWS 10000

static bool matches_q(const struct store_report *r, const char *q)
{
    if (!q || !*q)
        return true;
    if (r->title[0] && strcasestr(r->title, q))
        return true;
    json_t *body = json_loads(r->body, 0, NULL);
    const char *t = jv_str(body, "title"), *w = jv_str(body, "what_happened");
    bool hit = (t && strcasestr(t, q)) || (w && strcasestr(w, q)) ||
               strcmp(r->id, q) == 0;
    json_decref(body);
    return hit;
}

/* The reports who may read that match q, newest first: the one row
 * iterator that list, counts and export share. Each row the store
 * pre-selects goes through core/range (rp_decide) before it is returned. */
struct readable {
    struct store_report_rows rows;
    const struct auth_ctx *who;
    const char *text; /* q->q: the free-text filter */
    struct ids ceps;
};

void rp_filter_init(const struct auth_ctx *who, const struct report_query *q,
                    int64_t now, struct store_report_filter *f,
                    struct ids *ceps)
{
    memset(f, 0, sizeof(*f));
    memset(ceps, 0, sizeof(*ceps));
    if (who)
        for (int i = 0; i < who->org.nceptoars; i++)
            (void)ids_add(ceps, who->org.ceptoars[i]); /* IDS_MAX fits */
    f->before_seq = q->before;
    f->viewer = who ? who->org.id : NULL;
    f->viewer_ceptoars = ceps;
    f->viewer_agreed = who && agreement_gives_yellow(who->org.agreement);
    f->sector = q->sector;
    f->scope = q->scope;
    f->kind = q->kind;
    f->state = q->state;
    f->min_severity = q->min_severity;
    f->has_max = q->has_max;
    f->max_severity = q->max_severity;
    f->overdue = q->overdue;
    f->now = now;
}

static int readable_open(struct store_conn *c, const struct auth_ctx *who,
                         const struct report_query *q, int64_t now,
                         struct readable *x)
{
    struct store_report_filter f;
    memset(x, 0, sizeof(*x));
    x->who = who;
    x->text = q->q;
    rp_filter_init(who, q, now, &f, &x->ceps);
    return store_reports_open(c, &f, &x->rows);
}

/* The next readable row into *r and *d (the caller releases *r): IS_OK;
 * IS_ERR_NOTFOUND at the end; another error when the read fails. */
static int readable_next(struct readable *x, struct store_report *r,
                         struct range_decision *d)
{
    int rc;
    while (!(rc = store_reports_next(&x->rows, r))) {
        *d = rp_decide(x->who, r);
        if (d->may_read && matches_q(r, x->text))
            return IS_OK;
        store_report_release(r);
    }
    return rc;
}

/* The ids of the Red and Amber reports a page or export showed, for its
 * audit entry: those of others, and the reader's own only when its
 * organisation would read them as any other of its place (the range
 * decided as if it were not the reporter). So an anonymous Amber report
 * is named in its reporter's entry exactly as in each of its fellow
 * members' (left out of the reporter's alone, its absence named the
 * reporter: found by an outside review), and an anonymous Red one, which
 * no other operator reads, in no operator's entry. A page writes no
 * withheld entry: one beside the attributed entry would be linked to it
 * by its time and position in the chain (docs/rules.md "Audit and
 * anonymity"). The reporter's own reads are recorded by the single read
 * of a report. */
struct shown {
    json_t *audited;
};

void rp_page_note(json_t *ids, const struct auth_ctx *who,
                  const struct store_report *r)
{
    if (!range_read_is_audited((enum share_range)r->range))
        return;
    if (who && strcmp(who->org.id, r->originator) == 0) {
        struct range_report rr;
        rp_range_report(r, &rr);
        rr.originator = "";
        if (!range_report_decide(&who->org, &rr).may_read)
            return;
    }
    json_array_append_new(ids, json_string(r->id));
}

static void shown_add(struct shown *s, const struct auth_ctx *who,
                      const struct store_report *r)
{
    rp_page_note(s->audited, who, r);
}

static void csv_row(struct buf *b, struct store_conn *c,
                    const struct auth_ctx *who, const struct store_report *r,
                    struct range_decision d)
{
    json_t *rep = rp_reporter_json(c, who, r, d);
    json_t *body = json_loads(r->body, 0, NULL);
    const char *who_txt = json_object_get(rep, "org")
                              ? jv_str(rep, "org")
                              : jv_str(json_object_get(rep, "label"), "en");
    char sev[8], det[UTIL_TIME_LEN], cre[UTIL_TIME_LEN];
    snprintf(sev, sizeof(sev), "%d",
             r->declared > r->severity ? r->declared : r->severity);
    util_time_rfc3339(r->detected_at, det);
    util_time_rfc3339(r->created_at, cre);
    csv_cell(b, r->id, false);
    csv_cell(b, range_tlp((enum share_range)r->range), false);
    csv_cell(b, r->kind, false);
    csv_cell(b, r->state, false);
    csv_cell(b, sev, false);
    csv_cell(b, r->scope_id, false);
    csv_cell(b, r->sector_id, false);
    csv_cell(b, who_txt, false);
    csv_cell(b, jv_str(body, "title"), false);
    csv_cell(b, det, false);
    csv_cell(b, cre, true);
    json_decref(rep);
    json_decref(body);
}

/* The audit entry for a page that showed Red or Amber reports of others
 * (s): one attributed entry. Writes nothing when rc, the page's outcome so
 * far, is an error; releases s either way. Returns the outcome. */
static int audit_page(struct store_conn *c, const struct auth_ctx *who,
                      int64_t now, const char *action, struct shown *s, int rc)
{
    if (!rc && who && json_array_size(s->audited))
        rc =
            audit_record_read(c, who, now, action,
                              json_pack("{s:O}", "reports", s->audited), false);
    json_decref(s->audited);
    s->audited = NULL;
    return rc;
}

/* Resolves q->cursor, the id of the last report of the previous page, into
 * the sequence number the scan starts before (*q_out is q with before
 * set). A cursor naming no report, or one who may not read, is the same
 * 400: a cursor carries nothing but what the page showed (docs/rules.md,
 * "List cursors"). */
static int resolve_cursor(struct store_conn *c, const struct auth_ctx *who,
                          const struct report_query *q,
                          struct report_query *q_out, struct svc_error *e)
{
    *q_out = *q;
    q_out->before = 0;
    if (!q->cursor)
        return IS_OK;
    struct store_report r;
    if (strlen(q->cursor) >= sizeof(r.id) || store_report_get(c, q->cursor, &r))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "cursor",
                        "cursor: not a cursor this hub returned");
    bool ok = rp_decide(who, &r).may_read;
    q_out->before = r.seq;
    store_report_release(&r);
    if (!ok)
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "cursor",
                        "cursor: not a cursor this hub returned");
    return IS_OK;
}

static int check_overdue_role(const struct auth_ctx *who,
                              const struct report_query *q, struct svc_error *e)
{
    if (!q->overdue)
        return IS_OK;
    if (!who || !access_may_view_overdue(who->org.kind))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", "overdue",
                        "overdue: the overdue view is for ministries and "
                        "NISC");
    return IS_OK;
}

/* Checks query q for who (the overdue view's role, the cursor) and
 * resolves it into *q_out (see resolve_cursor). */
static int check_query(struct store_conn *c, const struct auth_ctx *who,
                       const struct report_query *q, struct report_query *q_out,
                       struct svc_error *e)
{
    int rc = check_overdue_role(who, q, e);
    if (!rc)
        rc = resolve_cursor(c, who, q, q_out, e);
    return rc;
}

int report_list(struct app *a, struct store_conn *c, const struct auth_ctx *who,
                const struct report_query *q, int64_t now, char **text,
                size_t *len, struct svc_error *e)
{
    IS_UNUSED(a);
    struct report_query qc;
    int rc = check_query(c, who, q, &qc, e);
    if (rc)
        return rc;
    struct buf b;
    struct jw w;
    buf_init(&b, 0);
    jw_init(&w, &b);
    jw_obj(&w);
    jw_key(&w, "items");
    jw_arr(&w);
    int shown_n = 0;
    struct shown shown = {json_array()};
    char last_id[40] = ""; /* of the last report shown: the next cursor */
    bool more = false;
    struct readable x;
    struct store_report r;
    struct range_decision d;
    rc = readable_open(c, who, &qc, now, &x);
    while (!rc && !(rc = readable_next(&x, &r, &d))) {
        if (q->limit && shown_n == q->limit) {
            more = true;
            store_report_release(&r);
            break;
        }
        util_xcopy(last_id, sizeof(last_id), r.id);
        shown_add(&shown, who, &r);
        rp_summary_write(&w, c, who, &r, d, now);
        shown_n++;
        store_report_release(&r);
    }
    store_reports_close(&x.rows);
    if (rc == IS_ERR_NOTFOUND)
        rc = IS_OK;
    jw_end_arr(&w);
    jw_kstr(&w, "next_cursor", more ? last_id : NULL);
    jw_end_obj(&w);
    if (!rc)
        rc = buf_error(&b);
    /* audited (durably) before the page is answered; a failed page is
     * neither audited nor answered */
    rc = audit_page(c, who, now, "report.list", &shown, rc);
    if (rc) {
        buf_release(&b);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the list could not be "
                        "read");
    }
    *len = b.len;
    *text = buf_detach(&b);
    return IS_OK;
}

static void bump(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    json_object_set_new(o, key,
                        json_integer(v ? json_integer_value(v) + 1 : 1));
}

static void count_row(json_t *counts, const struct store_report *r, int64_t now)
{
    char lv[4];
    int eff = r->declared > r->severity ? r->declared : r->severity;
    snprintf(lv, sizeof(lv), "%d", eff);
    bump(json_object_get(counts, "by_severity"), lv);
    bump(json_object_get(counts, "by_sector"), r->sector_id);
    bump(json_object_get(counts, "by_kind"), r->kind);
    bump(json_object_get(counts, "by_state"), r->state);
    bump(json_object_get(counts, "by_range"),
         range_name((enum share_range)r->range));
    if (rp_overdue(r, now))
        bump(counts, "overdue");
}

int report_counts(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, const struct report_query *q,
                  int64_t now, json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    struct report_query all;
    int rc = check_query(c, who, q, &all, e); /* cursor checked, not applied */
    if (rc)
        return rc;
    all.before = 0;
    json_t *counts =
        json_pack("{s:{},s:{},s:{},s:{},s:{},s:i}", "by_severity", "by_sector",
                  "by_kind", "by_state", "by_range", "overdue", 0);
    json_int_t total = 0;
    struct readable x;
    struct store_report r;
    struct range_decision d;
    rc = readable_open(c, who, &all, now, &x);
    while (!rc && !(rc = readable_next(&x, &r, &d))) {
        total++;
        count_row(counts, &r, now);
        store_report_release(&r);
    }
    store_reports_close(&x.rows);
    if (rc != IS_ERR_NOTFOUND) {
        json_decref(counts);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, "counts failed");
    }
    json_object_set_new(counts, "total", json_integer(total));
    *out = counts;
    return IS_OK;
}

int report_export_csv(struct app *a, struct store_conn *c,
                      const struct auth_ctx *who, const struct report_query *q,
                      int64_t now, char **csv, size_t *len, struct svc_error *e)
{
    IS_UNUSED(a);
    struct report_query qc;
    int rc = check_query(c, who, q, &qc, e);
    if (rc)
        return rc;
    struct buf b;
    buf_init(&b, 64 * 1024 * 1024);
    buf_adds(&b, "id,tlp,kind,state,severity,scope,sector,reporter,title,"
                 "detected_at,created_at\r\n");
    struct shown shown = {json_array()};
    int n = 0;
    struct readable x;
    struct store_report r;
    struct range_decision d;
    rc = readable_open(c, who, &qc, now, &x);
    while (!rc && n < EXPORT_MAX_ROWS && !(rc = readable_next(&x, &r, &d))) {
        n++;
        shown_add(&shown, who, &r);
        csv_row(&b, c, who, &r, d);
        store_report_release(&r);
    }
    store_reports_close(&x.rows);
    if (rc == IS_ERR_NOTFOUND)
        rc = IS_OK;
    if (!rc) /* a cut-short export is never handed out (nor audited) */
        rc = buf_error(&b);
    rc = audit_page(c, who, now, "report.export", &shown, rc);
    if (rc) {
        buf_release(&b);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the export failed");
    }
    *len = b.len;
    *csv = buf_detach(&b);
    return IS_OK;
}

int report_attachment(struct app *a, struct store_conn *c,
                      const struct auth_ctx *who, const char *id, int64_t att,
                      int64_t now, char **name, char **mime, void **data,
                      size_t *len, struct svc_error *e)
{
    IS_UNUSED(a);
    struct store_report r;
    if (strlen(id) >= sizeof(r.id) || store_report_get(c, id, &r))
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                        "no such report");
    struct range_decision d = rp_decide(who, &r);
    int rc;
    /* att is the attachment's number within the report (1, 2, ...), as
     * the report view shows it; the store knows its row id */
    struct store_attachment *atts = NULL;
    int natts = 0;
    int64_t row = 0;
    if (d.may_read && !store_attachments_list(c, r.id, &atts, &natts) &&
        att >= 1 && att <= natts)
        row = atts[att - 1].id;
    store_attachments_free(atts, natts);
    if (!d.may_read) {
        rc = svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL, "no such report");
    } else if (!row || (rc = store_attachment_get(c, r.id, row, name, mime,
                                                  data, len))) {
        rc = svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                      "no such attachment");
    } else if (range_read_is_audited((enum share_range)r.range) &&
               rp_audit(c, who, now, "report.attachment.read", &r,
                        json_pack("{s:I}", "attachment", (json_int_t)att))) {
        free(*name);
        free(*mime);
        free(*data);
        rc = svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                      "the read could not be "
                      "audited, so it is refused");
    }
    store_report_release(&r);
    return rc;
}

/* Whether the actor of a version-1 entry about report id must be withheld
 * from who: the actor is the reporting organisation of an anonymous
 * report, and who is not that organisation. (Version-2 entries withhold
 * such actors when they are written.) */
static bool withhold_for(struct store_conn *c, const struct auth_ctx *who,
                         const char *actor, const char *id, bool *unknown)
{
    struct store_report r;
    *unknown = false;
    if (!id || store_report_get(c, id, &r)) {
        *unknown = true;
        return false;
    }
    bool hide = r.route == ROUTE_ANONYMOUS && actor &&
                strcmp(actor, r.originator) == 0 &&
                !(who && strcmp(who->org.id, r.originator) == 0);
    store_report_release(&r);
    return hide;
}

void reporting_audit_redact(struct store_conn *c, const struct auth_ctx *who,
                            json_t *entries)
{
    size_t i;
    json_t *en;
    json_array_foreach (entries, i, en) {
        if (jv_int(en, "version", 2) != 1)
            continue;
        json_t *detail = json_object_get(en, "detail");
        const char *actor = jv_str(en, "actor_org");
        bool hide = false, unknown = false;
        if (json_is_true(json_object_get(detail, "anonymous_report"))) {
            hide = withhold_for(c, who, actor, jv_str(en, "target"), &unknown);
            hide = hide || unknown; /* cannot check: withhold */
        }
        /* list pages and exports name the reports they showed */
        size_t k;
        json_t *id;
        json_array_foreach (json_object_get(detail, "reports"), k, id) {
            if (hide)
                break;
            hide = withhold_for(c, who, actor, json_string_value(id), &unknown);
        }
        if (hide) {
            json_object_set_new(en, "actor_org", json_null());
            json_object_set_new(en, "actor_user", json_null());
            json_object_set_new(en, "actor_withheld", json_true());
        }
    }
}
