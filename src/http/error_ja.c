/*
 * error_ja.c - the Japanese sentence of each error code (message_ja of
 * the API's error object, docs/rules.md "Errors in Japanese and
 * English").
 *
 * `message` is the English sentence the service wrote, often naming the
 * value at fault; `message_ja` is this table's sentence for the code,
 * after the field when there is one ("scope: 値が正しくありません。").
 * It says what the code says and nothing more, so it can reveal nothing
 * the code does not. A code missing here gets its status class's
 * sentence (http_error_ja); tools/check-error-ja.py fails the test
 * command when a code the sources send has no row.
 *
 * Sorted by code (bsearch); tests/unit/test_http_status.c checks the
 * order.
 */
#include "http/http.h"

static const struct http_error_ja_row rows[] = {
    {"already_acknowledged", "既に受領確認済みです。"},
    {"already_acted", "この提案からは既に情報提供が作成されています。"},
    {"already_ended", "既に終了しています。"},
    {"already_fired", "この状況付与は既に実行されています。"},
    {"already_participating", "既に参加しています。"},
    {"already_relayed", "貴組織は既に中継済みです。"},
    {"already_withheld", "既に中継を保留しています。"},
    {"ambiguous_framing",
     "Transfer-Encoding は Content-Length と併用できません（HTTP/1.0 "
     "でも使えません）。"},
    {"answer_required",
     "この情報提供は回答を求めています。受領確認ではなく回答してください。"},
    {"attachment_too_large", "添付ファイルが大きすぎます（1 MiB まで）。"},
    {"bad_credentials",
     "ユーザー名またはパスワードが違います（またはアカウントが無効です）。"},
    {"bad_host", "Host ヘッダーはちょうど 1 つ必要です。"},
    {"bad_request", "HTTP リクエストとして正しくありません。"},
    {"bad_signature", "署名が正しくありません。"},
    {"body_too_large", "リクエスト本文が大きすぎます。"},
    {"campaign_closed", "この調査は締め切られました。回答はできません。"},
    {"campaign_exists", "この年度の調査は既にあります。"},
    {"campaign_open", "結果は調査の締切後に公表されます。"},
    {"cannot_withhold", "深刻度の高い警報は中継を保留できません。"},
    {"condition_after_inject",
     "条件は参照する状況付与より後に置くことはできません。"},
    {"conflict", "現在の状態と矛盾します。"},
    {"conflicting_content_length",
     "Content-Length が異なる値で複数指定されています。"},
    {"csrf_failed",
     "セッションの確認（CSRF）に失敗しました。再読み込みしてください。"},
    {"cycle", "依存関係が循環しています。"},
    {"depends_on_later", "後の状況付与には依存できません。"},
    {"duplicate", "既に登録されています。"},
    {"duplicate_edge", "同じ依存関係が二度あります。"},
    {"duplicate_id", "同じ ID が既にあります。"},
    {"duplicate_item", "同じ項目が二度あります。"},
    {"duplicate_parameter", "同じクエリパラメータが二度指定されています。"},
    {"empty", "空です。"},
    {"exercise_ended", "演習は終了しています。"},
    {"exercise_started",
     "演習は開始済みです。参加者は計画中・説明済みの間だけ変更できます。"},
    {"exercises_unavailable", "このハブでは演習を実施していません。"},
    {"forbidden", "権限がありません。"},
    {"forbidden_address", "このアドレスは観測対象にできません。"},
    {"gone", "既に利用できません。"},
    {"headers_too_large", "ヘッダーが大きすぎます。"},
    {"http_version_not_supported", "HTTP/1.0 と HTTP/1.1 のみ受け付けます。"},
    {"hub_starting", "ハブは起動中です。しばらくしてから再度お試しください。"},
    {"in_the_past", "過去の日時は指定できません。"},
    {"incomplete", "未回答の項目があります。"},
    {"internal", "ハブは要求を完了できませんでした。何も変更されていません。"},
    {"invalid_catalogue", "項目一覧が正しくありません。"},
    {"invalid_lag", "遅延時間が正しくありません。"},
    {"invalid_request", "リクエストが正しくありません。"},
    {"invalid_sender", "この組織は情報提供を発信しません。"},
    {"invalid_state", "現在の状態ではこの操作はできません。"},
    {"invalid_strength", "依存の強さが正しくありません。"},
    {"invalid_text",
     "文字列が正しくありません（UTF-8 でない、または制御文字を含みます）。"},
    {"invalid_time",
     "日時が正しくありません（RFC 3339 形式で指定してください）。"},
    {"invalid_type", "値の型が正しくありません。"},
    {"invalid_url", "URL が正しくありません。"},
    {"invalid_value", "値が正しくありません。"},
    {"level_in_use", "この段階はリスク台帳で使われています。"},
    {"link", "このリンクは使えません（期限切れ、使用済み、または無効です）。"},
    {"malformed_form", "フォームの内容が正しくありません。"},
    {"malformed_json", "JSON として読めません。"},
    {"method_not_allowed", "このパスではこのメソッドは使えません。"},
    {"metrics_token_required",
     "メトリクスの取得には、--metrics-token-file で設定したメトリクス用トーク"
     "ンを Authorization: Bearer で送ってください。"},
    {"mime_bomb", "入れ子が深すぎる、または部分が多すぎるメールです。何も保存し"
                  "ていません。"},
    {"missing_field", "入力してください（必須項目です）。"},
    {"no_attached_email", "添付されたメールがありません。"},
    {"no_model", "相互依存モデルがまだ登録されていません。"},
    {"no_operators", "対象となる事業者がいません。"},
    {"no_participants", "参加者がいません。"},
    {"node_id_in_use", "このノード ID は稼働中の別ノードが使っています。"},
    {"not_a_controller", "演習の統制者のみ操作できます。"},
    {"not_a_handler", "C4TAP の登録担当者のみ利用できます。"},
    {"not_a_participant", "貴組織はこの演習に参加していません。"},
    {"not_a_recipient", "貴組織宛てではありません。"},
    {"not_a_roll_call", "この情報提供は回答を求めていません。"},
    {"not_a_session",
     "ログアウトはセッションでのみできます（API トークンではできません）。"},
    {"not_acceptable",
     "この形式では応答できません（Accept を確認してください）。"},
    {"not_an_email", "メールとして読めません。"},
    {"not_anonymous", "匿名の報告ではありません。"},
    {"not_asked", "貴組織はこの調査の対象ではありません。"},
    {"not_assigned", "この観測拠点に割り当てられたサイトではありません。"},
    {"not_current_hop", "この件は現在貴組織の手元にありません。"},
    {"not_ended", "まだ終了していません。"},
    {"not_found", "見つかりません（または閲覧できません）。"},
    {"not_in_exercise", "演習環境の外のパスです。"},
    {"not_participant", "参加組織の担当者のみ提出できます。"},
    {"not_participating", "参加していません。"},
    {"not_paused", "一時停止していません。"},
    {"not_released", "この情報提供は貴組織にまだ届いていません。"},
    {"not_remindable", "督促できる相手ではありません。"},
    {"not_running", "実施中の演習ではありません。"},
    {"not_sector_wide",
     "波及の提案は分野全体のウェブサイト警報にのみ基づきます。"},
    {"not_shared", "事業者が回答を共有していません。"},
    {"not_started", "まだ開始していません。"},
    {"not_suggested", "提案されていない分野です。"},
    {"not_your_org", "自組織の分のみ操作できます。"},
    {"nothing_to_remind", "督促する相手がいません。"},
    {"nothing_to_warn", "警報を送る相手がいません。"},
    {"out_of_order", "順序が正しくありません。"},
    {"out_of_range", "値が範囲外です。"},
    {"participant_busy", "参加者は別の演習に参加中です。"},
    {"paused", "演習は一時停止中です。"},
    {"range_forbids", "提供元の共有範囲により許されません。"},
    {"range_too_wide", "提供元が選んだ共有範囲より広くはできません。"},
    {"range_widening", "共有範囲は狭めることしかできません。"},
    {"range_wider_than_source", "参照する報告より広い共有範囲にはできません。"},
    {"rate_limited", "試行回数が多すぎます。しばらくしてからお試しください。"},
    {"red_source",
     "元の報告が Red のため、文面と深刻度はご自身で指定してください。"},
    {"remind_too_soon",
     "督促の間隔が短すぎます。しばらくしてからお試しください。"},
    {"replayed", "同じ、または古い番号のバッチです。"},
    {"report_closed", "最終報告済みの報告です。"},
    {"report_final", "報告は確定済みです。"},
    {"request_timeout", "リクエスト本文が期限内に届きませんでした。"},
    {"route_not_allowed", "貴組織はこの経路を使えません。"},
    {"stale", "送信時刻が現在時刻から離れすぎています。"},
    {"store_not_writable", "データベースが現在書き込みを受け付けていません。し"
                           "ばらくしてから再度お試しください。"},
    {"store_unavailable",
     "データベースが応答しません。しばらくしてから再度お試しください。"},
    {"too_large", "大きすぎます。"},
    {"too_long", "長すぎます。"},
    {"too_many", "数が上限を超えています。"},
    {"too_many_declarations", "宣言の回数が上限に達しています。"},
    {"too_many_exercises", "同時に実施できる演習の数が上限に達しています。"},
    {"too_many_lists", "配信リストの数が上限に達しています。"},
    {"too_many_parameters", "クエリパラメータが多すぎます。"},
    {"too_many_recipients", "宛先が多すぎて、受信者を伏せきれません。受信したア"
                            "ドレスだけを残して再送してください。"},
    {"unauthenticated", "ログイン、または有効な API トークンが必要です。"},
    {"unexpected_body", "このリクエストに本文は不要です。"},
    {"unknown_action", "不明な操作です。"},
    {"unknown_edition", "指針にこの版はありません。"},
    {"unknown_field", "不明な項目です。"},
    {"unknown_group", "不明なグループです。"},
    {"unknown_inject", "不明な状況付与です。"},
    {"unknown_item", "指針の項目一覧にない項目です。"},
    {"unknown_node", "不明なノードです。"},
    {"unknown_org", "登録簿にない組織です。"},
    {"unknown_participants", "登録簿にない組織、分野または CEPTOAR です。"},
    {"unknown_recipient", "不明な宛先です。"},
    {"unknown_sector", "登録簿にない分野です。"},
    {"unknown_user", "不明なユーザーです。"},
    {"unsupported_media_type",
     "本文の形式（Content-Type）を受け付けられません。JSON API には "
     "application/json（UTF-8）、TAXII には "
     "application/taxii+json;version=2.1 で送ってください。"},
    {"unsupported_transfer_encoding",
     "Transfer-Encoding は chunked のみ受け付けます。"},
    {"uri_too_long", "リクエストの URI が長すぎます。"},
    {"version_conflict", "他の人が先に更新しました。最新の内容を読み込んでから"
                         "再度お試しください。"},
    {"zero_lag_cycle", "遅延ゼロの依存関係が循環しています。"},
};

static int row_cmp(const void *key, const void *row)
{
    return strcmp(key, ((const struct http_error_ja_row *)row)->code);
}

const struct http_error_ja_row *http_error_ja_rows(size_t *n)
{
    *n = IS_ARRAY_LEN(rows);
    return rows;
}

const char *http_error_ja(const char *code, int status)
{
    const struct http_error_ja_row *r =
        code ? bsearch(code, rows, IS_ARRAY_LEN(rows), sizeof(rows[0]), row_cmp)
             : NULL;
    if (r)
        return r->ja;
    /* no row: the status class's sentence */
    static const struct {
        int status;
        const char *ja;
    } by_status[] = {
        {401, "認証が必要です。"},
        {403, "権限がありません。"},
        {404, "見つかりません（または閲覧できません）。"},
        {409, "現在の状態と矛盾します。"},
        {413, "大きすぎます。"},
        {429, "要求が多すぎます。しばらくしてからお試しください。"},
    };
    if (status >= 500)
        return "ハブは要求を完了できませんでした。";
    for (size_t i = 0; i < IS_ARRAY_LEN(by_status); i++)
        if (by_status[i].status == status)
            return by_status[i].ja;
    return "リクエストが正しくありません。";
}
