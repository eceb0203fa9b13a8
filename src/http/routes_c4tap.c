/*
 * routes_c4tap.c - handlers of C4TAP (service/c4tap.h, issue 13): the
 * handlers' API, the mail intake, the original e-mail and the exports.
 * Thin: parse, call the service, encode.
 */
#include "http/http.h"

#include <sodium.h>

#include "common/util.h"
#include "service/c4tap.h"

#define NOW app_now(r->app)

int h_c4tap_me(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = c4tap_me(r->sc, &r->auth, r->app->c4tap_address, &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_c4tap_participants(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = c4tap_participants(r->sc, &r->auth, &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_c4tap_join(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = c4tap_join(r->app, r->sc, &r->auth, r->json, NOW, &o, &e);
    return http_svc_reply(out, rc, &e, o, 201);
}

int h_c4tap_withdraw(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = c4tap_withdraw(r->sc, &r->auth, r->params[0], NOW, &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_c4tap_handlers(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = c4tap_handlers(r->sc, &r->auth, &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_c4tap_handler_add(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = c4tap_handler_add(r->sc, &r->auth, r->json, NOW, &o, &e);
    return http_svc_reply(out, rc, &e, o, 201);
}

int h_c4tap_handler_remove(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    int rc = c4tap_handler_remove(r->sc, &r->auth, r->params[0], NOW, &e);
    return http_svc_reply(out, rc, &e,
                          rc ? NULL : json_pack("{s:b}", "removed", 1), 200);
}

int h_c4tap_defaults(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = c4tap_set_defaults(r->sc, &r->auth, r->json, NOW, &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

/* An anonymous submission's filing and range changes: the request log
 * line names no user or organisation, whose time would link them to the
 * submission's (docs/rules.md, the report anonymity rule). */
static int withhold_if_anonymous(struct http_resp *out, int status)
{
    if (out->status == status &&
        json_is_true(json_object_get(out->body, "anonymous")))
        out->log_withhold_actor = true;
    return out->status;
}

int h_c4tap_submit(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = c4tap_submit(r->app, r->sc, &r->auth, r->json, "api", NOW, &o, &e);
    http_svc_reply(out, rc, &e, o, 201);
    return withhold_if_anonymous(out, 201);
}

/* The mail intake: the MTA's pipe (infrashare c4tap intake) with the
 * daemon's intake token in X-C4TAP-Intake-Token (--c4tap-intake-token-
 * file); no user session. */
int h_c4tap_intake_token(struct http_req *r, struct http_resp *out)
{
    const char *tok = http_header(r, "X-C4TAP-Intake-Token");
    if (!r->app->c4tap_intake_set)
        return http_error(out, 404, "not_found", NULL,
                          "the mail intake is not enabled (start the hub "
                          "with --c4tap-intake-token-file)");
    unsigned char h[32];
    if (tok)
        crypto_generichash(h, sizeof(h), (const unsigned char *)tok,
                           strlen(tok), NULL, 0);
    if (!tok || sodium_memcmp(h, r->app->c4tap_intake_hash, sizeof(h)) != 0)
        return http_error(out, 401, "unauthenticated", "X-C4TAP-Intake-Token",
                          "X-C4TAP-Intake-Token: missing or not the intake "
                          "token");
    return 0;
}

int h_c4tap_intake(struct http_req *r, struct http_resp *out)
{
    int refused = h_c4tap_intake_token(r, out); /* again: cheap */
    if (refused)
        return refused;
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = c4tap_intake(r->app, r->sc, r->json, NOW, &o, &e);
    return http_svc_reply(out, rc, &e, o, 201);
}

int h_c4tap_submissions(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = c4tap_submissions_list(r->sc, &r->auth, http_query(r, "limit"),
                                    http_query(r, "before"),
                                    http_query(r, "campaign"), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_c4tap_submission(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = c4tap_submission_read(r->sc, &r->auth, r->params[0], NOW, &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_c4tap_ranges(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc =
        c4tap_set_ranges(r->sc, &r->auth, r->params[0], r->json, NOW, &o, &e);
    http_svc_reply(out, rc, &e, o, 200);
    return withhold_if_anonymous(out, 200);
}

int h_c4tap_original(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    char *raw = NULL;
    size_t len = 0;
    bool hidden = false;
    if (c4tap_submission_original(r->sc, &r->auth, r->params[0], NOW, &raw,
                                  &len, &hidden, &e))
        return http_svc_fail(out, &e);
    out->log_withhold_actor = hidden;
    out->raw = raw;
    out->rawlen = len;
    out->ctype = "message/rfc822";
    /* a suspicious e-mail is saved, never shown inline by a browser (the
     * id is digits: the service parsed it) */
    util_xsnprintf(out->disposition, sizeof(out->disposition),
                   "attachment; filename=\"c4tap-submission-%.20s.eml\"",
                   r->params[0]);
    return 200;
}

int h_c4tap_campaigns(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = c4tap_campaigns_list(r->sc, &r->auth, &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_c4tap_campaign(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = c4tap_campaign_read(r->sc, &r->auth, r->params[0], &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_c4tap_campaign_note(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = c4tap_campaign_note(r->sc, &r->auth, r->params[0], r->json, NOW,
                                 &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_c4tap_campaign_merge(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = c4tap_campaign_merge(r->sc, &r->auth, r->params[0], r->json, NOW,
                                  &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_c4tap_campaign_split(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = c4tap_campaign_split(r->sc, &r->auth, r->params[0], r->json, NOW,
                                  &o, &e);
    return http_svc_reply(out, rc, &e, o, 201);
}

int h_c4tap_campaign_advisory(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = c4tap_campaign_advisory(r->app, r->sc, &r->auth, r->params[0],
                                     r->json, NOW, &o, &e);
    return http_svc_reply(out, rc, &e, o, 201);
}

int h_c4tap_lookup(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = c4tap_lookup(r->sc, &r->auth, http_query(r, "value"),
                          http_query(r, "kind"), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_c4tap_export(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    char *text = NULL;
    size_t len = 0;
    int rc = c4tap_export(r->sc, &r->auth, http_query(r, "format"),
                          http_query(r, "campaign"), NOW, &text, &len, &o, &e);
    if (rc)
        return http_svc_fail(out, &e);
    if (text) {
        out->raw = text;
        out->rawlen = len;
        out->ctype = "text/csv; charset=utf-8";
        return 200;
    }
    return http_svc_reply(out, rc, &e, o, 200);
}
