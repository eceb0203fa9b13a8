/*
 * obs_correlate.c - groups of websites anomalous at once, and a vantage
 * point's own problem (see obs_correlate.h for the contract).
 */
#include "common/common.h"

#include <arpa/inet.h>
#include <math.h>

#include "core/obs_correlate.h"

static const char *const kind_names[OBS_GROUP_COUNT_] = {
    "vantage", "sector", "dns", "hosting", "prefix",
};

const char *obs_group_kind_name(enum obs_group_kind k)
{
    if ((int)k < 0 || k >= OBS_GROUP_COUNT_)
        return NULL;
    return kind_names[k];
}

bool obs_group_kind_parse(const char *s, enum obs_group_kind *out)
{
    if (!s)
        return false;
    for (int i = 0; i < OBS_GROUP_COUNT_; i++)
        if (strcmp(s, kind_names[i]) == 0) {
            *out = (enum obs_group_kind)i;
            return true;
        }
    return false;
}

const char *obs_fate_name(enum obs_fate f)
{
    switch (f) {
    case OBS_FATE_NONE: return "none";
    case OBS_FATE_SITE: return "site";
    case OBS_FATE_GROUP: return "group";
    case OBS_FATE_VANTAGE: return "vantage";
    }
    return NULL;
}

/* snprintf that reports truncation and errors as false */
static bool put(char *dst, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool put(char *dst, size_t cap, const char *fmt, ...)
{
    if (!dst || cap == 0)
        return false;
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
    return r >= 0 && (size_t)r < cap;
}

bool obs_addr_prefix(const char *addr, char *out, size_t cap)
{
    if (!out || cap == 0)
        return false;
    out[0] = '\0';
    if (!addr || !*addr)
        return false;
    unsigned char a[16];
    char text[INET6_ADDRSTRLEN];
    if (inet_pton(AF_INET, addr, a) == 1) {
        a[3] = 0;
    } else if (inet_pton(AF_INET6, addr, a) == 1) {
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0,    0,
                                                 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(a, mapped, 12) == 0) {
            memmove(a, a + 12, 4);
            a[3] = 0;
        } else {
            memset(a + 6, 0, 10);
            if (!inet_ntop(AF_INET6, a, text, sizeof text))
                return false;
            bool ok = put(out, cap, "%s/48", text);
            if (!ok)
                out[0] = '\0';
            return ok;
        }
    } else {
        return false;
    }
    if (!inet_ntop(AF_INET, a, text, sizeof text))
        return false;
    bool ok = put(out, cap, "%s/24", text);
    if (!ok)
        out[0] = '\0';
    return ok;
}

/* ---- correlation ---- */

static const char *str(const char *s)
{
    return s ? s : "";
}

static const char *key_of(const struct obs_corr_site *s, enum obs_group_kind k)
{
    switch (k) {
    case OBS_GROUP_SECTOR: return str(s->sector);
    case OBS_GROUP_DNS: return str(s->dns);
    case OBS_GROUP_HOSTING: return str(s->hosting);
    case OBS_GROUP_PREFIX: return str(s->prefix);
    default: return "";
    }
}

/* The context of a sort of site indices (qsort has none: msort below
 * takes it as an argument, so obs_correlate keeps no global state). */
struct sort_ctx {
    const struct obs_corr_site *sites;
    enum obs_group_kind kind;
};

/* Merge sort of indices with a context (stable; tmp holds n). */
static void msort(size_t *v, size_t *tmp, size_t n, const struct sort_ctx *c,
                  int (*cmp)(const struct sort_ctx *, size_t, size_t))
{
    if (n < 2)
        return;
    size_t h = n / 2;
    msort(v, tmp, h, c, cmp);
    msort(v + h, tmp, n - h, c, cmp);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = cmp(c, v[j], v[i]) < 0 ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

static int by_id(const struct sort_ctx *c, size_t a, size_t b)
{
    int64_t x = c->sites[a].site_id, y = c->sites[b].site_id;
    return (x > y) - (x < y);
}

/* The group of a kind a site is in: its key, and for every kind but
 * sector its sector too (a correlated group is one sector's: rule 2). */
static int by_group(const struct sort_ctx *c, size_t a, size_t b)
{
    int r = 0;
    if (c->kind != OBS_GROUP_SECTOR)
        r = strcmp(str(c->sites[a].sector), str(c->sites[b].sector));
    return r ? r
             : strcmp(key_of(&c->sites[a], c->kind),
                      key_of(&c->sites[b], c->kind));
}

static int by_key_id(const struct sort_ctx *c, size_t a, size_t b)
{
    int r = by_group(c, a, b);
    return r ? r : by_id(c, a, b);
}

static int by_since_id(const struct sort_ctx *c, size_t a, size_t b)
{
    int64_t x = c->sites[a].since, y = c->sites[b].since;
    if (x != y)
        return (x > y) - (x < y);
    return by_id(c, a, b);
}

/* a group being built: members at store[first .. first + nmembers) */
struct cand {
    struct obs_group g;
    size_t first;
    bool dropped;
};

struct vec {
    struct cand *v;
    size_t n, cap;
};

static bool vec_push(struct vec *v, const struct cand *c)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;
        struct cand *p = realloc(v->v, cap * sizeof *p);
        if (!p)
            return false;
        v->v = p;
        v->cap = cap;
    }
    v->v[v->n++] = *c;
    return true;
}

static size_t ceil_frac(size_t size, double frac)
{
    double t = ceil((double)size * frac - 1e-9);
    return t < 0 ? 0 : (size_t)t;
}

static size_t threshold(size_t size, size_t min, double frac)
{
    size_t t = ceil_frac(size, frac);
    return t > min ? t : min;
}

/* Fills sector, condition, phase, since of a group from its members. */
static void summarise(struct obs_group *g, const struct obs_corr_site *sites,
                      const size_t *m)
{
    size_t slow = 0, down = 0;
    size_t phases[OBS_PHASE_COUNT_] = {0};
    g->since = INT64_MAX;
    g->sector = str(sites[m[0]].sector);
    for (size_t i = 0; i < g->nmembers; i++) {
        const struct obs_corr_site *s = &sites[m[i]];
        if (s->condition == OBS_STATE_UNREACHABLE)
            down++;
        else
            slow++;
        if ((int)s->phase >= 0 && s->phase < OBS_PHASE_COUNT_)
            phases[s->phase]++;
        if (s->since < g->since)
            g->since = s->since;
        if (strcmp(g->sector, str(s->sector)) != 0)
            g->sector = "";
    }
    g->condition = down >= slow ? OBS_STATE_UNREACHABLE : OBS_STATE_SLOW;
    size_t best = 0;
    g->phase = OBS_PHASE_NONE;
    for (int p = 0; p < OBS_PHASE_COUNT_; p++)
        if (phases[p] > best) {
            best = phases[p];
            g->phase = (enum obs_phase)p;
        }
}

/* Is every member of a in b? Both are sorted by id (rank ascending):
 * each of a is looked up by binary search, O(na log nb). */
static bool subset(const size_t *a, size_t na, const size_t *b, size_t nb,
                   const size_t *rank)
{
    if (na > nb)
        return false;
    size_t from = 0;
    for (size_t i = 0; i < na; i++) {
        size_t lo = from, hi = nb, want = rank[a[i]];
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (rank[b[mid]] < want)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == nb || b[lo] != a[i])
            return false;
        from = lo + 1;
    }
    return true;
}

/* Groups by kind, then key, then sector (two groups of one kind never
 * have the same key and sector). */
static int cmp_group(const struct obs_group *x, const struct obs_group *y)
{
    if (x->kind != y->kind)
        return (x->kind > y->kind) - (x->kind < y->kind);
    int r = strcmp(x->key, y->key);
    return r ? r : strcmp(str(x->sector), str(y->sector));
}

/* Does x win over y when their members are equal? That order. */
static bool prefer(const struct obs_group *x, const struct obs_group *y)
{
    return cmp_group(x, y) < 0;
}

static int cmp_groups(const void *a, const void *b)
{
    return cmp_group(a, b);
}

void obs_corr_free(struct obs_corr_result *r)
{
    if (!r)
        return;
    free(r->groups);
    free(r->fate);
    free(r->store_);
    memset(r, 0, sizeof *r);
}

int obs_correlate(const struct obs_corr_site *sites, size_t n,
                  const char *const *vantages, size_t nvantages,
                  struct obs_corr_result *out)
{
    memset(out, 0, sizeof *out);
    if (nvantages > OBS_CORR_MAX_VANTAGES || (n && !sites))
        return IS_ERR_INVALID;
    if (n > SIZE_MAX / (8 * sizeof(size_t)))
        return IS_ERR_NOMEM;
    uint32_t vmask =
        nvantages >= 32 ? UINT32_MAX : (uint32_t)((1u << nvantages) - 1u);
    size_t alloc = n ? n : 1;
    size_t *order = malloc(alloc * sizeof *order);
    size_t *tmp = malloc(alloc * sizeof *tmp);
    size_t *rank = malloc(alloc * sizeof *rank);
    size_t *work = malloc(alloc * sizeof *work);
    uint32_t *anom = malloc(alloc * sizeof *anom);
    out->fate = calloc(alloc, sizeof *out->fate);
    /* members: a site is in at most one group per kind */
    out->store_ = malloc(alloc * OBS_GROUP_COUNT_ * sizeof *out->store_);
    struct vec groups = {0};
    int err = IS_ERR_NOMEM;
    if (!order || !tmp || !rank || !work || !anom || !out->fate || !out->store_)
        goto done;
    struct sort_ctx ctx = {sites, OBS_GROUP_SECTOR};

    /* ids unique; rank[i] = position of site i by id */
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    msort(order, tmp, n, &ctx, by_id);
    err = IS_ERR_INVALID;
    for (size_t i = 0; i < n; i++) {
        if (i && sites[order[i]].site_id == sites[order[i - 1]].site_id)
            goto done;
        rank[order[i]] = i;
    }
    err = IS_ERR_NOMEM;
    size_t used = 0;

    /* 1. vantage points seeing alone */
    uint32_t flagged = 0;
    size_t probed_by[OBS_CORR_MAX_VANTAGES] = {0};
    for (size_t v = 0; v < nvantages; v++) {
        uint32_t bit = 1u << v;
        size_t alone = 0;
        for (size_t i = 0; i < n; i++) {
            uint32_t a = sites[i].anomalous & vmask;
            uint32_t p = (sites[i].probed | a) & vmask;
            if (p & bit)
                probed_by[v]++;
            if ((a & bit) && (p & ~bit) && !(a & ~bit))
                alone++;
        }
        if (alone >= threshold(probed_by[v], OBS_CORR_VANTAGE_MIN,
                               OBS_CORR_VANTAGE_FRACTION))
            flagged |= bit;
    }
    size_t nanom = 0;
    for (size_t i = 0; i < n; i++) {
        anom[i] = sites[i].anomalous & vmask;
        if (!anom[i]) {
            out->fate[i] = OBS_FATE_NONE;
        } else if (!(anom[i] & ~flagged)) {
            out->fate[i] = OBS_FATE_VANTAGE;
        } else {
            out->fate[i] = OBS_FATE_SITE;
            nanom++;
        }
    }
    for (size_t v = 0; v < nvantages; v++) {
        uint32_t bit = 1u << v;
        if (!(flagged & bit))
            continue;
        struct cand c = {0};
        c.g.kind = OBS_GROUP_VANTAGE;
        c.g.key = str(vantages ? vantages[v] : NULL);
        c.g.size = probed_by[v];
        c.first = used;
        for (size_t k = 0; k < n; k++) {
            size_t i = order[k];
            if (out->fate[i] == OBS_FATE_VANTAGE && (anom[i] & bit))
                out->store_[used++] = i;
        }
        c.g.nmembers = used - c.first;
        if (c.g.nmembers == 0) {
            used = c.first;
            continue;
        }
        summarise(&c.g, sites, out->store_ + c.first);
        if (!vec_push(&groups, &c))
            goto done;
    }
    size_t nvgroups = groups.n;

    /* 2. groups by each key */
    for (int k = OBS_GROUP_SECTOR; nanom && k < OBS_GROUP_COUNT_; k++) {
        ctx.kind = (enum obs_group_kind)k;
        for (size_t i = 0; i < n; i++)
            order[i] = i;
        msort(order, tmp, n, &ctx, by_key_id);
        size_t a = 0;
        while (a < n) {
            const char *key = key_of(&sites[order[a]], ctx.kind);
            size_t b = a + 1;
            while (b < n && by_group(&ctx, order[a], order[b]) == 0)
                b++;
            size_t size = b - a, m = 0;
            if (*key) {
                for (size_t j = a; j < b; j++)
                    if (out->fate[order[j]] == OBS_FATE_SITE)
                        work[m++] = order[j];
            }
            size_t need = threshold(size, OBS_CORR_MIN, OBS_CORR_FRACTION);
            if (m >= need) {
                /* the densest window of since, earliest on a tie */
                msort(work, tmp, m, &ctx, by_since_id);
                size_t best = 0, best_i = 0, hi = 0;
                for (size_t lo = 0; lo < m; lo++) {
                    if (hi < lo)
                        hi = lo;
                    while (hi + 1 < m &&
                           sites[work[hi + 1]].since - sites[work[lo]].since <=
                               OBS_CORR_WINDOW_S)
                        hi++;
                    if (hi - lo + 1 > best) {
                        best = hi - lo + 1;
                        best_i = lo;
                    }
                }
                if (best >= need) {
                    struct cand c = {0};
                    c.g.kind = ctx.kind;
                    c.g.key = key;
                    c.g.size = size;
                    c.first = used;
                    /* from the window's start on, by id */
                    size_t cnt = m - best_i;
                    memmove(work, work + best_i, cnt * sizeof *work);
                    msort(work, tmp, cnt, &ctx, by_id);
                    memcpy(out->store_ + used, work, cnt * sizeof *work);
                    used += cnt;
                    c.g.nmembers = cnt;
                    summarise(&c.g, sites, out->store_ + c.first);
                    if (!vec_push(&groups, &c))
                        goto done;
                }
            }
            a = b;
        }
    }

    /* 3. explained elsewhere */
    for (size_t x = nvgroups; x < groups.n; x++) {
        struct cand *cx = &groups.v[x];
        const size_t *mx = out->store_ + cx->first;
        for (size_t y = nvgroups; y < groups.n && !cx->dropped; y++) {
            if (x == y)
                continue;
            struct cand *cy = &groups.v[y];
            const size_t *my = out->store_ + cy->first;
            if (cx->g.nmembers > cy->g.nmembers ||
                !subset(mx, cx->g.nmembers, my, cy->g.nmembers, rank))
                continue;
            if (cx->g.nmembers < cy->g.nmembers || prefer(&cy->g, &cx->g))
                cx->dropped = true;
        }
    }

    /* the kinds a kept group stands for */
    for (size_t x = nvgroups; x < groups.n; x++) {
        struct cand *cx = &groups.v[x];
        if (cx->dropped)
            continue;
        for (size_t y = nvgroups; y < groups.n; y++) {
            struct cand *cy = &groups.v[y];
            if (!cy->dropped || cy->g.nmembers != cx->g.nmembers)
                continue;
            if (subset(out->store_ + cy->first, cy->g.nmembers,
                       out->store_ + cx->first, cx->g.nmembers, rank))
                cx->g.same_as |= 1u << cy->g.kind;
        }
    }

    /* 4. fates and the result */
    size_t kept = 0;
    for (size_t x = 0; x < groups.n; x++)
        if (!groups.v[x].dropped)
            kept++;
    out->groups = calloc(kept ? kept : 1, sizeof *out->groups);
    if (!out->groups)
        goto done;
    for (size_t x = 0; x < groups.n; x++) {
        struct cand *c = &groups.v[x];
        if (c->dropped)
            continue;
        c->g.members = out->store_ + c->first;
        if (c->g.kind != OBS_GROUP_VANTAGE)
            for (size_t i = 0; i < c->g.nmembers; i++)
                out->fate[c->g.members[i]] = OBS_FATE_GROUP;
        out->groups[out->ngroups++] = c->g;
    }
    qsort(out->groups, out->ngroups, sizeof *out->groups, cmp_groups);
    err = IS_OK;
done:
    free(order);
    free(tmp);
    free(rank);
    free(work);
    free(anom);
    free(groups.v);
    if (err != IS_OK) {
        obs_corr_free(out);
    }
    return err;
}

/* ---- reason texts ---- */

int64_t obs_count_shown(int64_t v, int64_t seen, bool exact)
{
    if (exact)
        return v;
    if (v < 0)
        v = 0;
    seen = seen < 0 ? 0 : seen > v ? v : seen;
    int64_t others = v - seen;
    if (seen == 0 && others < OBS_COUNT_SMALL)
        return -1;
    return seen + others - others % OBS_COUNT_SMALL;
}

bool obs_count_text(int64_t v, int64_t seen, bool exact, bool japanese,
                    char *out, size_t cap)
{
    int64_t s = obs_count_shown(v, seen, exact);
    if (s < 0)
        return put(out, cap, japanese ? "%d未満" : "fewer than %d",
                   OBS_COUNT_SMALL);
    if (exact)
        return put(out, cap, "%lld", (long long)s);
    return put(out, cap, japanese ? "%lld以上" : "at least %lld", (long long)s);
}

bool obs_group_reason(const struct obs_group *g, const char *name_ja,
                      const char *name_en, char *ja, size_t ja_cap, char *en,
                      size_t en_cap)
{
    return obs_group_reason_shown(g, NULL, name_ja, name_en, ja, ja_cap, en,
                                  en_cap);
}

bool obs_group_reason_shown(const struct obs_group *g,
                            const struct obs_seen *seen, const char *name_ja,
                            const char *name_en, char *ja, size_t ja_cap,
                            char *en, size_t en_cap)
{
    const char *nj = name_ja ? name_ja : str(g->key);
    const char *ne = name_en ? name_en : str(g->key);
    bool down = g->condition == OBS_STATE_UNREACHABLE;
    const char *cond_en = down ? "unreachable" : "slow";
    const char *cond_ja = down ? "到達不能" : "低速";
    bool ph = g->phase != OBS_PHASE_NONE && g->phase != OBS_PHASE_TOTAL;
    const char *ph_en = ph ? obs_phase_label(g->phase, false) : "";
    const char *ph_ja = ph ? obs_phase_label(g->phase, true) : "";
    const char *what_en, *what_ja_pre, *what_ja_post;
    /* the counts as this reader may have them: exact, or "<5" and
     * multiples of 5 in words ("at least 15", "15以上"); a size of 0 is
     * not known (not said) */
    bool exact = !seen || seen->exact;
    int64_t ms = seen ? seen->members : 0, ss = seen ? seen->size : 0;
    char men[32], mja[32], sen[32], sja[32];
    if (!obs_count_text((int64_t)g->nmembers, ms, exact, false, men,
                        sizeof(men)) ||
        !obs_count_text((int64_t)g->nmembers, ms, exact, true, mja,
                        sizeof(mja)) ||
        !obs_count_text((int64_t)g->size, ss, exact, false, sen, sizeof(sen)) ||
        !obs_count_text((int64_t)g->size, ss, exact, true, sja, sizeof(sja)))
        return false;
    /* exact: "200サイト中30サイト"; rounded:
     * "200以上のサイトのうち30以上のサイト" */
    const char *sep_ja = exact ? "サイト中" : "のサイトのうち";
    const char *unit_ja = exact ? "サイト" : "のサイト";
    bool sized = g->size > 0;
    switch (g->kind) {
    case OBS_GROUP_VANTAGE: {
        bool ok = sized ? put(en, en_cap,
                              "vantage point %s alone sees %s of its %s sites "
                              "%s (the other vantage points see them "
                              "normal): a problem of the vantage point, not "
                              "of the sites",
                              ne, men, sen, cond_en)
                        : put(en, en_cap,
                              "vantage point %s alone sees %s sites %s (the "
                              "other vantage points see them normal): a "
                              "problem of the vantage point, not of the sites",
                              ne, men, cond_en);
        return (sized ? put(ja, ja_cap,
                            "観測点「%s」だけが%s%s%s%sを%sと観測（他の"
                            "観測点では正常）: サイトではなく観測点の問題",
                            nj, sja, sep_ja, mja, unit_ja, cond_ja)
                      : put(ja, ja_cap,
                            "観測点「%s」だけが%s%sを%sと観測（他の"
                            "観測点では正常）: サイトではなく観測点の問題",
                            nj, mja, unit_ja, cond_ja)) &&
               ok;
    }
    case OBS_GROUP_SECTOR:
        what_en = "of sector";
        what_ja_pre = "分野「";
        what_ja_post = "」の";
        break;
    case OBS_GROUP_DNS:
        what_en = "using DNS provider";
        what_ja_pre = "DNSプロバイダ「";
        what_ja_post = "」を使う";
        break;
    case OBS_GROUP_HOSTING:
        what_en = "on hosting network";
        what_ja_pre = "ホスティング網「";
        what_ja_post = "」上の";
        break;
    default:
        what_en = "in address block";
        what_ja_pre = "アドレス帯「";
        what_ja_post = "」の";
        break;
    }
    bool ok = sized ? put(en, en_cap, "%s of %s sites %s %s %s at once%s%s%s",
                          men, sen, what_en, ne, cond_en, ph ? "; " : "", ph_en,
                          ph ? " degraded most" : "")
                    : put(en, en_cap, "%s sites %s %s %s at once%s%s%s", men,
                          what_en, ne, cond_en, ph ? "; " : "", ph_en,
                          ph ? " degraded most" : "");
    return (sized ? put(ja, ja_cap, "%s%s%s%s%s%s%sが同時に%s%s%s", what_ja_pre,
                        nj, what_ja_post, sja, sep_ja, mja, unit_ja, cond_ja,
                        ph ? "。最も悪化した段階: " : "", ph_ja)
                  : put(ja, ja_cap, "%s%s%s%s%sが同時に%s%s%s", what_ja_pre, nj,
                        what_ja_post, mja, unit_ja, cond_ja,
                        ph ? "。最も悪化した段階: " : "", ph_ja)) &&
           ok;
}

bool obs_alert_reason_shown(const char *kind, const char *key,
                            const char *condition, const char *phase,
                            int64_t count, int64_t size,
                            const struct obs_seen *seen, char *ja,
                            size_t ja_cap, char *en, size_t en_cap)
{
    struct obs_group g;
    memset(&g, 0, sizeof(g));
    if (!obs_group_kind_parse(kind, &g.kind) || count < 0)
        return false;
    g.key = key;
    g.condition = condition && strcmp(condition, "unreachable") == 0
                      ? OBS_STATE_UNREACHABLE
                      : OBS_STATE_SLOW;
    if (!phase || !obs_phase_parse(phase, &g.phase))
        g.phase = OBS_PHASE_NONE;
    g.nmembers = (size_t)count;
    g.size = size > 0 ? (size_t)size : 0;
    return obs_group_reason_shown(&g, seen, NULL, NULL, ja, ja_cap, en, en_cap);
}
