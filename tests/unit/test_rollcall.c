/*
 * test_rollcall.c - roll calls and survey requests: the rules of
 * core/rollcall.c as tables, and the service's stable entry point
 * rollcall_issue() with answers on a real SQLite store, whose board
 * counters must equal a recount of the answers stored.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/rollcall.h"
#include "service/provision.h"
#include "service/registry.h"
#include "service/rollcall.h"
#include "store/store.h"

#define NOW 1711929600

/* ------------------------------------------------------------ core */

static void t_qtypes_and_ids(void **state)
{
    (void)state;
    static const char *const names[] = {"yes_no_unknown", "choice", "text"};
    for (int i = 0; i < 3; i++) {
        enum rollcall_qtype t;
        assert_true(rollcall_qtype_parse(names[i], &t));
        assert_int_equal(t, i);
        assert_string_equal(rollcall_qtype_name(t), names[i]);
    }
    enum rollcall_qtype t;
    assert_false(rollcall_qtype_parse("rating", &t));
    assert_false(rollcall_qtype_parse(NULL, &t));
    assert_false(rollcall_qtype_parse("", &t));
    static const struct {
        const char *id;
        bool ok;
    } ids[] = {
        {"affected", true},
        {"a", true},
        {"q_1", true},
        {"abcdefghijklmnopqrstuvwxyz012345", true},   /* 32 */
        {"abcdefghijklmnopqrstuvwxyz0123456", false}, /* 33 */
        {"", false},
        {"Affected", false},
        {"a b", false},
        {"a-b", false},
        {"é", false},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(ids); i++)
        assert_int_equal(rollcall_id_valid(ids[i].id), ids[i].ok);
    assert_false(rollcall_id_valid(NULL));
}

static void t_check_value_table(void **state)
{
    (void)state;
    struct rollcall_question ynu = {
        .id = "a", .type = ROLLCALL_YES_NO_UNKNOWN, .required = true};
    struct rollcall_question ch = {
        .id = "s",
        .type = ROLLCALL_CHOICE,
        .required = false,
        .noptions = 3,
        .options = {"normal", "degraded", "stopped"}};
    struct rollcall_question tx = {
        .id = "t", .type = ROLLCALL_TEXT, .required = false, .max_len = 3};
    struct rollcall_question txd = {
        .id = "d", .type = ROLLCALL_TEXT, .required = true};
    char long_default[ROLLCALL_TEXT_DEFAULT + 2];
    memset(long_default, 'x', sizeof(long_default) - 1);
    long_default[sizeof(long_default) - 1] = '\0';
    static const struct {
        int q; /* 0 ynu, 1 choice, 2 text(3), 3 text(default, required) */
        const char *value;
        enum rollcall_verdict want;
    } rows[] = {
        {0, "yes", ROLLCALL_VALUE_OK},
        {0, "no", ROLLCALL_VALUE_OK},
        {0, "unknown", ROLLCALL_VALUE_OK},
        {0, "Yes", ROLLCALL_VALUE_NOT_OPTION},
        {0, "maybe", ROLLCALL_VALUE_NOT_OPTION},
        {0, "", ROLLCALL_VALUE_EMPTY},
        {0, NULL, ROLLCALL_VALUE_EMPTY},
        {1, "normal", ROLLCALL_VALUE_OK},
        {1, "stopped", ROLLCALL_VALUE_OK},
        {1, "broken", ROLLCALL_VALUE_NOT_OPTION},
        {1, "yes", ROLLCALL_VALUE_NOT_OPTION},
        {1, "", ROLLCALL_VALUE_OK}, /* not required: no answer */
        {1, NULL, ROLLCALL_VALUE_OK},
        {2, "abc", ROLLCALL_VALUE_OK},
        {2, "あいう", ROLLCALL_VALUE_OK}, /* code points, not bytes */
        {2, "abcd", ROLLCALL_VALUE_TOO_LONG},
        {2, "あいうえ", ROLLCALL_VALUE_TOO_LONG},
        {2, "", ROLLCALL_VALUE_OK},
        {3, "", ROLLCALL_VALUE_EMPTY},
        {3, "anything", ROLLCALL_VALUE_OK},
    };
    const struct rollcall_question *qs[] = {&ynu, &ch, &tx, &txd};
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        enum rollcall_verdict got =
            rollcall_check_value(qs[rows[i].q], rows[i].value);
        if (got != rows[i].want)
            fail_msg("row %zu (%s): got %d, want %d", i,
                     rows[i].value ? rows[i].value : "NULL", got, rows[i].want);
    }
    /* the default text limit */
    assert_int_equal(rollcall_check_value(&txd, long_default),
                     ROLLCALL_VALUE_TOO_LONG);
    long_default[ROLLCALL_TEXT_DEFAULT] = '\0';
    assert_int_equal(rollcall_check_value(&txd, long_default),
                     ROLLCALL_VALUE_OK);
    /* counted on the board: the choices, never free text */
    assert_true(rollcall_counted(&ynu));
    assert_true(rollcall_counted(&ch));
    assert_false(rollcall_counted(&tx));
    /* a form's recipient acknowledges by answering */
    assert_true(rollcall_ack_needs_answer(true));
    assert_false(rollcall_ack_needs_answer(false));
}

/* ------------------------------------------------------------ service */

static char tmpdir[256];

static const char *src_root(void)
{
    const char *s = getenv("INFRASHARE_SRC");
    return s && *s ? s : ".";
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_rollcall.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof(path), "%s/hub.db", tmpdir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/hub.db-wal", tmpdir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/hub.db-shm", tmpdir);
    unlink(path);
    rmdir(tmpdir);
    return 0;
}

/* A store with the national registry and gas operators g1..g3 (members
 * of ceptoar-gas), relaying automatically. */
static struct store *hub(void)
{
    char path[512], dir[1024], err[1024] = "";
    snprintf(path, sizeof(path), "%s/hub.db", tmpdir);
    struct store *s = NULL;
    assert_int_equal(store_open(path, STORE_CREATE, 2, &s, err, sizeof(err)),
                     IS_OK);
    struct registry r;
    registry_init(&r);
    snprintf(dir, sizeof(dir), "%s/data/registry", src_root());
    if (registry_load(dir, &r, err, sizeof(err)))
        fail_msg("registry_load: %s", err);
    struct store_conn *c = store_acquire(s);
    assert_int_equal(store_begin(c), IS_OK);
    assert_int_equal(registry_import(c, &r, NOW), IS_OK);
    static const char *const ops[] = {"g1", "g2", "g3"};
    for (size_t i = 0; i < IS_ARRAY_LEN(ops); i++) {
        struct store_org o = {.id = ops[i],
                              .kind = "operator",
                              .name_ja = "試験",
                              .name_en = "Test",
                              .short_en = ops[i],
                              .scope_id = "gas",
                              .attrs = "{}"};
        assert_int_equal(store_org_insert(c, &o, NOW), IS_OK);
        assert_int_equal(store_membership_insert(c, ops[i], "ceptoar-gas"),
                         IS_OK);
    }
    /* the chain relays at once */
    assert_int_equal(store_hop_policy_set(c, "meti", false, 30, NOW), IS_OK);
    assert_int_equal(store_hop_policy_set(c, "ceptoar-gas", false, 30, NOW),
                     IS_OK);
    assert_int_equal(store_commit(c), IS_OK);
    store_put(s, c);
    registry_release(&r);
    return s;
}

static void who_of(struct store_conn *c, const char *org, struct auth_ctx *who)
{
    memset(who, 0, sizeof(*who));
    who->user_id = 1;
    assert_int_equal(store_org_rel(c, org, &who->org), IS_OK);
}

static json_t *answer_body(const char *affected, const char *state)
{
    return json_pack("{s:[{s:s,s:s},{s:s,s:s}]}", "answers", "question",
                     "affected", "value", affected, "question", "service_state",
                     "value", state);
}

/* The board's counters must equal a recount of the stored answers. */
static void counters_match_recount(struct store_conn *c, const char *adv)
{
    struct store_rollcall_count_list cl = {0};
    struct store_rollcall_row_list rl = {0};
    assert_int_equal(store_rollcall_counts(c, adv, "", "", &cl), IS_OK);
    assert_int_equal(
        store_rollcall_board_page(c, adv, "", "", "", 0, 1000, &rl), IS_OK);
    int64_t recipients = 0, answered = 0;
    for (size_t i = 0; i < cl.n; i++) {
        const struct store_rollcall_count *x = &cl.items[i];
        if (!*x->question) {
            recipients += strcmp(x->value, "recipients") == 0 ? x->n : 0;
            answered += strcmp(x->value, "answered") == 0 ? x->n : 0;
            continue;
        }
        int64_t n = 0;
        for (size_t k = 0; k < rl.n; k++) {
            json_t *a = rl.items[k].answers
                            ? json_loads(rl.items[k].answers, 0, NULL)
                            : NULL;
            const char *v = json_string_value(json_object_get(a, x->question));
            n += v && strcmp(v, x->value) == 0;
            json_decref(a);
        }
        if (n != x->n)
            fail_msg("%s=%s: counter %lld, recount %lld", x->question, x->value,
                     (long long)x->n, (long long)n);
    }
    int64_t really = 0;
    for (size_t k = 0; k < rl.n; k++)
        really += rl.items[k].answers != NULL;
    assert_int_equal(recipients, (int64_t)rl.n);
    assert_int_equal(answered, really);
    store_rollcall_count_list_free(&cl);
    store_rollcall_row_list_free(&rl);
}

static void t_issue_entry_point_and_counters(void **state)
{
    (void)state;
    struct store *s = hub();
    struct store_conn *c = store_acquire(s);
    struct app a = {.store = s, .ack_deadline_s = {900, 3600, 86400}};
    struct auth_ctx nisc;
    who_of(c, "nisc", &nisc);
    /* no "form": the standard roll-call form */
    json_t *body =
        json_pack("{s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:{s:[s]}}", "kind",
                  "security_info", "range", "green", "severity", 2, "title_ja",
                  "安否確認", "title_en", "Roll call", "body_ja", "本文",
                  "body_en", "Body", "audience", "scopes", "gas");
    json_t *out = NULL;
    struct svc_error e = {0};
    assert_int_equal(rollcall_issue(&a, c, &nisc, body, NOW, &out, &e), IS_OK);
    const char *adv = json_string_value(json_object_get(out, "id"));
    assert_non_null(adv);
    char id[40];
    assert_true(strlen(adv) < sizeof(id));
    memcpy(id, adv, strlen(adv) + 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(out, "form"), "name")),
                        "roll_call");
    assert_int_equal(json_integer_value(json_object_get(out, "recipients")), 3);
    json_decref(out);
    assert_true(rollcall_has_form(c, id));
    counters_match_recount(c, id);
    /* a bad body: 400 naming the field, nothing issued */
    json_t *bad = json_deep_copy(body);
    json_object_set_new(bad, "severity", json_integer(9));
    assert_int_equal(rollcall_issue(&a, c, &nisc, bad, NOW, &out, &e),
                     IS_ERR_INVALID);
    assert_string_equal(e.field, "severity");
    json_decref(bad);
    json_decref(body);

    /* answers, a replacement, and the counters after each */
    static const struct {
        const char *org, *affected, *state;
    } steps[] = {
        {"g1", "yes", "stopped"},  {"g2", "no", "normal"},
        {"g1", "yes", "degraded"}, {"g1", "unknown", "degraded"},
        {"g3", "yes", "stopped"},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(steps); i++) {
        struct auth_ctx op;
        who_of(c, steps[i].org, &op);
        json_t *ab = answer_body(steps[i].affected, steps[i].state);
        assert_int_equal(
            rollcall_answer(&a, c, &op, id, ab, NOW + 60, &out, &e), IS_OK);
        json_decref(out);
        json_decref(ab);
        counters_match_recount(c, id);
    }
    /* a wrong option changes nothing */
    struct auth_ctx g2;
    who_of(c, "g2", &g2);
    json_t *ab = answer_body("yes", "broken");
    assert_int_equal(rollcall_answer(&a, c, &g2, id, ab, NOW + 90, &out, &e),
                     IS_ERR_INVALID);
    assert_string_equal(e.field, "answers.service_state");
    json_decref(ab);
    struct store_rollcall_answer x;
    assert_int_equal(store_rollcall_answer_get(c, id, "g2", &x), IS_OK);
    assert_string_equal(x.answers,
                        "{\"affected\":\"no\",\"service_state\":\"normal\"}");
    free(x.answers);
    counters_match_recount(c, id);
    store_put(s, c);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_qtypes_and_ids),
        cmocka_unit_test(t_check_value_table),
        cmocka_unit_test(t_issue_entry_point_and_counters),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
