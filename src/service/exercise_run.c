/*
 * exercise_run.c - a cross-sector exercise while it runs (see
 * service/exercise_run.h).
 */
#include "service/exercise_run.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/jtext.h"
#include "common/log.h"
#include "common/util.h"
#include "core/roles.h"
#include "deliver/message.h"
#include "deliver/outbox.h"
#include "service/exercise_scenario.h"
#include "service/provision.h"
#include "service/reporting.h"

struct ex_runs {
    pthread_mutex_t lock;
    struct ex_run *runs[EX_MAX_RUNNING];
    size_t n;
    /* PostgreSQL: one opening of a run started on another node at a time
     * (ex_run_follow), so that one exercise is opened once here */
    pthread_mutex_t open_lock;
};

struct ex_runs *ex_runs_new(void)
{
    struct ex_runs *rs = calloc(1, sizeof(*rs));
    if (rs) {
        pthread_mutex_init(&rs->lock, NULL);
        pthread_mutex_init(&rs->open_lock, NULL);
    }
    return rs;
}

static void run_destroy(struct ex_run *r)
{
    outbox_stop(r->outbox); /* before its database closes */
    if (r->store)
        store_close(r->store);
    if (r->limits_init)
        auth_limits_release(&r->app.limits);
    json_decref(r->scenario);
    free(r->sc);
    free(r->members);
    pthread_mutex_destroy(&r->lock);
    pthread_mutex_destroy(&r->cache_lock);
    pthread_cond_destroy(&r->cache_cond);
    free(r->cache_text);
    free(r);
}

void ex_run_put(struct ex_run *r)
{
    if (r && atomic_fetch_sub(&r->refs, 1) == 1)
        run_destroy(r);
}

void ex_runs_free(struct ex_runs *rs)
{
    if (!rs)
        return;
    for (size_t i = 0; i < rs->n; i++)
        ex_run_put(rs->runs[i]);
    pthread_mutex_destroy(&rs->lock);
    pthread_mutex_destroy(&rs->open_lock);
    free(rs);
}

/* The run of exercise id open on this node (a reference), or NULL. */
static struct ex_run *run_find(struct ex_runs *rs, const char *id)
{
    struct ex_run *r = NULL;
    pthread_mutex_lock(&rs->lock);
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->runs[i]->id, id) == 0) {
            r = rs->runs[i];
            atomic_fetch_add(&r->refs, 1);
            break;
        }
    pthread_mutex_unlock(&rs->lock);
    return r;
}

/* Several nodes (PostgreSQL): an exercise is started, paused, moved on
 * and ended on whichever node takes the console's request, and its world
 * is a schema every node reaches. So before a node uses its run of id (r,
 * a reference, or NULL), it follows the stored exercise: a running one it
 * has not open is opened (as at a restart), the clock of one it has is
 * the stored clock (ex_run_clock_set keeps the newer version), and one no
 * longer running is closed here. A run whose start is not committed yet
 * (not live) is this node's own start in progress: it stays. Returns the
 * run to use (a reference), or NULL. c: a connection of the hub's store
 * (read outside any transaction of the caller's). */
static struct ex_run *follow(struct app *a, struct store_conn *c,
                             const char *id, struct ex_run *r)
{
    struct store_exercise x;
    if (store_exercise_get(c, id, &x))
        return r; /* unreadable now: as it was */
    bool running = strcmp(x.state, "running") == 0;
    if (running && r) {
        struct ex_clock k;
        ex_clock_of(&x, &k);
        ex_run_clock_set(r, &k, x.version);
    } else if (running) {
        struct ex_runs *rs = a->exercises;
        pthread_mutex_lock(&rs->open_lock);
        r = run_find(rs, id);
        struct svc_error e = {0};
        if (!r && ex_run_open(a, c, &x, false, &e) == IS_OK)
            r = run_find(rs, id);
        else if (!r)
            log_event(LOG_ERROR, "exercise not followed", "exercise",
                      json_string(id), "error", json_string(e.message), NULL);
        pthread_mutex_unlock(&rs->open_lock);
    } else if (r && atomic_load(&r->live)) {
        ex_run_put(r);
        ex_run_close(a, id);
        r = NULL;
    }
    store_exercise_release(&x);
    return r;
}

static bool several_nodes(const struct app *a)
{
    return a->db_path && store_is_postgresql(a->db_path);
}

struct ex_run *ex_run_get(struct app *a, const char *id)
{
    struct ex_runs *rs = a->exercises;
    if (!rs || !id)
        return NULL;
    struct ex_run *r = run_find(rs, id);
    if (!several_nodes(a))
        return r;
    struct store_conn *c = store_acquire(a->store);
    r = follow(a, c, id, r);
    store_put(a->store, c);
    return r;
}

void ex_runs_follow(struct app *a)
{
    struct ex_runs *rs = a->exercises;
    if (!rs || !several_nodes(a))
        return;
    struct store_conn *c = store_acquire(a->store);
    char ids[EX_MAX_RUNNING * 2][40];
    size_t n = 0;
    if (store_exercise_running(c, ids, EX_MAX_RUNNING, &n) == IS_OK) {
        /* and the ones open here that the store no longer runs */
        pthread_mutex_lock(&rs->lock);
        for (size_t i = 0; i < rs->n; i++) {
            bool listed = false;
            for (size_t k = 0; k < n && !listed; k++)
                listed = strcmp(ids[k], rs->runs[i]->id) == 0;
            if (!listed && n < IS_ARRAY_LEN(ids))
                util_xcopy(ids[n++], sizeof(ids[0]), rs->runs[i]->id);
        }
        pthread_mutex_unlock(&rs->lock);
        for (size_t i = 0; i < n; i++)
            ex_run_put(follow(a, c, ids[i], run_find(rs, ids[i])));
    }
    store_put(a->store, c);
}

void ex_run_close(struct app *a, const char *id)
{
    struct ex_runs *rs = a->exercises;
    if (!rs)
        return;
    struct ex_run *r = NULL;
    pthread_mutex_lock(&rs->lock);
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->runs[i]->id, id) == 0) {
            r = rs->runs[i];
            rs->runs[i] = rs->runs[--rs->n];
            break;
        }
    pthread_mutex_unlock(&rs->lock);
    ex_run_put(r);
}

/* ---- the clock ---- */

void ex_run_clock_set(struct ex_run *r, const struct ex_clock *c,
                      int64_t version)
{
    pthread_mutex_lock(&r->lock);
    /* two console acts committed in one order may arrive in the other */
    if (version > r->clock_version) {
        r->clock = *c;
        r->clock_version = version;
    }
    pthread_mutex_unlock(&r->lock);
}

void ex_run_clock_get(struct ex_run *r, struct ex_clock *c)
{
    pthread_mutex_lock(&r->lock);
    *c = r->clock;
    pthread_mutex_unlock(&r->lock);
}

int64_t ex_run_now(struct ex_run *r, int64_t real_now)
{
    struct ex_clock c;
    ex_run_clock_get(r, &c);
    return c.started_at + ex_world_s(&c, real_now);
}

static int64_t app_clock(const struct app *a)
{
    return ex_run_now(a->exercise, util_now());
}

static int64_t outbox_clock(void *ctx)
{
    return ex_run_now(ctx, util_now());
}

static void wake(struct app *a)
{
    outbox_wake(a->outbox);
}

/* ---- opening ---- */

static int member_cmp(const void *a, const void *b)
{
    return strcmp(((const struct ex_member *)a)->org,
                  ((const struct ex_member *)b)->org);
}

const struct ex_member *ex_run_member(const struct ex_run *r, const char *org)
{
    struct ex_member key;
    if (!org || util_copy(key.org, sizeof(key.org), org))
        return NULL;
    return bsearch(&key, r->members, r->nmembers, sizeof(key), member_cmp);
}

static int load_members(struct ex_run *r, struct store_conn *c)
{
    struct store_ex_participant *ps = NULL;
    size_t n = 0;
    int rc = store_ex_participants(c, r->id, &ps, &n);
    if (!rc && n && !(r->members = calloc(n, sizeof(*r->members))))
        rc = IS_ERR_NOMEM;
    for (size_t i = 0; !rc && i < n; i++) {
        struct ex_member *m = &r->members[i];
        util_xcopy(m->org, sizeof(m->org), ps[i].org_id);
        util_xcopy(m->sector, sizeof(m->sector), ps[i].sector_id);
        util_xcopy(m->kind, sizeof(m->kind), ps[i].kind);
        util_xcopy(m->name_ja, sizeof(m->name_ja), ps[i].name_ja);
        util_xcopy(m->name_en, sizeof(m->name_en), ps[i].name_en);
    }
    if (!rc) {
        r->nmembers = n;
        qsort(r->members, n, sizeof(*r->members), member_cmp);
    }
    free(ps);
    return rc;
}

void ex_clock_of(const struct store_exercise *x, struct ex_clock *c)
{
    *c = (struct ex_clock){.started_at = x->started_at,
                           .paused_since = x->paused_since,
                           .paused_total = x->paused_total,
                           .shift_s = x->shift_s,
                           .advanced_s = x->advanced_s,
                           .scale = x->scale};
}

int ex_run_open(struct app *a, struct store_conn *c,
                const struct store_exercise *x, bool fresh, struct svc_error *e)
{
    if (!a->exercises || !a->db_path)
        return svc_fail(e, IS_ERR_INTERNAL, "exercises_unavailable", NULL,
                        "this hub runs no exercises");
    if (!a->deliver)
        return svc_fail(e, IS_ERR_CONFLICT, "hub_starting", NULL,
                        "the hub is starting: try again in a moment");
    struct ex_run *r = calloc(1, sizeof(*r));
    if (!r)
        return svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "out of memory");
    pthread_mutex_init(&r->lock, NULL);
    pthread_mutex_init(&r->cache_lock, NULL);
    pthread_cond_init(&r->cache_cond, NULL);
    atomic_init(&r->refs, 1);
    atomic_init(&r->live, !fresh); /* a resumed one was committed */
    r->clock_version = x->version;
    util_xcopy(r->id, sizeof(r->id), x->id);
    ex_clock_of(x, &r->clock);
    json_error_t je;
    r->scenario = json_loads(x->scenario ? x->scenario : "", 0, &je);
    r->sc = calloc(1, sizeof(*r->sc));
    int rc = r->scenario && r->sc ? IS_OK : IS_ERR_NOMEM;
    if (!rc)
        rc = exercise_scenario_reload(r->scenario, r->sc, e);
    if (!rc)
        rc = load_members(r, c);
    char err[512] = "";
    /* its world: a file beside the hub's database, or a schema of the
     * hub's PostgreSQL database (store_ex_world_path) */
    if (!rc && store_ex_world_path(a->db_path, x->id, r->path, sizeof(r->path)))
        rc = svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                      "the exercise's database name is too long");
    if (!rc && fresh)
        rc = store_ex_world_reset(a->db_path, x->id, err, sizeof(err));
    if (!rc)
        /* resumed: the world must be there (never made anew, empty) */
        rc = store_open(r->path, (fresh ? STORE_CREATE : 0) | STORE_WORLD, 6,
                        &r->store, err, sizeof(err));
    if (!rc) {
        /* its outbox's claims are this node's */
        store_set_node(r->store, store_node_of(a->store));
    }
    if (!rc && fresh) {
        struct store_conn *xc = store_acquire(r->store);
        rc = store_ex_seed(xc, c, a->db_path, x->id);
        store_put(r->store, xc);
    }
    if (rc) {
        log_event(LOG_ERROR, "exercise database", "exercise",
                  json_string(x->id), "error", json_string(err), NULL);
        run_destroy(r);
        return e->err ? rc
                      : svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                                 "the exercise's database could not be made");
    }
    /* the exercise's app: the hub's settings over its own database, its
     * own time, links under /x/{id}, its own acknowledgement key */
    r->app = *a;
    auth_limits_init(&r->app.limits);
    r->limits_init = true;
    util_xcopy(r->app.exercise_id, sizeof(r->app.exercise_id), x->id);
    r->app.store = r->store;
    r->app.board_cache = NULL;
    r->app.dash_cache = NULL;
    r->app.survey_cache = NULL;
    r->app.exercises = NULL;
    r->app.exercise = r;
    r->app.clock = app_clock;
    r->app.outbox = NULL;
    r->app.wake_outbox = NULL;
    snprintf(r->app.public_url, sizeof(r->app.public_url), "%.200s/x/%s",
             a->public_url, x->id);
    crypto_generichash(r->app.ack_key, sizeof(r->app.ack_key),
                       (const unsigned char *)x->id, strlen(x->id), a->ack_key,
                       sizeof(a->ack_key));
    if (a->deliver) {
        struct deliver_settings s = *a->deliver;
        s.store = r->store;
        util_xcopy(s.public_url, sizeof(s.public_url), r->app.public_url);
        util_xcopy(s.exercise_id, sizeof(s.exercise_id), x->id);
        s.ack_link_ctx = &r->app;
        s.now = outbox_clock;
        s.now_ctx = r;
        if (outbox_start(&s, &r->outbox)) {
            run_destroy(r);
            return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                            "the exercise's delivery worker did not start");
        }
        r->app.outbox = r->outbox;
        r->app.wake_outbox = wake;
    }
    struct ex_runs *rs = a->exercises;
    pthread_mutex_lock(&rs->lock);
    bool room = rs->n < EX_MAX_RUNNING;
    if (room)
        rs->runs[rs->n++] = r;
    pthread_mutex_unlock(&rs->lock);
    if (!room) {
        run_destroy(r);
        return svc_fail(e, IS_ERR_CONFLICT, "too_many_exercises", NULL,
                        "at most %d exercises run at once", EX_MAX_RUNNING);
    }
    return IS_OK;
}

int ex_runs_resume(struct app *a)
{
    struct store_conn *c = store_acquire(a->store);
    char ids[EX_MAX_RUNNING][40];
    size_t n = 0;
    int rc = store_exercise_running(c, ids, EX_MAX_RUNNING, &n);
    for (size_t i = 0; !rc && i < n; i++) {
        struct store_exercise x;
        struct svc_error e = {0};
        if (store_exercise_get(c, ids[i], &x))
            continue;
        if (ex_run_open(a, c, &x, false, &e))
            log_event(LOG_ERROR, "exercise not resumed", "exercise",
                      json_string(x.id), "error", json_string(e.message), NULL);
        store_exercise_release(&x);
    }
    store_put(a->store, c);
    return rc;
}

/* ---- what participants did ---- */

struct facts {
    struct store_ex_event_row *ev; /* sorted by org, type, time */
    size_t nev;
    struct store_ex_inject *inj;
    size_t ninj;
};

static int event_cmp(const void *a, const void *b)
{
    const struct store_ex_event_row *x = a, *y = b;
    int d = strcmp(x->org_id, y->org_id);
    if (d)
        return d;
    if (x->type != y->type)
        return x->type < y->type ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

static int facts_load(struct store_conn *c, struct facts *f)
{
    memset(f, 0, sizeof(*f));
    int rc = store_ex_events(c, &f->ev, &f->nev);
    if (!rc)
        rc = store_ex_injects(c, &f->inj, &f->ninj);
    if (!rc && f->nev)
        qsort(f->ev, f->nev, sizeof(*f->ev), event_cmp);
    return rc;
}

static void facts_free(struct facts *f)
{
    free(f->ev);
    store_ex_injects_free(f->inj, f->ninj);
}

static const struct store_ex_inject *fired_inject(const struct facts *f,
                                                  const char *id)
{
    for (size_t i = 0; i < f->ninj; i++)
        if (strcmp(f->inj[i].inject_id, id) == 0)
            return &f->inj[i];
    return NULL;
}

/* The events of org: [*lo, *hi). */
static void org_range(const struct facts *f, const char *org, size_t *lo,
                      size_t *hi)
{
    size_t a = 0, b = f->nev;
    while (a < b) {
        size_t m = (a + b) / 2;
        if (strcmp(f->ev[m].org_id, org) < 0)
            a = m + 1;
        else
            b = m;
    }
    *lo = a;
    while (b < f->nev && strcmp(f->ev[b].org_id, org) == 0)
        b++;
    *hi = b < a ? a : b;
}

/* When org did expected action x (of inject in, fired at fired_at with
 * advisory adv): the first matching event at or after the firing, or -1. */
static int64_t done_at(const struct facts *f, size_t lo, size_t hi,
                       const struct ex_expect *x, const char *report_kind,
                       const char *inject, int64_t fired_at)
{
    static const int type_of[EX_ACT_COUNT] = {[EX_ACT_REPORT] = STORE_EX_REPORT,
                                              [EX_ACT_ACK] = STORE_EX_ACK,
                                              [EX_ACT_RELAY] = STORE_EX_RELAY,
                                              [EX_ACT_BCP] = STORE_EX_BCP,
                                              [EX_ACT_ROLLCALL] =
                                                  STORE_EX_ROLLCALL};
    int type = type_of[x->action];
    bool by_advisory = x->action == EX_ACT_ACK || x->action == EX_ACT_RELAY ||
                       x->action == EX_ACT_ROLLCALL;
    for (size_t k = lo; k < hi; k++) {
        const struct store_ex_event_row *ev = &f->ev[k];
        if (ev->type != type)
            continue;
        if (by_advisory) { /* events name the inject of the advisory */
            if (inject && strcmp(ev->ref, inject) == 0)
                return ev->at;
            continue;
        }
        if (ev->at < fired_at)
            continue;
        if (report_kind && *report_kind && strcmp(ev->ref, report_kind) != 0)
            continue;
        return ev->at;
    }
    return -1;
}

static const json_t *inject_json(const struct ex_run *r, int i)
{
    return json_array_get(json_object_get(r->scenario, "injects"), (size_t)i);
}

static const char *report_kind_of(const struct ex_run *r, int i, int k)
{
    return json_string_value(json_object_get(
        json_array_get(json_object_get(inject_json(r, i), "expect"), (size_t)k),
        "report_kind"));
}

static bool has_event(const struct facts *f, size_t lo, size_t hi, int type,
                      const char *ref)
{
    for (size_t k = lo; k < hi; k++)
        if (f->ev[k].type == type && strcmp(f->ev[k].ref, ref) == 0)
            return true;
    return false;
}

static bool reached(const struct facts *f, size_t lo, size_t hi,
                    const char *inject)
{
    return has_event(f, lo, hi, STORE_EX_REACHED, inject);
}

/* Is expected action x asked of a participant? A relay of those the
 * inject's advisory passes through (its hops: a secretariat, a
 * ministry), whether or not the inject names them; every other action of
 * those it reached. */
static bool is_asked(const struct facts *f, size_t lo, size_t hi,
                     const struct ex_expect *x, bool got,
                     const struct store_ex_inject *fi)
{
    if (x->action == EX_ACT_RELAY)
        return *fi->advisory_id &&
               has_event(f, lo, hi, STORE_EX_HOP, fi->inject_id);
    return got;
}

/* Where expected action id is: its inject and expect index (false: none). */
static bool find_action(const struct ex_scenario *s, const char *id, int *ii,
                        int *kk)
{
    for (int i = 0; i < s->ninjects; i++)
        for (int k = 0; k < s->inject[i].nexpect; k++)
            if (strcmp(s->inject[i].expect[k].id, id) == 0) {
                *ii = i;
                *kk = k;
                return true;
            }
    return false;
}

/* ---- firing ---- */

static bool json_has(const json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach (arr, i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
            return true;
    return false;
}

static bool targeted(const struct ex_run *r, const json_t *to,
                     const struct ex_member *m)
{
    if (json_is_true(json_object_get(to, "all")))
        return true;
    if (json_has(json_object_get(to, "sectors"), m->sector) ||
        json_has(json_object_get(to, "orgs"), m->org))
        return true;
    const json_t *groups = json_object_get(r->scenario, "groups");
    size_t i;
    json_t *g;
    json_array_foreach (json_object_get(to, "groups"), i, g) {
        const json_t *grp = json_object_get(groups, json_string_value(g));
        if (json_has(json_object_get(grp, "sectors"), m->sector) ||
            json_has(json_object_get(grp, "orgs"), m->org))
            return true;
    }
    return false;
}

struct fire_link {
    const char *inject;
    const json_t *orgs; /* those this advisory reaches */
    bool first;         /* the inject's first advisory: records it fired */
    int64_t at;
    bool by_hand;
    const char *adhoc;
};

static int link_fired(struct store_conn *c, const char *adv, void *ctx)
{
    struct fire_link *l = ctx;
    int rc = l->first ? store_ex_inject_fired(c, l->inject, adv, l->at,
                                              l->by_hand, l->adhoc)
                      : IS_OK;
    size_t i;
    json_t *o;
    json_array_foreach (l->orgs, i, o) {
        if (rc)
            break;
        rc = store_ex_fired_add(c, l->inject, json_string_value(o), adv);
    }
    return rc;
}

int ex_run_fire(struct ex_run *r, int i, const json_t *adhoc, bool by_hand,
                struct svc_error *e)
{
    const json_t *in = adhoc ? adhoc : inject_json(r, i);
    const struct ex_inject *xi = adhoc ? NULL : &r->sc->inject[i];
    const char *id = json_string_value(json_object_get(in, "id"));
    const char *from = json_string_value(json_object_get(in, "from"));
    if (!in || !id || !from)
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", "inject",
                        "no such inject");
    struct store_conn *c = store_acquire(r->store);
    int64_t now = ex_run_now(r, util_now());
    struct facts f = {0};
    int rc = xi && xi->when.present ? facts_load(c, &f) : IS_OK;
    int ci = -1, ck = -1;
    if (!rc && xi && xi->when.present &&
        !find_action(r->sc, xi->when.action_id, &ci, &ck))
        rc = IS_ERR_INVALID; /* the scenario's check makes this impossible */
    struct ex_clock clk;
    ex_run_clock_get(r, &clk);
    json_t *orgs = json_array();
    const json_t *to = json_object_get(in, "to");
    for (size_t m = 0; !rc && m < r->nmembers; m++) {
        const struct ex_member *mb = &r->members[m];
        if (strcmp(mb->org, from) == 0 || !targeted(r, to, mb))
            continue;
        if (xi && xi->when.present) {
            size_t lo, hi;
            org_range(&f, mb->org, &lo, &hi);
            const struct ex_inject *cin = &r->sc->inject[ci];
            const struct store_ex_inject *fi = fired_inject(&f, cin->id);
            int64_t done = -1;
            if (fi && reached(&f, lo, hi, cin->id))
                done =
                    done_at(&f, lo, hi, &cin->expect[ck],
                            report_kind_of(r, ci, ck), cin->id, fi->fired_at);
            /* the condition's minute on the exercise's time, under the
             * present shift */
            int64_t by_world =
                clk.started_at + (int64_t)xi->when.by_min * 60 + clk.shift_s;
            int64_t done_s = done < 0 || done > by_world
                                 ? -1
                                 : (int64_t)xi->when.by_min * 60;
            if (!ex_condition_holds(&xi->when, done_s))
                continue;
        }
        json_array_append_new(orgs, json_string(mb->org));
    }
    facts_free(&f);
    char *adhoc_text = adhoc ? json_dumps(adhoc, JSON_COMPACT) : NULL;
    if (!rc && json_array_size(orgs) == 0) {
        /* it reaches nobody (a branch not taken): recorded as fired */
        rc = store_begin(c);
        if (!rc)
            rc = store_ex_inject_fired(c, id, "", now, by_hand, adhoc_text);
        if (rc || (rc = store_commit(c)))
            store_rollback(c);
        if (rc == IS_ERR_CONFLICT)
            svc_fail(e, rc, "already_fired", "inject",
                     "inject %s has fired already", id);
    } else if (!rc) {
        const char *kind = json_string_value(json_object_get(in, "kind"));
        if (!kind || strcmp(kind, "info") == 0)
            kind = "security_info";
        const char *range = json_string_value(json_object_get(in, "range"));
        json_t *sev = json_object_get(in, "severity");
        json_t *body = json_pack(
            "{s:s,s:s,s:I,s:O,s:O,s:O,s:O,s:{s:O}}", "kind", kind, "range",
            range ? range : "green", "severity",
            (json_int_t)(json_is_integer(sev) ? json_integer_value(sev) : 2),
            "title_ja", json_object_get(in, "title_ja"), "title_en",
            json_object_get(in, "title_en"), "body_ja",
            json_object_get(in, "body_ja"), "body_en",
            json_object_get(in, "body_en"), "audience", "orgs", orgs);
        /* a roll call's answer form travels with the inject */
        if (body && json_object_get(in, "form"))
            json_object_set(body, "form", json_object_get(in, "form"));
        /* the controller sends it on the sender's behalf: its audience
         * is the participants, whichever the sender could address itself
         * (an agency names no operator otherwise) */
        struct auth_ctx who = {.roles =
                                   ROLE_LIAISON | ROLE_ANALYST | ROLE_ADMIN};
        util_xcopy(who.username, sizeof(who.username), "exercise-controller");
        util_xcopy(who.lang, sizeof(who.lang), "ja");
        rc = body ? store_org_rel(c, from, &who.org) : IS_ERR_NOMEM;
        if (rc) {
            svc_fail(e, IS_ERR_INVALID, "unknown_participants", "inject.from",
                     "the sender %.63s is not in the registry", from);
        } else {
            /* an inject with a condition goes as one advisory to each
             * participant it holds for: one advisory to all of them would
             * show every reader its audience, that is who met the
             * condition (who had not reported) */
            bool each = xi && xi->when.present;
            size_t norgs = json_array_size(orgs);
            /* and no wider than Amber: a Green or White one would be
             * listed to every participant, each telling whom it asked */
            if (each && range &&
                (strcmp(range, "green") == 0 || strcmp(range, "white") == 0))
                json_object_set_new(body, "range", json_string("amber"));
            else if (each && !range)
                json_object_set_new(body, "range", json_string("amber"));
            for (size_t k = 0; !rc && k < (each ? norgs : 1); k++) {
                json_t *one =
                    each ? json_pack("[O]", json_array_get(orgs, k)) : NULL;
                if (each)
                    json_object_set(json_object_get(body, "audience"), "orgs",
                                    one);
                struct fire_link lk = {.inject = id,
                                       .orgs = each ? one : orgs,
                                       .first = k == 0,
                                       .at = now,
                                       .by_hand = by_hand,
                                       .adhoc = adhoc_text};
                json_t *out = NULL;
                /* and past the relay chain: a hop it passed through
                 * would read each one, so learn who met the condition */
                rc = each
                         ? advisory_issue_past_hops(&r->app, c, &who, body, now,
                                                    link_fired, &lk, &out, e)
                         : advisory_issue_linked(&r->app, c, &who, body, now,
                                                 link_fired, &lk, &out, e);
                if (rc == IS_ERR_CONFLICT)
                    svc_fail(e, rc, "already_fired", "inject",
                             "inject %s has fired already", id);
                json_decref(out);
                json_decref(one);
            }
        }
        json_decref(body);
    }
    if (!rc)
        log_event(LOG_INFO, "exercise inject fired", "exercise",
                  json_string(r->id), "inject", json_string(id), "recipients",
                  json_integer((json_int_t)json_array_size(orgs)), "by_hand",
                  json_boolean(by_hand), NULL);
    free(adhoc_text);
    json_decref(orgs);
    store_put(r->store, c);
    if (rc && !e->err)
        svc_fail(e, rc, "internal", NULL, "the inject could not be fired");
    return rc;
}

/* ---- the worker ---- */

static int tick_one(struct ex_run *r, int64_t real_now)
{
    struct ex_clock clk;
    ex_run_clock_get(r, &clk);
    /* not started, or started but not committed yet (ex_run_go) */
    if (!clk.started_at || !atomic_load(&r->live))
        return 0;
    int64_t elapsed = ex_elapsed_s(&clk, real_now);
    struct store_conn *c = store_acquire(r->store);
    struct store_ex_inject *inj = NULL;
    size_t ninj = 0;
    int rc = store_ex_injects(c, &inj, &ninj);
    /* the firing takes its own connection: none is held meanwhile (the
     * pool is small, and ticks run on several threads) */
    store_put(r->store, c);
    int n = 0;
    for (int i = 0; !rc && i < r->sc->ninjects; i++) {
        const struct ex_inject *xi = &r->sc->inject[i];
        if (!ex_inject_due(xi, elapsed))
            break; /* in time order */
        bool done = false;
        for (size_t k = 0; k < ninj && !done; k++)
            done = strcmp(inj[k].inject_id, xi->id) == 0;
        if (done)
            continue;
        struct svc_error e = {0};
        if (ex_run_fire(r, i, NULL, false, &e) && e.err != IS_ERR_CONFLICT)
            log_event(LOG_WARN, "exercise inject not fired", "exercise",
                      json_string(r->id), "inject", json_string(xi->id),
                      "error", json_string(e.message), NULL);
        else
            n++;
    }
    store_ex_injects_free(inj, ninj);
    c = store_acquire(r->store);
    int64_t now = app_now(&r->app);
    n += reporting_tick(&r->app, c, now);
    n += provision_tick(&r->app, c, now);
    store_put(r->store, c);
    return n;
}

int ex_run_tick(struct ex_run *r)
{
    return r ? tick_one(r, util_now()) : 0;
}

void ex_run_go(struct ex_run *r)
{
    if (r)
        atomic_store(&r->live, true);
}

int ex_runs_tick(struct app *a)
{
    struct ex_runs *rs = a->exercises;
    if (!rs)
        return 0;
    ex_runs_follow(a); /* PostgreSQL: what other nodes started or ended */
    struct ex_run *runs[EX_MAX_RUNNING];
    size_t n = 0;
    pthread_mutex_lock(&rs->lock);
    for (size_t i = 0; i < rs->n; i++) {
        runs[n] = rs->runs[i];
        atomic_fetch_add(&runs[n++]->refs, 1);
    }
    pthread_mutex_unlock(&rs->lock);
    int changes = 0;
    int64_t now = util_now();
    for (size_t i = 0; i < n; i++) {
        changes += tick_one(runs[i], now);
        ex_run_put(runs[i]);
    }
    return changes;
}

/* ---- the board ---- */

/* The board, and (until non-NULL) the exercise time up to which it stays
 * as it is when nothing is written: the first pending action's limit. */
static json_t *board_at(struct ex_run *r, const char *only_org, int64_t now,
                        int64_t *until)
{
    if (until)
        *until = INT64_MAX;
    struct store_conn *c = store_acquire(r->store);
    struct facts f;
    int rc = facts_load(c, &f);
    store_put(r->store, c);
    if (rc) {
        facts_free(&f);
        return NULL;
    }
    int totals[4] = {0};
    int asked = 0;
    json_t *parts = json_array();
    for (size_t m = 0; m < r->nmembers; m++) {
        const struct ex_member *mb = &r->members[m];
        if (only_org && strcmp(only_org, mb->org) != 0)
            continue;
        size_t lo, hi;
        org_range(&f, mb->org, &lo, &hi);
        json_t *acts = json_array();
        json_t *reached_ids = json_array();
        int nreached = 0;
        for (int i = 0; i < r->sc->ninjects; i++) {
            const struct ex_inject *xi = &r->sc->inject[i];
            const struct store_ex_inject *fi = fired_inject(&f, xi->id);
            if (!fi)
                continue;
            bool got = reached(&f, lo, hi, xi->id);
            if (got) {
                nreached++;
                json_array_append_new(reached_ids, json_string(xi->id));
            }
            for (int k = 0; k < xi->nexpect; k++) {
                const struct ex_expect *x = &xi->expect[k];
                if (!is_asked(&f, lo, hi, x, got, fi))
                    continue;
                int64_t done = done_at(&f, lo, hi, x, report_kind_of(r, i, k),
                                       xi->id, fi->fired_at);
                enum ex_outcome o = ex_score(x, fi->fired_at, done, now);
                int64_t flips = fi->fired_at + (int64_t)x->within_min * 60 + 1;
                if (o == EX_PENDING && until && flips < *until)
                    *until = flips;
                totals[o]++;
                asked++;
                const json_t *ij = inject_json(r, i);
                json_t *a = json_pack(
                    "{s:s,s:s,s:{s:O,s:O},s:s,s:s,s:i,s:o,s:o}", "id", x->id,
                    "inject", xi->id, "inject_title", "ja",
                    json_object_get(ij, "title_ja"), "en",
                    json_object_get(ij, "title_en"), "action",
                    ex_action_name(x->action), "outcome", ex_outcome_name(o),
                    "within_min", x->within_min, "fired_at",
                    svc_time_json(fi->fired_at), "done_at",
                    done < 0 ? json_null() : svc_time_json(done));
                json_object_set_new(
                    a, "minutes",
                    done < 0 ? json_null()
                             : json_real((double)(done - fi->fired_at) / 60.0));
                json_array_append_new(acts, a);
            }
        }
        json_array_append_new(
            parts,
            json_pack("{s:s,s:s,s:s,s:{s:s,s:s},s:i,s:o,s:o}", "org", mb->org,
                      "kind", mb->kind, "sector", mb->sector, "name", "ja",
                      mb->name_ja, "en", mb->name_en, "injects_reached",
                      nreached, "reached", reached_ids, "actions", acts));
    }
    facts_free(&f);
    return json_pack("{s:{s:i,s:i,s:i,s:i,s:i},s:o}", "totals", "asked", asked,
                     "on_time", totals[EX_ON_TIME], "late", totals[EX_LATE],
                     "missed", totals[EX_MISSED], "pending", totals[EX_PENDING],
                     "participants", parts);
}

json_t *ex_run_board(struct ex_run *r, const char *only_org, int64_t now)
{
    return board_at(r, only_org, now, NULL);
}

/* A copy of the cache when it is valid for version at exercise time now
 * (under cache_lock). */
static bool cache_copy(struct ex_run *r, int64_t version, int64_t now,
                       char **text, size_t *len)
{
    if (!r->cache_text || r->cache_version != version || now < r->cache_from ||
        now >= r->cache_until)
        return false;
    *text = malloc(r->cache_len + 1);
    if (*text) {
        memcpy(*text, r->cache_text, r->cache_len + 1);
        *len = r->cache_len;
    }
    return *text != NULL;
}

int ex_run_board_text(struct ex_run *r, int64_t now, char **text, size_t *len)
{
    *text = NULL;
    *len = 0;
    int64_t version = 0;
    struct store_conn *c = store_acquire(r->store);
    int rc = store_ex_board_version(c, &version);
    store_put(r->store, c);
    if (rc)
        return rc;
    pthread_mutex_lock(&r->cache_lock);
    /* one build at a time: readers arriving meanwhile wait for it and
     * take it when it is of their version (else they build next) */
    while (!cache_copy(r, version, now, text, len) && r->cache_building)
        pthread_cond_wait(&r->cache_cond, &r->cache_lock);
    if (*text) {
        pthread_mutex_unlock(&r->cache_lock);
        return IS_OK;
    }
    r->cache_building = true;
    pthread_mutex_unlock(&r->cache_lock);
    /* the version read again now: the build is at least as new */
    c = store_acquire(r->store);
    rc = store_ex_board_version(c, &version);
    store_put(r->store, c);
    int64_t until = INT64_MAX;
    json_t *b = rc ? NULL : board_at(r, NULL, now, &until);
    size_t n = 0;
    char *t = b ? jtext_dumps(b, &n) : NULL;
    json_decref(b);
    char *copy = t ? malloc(n + 1) : NULL;
    if (copy)
        memcpy(copy, t, n + 1);
    pthread_mutex_lock(&r->cache_lock);
    if (copy && version >= r->cache_version) {
        free(r->cache_text);
        r->cache_text = t;
        r->cache_len = n;
        r->cache_version = version;
        r->cache_from = now;
        r->cache_until = until;
        t = NULL;
    }
    r->cache_building = false;
    pthread_cond_broadcast(&r->cache_cond);
    pthread_mutex_unlock(&r->cache_lock);
    free(t);
    if (!copy)
        return rc ? rc : IS_ERR_NOMEM;
    *text = copy;
    *len = n;
    return IS_OK;
}
