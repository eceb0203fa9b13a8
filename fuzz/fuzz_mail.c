/*
 * fuzz_mail.c - fuzz target of the C4TAP intake (mail/mail.c): a
 * participant's e-mail is network input, parsed by GMime and walked into
 * indicators. An accepted input must give a JSON object that serialises
 * (valid UTF-8 throughout) with the fields every submission has; a refused
 * one must leave no object. The forward path of the mail intake
 * (mail_unwrap: the e-mail attached to a forward) runs on the same input,
 * and what it finds is parsed in turn. libFuzzer entry point; fuzz/build.sh
 * builds it with clang -fsanitize=fuzzer, or, without libFuzzer, with the
 * replay driver (fuzz/replay.c) that runs the corpus files once.
 */
#include "common/common.h"

#include "mail/mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *j = NULL;
    char err[256];
    int rc = mail_parse(data, size, &j, err, sizeof err);
    if (rc) {
        if (j || !err[0])
            abort();
        return 0;
    }
    if (!j || !json_is_string(json_object_get(j, "sha256")) ||
        !json_is_array(json_object_get(j, "received")) ||
        !json_is_array(json_object_get(j, "urls")) ||
        !json_is_array(json_object_get(j, "attachments")) ||
        !json_is_array(json_object_get(j, "flags")) ||
        json_array_size(json_object_get(j, "urls")) > MAIL_MAX_URLS ||
        json_array_size(json_object_get(j, "received")) > MAIL_MAX_RECEIVED ||
        json_array_size(json_object_get(j, "warnings")) > MAIL_MAX_WARNINGS)
        abort();
    char *text = json_dumps(j, 0);
    if (!text)
        abort();
    free(text);
    json_decref(j);
    /* a forward: the attached e-mail, then its indicators */
    char *inner = NULL;
    size_t innerlen = 0;
    rc = mail_unwrap(data, size, &inner, &innerlen, err, sizeof err);
    if (rc) {
        if (inner || !err[0])
            abort();
        return 0;
    }
    if (!inner || !innerlen || innerlen > MAIL_MAX_BYTES)
        abort();
    j = NULL;
    if (!mail_parse(inner, innerlen, &j, err, sizeof err) && !j)
        abort();
    json_decref(j);
    free(inner);
    return 0;
}
