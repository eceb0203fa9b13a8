/*
 * mail.c - a suspicious e-mail into C4TAP's indicators (see mail.h).
 *
 * GMime builds the MIME tree; this file walks it within the limits of
 * mail.h and writes one JSON object. Every text taken from the message
 * is made valid UTF-8 before it enters JSON (jansson refuses anything
 * else), and is cut at a bounded length.
 */
#include "mail/mail.h"

#include <ctype.h>
#include <gmime/gmime.h>
#include <pthread.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "common/common.h"
#include "common/util.h"

#define TEXT_CAP 1024 /* bytes of one header value or name kept */

/* ---- the flags and their explanations ---- */

const struct mail_flag_text mail_flag_texts[] = {
    {"executable_attachment",
     "実行形式のファイルが添付されている（開くとプログラムが動く）",
     "an executable file is attached (opening it runs a program)"},
    {"icon_spoof",
     "実行形式ファイルなのに文書等の名前・種類を名乗っている（アイコン偽装）",
     "an executable presents itself as a document (icon spoofing)"},
    {"double_extension",
     "ファイル名が二重拡張子になっている（例: 報告書.pdf.exe）",
     "the file name has a double extension (e.g. report.pdf.exe)"},
    {"padding_spaces",
     "拡張子の前に大量の空白が挿入され、本当の拡張子が隠されている",
     "spaces before the extension push the real extension out of view"},
    {"bidi_control", "RLO などの文字方向制御文字で表示上の名前が偽装されている",
     "RLO or another bidirectional control character disguises a name"},
    {"bidi_control_sender",
     "送信者の表示名に RLO などの文字方向制御文字が含まれている",
     "RLO or another bidirectional control character in the sender's name"},
    {"bidi_control_subject", "件名に RLO などの文字方向制御文字が含まれている",
     "RLO or another bidirectional control character in the subject"},
    {"archive_attachment",
     "圧縮ファイルが添付されている（中身の検査をすり抜けやすい）",
     "an archive is attached (its contents escape inspection)"},
    {"archive_password_hint",
     "圧縮ファイルとパスワードの案内が同じメールにある",
     "an archive comes with a password in the same e-mail"},
    {"type_mismatch", "添付ファイルの宣言された種類と中身が一致しない",
     "an attachment's declared type does not match its contents"},
    {"link_text_mismatch",
     "表示されているURLと実際のリンク先が異なる（HTMLメール）",
     "the URL shown is not where the link goes (HTML e-mail)"},
    {"display_name_address",
     "差出人の表示名に実際とは異なるメールアドレスが書かれている",
     "the sender's display name shows another e-mail address"},
    {"reply_to_other_domain",
     "返信先（Reply-To）が差出人と別のドメインになっている",
     "replies go to another domain than the sender's (Reply-To)"},
    {"return_path_other_domain",
     "エンベロープの差出人（Return-Path）が差出人と別のドメイン",
     "the envelope sender (Return-Path) is of another domain"},
    {"auth_failed",
     "送信ドメイン認証（SPF / DKIM / DMARC）の失敗が記録されている",
     "a sender authentication failure (SPF, DKIM or DMARC) is recorded"},
    {"parser_warning", "MIME の構造に問題がある（解析時の警告）",
     "the MIME structure is damaged (a parser warning)"},
};
const size_t mail_flag_count = IS_ARRAY_LEN(mail_flag_texts);

/* ---- the walk's state ---- */

struct walk {
    json_t *root;
    json_t *urls, *atts, *msgs, *flags, *warns;
    size_t parts, cut_urls, cut_parts, cut_warns, cut_received;
    bool has_archive, has_password_hint;
    bool depth_warned;
};

/* A copy of s[0..n) as valid UTF-8, at most cap bytes (cut at a character
 * boundary); invalid bytes become U+FFFD; NUL bytes are dropped. */
static json_t *jtext_n(const char *s, size_t n, size_t cap)
{
    if (!s)
        return json_null();
    /* at most 3 bytes out per byte in (an invalid byte becomes U+FFFD) */
    size_t room = n < cap / 3 ? 3 * n : cap;
    char *out = malloc(room + 4);
    if (!out)
        return json_null();
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        size_t len = c < 0x80             ? 1
                     : (c & 0xE0) == 0xC0 ? 2
                     : (c & 0xF0) == 0xE0 ? 3
                     : (c & 0xF8) == 0xF0 ? 4
                                          : 0;
        bool ok = len > 0 && i + len <= n;
        for (size_t k = 1; ok && k < len; k++)
            ok = (p[i + k] & 0xC0) == 0x80;
        if (ok && len == 2 && c < 0xC2)
            ok = false; /* overlong */
        if (ok && len == 3) {
            unsigned v = ((c & 0x0F) << 12) | ((p[i + 1] & 0x3F) << 6) |
                         (p[i + 2] & 0x3F);
            ok = v >= 0x800 && (v < 0xD800 || v > 0xDFFF);
        }
        if (ok && len == 4) {
            unsigned v = ((c & 0x07) << 18) | ((p[i + 1] & 0x3F) << 12) |
                         ((p[i + 2] & 0x3F) << 6) | (p[i + 3] & 0x3F);
            ok = v >= 0x10000 && v <= 0x10FFFF;
        }
        const char *add = ok ? (const char *)p + i : "\xEF\xBF\xBD";
        size_t alen = ok ? len : 3;
        if (ok && len == 1 && c == 0) {
            i++;
            continue;
        }
        if (o + alen > room)
            break;
        memcpy(out + o, add, alen);
        o += alen;
        i += ok ? len : 1;
    }
    /* valid UTF-8 by construction: no second check */
    json_t *j = json_stringn_nocheck(out, o);
    free(out);
    return j ? j : json_null();
}

static json_t *jtext(const char *s)
{
    return s ? jtext_n(s, strlen(s), TEXT_CAP) : json_null();
}

static void add_flag(struct walk *w, const char *code, const char *evidence)
{
    /* one flag per code and evidence */
    size_t i;
    json_t *f;
    json_array_foreach (w->flags, i, f) {
        const char *c = json_string_value(json_object_get(f, "code"));
        const char *e = json_string_value(json_object_get(f, "evidence"));
        if (c && strcmp(c, code) == 0 && e && evidence &&
            strncmp(e, evidence, TEXT_CAP - 1) == 0)
            return;
    }
    /* the explanations are not copied into every result: readers take
     * them from mail_flag_find */
    if (mail_flag_find(code))
        json_array_append_new(w->flags, json_pack("{s:s,s:o}", "code", code,
                                                  "evidence", jtext(evidence)));
}

const struct mail_flag_text *mail_flag_find(const char *code)
{
    for (size_t k = 0; code && k < mail_flag_count; k++)
        if (strcmp(mail_flag_texts[k].code, code) == 0)
            return &mail_flag_texts[k];
    return NULL;
}

/* ---- parser warnings ---- */

static const char *warning_code(GMimeParserWarning w)
{
    switch (w) {
    case GMIME_WARN_DUPLICATED_HEADER: return "duplicated_header";
    case GMIME_WARN_DUPLICATED_PARAMETER: return "duplicated_parameter";
    case GMIME_WARN_UNENCODED_8BIT_HEADER: return "unencoded_8bit_header";
    case GMIME_WARN_INVALID_CONTENT_TYPE: return "invalid_content_type";
    case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE: return "invalid_rfc2047";
    case GMIME_WARN_MALFORMED_MULTIPART: return "malformed_multipart";
    case GMIME_WARN_TRUNCATED_MESSAGE: return "truncated_message";
    case GMIME_WARN_MALFORMED_MESSAGE: return "malformed_message";
    case GMIME_CRIT_INVALID_HEADER_NAME: return "invalid_header_name";
    case GMIME_CRIT_CONFLICTING_HEADER: return "conflicting_header";
    case GMIME_CRIT_CONFLICTING_PARAMETER: return "conflicting_parameter";
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
        return "multipart_without_boundary";
    case GMIME_WARN_INVALID_PARAMETER: return "invalid_parameter";
    case GMIME_WARN_INVALID_ADDRESS_LIST: return "invalid_address_list";
    case GMIME_CRIT_NESTING_OVERFLOW: return "nesting_overflow";
    case GMIME_WARN_PART_WITHOUT_CONTENT: return "part_without_content";
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
        return "part_without_headers_or_content";
    }
    return "other";
}

static void warn(struct walk *w, const char *code, gint64 offset,
                 const char *item)
{
    if (json_array_size(w->warns) >= MAIL_MAX_WARNINGS) {
        w->cut_warns++;
        return;
    }
    json_array_append_new(w->warns,
                          json_pack("{s:s,s:I,s:o}", "code", code, "offset",
                                    (json_int_t)offset, "item", jtext(item)));
    add_flag(w, "parser_warning", code);
}

static void on_warning(gint64 offset, GMimeParserWarning errcode,
                       const gchar *item, gpointer user_data)
{
    warn(user_data, warning_code(errcode), offset, item);
}

/* ---- addresses ---- */

static const char *domain_of(const char *addr)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;
    return at ? at + 1 : NULL;
}

/* The first mailbox of a list: its address and display name. */
static void first_mailbox(InternetAddressList *l, const char **addr,
                          const char **name)
{
    *addr = *name = NULL;
    int n = l ? internet_address_list_length(l) : 0;
    for (int i = 0; i < n; i++) {
        InternetAddress *a = internet_address_list_get_address(l, i);
        if (INTERNET_ADDRESS_IS_MAILBOX(a)) {
            *addr =
                internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
            *name = internet_address_get_name(a);
            return;
        }
    }
}

static json_t *mailbox_json(InternetAddressList *l)
{
    const char *addr, *name;
    first_mailbox(l, &addr, &name);
    if (!addr)
        return json_null();
    return json_pack("{s:o,s:o}", "address", jtext(addr), "display_name",
                     name && *name ? jtext(name) : json_null());
}

static json_t *mailboxes_json(InternetAddressList *l)
{
    json_t *a = json_array();
    int n = l ? internet_address_list_length(l) : 0;
    for (int i = 0; i < n && i < 50; i++) {
        InternetAddress *x = internet_address_list_get_address(l, i);
        if (INTERNET_ADDRESS_IS_MAILBOX(x))
            json_array_append_new(a, jtext(internet_address_mailbox_get_addr(
                                         INTERNET_ADDRESS_MAILBOX(x))));
    }
    return a;
}

/* ---- the recipient ---- */

/* Appends addr, lower-cased, to the set a (no duplicates; only
 * something@domain). A set holds one more than MAIL_MAX_RECIPIENTS at
 * most: that one tells that there were more than C4TAP masks, and the
 * submission is refused (never shared partly masked). */
static void recipient_add(json_t *a, const char *addr, size_t n)
{
    if (!addr || n == 0 || n > 254 || json_array_size(a) > MAIL_MAX_RECIPIENTS)
        return;
    const char *at = memchr(addr, '@', n);
    if (!at || at == addr || at == addr + n - 1)
        return;
    char *low = g_ascii_strdown(addr, (gssize)n);
    size_t i;
    json_t *x;
    json_array_foreach (a, i, x) {
        if (strcmp(json_string_value(x), low) == 0) {
            g_free(low);
            return;
        }
    }
    json_t *v = json_string(low); /* NULL when not UTF-8: not kept */
    g_free(low);
    if (v)
        json_array_append_new(a, v);
}

static bool addr_char(unsigned char c)
{
    return g_ascii_isalnum(c) || (c && strchr(".!#$%&'*+/=?^_`{|}~-", c)) ||
           c >= 0x80;
}

/* Every something@domain of text (header values that are not address
 * lists by the standard: Delivered-To, X-Original-To, ...). */
static void recipients_in(json_t *a, const char *text)
{
    for (const char *p = text ? strchr(text, '@') : NULL; p;
         p = strchr(p + 1, '@')) {
        const char *s = p, *e = p + 1;
        while (s > text && addr_char((unsigned char)s[-1]))
            s--;
        while (*e && (g_ascii_isalnum(*e) || *e == '.' || *e == '-' ||
                      (unsigned char)*e >= 0x80))
            e++;
        while (e > p + 1 && e[-1] == '.')
            e--;
        recipient_add(a, s, (size_t)(e - s));
    }
}

/* A recipient's display name ("山田太郎" of To: 山田太郎 <taro@...>,
 * decoded), once, of at least 2 characters: it names the person as
 * surely as the address (a personalised subject "山田太郎様 ..."). */
static void recipient_name_add(json_t *names, InternetAddress *x)
{
    const char *nm = internet_address_get_name(x);
    if (!nm || json_array_size(names) >= MAIL_MAX_RECIPIENTS)
        return;
    char *s = g_strstrip(g_strdup(nm));
    size_t i;
    json_t *v;
    bool have = g_utf8_strlen(s, -1) < 2 || strlen(s) > 254;
    json_array_foreach (names, i, v)
        have = have || strcmp(json_string_value(v), s) == 0;
    if (!have && (v = json_string(s)) != NULL) /* NULL: not UTF-8 */
        json_array_append_new(names, v);
    g_free(s);
}

static void recipients_of(json_t *a, json_t *names, InternetAddressList *l,
                          int depth)
{
    int n = l ? internet_address_list_length(l) : 0;
    /* every entry (duplicates do not count), until the set is past full */
    for (int i = 0; i < n && json_array_size(a) <= MAIL_MAX_RECIPIENTS; i++) {
        InternetAddress *x = internet_address_list_get_address(l, i);
        if (INTERNET_ADDRESS_IS_MAILBOX(x)) {
            const char *addr =
                internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(x));
            recipient_add(a, addr, addr ? strlen(addr) : 0);
            recipient_name_add(names, x);
        } else if (INTERNET_ADDRESS_IS_GROUP(x) && depth == 0) {
            recipients_of(
                a, names,
                internet_address_group_get_members(INTERNET_ADDRESS_GROUP(x)),
                1);
        }
    }
}

/* The address of a Received field's "for" clause ("for <a@b>;"). */
static void received_for(json_t *a, const char *v)
{
    for (const char *p = v; *p; p++) {
        if ((p == v || g_ascii_isspace(p[-1])) &&
            g_ascii_strncasecmp(p, "for", 3) == 0 && g_ascii_isspace(p[3])) {
            const char *s = p + 3;
            while (*s && (g_ascii_isspace(*s) || *s == '<'))
                s++;
            size_t n = 0;
            while (s[n] && s[n] != '>' && s[n] != ';' && !g_ascii_isspace(s[n]))
                n++;
            recipient_add(a, s, n);
        }
    }
}

/* Who the e-mail was sent to, from its address lists: To, Cc, Bcc. The
 * delivery fields MTAs add and the "for" clauses of Received fields are
 * gathered by recipient_field during top_headers' walk of the fields, and
 * come first (they name the mailbox that took it in). C4TAP masks them
 * and their domains out of what it shares (the recipient names the
 * provider). */
static json_t *recipients_json(GMimeMessage *m, json_t *names)
{
    json_t *a = json_array();
    static const GMimeAddressType types[] = {
        GMIME_ADDRESS_TYPE_TO, GMIME_ADDRESS_TYPE_CC, GMIME_ADDRESS_TYPE_BCC};
    for (size_t i = 0; i < IS_ARRAY_LEN(types); i++)
        recipients_of(a, names, g_mime_message_get_addresses(m, types[i]), 0);
    return a;
}

/* The recipients a header field names (lower-cased addresses). */
static void recipient_field(json_t *a, const char *name, const char *val)
{
    static const char *const fields[] = {
        "Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To",
        "X-Rcpt-To",    "Resent-To",     "Resent-Cc",   "X-Forwarded-To"};
    if (g_ascii_strcasecmp(name, "Received") == 0) {
        received_for(a, val);
        return;
    }
    for (size_t k = 0; k < IS_ARRAY_LEN(fields); k++)
        if (g_ascii_strcasecmp(name, fields[k]) == 0)
            recipients_in(a, val);
}

static bool same_domain(const char *a, const char *b)
{
    const char *da = domain_of(a), *db = domain_of(b);
    return da && db && g_ascii_strcasecmp(da, db) == 0;
}

/* ---- text checks ---- */

/* Bidirectional controls: U+200E/F, U+202A..U+202E, U+2066..U+2069. */
static bool has_bidi(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        if (p[0] == 0xE2 && p[1] == 0x80 &&
            (p[2] == 0x8E || p[2] == 0x8F || (p[2] >= 0xAA && p[2] <= 0xAE)))
            return true;
        if (p[0] == 0xE2 && p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9)
            return true;
    }
    return false;
}

static const char *const exec_ext[] = {
    "exe", "scr", "com", "pif", "bat", "cmd", "js",  "jse", "vbs",
    "vbe", "wsf", "wsh", "hta", "lnk", "cpl", "msi", "ps1", "jar",
    "dll", "iso", "img", "chm", "reg", "sys", "msc", NULL};
static const char *const doc_ext[] = {
    "pdf",  "doc", "docx", "xls", "xlsx", "ppt",  "pptx", "txt", "rtf", "jpg",
    "jpeg", "png", "gif",  "csv", "htm",  "html", "jtd",  "zip", NULL};
static const char *const archive_ext[] = {"zip", "rar", "7z",  "lzh", "cab",
                                          "gz",  "tar", "tgz", "arj", NULL};

static bool in_list(const char *ext, size_t n, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strlen(list[i]) == n && g_ascii_strncasecmp(ext, list[i], n) == 0)
            return true;
    return false;
}

/* The extension after the last dot (a pointer into name) and its length,
 * with trailing spaces and dots ignored (Windows drops them). */
static const char *last_ext(const char *name, size_t end, size_t *n)
{
    while (end > 0 && (name[end - 1] == ' ' || name[end - 1] == '.'))
        end--;
    size_t i = end;
    while (i > 0 && name[i - 1] != '.')
        i--;
    if (i == 0) {
        *n = 0;
        return NULL;
    }
    *n = end - i;
    return name + i;
}

/* ---- content sniffing ---- */

static const char *sniff(const unsigned char *d, size_t n)
{
    if (n >= 2 && d[0] == 'M' && d[1] == 'Z')
        return "application/x-dosexec";
    if (n >= 4 && memcmp(d,
                         "\x7f"
                         "ELF",
                         4) == 0)
        return "application/x-executable";
    if (n >= 4 && memcmp(d, "PK\x03\x04", 4) == 0)
        return "application/zip";
    if (n >= 5 && memcmp(d, "%PDF-", 5) == 0)
        return "application/pdf";
    if (n >= 8 && memcmp(d, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0)
        return "application/x-ole-storage";
    if (n >= 6 && memcmp(d, "Rar!\x1A\x07", 6) == 0)
        return "application/vnd.rar";
    if (n >= 6 && memcmp(d, "7z\xBC\xAF\x27\x1C", 6) == 0)
        return "application/x-7z-compressed";
    if (n >= 2 && d[0] == 0x1F && d[1] == 0x8B)
        return "application/gzip";
    if (n >= 5 && memcmp(d, "{\\rtf", 5) == 0)
        return "application/rtf";
    if (n >= 4 && memcmp(d, "\x89PNG", 4) == 0)
        return "image/png";
    if (n >= 3 && memcmp(d, "\xFF\xD8\xFF", 3) == 0)
        return "image/jpeg";
    if (n >= 4 && memcmp(d, "GIF8", 4) == 0)
        return "image/gif";
    if (n >= 20 && memcmp(d, "L\0\0\0\x01\x14\x02\0", 8) == 0)
        return "application/x-ms-shortcut";
    size_t look = n < 512 ? n : 512;
    for (size_t i = 0; i < look; i++)
        if (d[i] == 0)
            return "application/octet-stream";
    return "text/plain";
}

static bool is_exec_type(const char *t)
{
    return strcmp(t, "application/x-dosexec") == 0 ||
           strcmp(t, "application/x-executable") == 0 ||
           strcmp(t, "application/x-ms-shortcut") == 0;
}

static bool is_archive_type(const char *t)
{
    return strcmp(t, "application/zip") == 0 ||
           strcmp(t, "application/vnd.rar") == 0 ||
           strcmp(t, "application/x-7z-compressed") == 0 ||
           strcmp(t, "application/gzip") == 0;
}

/* SHA-256 by OpenSSL's libcrypto, which uses the CPU's SHA extensions
 * where it has them (the whole message and every attachment are hashed:
 * libsodium's portable code was a tenth of the parse). */
static void sha256_hex(const void *d, size_t n, char out[65])
{
    unsigned char h[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(d, n, h, &len, EVP_sha256(), NULL) != 1 || len != 32) {
        /* cannot happen with a working libcrypto: never a wrong hash */
        crypto_hash_sha256(h, d, n);
        len = 32;
    }
    util_hex(out, h, 32);
}

/* ---- attachments ---- */

static void check_filename(struct walk *w, const char *name,
                           const char *sniffed, const char *declared)
{
    size_t len = strlen(name);
    size_t n1;
    const char *e1 = last_ext(name, len, &n1);
    bool exec_name = e1 && in_list(e1, n1, exec_ext);
    bool exec_body = is_exec_type(sniffed);
    if (exec_name || exec_body)
        add_flag(w, "executable_attachment", name);
    if (exec_body && !exec_name)
        add_flag(w, "icon_spoof", name);
    /* the declared type says document, the content is an executable */
    if (exec_body && declared && strncmp(declared, "application/x-", 14) &&
        strcmp(declared, "application/octet-stream") != 0)
        add_flag(w, "type_mismatch", name);
    if ((e1 && in_list(e1, n1, archive_ext)) || is_archive_type(sniffed)) {
        add_flag(w, "archive_attachment", name);
        w->has_archive = true;
    }
    if (has_bidi(name))
        add_flag(w, "bidi_control", name);
    if (e1) {
        /* spaces (ASCII or ideographic) just before the last dot */
        const char *dot = e1 - 1;
        size_t spaces = 0;
        const char *q = dot;
        while (q > name) {
            if (q[-1] == ' ') {
                spaces++;
                q--;
            } else if (q - name >= 3 && (unsigned char)q[-3] == 0xE3 &&
                       (unsigned char)q[-2] == 0x80 &&
                       (unsigned char)q[-1] == 0x80) {
                spaces++;
                q -= 3;
            } else {
                break;
            }
        }
        if (spaces >= 3)
            add_flag(w, "padding_spaces", name);
        /* a document extension right before an executable one */
        size_t n2;
        const char *e2 = last_ext(name, (size_t)(q - name), &n2);
        if (exec_name && e2 && n2 > 0 && in_list(e2, n2, doc_ext))
            add_flag(w, "double_extension", name);
    }
}

static void attachment(struct walk *w, GMimePart *p, const char *declared,
                       const unsigned char *d, size_t n)
{
    const char *fname = g_mime_part_get_filename(p);
    const char *sn = sniff(d, n);
    char h[65];
    sha256_hex(d, n, h);
    json_array_append_new(
        w->atts, json_pack("{s:o,s:o,s:s,s:I,s:s}", "filename", jtext(fname),
                           "declared_type", jtext(declared), "sniffed_type", sn,
                           "size", (json_int_t)n, "sha256", h));
    if (fname)
        check_filename(w, fname, sn, declared);
    else if (is_exec_type(sn))
        add_flag(w, "executable_attachment", "(no name)");
}

/* ---- URLs ---- */

static bool url_char(unsigned char c)
{
    return c > 0x20 && c < 0x7F && !strchr("<>\"'`{}|\\^", c);
}

static json_t *host_of(const char *url, size_t n)
{
    const char *p = memchr(url, ':', n);
    if (!p || (size_t)(p - url) + 3 > n || p[1] != '/' || p[2] != '/')
        return json_null();
    p += 3;
    const char *end = url + n;
    const char *h = p;
    /* skip userinfo */
    for (const char *q = p; q < end && *q != '/' && *q != '?' && *q != '#'; q++)
        if (*q == '@')
            h = q + 1;
    const char *he = h;
    if (he < end && *he == '[') {
        while (he < end && *he != ']')
            he++;
        if (he < end)
            he++;
    } else {
        while (he < end && *he != '/' && *he != '?' && *he != '#' && *he != ':')
            he++;
    }
    char buf[256];
    size_t hl = (size_t)(he - h);
    if (hl == 0 || hl >= sizeof(buf))
        return json_null();
    for (size_t i = 0; i < hl; i++)
        buf[i] = (char)g_ascii_tolower(h[i]);
    buf[hl] = '\0';
    return jtext(buf);
}

static void add_url(struct walk *w, const char *u, size_t n, const char *source,
                    const char *link_text)
{
    if (json_array_size(w->urls) >= MAIL_MAX_URLS) {
        w->cut_urls++;
        return;
    }
    json_t *url = jtext_n(u, n, 2048);
    size_t i;
    json_t *x;
    json_array_foreach (w->urls, i, x) {
        if (json_equal(json_object_get(x, "url"), url) &&
            strcmp(json_string_value(json_object_get(x, "source")), source) ==
                0 &&
            !link_text) {
            json_decref(url);
            return;
        }
    }
    json_array_append_new(w->urls,
                          json_pack("{s:o,s:o,s:s,s:o}", "url", url, "host",
                                    host_of(u, n), "source", source,
                                    "link_text", jtext(link_text)));
}

/* http(s):// and www. in plain text, and hxxp[s]:// (a URL defanged by
 * the sender or a forwarder, kept as written). */
static void urls_in_text(struct walk *w, const char *t, size_t n)
{
    if (n > MAIL_MAX_TEXT)
        n = MAIL_MAX_TEXT;
    for (size_t i = 0; i < n; i++) {
        size_t skip = 0;
        if (i + 7 <= n && (g_ascii_strncasecmp(t + i, "http://", 7) == 0 ||
                           g_ascii_strncasecmp(t + i, "hxxp://", 7) == 0))
            skip = 7;
        else if (i + 8 <= n &&
                 (g_ascii_strncasecmp(t + i, "https://", 8) == 0 ||
                  g_ascii_strncasecmp(t + i, "hxxps://", 8) == 0))
            skip = 8;
        if (!skip)
            continue;
        size_t e = i + skip;
        while (e < n && url_char((unsigned char)t[e]))
            e++;
        while (e > i + skip && strchr(".,;:!?)]", t[e - 1]))
            e--;
        if (e > i + skip)
            add_url(w, t + i, e - i, "text", NULL);
        i = e;
    }
}

/* The value of attribute attr in the tag text [s, e), or NULL. */
static char *tag_attr(const char *s, const char *e, const char *attr)
{
    size_t al = strlen(attr);
    for (const char *p = s; p + al < e; p++) {
        if (g_ascii_strncasecmp(p, attr, al) != 0 ||
            (p > s && !g_ascii_isspace(p[-1])))
            continue;
        const char *q = p + al;
        while (q < e && g_ascii_isspace(*q))
            q++;
        if (q >= e || *q != '=')
            continue;
        q++;
        while (q < e && g_ascii_isspace(*q))
            q++;
        char quote = (q < e && (*q == '"' || *q == '\'')) ? *q++ : 0;
        const char *v = q;
        while (q < e && (quote ? *q != quote : !g_ascii_isspace(*q)))
            q++;
        return g_strndup(v, (gsize)(q - v));
    }
    return NULL;
}

/* Decodes the character references a link's target or text uses most
 * (&amp; &lt; &gt; &quot; &#NN; &#xNN;), in place. */
static void html_unescape(char *s)
{
    char *o = s;
    for (char *p = s; *p;) {
        if (*p == '&') {
            static const struct {
                const char *name;
                char c;
            } ents[] = {{"&amp;", '&'},
                        {"&lt;", '<'},
                        {"&gt;", '>'},
                        {"&quot;", '"'},
                        {"&#39;", '\''}};
            bool done = false;
            for (size_t k = 0; k < IS_ARRAY_LEN(ents) && !done; k++) {
                size_t l = strlen(ents[k].name);
                if (strncmp(p, ents[k].name, l) == 0) {
                    *o++ = ents[k].c;
                    p += l;
                    done = true;
                }
            }
            if (!done && p[1] == '#') {
                char *end;
                bool hex = p[2] == 'x' || p[2] == 'X';
                long v = strtol(p + (hex ? 3 : 2), &end, hex ? 16 : 10);
                if (end != p + (hex ? 3 : 2) && *end == ';' && v > 0 &&
                    v < 0x80) {
                    *o++ = (char)v;
                    p = end + 1;
                    done = true;
                }
            }
            if (done)
                continue;
        }
        *o++ = *p++;
    }
    *o = '\0';
}

/* The visible text between two offsets of HTML: tags dropped, spaces
 * squeezed, at most cap bytes. */
static char *visible_text(const char *s, const char *e, size_t cap)
{
    char *out = g_malloc(cap + 1);
    size_t o = 0;
    bool in_tag = false, space = false;
    for (const char *p = s; p < e && o < cap; p++) {
        if (*p == '<')
            in_tag = true;
        else if (*p == '>')
            in_tag = false;
        else if (!in_tag) {
            if (g_ascii_isspace(*p)) {
                space = o > 0;
            } else {
                /* the space and the character both fit, or neither is
                 * written (found by fuzz/fuzz_mail.c: a space at the last
                 * byte put the terminator one past the buffer) */
                if (o + (space ? 2 : 1) > cap)
                    break;
                if (space)
                    out[o++] = ' ';
                space = false;
                out[o++] = *p;
            }
        }
    }
    out[o] = '\0';
    html_unescape(out);
    return out;
}

/* Whether a link's text names a host other than its target's. */
static bool text_names_other_host(const char *text, json_t *target_host)
{
    const char *th = json_string_value(target_host);
    const char *p = text;
    while (*p && g_ascii_isspace(*p))
        p++;
    size_t skip = 0;
    if (g_ascii_strncasecmp(p, "http://", 7) == 0)
        skip = 7;
    else if (g_ascii_strncasecmp(p, "https://", 8) == 0)
        skip = 8;
    else if (g_ascii_strncasecmp(p, "www.", 4) == 0)
        skip = 0;
    else
        return false; /* the text is not an address */
    const char *h = p + skip;
    size_t hl = 0;
    while (h[hl] && h[hl] != '/' && h[hl] != ':' && h[hl] != '?' &&
           !g_ascii_isspace(h[hl]))
        hl++;
    if (hl == 0)
        return false;
    return !th || strlen(th) != hl || g_ascii_strncasecmp(th, h, hl) != 0;
}

static void urls_in_html(struct walk *w, const char *t, size_t n)
{
    if (n > MAIL_MAX_TEXT)
        n = MAIL_MAX_TEXT;
    const char *end = t + n;
    for (const char *p = t; p < end; p++) {
        if (*p != '<')
            continue;
        const char *te = memchr(p, '>', (size_t)(end - p));
        if (!te)
            break;
        bool anchor =
            te - p > 2 && (p[1] == 'a' || p[1] == 'A') && g_ascii_isspace(p[2]);
        char *href = NULL;
        if (anchor)
            href = tag_attr(p + 2, te, "href");
        else if (te - p > 4 && g_ascii_strncasecmp(p + 1, "img", 3) == 0)
            href = tag_attr(p + 4, te, "src");
        else if (te - p > 5 && g_ascii_strncasecmp(p + 1, "form", 4) == 0)
            href = tag_attr(p + 5, te, "action");
        if (href) {
            html_unescape(href);
            bool web = g_ascii_strncasecmp(href, "http://", 7) == 0 ||
                       g_ascii_strncasecmp(href, "https://", 8) == 0;
            bool cid = g_ascii_strncasecmp(href, "cid:", 4) == 0;
            char *text = NULL;
            const char *close = NULL;
            if (anchor) {
                /* the text up to </a> */
                for (const char *q = te; q + 3 < end; q++)
                    if (q[0] == '<' && q[1] == '/' &&
                        (q[2] == 'a' || q[2] == 'A') && q[3] == '>') {
                        close = q;
                        break;
                    }
                if (close)
                    text = visible_text(te + 1, close, 512);
            }
            if (web || cid) {
                size_t before = json_array_size(w->urls);
                add_url(w, href, strlen(href), "html", text);
                json_t *added = json_array_get(w->urls, before);
                if (web && text && added &&
                    text_names_other_host(text,
                                          json_object_get(added, "host"))) {
                    char ev[TEXT_CAP];
                    snprintf(ev, sizeof(ev), "%s -> %s", text, href);
                    add_flag(w, "link_text_mismatch", ev);
                }
            }
            g_free(text);
            g_free(href);
        }
        p = te;
    }
}

static void password_hint(struct walk *w, const char *t, size_t n)
{
    static const char *const hints[] = {
        "password", "passwd", "パスワード", "ﾊﾟｽﾜｰﾄﾞ",
        "暗証",     "PW:",    "PASS:",      NULL};
    if (n > MAIL_MAX_TEXT)
        n = MAIL_MAX_TEXT;
    for (size_t k = 0; hints[k]; k++) {
        size_t hl = strlen(hints[k]);
        for (size_t i = 0; i + hl <= n; i++)
            if (g_ascii_strncasecmp(t + i, hints[k], hl) == 0) {
                w->has_password_hint = true;
                return;
            }
    }
}

/* ---- the MIME tree ---- */

static void walk_object(struct walk *w, GMimeObject *o, int depth);

static void message_headers(struct walk *w, GMimeMessage *m, json_t *into);

static void walk_part(struct walk *w, GMimePart *p)
{
    GMimeObject *o = GMIME_OBJECT(p);
    GMimeContentType *ct = g_mime_object_get_content_type(o);
    char *mime = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
    GMimeContentDisposition *cd = g_mime_object_get_content_disposition(o);
    bool is_att = g_mime_part_get_filename(p) != NULL ||
                  (cd && g_mime_content_disposition_is_attachment(cd));
    GMimeDataWrapper *dw = g_mime_part_get_content(p);
    GMimeStream *ms = g_mime_stream_mem_new();
    if (dw)
        g_mime_data_wrapper_write_to_stream(dw, ms);
    GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(ms));
    const unsigned char *d = ba ? ba->data : NULL;
    size_t n = ba ? ba->len : 0;
    bool text = ct && g_mime_content_type_is_type(ct, "text", "*");
    if (is_att || !text) {
        attachment(w, p, mime, d ? d : (const unsigned char *)"", n);
    } else {
        char *utf8 = GMIME_IS_TEXT_PART(p)
                         ? g_mime_text_part_get_text(GMIME_TEXT_PART(p))
                         : NULL;
        const char *s = utf8 ? utf8 : (const char *)d;
        size_t sl = utf8 ? strlen(utf8) : n;
        if (s) {
            if (g_mime_content_type_is_type(ct, "text", "html"))
                urls_in_html(w, s, sl);
            else
                urls_in_text(w, s, sl);
            password_hint(w, s, sl);
        }
        g_free(utf8);
    }
    g_object_unref(ms);
    g_free(mime);
}

static void walk_object(struct walk *w, GMimeObject *o, int depth)
{
    if (!o)
        return;
    if (w->parts >= MAIL_MAX_PARTS) {
        w->cut_parts++;
        return;
    }
    w->parts++;
    if (depth > MAIL_MAX_DEPTH) {
        if (!w->depth_warned)
            warn(w, "nesting_too_deep", -1, NULL);
        w->depth_warned = true;
        return;
    }
    if (GMIME_IS_MULTIPART(o)) {
        GMimeMultipart *mp = GMIME_MULTIPART(o);
        int n = g_mime_multipart_get_count(mp);
        for (int i = 0; i < n; i++)
            walk_object(w, g_mime_multipart_get_part(mp, i), depth + 1);
    } else if (GMIME_IS_MESSAGE_PART(o)) {
        GMimeMessage *m =
            g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
        if (m) {
            if (json_array_size(w->msgs) < 50) {
                json_t *h = json_object();
                message_headers(w, m, h);
                json_array_append_new(w->msgs, h);
            }
            walk_object(w, g_mime_message_get_mime_part(m), depth + 1);
        }
    } else if (GMIME_IS_PART(o)) {
        walk_part(w, GMIME_PART(o));
    }
}

/* ---- header fields ---- */

static json_t *date_json(GDateTime *dt)
{
    if (!dt)
        return json_null();
    int64_t t = (int64_t)g_date_time_to_unix(dt);
    if (t < 0 || t > UTIL_TIME_MAX)
        return json_null();
    char s[UTIL_TIME_LEN];
    util_time_rfc3339(t, s);
    return json_string(s);
}

/* The word after key in a Received field ("from HOST", "by HOST"). */
static json_t *received_word(const char *v, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = v; *p; p++) {
        if ((p == v || g_ascii_isspace(p[-1])) &&
            g_ascii_strncasecmp(p, key, kl) == 0 && g_ascii_isspace(p[kl])) {
            const char *s = p + kl;
            while (*s && g_ascii_isspace(*s))
                s++;
            size_t n = 0;
            while (s[n] && !g_ascii_isspace(s[n]) && s[n] != ';' &&
                   s[n] != '(' && n < 255)
                n++;
            return n ? jtext_n(s, n, 255) : json_null();
        }
    }
    return json_null();
}

/* The first IP address literal of the "from" clause: [a.b.c.d] or
 * [IPv6:...], else the first dotted quad in its comment. */
static json_t *received_ip(const char *v)
{
    const char *by = NULL;
    for (const char *p = v; *p; p++)
        if ((p == v || g_ascii_isspace(p[-1])) &&
            g_ascii_strncasecmp(p, "by", 2) == 0 && g_ascii_isspace(p[2])) {
            by = p;
            break;
        }
    const char *end = by ? by : v + strlen(v);
    for (const char *p = v; p < end; p++) {
        if (*p == '[') {
            const char *q = p + 1;
            if (g_ascii_strncasecmp(q, "IPv6:", 5) == 0)
                q += 5;
            const char *e = q;
            while (e < end && *e != ']' && e - q < 45)
                e++;
            if (e < end && *e == ']' && e > q)
                return jtext_n(q, (size_t)(e - q), 45);
        }
    }
    for (const char *p = v; p < end; p++) {
        if (!g_ascii_isdigit(*p) ||
            (p > v && (g_ascii_isdigit(p[-1]) || p[-1] == '.')))
            continue;
        /* four decimal octets of 1-3 digits, each below 256 */
        unsigned oct[4];
        const char *q = p;
        int k = 0;
        for (; k < 4; k++) {
            unsigned val = 0;
            int digits = 0;
            while (q < end && g_ascii_isdigit(*q) && digits < 4) {
                val = val * 10 + (unsigned)(*q - '0');
                q++;
                digits++;
            }
            if (digits == 0 || digits > 3 || val > 255)
                break;
            oct[k] = val;
            if (k < 3) {
                if (q >= end || *q != '.')
                    break;
                q++;
            }
        }
        if (k == 4 && !(q < end && (g_ascii_isdigit(*q) || *q == '.'))) {
            char ip[16];
            snprintf(ip, sizeof(ip), "%u.%u.%u.%u", oct[0], oct[1], oct[2],
                     oct[3]);
            return json_string(ip);
        }
    }
    return json_null();
}

static json_t *received_hop(const char *v)
{
    const char *semi = strrchr(v, ';');
    json_t *date = json_null();
    if (semi) {
        GDateTime *dt = g_mime_utils_header_decode_date(semi + 1);
        if (dt) {
            json_decref(date);
            date = date_json(dt);
            g_date_time_unref(dt);
        }
    }
    return json_pack("{s:o,s:o,s:o,s:o,s:o}", "from_host",
                     received_word(v, "from"), "from_ip", received_ip(v),
                     "by_host", received_word(v, "by"), "date", date, "text",
                     jtext(v));
}

/* spf=, dkim=, dmarc= results of Authentication-Results (RFC 8601) and
 * Received-SPF fields; the first result of each method is kept. */
static void auth_results(struct walk *w, json_t *auth, const char *v,
                         bool received_spf)
{
    if (received_spf) {
        size_t n = 0;
        while (*v == ' ')
            v++;
        while (v[n] && g_ascii_isalpha(v[n]) && n < 16)
            n++;
        if (n && !json_object_get(auth, "spf"))
            json_object_set_new(auth, "spf", jtext_n(v, n, 16));
    } else {
        static const char *const methods[] = {"spf", "dkim", "dmarc"};
        for (size_t k = 0; k < 3; k++) {
            size_t ml = strlen(methods[k]);
            for (const char *p = v; *p; p++) {
                if ((p == v || !g_ascii_isalnum(p[-1])) &&
                    g_ascii_strncasecmp(p, methods[k], ml) == 0 &&
                    p[ml] == '=') {
                    const char *r = p + ml + 1;
                    size_t n = 0;
                    while (r[n] && g_ascii_isalpha(r[n]) && n < 16)
                        n++;
                    if (n && !json_object_get(auth, methods[k]))
                        json_object_set_new(auth, methods[k],
                                            jtext_n(r, n, 16));
                    break;
                }
            }
        }
    }
    const char *fails[] = {"spf", "dkim", "dmarc"};
    for (size_t k = 0; k < 3; k++) {
        const char *r = json_string_value(json_object_get(auth, fails[k]));
        if (r && (g_ascii_strcasecmp(r, "fail") == 0 ||
                  g_ascii_strcasecmp(r, "softfail") == 0)) {
            char ev[64];
            snprintf(ev, sizeof(ev), "%s=%s", fails[k], r);
            add_flag(w, "auth_failed", ev);
        }
    }
}

static void message_headers(struct walk *w, GMimeMessage *m, json_t *into)
{
    IS_UNUSED(w);
    json_object_set_new(into, "from", mailbox_json(g_mime_message_get_from(m)));
    json_object_set_new(into, "subject", jtext(g_mime_message_get_subject(m)));
    json_object_set_new(into, "message_id",
                        jtext(g_mime_message_get_message_id(m)));
}

static void top_headers(struct walk *w, GMimeMessage *m)
{
    json_t *r = w->root;
    GMimeObject *o = GMIME_OBJECT(m);
    InternetAddressList *from = g_mime_message_get_from(m);
    const char *faddr, *fname;
    first_mailbox(from, &faddr, &fname);
    json_object_set_new(r, "from", mailbox_json(from));
    InternetAddressList *rt = g_mime_message_get_reply_to(m);
    json_object_set_new(r, "reply_to", mailboxes_json(rt));
    const char *rp = g_mime_object_get_header(o, "Return-Path");
    char *rpa = NULL;
    if (rp) {
        const char *lt = strchr(rp, '<'), *gt = lt ? strchr(lt, '>') : NULL;
        rpa = lt && gt ? g_strndup(lt + 1, (gsize)(gt - lt - 1))
                       : g_strstrip(g_strdup(rp));
    }
    json_object_set_new(r, "return_path", jtext(rpa));
    json_object_set_new(r, "message_id",
                        jtext(g_mime_message_get_message_id(m)));
    json_object_set_new(r, "date", date_json(g_mime_message_get_date(m)));
    json_object_set_new(r, "date_header",
                        jtext(g_mime_object_get_header(o, "Date")));
    const char *subject = g_mime_message_get_subject(m);
    json_object_set_new(r, "subject", jtext(subject));
    json_object_set_new(r, "x_mailer",
                        jtext(g_mime_object_get_header(o, "X-Mailer")));
    /* flags on the sender */
    if (faddr && fname && strchr(fname, '@')) {
        bool same = g_ascii_strcasecmp(fname, faddr) == 0;
        char *inner = NULL;
        /* "Name <a@b>" or a bare address in the display name */
        const char *at = strchr(fname, '@');
        const char *s = at, *e = at;
        while (s > fname && !g_ascii_isspace(s[-1]) && s[-1] != '<' &&
               s[-1] != '"' && s[-1] != '(')
            s--;
        while (*e && !g_ascii_isspace(*e) && *e != '>' && *e != '"' &&
               *e != ')')
            e++;
        inner = g_strndup(s, (gsize)(e - s));
        if (!same && g_ascii_strcasecmp(inner, faddr) != 0) {
            char ev[TEXT_CAP];
            snprintf(ev, sizeof(ev), "%s <%s>", fname, faddr);
            add_flag(w, "display_name_address", ev);
        }
        g_free(inner);
    }
    if (fname && has_bidi(fname))
        add_flag(w, "bidi_control_sender", fname);
    if (subject && has_bidi(subject))
        add_flag(w, "bidi_control_subject", subject);
    int nrt = rt ? internet_address_list_length(rt) : 0;
    for (int i = 0; i < nrt && faddr; i++) {
        InternetAddress *a = internet_address_list_get_address(rt, i);
        if (!INTERNET_ADDRESS_IS_MAILBOX(a))
            continue;
        const char *ra =
            internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
        if (ra && domain_of(ra) && !same_domain(ra, faddr))
            add_flag(w, "reply_to_other_domain", ra);
    }
    if (rpa && faddr && domain_of(rpa) && !same_domain(rpa, faddr))
        add_flag(w, "return_path_other_domain", rpa);
    g_free(rpa);
    /* every Received hop, in the order of the header (newest first), and
     * the authentication results */
    json_t *rec = json_array(), *auth = json_object();
    json_t *names = json_array();
    json_t *rcpt = json_array(), *listed = recipients_json(m, names);
    GMimeHeaderList *hl = g_mime_object_get_header_list(o);
    int nh = hl ? g_mime_header_list_get_count(hl) : 0;
    for (int i = 0; i < nh; i++) {
        GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
        const char *name = g_mime_header_get_name(h);
        const char *val = g_mime_header_get_value(h);
        if (!name || !val)
            continue;
        recipient_field(rcpt, name, val);
        if (g_ascii_strcasecmp(name, "Received") == 0) {
            if (json_array_size(rec) < MAIL_MAX_RECEIVED)
                json_array_append_new(rec, received_hop(val));
            else
                w->cut_received++;
        } else if (g_ascii_strcasecmp(name, "Authentication-Results") == 0) {
            auth_results(w, auth, val, false);
        } else if (g_ascii_strcasecmp(name, "Received-SPF") == 0) {
            auth_results(w, auth, val, true);
        }
    }
    size_t i;
    json_t *x;
    json_array_foreach (listed, i, x)
        recipient_add(rcpt, json_string_value(x), strlen(json_string_value(x)));
    /* more than C4TAP masks: said ("recipients_over"), and C4TAP refuses
     * the e-mail (past the cap a provider's address could stay in what
     * is shared) */
    bool over = json_array_size(listed) > MAIL_MAX_RECIPIENTS ||
                json_array_size(rcpt) > MAIL_MAX_RECIPIENTS;
    json_decref(listed);
    json_object_set_new(r, "received", rec);
    json_object_set_new(r, "auth", auth);
    json_object_set_new(r, "recipients", rcpt);
    json_object_set_new(r, "recipient_names", names);
    if (over)
        json_object_set_new(r, "recipients_over", json_true());
}

/* Whether the message has any header field of a message (what tells an
 * e-mail from any other bytes GMime would accept). */
static bool looks_like_mail(GMimeMessage *m)
{
    static const char *const names[] = {"From",        "Date",       "Subject",
                                        "Received",    "Message-ID", "To",
                                        "Return-Path", NULL};
    GMimeObject *o = GMIME_OBJECT(m);
    for (size_t i = 0; names[i]; i++)
        if (g_mime_object_get_header(o, names[i]))
            return true;
    return false;
}

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;
static void gmime_start(void)
{
    g_mime_init();
}

int mail_parse(const void *raw, size_t len, json_t **out, char *err,
               size_t errlen)
{
    *out = NULL;
    if (!raw || len == 0) {
        snprintf(err, errlen, "the e-mail is empty");
        return IS_ERR_INVALID;
    }
    if (len > MAIL_MAX_BYTES) {
        snprintf(err, errlen, "the e-mail is larger than %u bytes",
                 MAIL_MAX_BYTES);
        return IS_ERR_INVALID;
    }
    pthread_once(&gmime_once, gmime_start);
    struct walk w = {0};
    w.root = json_object();
    w.urls = json_array();
    w.atts = json_array();
    w.msgs = json_array();
    w.flags = json_array();
    w.warns = json_array();
    GMimeStream *st = g_mime_stream_mem_new_with_buffer(raw, len);
    GMimeParser *p = g_mime_parser_new_with_stream(st);
    GMimeParserOptions *po = g_mime_parser_options_new();
    g_mime_parser_options_set_warning_callback(po, on_warning, &w);
    GMimeMessage *m = g_mime_parser_construct_message(p, po);
    int rc = IS_OK;
    if (!m || !looks_like_mail(m)) {
        snprintf(err, errlen,
                 "not an e-mail: no header field of a message "
                 "(From, Date, Subject, Received, Message-ID)");
        rc = IS_ERR_INVALID;
    } else {
        char h[65];
        sha256_hex(raw, len, h);
        json_object_set_new(w.root, "sha256", json_string(h));
        json_object_set_new(w.root, "size", json_integer((json_int_t)len));
        top_headers(&w, m);
        walk_object(&w, g_mime_message_get_mime_part(m), 0);
        if (w.has_archive && w.has_password_hint)
            add_flag(&w, "archive_password_hint", "");
    }
    if (m)
        g_object_unref(m);
    g_mime_parser_options_free(po);
    g_object_unref(p);
    g_object_unref(st);
    if (rc) {
        json_decref(w.root);
        json_decref(w.urls);
        json_decref(w.atts);
        json_decref(w.msgs);
        json_decref(w.flags);
        json_decref(w.warns);
        return rc;
    }
    json_object_set_new(w.root, "urls", w.urls);
    json_object_set_new(w.root, "attachments", w.atts);
    json_object_set_new(w.root, "messages", w.msgs);
    json_object_set_new(w.root, "flags", w.flags);
    json_object_set_new(w.root, "warnings", w.warns);
    json_object_set_new(w.root, "cut",
                        json_pack("{s:I,s:I,s:I,s:I}", "urls",
                                  (json_int_t)w.cut_urls, "received",
                                  (json_int_t)w.cut_received, "parts",
                                  (json_int_t)w.cut_parts, "warnings",
                                  (json_int_t)w.cut_warns));
    *out = w.root;
    return IS_OK;
}

/* ---- a forwarded e-mail ---- */

/* The bytes of a GMime object written out, as a malloc'd copy. */
static int object_bytes(GMimeObject *o, bool decoded_content, char **out,
                        size_t *outlen)
{
    GMimeStream *ms = g_mime_stream_mem_new();
    if (decoded_content) {
        GMimeDataWrapper *dw = g_mime_part_get_content(GMIME_PART(o));
        if (dw)
            g_mime_data_wrapper_write_to_stream(dw, ms);
    } else {
        g_mime_object_write_to_stream(o, NULL, ms);
    }
    GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(ms));
    int rc = IS_ERR_INVALID;
    if (ba && ba->len > 0 && ba->len <= MAIL_MAX_BYTES) {
        *out = malloc(ba->len);
        if (*out) {
            memcpy(*out, ba->data, ba->len);
            *outlen = ba->len;
            rc = IS_OK;
        } else {
            rc = IS_ERR_NOMEM;
        }
    }
    g_object_unref(ms);
    return rc;
}

/* Is o an attached e-mail: message/rfc822, or a part named *.eml? */
static int attached_mail(GMimeObject *o, char **out, size_t *outlen)
{
    if (GMIME_IS_MESSAGE_PART(o)) {
        GMimeMessage *inner =
            g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
        return inner ? object_bytes(GMIME_OBJECT(inner), false, out, outlen)
                     : IS_ERR_NOTFOUND;
    }
    if (GMIME_IS_PART(o)) {
        /* an e-mail attached with a transfer encoding (base64: some
         * clients do) is a leaf part of type message/rfc822 */
        GMimeContentType *ct = g_mime_object_get_content_type(o);
        const char *fn = g_mime_part_get_filename(GMIME_PART(o));
        size_t n = fn ? strlen(fn) : 0;
        if ((ct && g_mime_content_type_is_type(ct, "message", "rfc822")) ||
            (n > 4 && strcasecmp(fn + n - 4, ".eml") == 0))
            return object_bytes(o, true, out, outlen);
    }
    return IS_ERR_NOTFOUND;
}

int mail_unwrap(const void *raw, size_t len, char **inner, size_t *innerlen,
                char *err, size_t errlen)
{
    *inner = NULL;
    *innerlen = 0;
    if (!raw || len == 0 || len > MAIL_MAX_BYTES) {
        snprintf(err, errlen,
                 len ? "the e-mail is larger than %u bytes"
                     : "the e-mail is empty",
                 MAIL_MAX_BYTES);
        return IS_ERR_INVALID;
    }
    pthread_once(&gmime_once, gmime_start);
    GMimeStream *st = g_mime_stream_mem_new_with_buffer(raw, len);
    GMimeParser *p = g_mime_parser_new_with_stream(st);
    GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
    int rc = IS_ERR_NOTFOUND;
    if (m && looks_like_mail(m)) {
        GMimeObject *top = g_mime_message_get_mime_part(m);
        rc = top ? attached_mail(top, inner, innerlen) : IS_ERR_NOTFOUND;
        if (rc == IS_ERR_NOTFOUND && top && GMIME_IS_MULTIPART(top)) {
            /* the forward's parts, one level down (a text part and the
             * attached e-mail; or multipart/mixed inside an alternative) */
            GMimeMultipart *mp = GMIME_MULTIPART(top);
            int n = g_mime_multipart_get_count(mp);
            for (int i = 0;
                 i < n && i < MAIL_MAX_PARTS && rc == IS_ERR_NOTFOUND; i++)
                rc = attached_mail(g_mime_multipart_get_part(mp, i), inner,
                                   innerlen);
        }
    }
    if (rc == IS_ERR_NOTFOUND)
        snprintf(err, errlen,
                 m ? "no e-mail is attached: forward the suspicious e-mail "
                     "as an attachment (message/rfc822 or an .eml file)"
                   : "not an e-mail");
    else if (rc)
        snprintf(err, errlen, "the attached e-mail cannot be read");
    if (m)
        g_object_unref(m);
    g_object_unref(p);
    g_object_unref(st);
    return rc == IS_ERR_NOTFOUND ? IS_ERR_INVALID : rc;
}
