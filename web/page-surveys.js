// page-surveys.js - the annual safety-standards survey (安全基準等の浸透状況
// 等に関する調査) and CP/BCP readiness (issue 15).
//   #/surveys        the campaigns (state, fiscal year, deadline; an
//                    operator's own state); NISC's analysts open a campaign
//                    (fiscal year, deadline, sectors) and close one (asked
//                    to confirm, in the page: no browser dialog)
//   #/surveys/{id}   by role, while the campaign is open:
//                    - an operator: its answer form, grouped by PDCA phase
//                      (Plan, Do, Check, Act) and CP/BCP, each item with the
//                      guideline's text and Annex references (folded), the
//                      four answers, evidence and attachments; save a draft,
//                      submit (confirmed), share with the secretariat, fill
//                      from the CP/BCP checklist; a save made on an older
//                      version is refused (409) and said so, with a reload
//                    - a CEPTOAR secretariat: its members' progress, remind
//                      the chosen ones or every one not submitted, a shared
//                      member's answers read-only (?org=ID)
//                    - NISC and the ministries: the progress by sector (NISC
//                      also reminds all and closes)
//                    once closed, for everyone: the published results (by
//                    sector, a group of fewer than 5 not shown), an SVG bar
//                    chart with the same figures in the table, the items of
//                    a chosen group, the CSV and the printable report
//   #/bcp            an operator's CP/BCP readiness: the seven
//                    characteristics of cyber attacks, their checks, a
//                    readiness bar each; saved with the version read
// API: /guideline, /surveys[/{id}[/answers|/attachments|/progress|/remind|
// /close|/aggregates|/report]], /bcp-readiness (docs/openapi.json).
import { h, svg, link, table, msg, errText, time, field, put, clear, enc, flag, shown, hiddenText } from './dom.js';
import { t, L, lang, jstInputToRfc, addTexts } from './i18n.js';
import { get, post, put as apiPut, del, apiUrl } from './api.js';

/* The pages' texts (i18n.js addTexts: not part of every first load). */
const TEXTS = {
  'sv.title': ['安全基準等の浸透状況等に関する調査', 'Survey of the safety standards’ adoption'],
  'sv.page': ['安全基準等調査', 'Safety-standards survey'],
  'sv.intro': ['NISCが年度ごとに実施する調査です。重要インフラ事業者は「安全基準等策定指針」の各項目への対応状況を回答し、CEPTOAR事務局は構成員の回答状況を確認します。結果は締切後に分野ごとに公表されます（回答が5者未満の分野は公表しません）。', 'NISC’s yearly survey: critical-infrastructure operators say how far they have adopted each item of the safety-standards guideline, CEPTOAR secretariats follow their members’ progress, and the results are published by sector once the campaign closes (a sector with fewer than 5 respondents is not shown).'],
  'sv.campaigns': ['調査の一覧', 'Campaigns'],
  'sv.none': ['調査はまだありません。', 'No campaign yet.'],
  'sv.none.nisc': ['調査はまだありません。下のフォームから開始できます。', 'No campaign yet: open one with the form below.'],
  'sv.col.title': ['調査', 'Campaign'],
  'sv.col.fy': ['年度', 'Fiscal year'],
  'sv.col.deadline': ['回答期限', 'Deadline'],
  'sv.col.sectors': ['対象分野', 'Sectors asked'],
  'sv.col.targets': ['対象事業者', 'Operators asked'],
  'sv.col.mine': ['自組織の回答', 'Our answers'],
  'sv.fy': ['{fy}年度', 'FY{fy}'],
  'sv.edition': ['指針の版：{e}', 'Guideline edition: {e}'],
  'sv.items': ['設問', 'Items'],
  'sv.nitems': ['{n}項目', '{n} items'],
  'sv.closedat': ['締切日時', 'Closed at'],
  'sv.allsectors': ['全分野', 'every sector'],
  'sv.orgs': ['{n}者', '{n}'],
  'sv.overdue': ['期限超過', 'Past the deadline'],
  'sv.answered': ['{m}項目中{n}項目回答', '{n} of {m} answered'],
  'sv.notasked': ['対象外', 'not asked'],
  'sv.notasked.long': ['貴組織はこの調査の対象ではありません。結果は締切後にこのページで公表されます。', 'Your organisation is not asked in this campaign. The results are published on this page once it closes.'],
  'sv.req': ['（必須）', ' (required)'],
  'sv.back': ['調査の一覧へ戻る', 'Back to the campaigns'],
  'sv.state.open': ['受付中', 'Open'],
  'sv.state.closed': ['締切済み', 'Closed'],
  'sv.mine.none': ['未回答', 'Not started'],
  'sv.mine.draft': ['一時保存', 'Draft'],
  'sv.mine.submitted': ['提出済み', 'Submitted'],
  'sv.mine.title': ['自組織の回答', 'Our answers'],
  'sv.new': ['調査を開始する', 'Open a campaign'],
  'sv.new.fy': ['年度', 'Fiscal year'],
  'sv.new.fyhint': ['年度ごとに一つの調査です（西暦4桁）。', 'One campaign per fiscal year (four digits).'],
  'sv.new.deadline': ['回答期限（日本時間）', 'Deadline (JST)'],
  'sv.new.deadlinehint': ['期限を過ぎても締め切るまでは回答できます。', 'Answers are accepted until the campaign is closed, even after the deadline.'],
  'sv.new.sectors': ['対象分野', 'Sectors asked'],
  'sv.new.sectorshint': ['選んだ分野の重要インフラ事業者すべてに回答を依頼します。一つも選ばなければ全分野が対象です。', 'Every operator of the sectors ticked is asked; none ticked asks every sector.'],
  'sv.new.titles': ['件名（省略すると標準の件名）', 'Title (the standard title when left empty)'],
  'sv.new.titleja': ['件名（日本語）', 'Title (Japanese)'],
  'sv.new.titleen': ['件名（英語）', 'Title (English)'],
  'sv.new.titlehint': ['200文字まで。', 'Up to 200 characters.'],
  'sv.new.open': ['調査を開始', 'Open the campaign'],
  'sv.new.done': ['「{title}」を開始しました（対象{n}者）。', 'Opened “{title}” ({n} operators asked).'],
  'sv.new.err.fy': ['年度を西暦4桁で入力してください。', 'Enter the fiscal year as four digits.'],
  'sv.new.err.deadline': ['回答期限を入力してください。', 'Enter the deadline.'],
  'sv.close': ['調査を締め切る', 'Close the campaign'],
  'sv.close.short': ['締め切る…', 'Close…'],
  'sv.close.hint': ['締め切ると回答は受け付けられなくなり、分野ごとの結果が全員に公表されます。', 'Once closed, no more answers are accepted and the results by sector are published to everyone.'],
  'sv.close.confirm': ['「{title}」を締め切りますか。以後は回答できず、結果が公表されます。取り消せません。', 'Close “{title}”? No more answers will be accepted and the results will be published. This cannot be undone.'],
  'sv.close.yes': ['締め切る', 'Close now'],
  'sv.close.done': ['「{title}」を締め切りました。', 'Closed “{title}”.'],
  'sv.close.conflict': ['締め切っていません：この調査は読み込んだ後に変更されました。読み込み直してからもう一度操作してください。', 'Not closed: the campaign changed since it was loaded. Reload it and try again.'],
  'sv.reload': ['読み込み直す', 'Reload'],
  'sv.wait': ['結果は締切後にこのページで公表されます。', 'The results are published on this page once the campaign closes.'],
  'sv.readonly': ['あなたの役割では回答を編集できません（報告者・連絡担当・分析担当・組織管理者が回答します）。', 'Your roles do not allow answering (reporters, liaisons, analysts and organisation admins answer).'],
  'sv.form': ['回答フォーム', 'Answer form'],
  'sv.bar': ['保存と提出', 'Save and submit'],
  'sv.phase.plan': ['Plan（計画）', 'Plan'],
  'sv.phase.do': ['Do（実行）', 'Do'],
  'sv.phase.check': ['Check（評価）', 'Check'],
  'sv.phase.act': ['Act（改善）', 'Act'],
  'sv.phase.bcp': ['CP/BCP（サイバー攻撃の特性を踏まえた対応）', 'CP/BCP (for the characteristics of cyber attacks)'],
  'sv.phase.bcpshort': ['CP/BCP', 'CP/BCP'],
  'sv.phase.plan.about': ['組織の状況の理解、リーダーシップ、計画、支援についての項目です。', 'Context of the organisation, leadership, planning and support.'],
  'sv.phase.do.about': ['対策の実施・運用と、重要インフラサービス障害への対応についての項目です。', 'Putting the measures in place and running them, and responding to outages.'],
  'sv.phase.check.about': ['監視・監査とマネジメントレビューについての項目です。', 'Monitoring, audit and management review.'],
  'sv.phase.act.about': ['是正と継続的改善についての項目です。', 'Corrective action and continual improvement.'],
  'sv.phase.bcp.about': ['サイバー攻撃の七つの特性ごとの、CP/BCPの確認項目です。CP/BCP準備状況のチェックリストの回答を使えます。', 'The CP/BCP checks of the seven characteristics of cyber attacks; your CP/BCP readiness checklist can fill them in.'],
  'sv.phasecount': ['{p}：{m}項目中{n}項目', '{p}: {n} of {m}'],
  'sv.guide': ['指針の本文と参照（附属書）', 'The guideline’s text and references (Annex)'],
  'sv.annex': ['参照する規格（附属書）', 'Standards referred to (Annex)'],
  'sv.ref': ['指針の該当箇所：{ref}', 'Place in the guideline: {ref}'],
  'sv.answer': ['回答', 'Answer'],
  'sv.a.adopted': ['対応済み', 'In place'],
  'sv.a.partly': ['一部対応', 'Partly'],
  'sv.a.not': ['未対応', 'Not in place'],
  'sv.a.na': ['該当しない', 'Not applicable'],
  'sv.a.none': ['未回答', 'Not answered'],
  'sv.evidence': ['根拠・補足（任意）', 'Evidence or note (optional)'],
  'sv.attach': ['根拠資料を添付（任意）', 'Attach a supporting file (optional)'],
  'sv.attach.hint': ['1ファイル2MBまで、調査全体で20ファイルまで。選ぶとすぐに送信されます。', 'Up to 2 MB a file and 20 files in all; sent as soon as it is chosen.'],
  'sv.attach.sending': ['{name}を送信中…', 'Sending {name}…'],
  'sv.attach.done': ['{name}を添付しました。', 'Attached {name}.'],
  'sv.attach.failed': ['{name}を添付できませんでした：{why}', 'Could not attach {name}: {why}'],
  'sv.attach.toolarge': ['{name}は2MBを超えるため添付できません。', '{name} is larger than 2 MB and cannot be attached.'],
  'sv.files': ['添付資料', 'Files'],
  'sv.bytes': ['{n}バイト', '{n} bytes'],
  'sv.kb': ['{n}KB', '{n}KB'],
  'sv.mb': ['{n}MB', '{n}MB'],
  'sv.share': ['回答をCEPTOAR事務局と共有する', 'Share our answers with our CEPTOAR secretariat'],
  'sv.share.hint': ['共有すると、所属するCEPTOARの事務局が回答と添付資料を閲覧できます（次の保存・提出から反映）。共有しなくても回答状況（件数）は事務局に見えます。', 'When shared, your CEPTOAR’s secretariat may read your answers and files (from the next save or submission). It sees your progress (how many answered) either way.'],
  'sv.savedat': ['最終保存', 'Last saved'],
  'sv.notsaved': ['まだ保存していません', 'Not saved yet'],
  'sv.submittedat': ['提出', 'Submitted'],
  'sv.resubmit': ['提出済みです。締切までは回答を変更でき、保存しても提出済みのままです。ただし、未回答に戻した項目があるまま保存すると提出が取り消されて一時保存になり、もう一度提出が必要になります。', 'Submitted. You may change your answers until the campaign closes, and saving keeps them submitted. But saving with items taken back to “not answered” takes the submission back (a draft again) until you submit again.'],
  'sv.savechanges': ['変更を保存', 'Save changes'],
  'sv.unsubmit': ['未回答の項目が{n}項目あるため、保存すると提出が取り消され、一時保存になります。', '{n} items are not answered: saving takes the submission back and keeps a draft.'],
  'sv.unsubmitted': ['提出を取り消し、一時保存しました（{n}項目回答）。すべて回答してからもう一度提出してください。', 'The submission is taken back and a draft saved ({n} items answered). Answer every item and submit again.'],
  'sv.savedsub': ['変更を保存しました（提出済みのままです）。', 'Changes saved (still submitted).'],
  'sv.clear': ['この回答を取り消す', 'Clear this answer'],
  'sv.clear.done': ['{item}の回答を未回答に戻しました（根拠・補足も消えます）。保存すると記録されます。', '{item} is back to “not answered” (its evidence too); save to keep this.'],
  'sv.cleared': ['{n}項目を未回答に戻しました。', '{n} items taken back to “not answered”.'],
  'sv.file.delete': ['削除…', 'Delete…'],
  'sv.file.deletelabel': ['{name}を削除', 'Delete {name}'],
  'sv.file.confirm': ['{name}を削除しますか。取り消せません。', 'Delete {name}? This cannot be undone.'],
  'sv.file.yes': ['削除する', 'Delete'],
  'sv.file.deleted': ['{name}を削除しました。', 'Deleted {name}.'],
  'sv.file.failed': ['{name}を削除できませんでした：{why}', 'Could not delete {name}: {why}'],
  'sv.suggest': ['CP/BCPチェックリストの回答を使う（{n}項目）', 'Use my CP/BCP checklist answers ({n} items)'],
  'sv.suggest.hint': ['CP/BCP準備状況の回答を、まだ選んでいない項目に入れます。保存するまでは記録されません。', 'Fills the items not yet answered here with your CP/BCP readiness answers; nothing is kept until you save.'],
  'sv.suggest.done': ['{n}項目にCP/BCPチェックリストの回答を入れました。保存してください。', 'Filled {n} items from your CP/BCP checklist: save to keep them.'],
  'sv.suggest.none': ['CP/BCPの項目は、CP/BCP準備状況のチェックリストに回答しておくとここで使えます：', 'Answer your CP/BCP readiness checklist to fill the CP/BCP items here:'],
  'sv.save': ['一時保存', 'Save draft'],
  'sv.submit': ['提出する', 'Submit'],
  'sv.submit.confirm': ['{n}項目の回答を提出しますか。提出後も締切までは変更できます。', 'Submit your answers to all {n} items? You can still change them until the campaign closes.'],
  'sv.submit.yes': ['提出する', 'Submit now'],
  'sv.saved': ['{n}項目の回答を一時保存しました。', 'Draft saved ({n} items answered).'],
  'sv.submitted': ['回答を提出しました。', 'Your answers are submitted.'],
  'sv.loose': ['回答を選んでいない{n}項目の根拠・補足は保存されていません。回答を選んでから保存してください。', 'The evidence of {n} items without an answer is not saved: choose their answers and save again.'],
  'sv.conflict': ['保存していません：この回答は別の画面またはほかの担当者によって先に保存されています。読み込み直すと最新の回答が表示されます（この画面での変更は失われます）。', 'Not saved: these answers were saved meanwhile from another window or by a colleague. Reload to see the latest answers (the changes made here will be lost).'],
  'sv.err.unanswered': ['この項目に回答してください。', 'Answer this item.'],
  'sv.err.missing': ['提出していません：未回答の項目が{n}項目あります。回答するか、一時保存してください。', 'Not submitted: {n} items are not answered. Answer them, or save a draft.'],
  'sv.err.incomplete': ['提出していません：未回答の項目があります。', 'Not submitted: some items are not answered.'],
  'sv.err.version_conflict': ['ほかの操作で先に変更されています。読み込み直してください。', 'Changed meanwhile elsewhere; reload.'],
  'sv.err.campaign_exists': ['この年度の調査は既にあります。', 'A campaign of this fiscal year exists already.'],
  'sv.err.campaign_closed': ['この調査は締め切られています。', 'The campaign is closed.'],
  'sv.err.campaign_open': ['結果は調査の締切後に公表されます。', 'The results are published once the campaign closes.'],
  'sv.err.no_operators': ['選んだ分野に対象の事業者がいません。', 'No operator to ask in the sectors chosen.'],
  'sv.err.unknown_sector': ['分野が正しくありません。', 'Not a sector.'],
  'sv.err.unknown_item': ['指針のこの版の項目ではありません。', 'Not an item of this edition of the guideline.'],
  'sv.err.unknown_edition': ['指針の版が見つかりません。', 'No such edition of the guideline.'],
  'sv.err.not_asked': ['貴組織はこの調査の対象ではありません。', 'Your organisation is not asked in this campaign.'],
  'sv.err.not_shared': ['この事業者は回答を事務局と共有していません。', 'This operator has not shared its answers with its secretariat.'],
  'sv.err.not_remindable': ['督促できない事業者が含まれています。', 'One of the operators cannot be reminded by you.'],
  'sv.err.too_large': ['ファイルが大きすぎます（1ファイル2MB、調査全体で20MBまで）。', 'The file is too large (2 MB a file, 20 MB in all).'],
  'sv.err.too_many': ['添付できるのは調査全体で20ファイルまでです。', 'At most 20 files per campaign.'],
  // a file's name (field "name" of an attachment); any other field's
  // invalid_value is said by errText (a deadline in the past told of file
  // names: found by a review)
  'sv.err.invalid_name': ['値が正しくありません（ファイル名には / \\ " と制御文字を使えません）。', 'The value is not valid (a file name may not contain / \\ " or control characters).'],
  'sv.own': ['自組織の回答（閲覧のみ）', 'Our answers (read-only)'],
  'sv.col.item': ['項目', 'Item'],
  'sv.col.itemtitle': ['内容', 'Subject'],
  'sv.col.phase': ['区分', 'Phase'],
  'sv.members': ['構成員の回答状況', 'Our members’ progress'],
  'sv.members.summary': ['対象{n}者：提出済み{s}者、一時保存{d}者、未回答{z}者', '{n} members asked: {s} submitted, {d} draft, {z} not started'],
  'sv.members.none': ['この調査の対象となる構成員はいません。', 'None of our members is asked in this campaign.'],
  'sv.members.back': ['構成員の回答状況へ戻る', 'Back to our members’ progress'],
  'sv.col.pick': ['選択', 'Select'],
  'sv.pick': ['{org}を選ぶ', 'Select {org}'],
  'sv.col.answered': ['回答数', 'Answered'],
  'sv.col.shared': ['共有', 'Shared'],
  'sv.col.reminded': ['最終督促', 'Last reminded'],
  'sv.viewanswers': ['回答を見る', 'View answers'],
  'sv.notshared': ['共有なし', 'not shared'],
  'sv.never': ['なし', 'never'],
  'sv.member.title': ['{org}の回答', 'Answers of {org}'],
  'sv.member.readonly': ['事業者が共有した回答です（閲覧のみ）。', 'Shared by the operator (read-only).'],
  'sv.remind.hint': ['未提出の事業者に、回答のお願いを登録済みの連絡先へ送ります（同じ事業者へは1日1回まで）。', 'Sends a request to answer to the registered contacts of operators that have not submitted (once a day per operator).'],
  'sv.remind.picked': ['選んだ事業者に督促', 'Remind the selected'],
  'sv.remind.all': ['未提出のすべてに督促', 'Remind all not submitted'],
  'sv.remind.pick': ['督促する事業者を選んでください。', 'Select the operators to remind.'],
  'sv.remind.done': ['{n}者に督促しました（送信{m}件）。', 'Reminded {n} operators ({m} messages).'],
  'sv.remind.skipped': ['督促しなかった事業者：{n}者', 'Not reminded: {n} operators'],
  'sv.remind.why': ['{org}：{why}', '{org}: {why}'],
  'sv.remind.whyn': ['{why}：{n}者', '{why}: {n}'],
  'sv.skip.submitted': ['提出済み', 'already submitted'],
  'sv.skip.reminded_today': ['24時間以内に督促済み', 'reminded within the last 24 hours'],
  'sv.progress': ['分野ごとの回答状況', 'Progress by sector'],
  'sv.progress.hint': ['事業者ごとの回答内容は、締切後も公表されません。', 'No operator’s answers are ever published; only these counts and, after closing, the results by sector.'],
  'sv.subrate.of': ['{sector}の提出率', 'Share of {sector} submitted'],
  'sv.nisc.actions': ['調査の運営', 'Running the campaign'],
  'sv.results': ['調査結果', 'Results'],
  'sv.results.about': ['対応率＝「対応済み」÷（対応済み＋一部対応＋未対応）。「該当しない」は除きます。回答が{n}者未満の分野と、セプター事務局に共有されたことのない回答が1～{m}者しかない分野（事務局が差し引いて知り得るため）は公表せず（両者は区別しません）、合算して同じ条件を満たす場合だけ「その他の分野（合算）」として示します。', 'Adoption rate = “in place” ÷ (in place + partly + not in place); “not applicable” is left out. A sector with fewer than {n} respondents, or with only 1 to {m} whose answers were never shared with a CEPTOAR secretariat (which could subtract the others), is not shown, and the two are not told apart; such sectors are pooled as “Other sectors” only when the pool passes the same test.'],
  'sv.results.prev': ['前年度（{fy}年度）との比較つき', 'Compared with FY{fy}'],
  'sv.results.noprev': ['前年度の調査がないため、増減は示しません。', 'No previous campaign: no change is shown.'],
  'sv.csv': ['CSVをダウンロード', 'Download CSV'],
  'sv.report.ja': ['印刷用レポート（日本語）', 'Printable report (Japanese)'],
  'sv.report.en': ['印刷用レポート（英語）', 'Printable report (English)'],
  'sv.bygroup': ['分野ごとの対応率', 'Adoption rate by sector'],
  'sv.col.group': ['分野', 'Group'],
  'sv.col.respondents': ['回答者数', 'Respondents'],
  'sv.col.rate': ['対応率', 'Adoption rate'],
  'sv.col.prev': ['前年度', 'Last year'],
  'sv.col.change': ['増減', 'Change'],
  'sv.pt': ['{n}ポイント', '{n} pt'],
  'sv.notshown': ['非公表（{n}者未満等）', 'not shown (fewer than {n}, or known to a secretariat)'],
  'sv.rate.hint': ['Plan・Do・Check・Act・CP/BCPの各列は、その区分の項目だけの対応率です。', 'The Plan, Do, Check, Act and CP/BCP columns are the rates over that phase’s items only.'],
  'sv.chart': ['対応率のグラフ', 'Adoption rate chart'],
  'sv.chart.desc': ['{n}グループの対応率の横棒グラフ。同じ数値を上の表に示します。', 'Horizontal bars of the adoption rate of {n} groups; the table above gives the same figures.'],
  'sv.chart.rate': ['今年度の対応率（棒）', 'This year’s rate (bar)'],
  'sv.chart.prev': ['{fy}年度の対応率（破線）', 'FY{fy} rate (dashed mark)'],
  'sv.chart.hidden': ['グラフにない分野（回答が{n}者未満等のため非公表）：{names}', 'Not in the chart (fewer than {n} respondents, or known to a secretariat; not shown): {names}'],
  'sv.byitem': ['項目ごとの回答', 'Answers by item'],
  'bcp.title': ['CP/BCP準備状況', 'CP/BCP readiness'],
  'bcp.intro': ['サイバー攻撃の七つの特性（安全基準等策定指針 別紙3）ごとに、CP/BCP（緊急時対応計画・事業継続計画）の準備状況を確認するチェックリストです。回答は安全基準等調査のCP/BCPの項目に使えます。', 'A checklist of your CP/BCP (contingency plan and business continuity plan) against the seven characteristics of cyber attacks (the guideline’s Annex 3). Its answers can fill the CP/BCP items of the safety-standards survey.'],
  'bcp.notop': ['CP/BCP準備状況は重要インフラ事業者が自組織について記入するものです。', 'CP/BCP readiness is an operator’s own checklist.'],
  'bcp.overall': ['全体の準備状況', 'Overall readiness'],
  'bcp.total': ['準備度：{r}%', 'Readiness: {r}%'],
  'bcp.total.none': ['準備度：未評価（回答してください）', 'Readiness: not assessed yet (answer the checks)'],
  'bcp.answered': ['{n}項目中{a}項目回答', '{a} of {n} checks answered'],
  'bcp.score.hint': ['準備度＝（対応済み×1＋一部対応×0.5）÷ 該当する回答の数（「該当しない」を除く）。', 'Readiness = (in place × 1 + partly × 0.5) ÷ the answers that apply (“not applicable” left out).'],
  'bcp.survey.hint': ['この回答は安全基準等調査の回答フォームで使えます：', 'These answers can fill the survey’s answer form:'],
  'bcp.char': ['特性{n}：{title}', 'Characteristic {n}: {title}'],
  'bcp.readiness': ['準備度', 'Readiness'],
  'bcp.score': ['{r}%（{n}項目中{a}項目回答）', '{r}% ({a} of {n} answered)'],
  'bcp.noscore': ['未評価（{n}項目中{a}項目回答）', 'not assessed ({a} of {n} answered)'],
  'bcp.point': ['ポイント：', 'Point:'],
  'bcp.about': ['この特性について', 'About this characteristic'],
  'bcp.considerations': ['考慮すべき事項', 'What to consider'],
  'bcp.preparations': ['平常時の備え（{n}件）', 'Preparations in normal times ({n})'],
  'bcp.checks': ['確認項目', 'Checks'],
  'bcp.note': ['メモ（任意）', 'Note (optional)'],
  'bcp.save': ['保存', 'Save'],
  'bcp.saved': ['{n}項目の回答を保存しました。', 'Saved ({n} checks answered).'],
  'bcp.readonly': ['あなたの役割では編集できません。', 'Your roles do not allow editing.'],
  'bcp.conflict': ['保存していません：このチェックリストはほかの画面または担当者によって先に保存されています。読み込み直してください（この画面での変更は失われます）。', 'Not saved: the checklist was saved meanwhile from another window or by a colleague. Reload it (the changes made here will be lost).'],
  'bcp.open': ['チェックリストを開く', 'Open the checklist'],
};
addTexts(TEXTS);

/* The pages' styles (surveys.css), added to the document once; a page is
 * drawn once they are there. */
let styled = null;
function styles() {
  if (!styled) {
    styled = new Promise((done) => {
      const l = h('link', { rel: 'stylesheet', href: '/ui/surveys.css', id: 'css-surveys' });
      l.addEventListener('load', done);
      l.addEventListener('error', done);
      document.head.appendChild(l);
    });
  }
  return styled;
}

const ANSWERS = ['adopted', 'partly', 'not', 'na'];
const PHASES = ['plan', 'do', 'check', 'act', 'bcp'];
const FILE_MAX = 2 * 1024 * 1024; // SURVEY_ATTACHMENT_MAX
const MIN_GROUP = 5;

/* The heading; the window's title names the page only. */
const title = (text, page) => h('h1', { 'data-title': page || text }, text);
const pct = (x) => (x === null || x === undefined ? '—' : Number(x).toFixed(1) + '%');
const change = (x) => (x === null || x === undefined ? '—' : t('sv.pt', { n: (x > 0 ? '+' : x < 0 ? '−' : '±') + Math.abs(Number(x)).toFixed(1) }));
const answerLabel = (a) => (a ? t('sv.a.' + a, null, true) || a : t('sv.a.none'));
const phaseLabel = (p) => t('sv.phase.' + p, null, true) || p;
/* a phase in a table's header or cell: CP/BCP without its explanation */
const phaseShort = (p) => (p === 'bcp' ? t('sv.phase.bcpshort') : phaseLabel(p));
const stateLabel = (s) => t('sv.state.' + s, null, true) || s;
const mineLabel = (s) => t('sv.mine.' + s, null, true) || s;
const size = (n) => (n < 1024 ? t('sv.bytes', { n }) : n < 1024 * 1024 ? t('sv.kb', { n: (n / 1024).toFixed(1) }) : t('sv.mb', { n: (n / 1048576).toFixed(1) }));
/* A refusal in words: the survey's own codes first. */
const errOf = (e) => t('sv.err.' + (e && e.code === 'invalid_value' && e.field === 'name' ? 'invalid_name' : e && e.code), null, true) || errText(e);

/* The API's rules: who opens and closes campaigns, who answers, who
 * follows members. */
export const isNisc = (ctx) => ctx.has('admin') || (ctx.kind() === 'nisc' && ctx.has('analyst'));
const mayAnswer = (ctx) => ctx.kind() === 'operator' && ctx.has('reporter', 'liaison', 'analyst', 'org_admin');
const isSecretariat = (ctx) => ctx.kind() === 'ceptoar' && ctx.has('analyst', 'liaison', 'org_admin');
const followsAll = (ctx) => isNisc(ctx) || ctx.kind() === 'nisc' || ctx.kind() === 'ministry';

function stateBadge(s) {
  return h('span', { cls: 'badge flag sv-state sv-state-' + s, 'data-state': s }, stateLabel(s));
}
function mineBadge(s) {
  const mark = { none: '○', draft: '…', submitted: '✓' }[s] || '';
  return h('span', { cls: 'badge flag sv-mine sv-mine-' + s, 'data-mine': s },
    h('span', { 'aria-hidden': 'true' }, mark + ' '), mineLabel(s));
}
const overdue = (c) => c.state === 'open' && Date.parse(c.deadline) < Date.now();

export async function render(main, env) {
  await styles();
  if (env.name === 'bcp') return bcpPage(main, env.ctx);
  if (env.name === 'survey') return surveyPage(main, env.ctx, env.params[0]);
  return listPage(main, env.ctx);
}

/* ---------- the campaigns ---------- */

async function listPage(main, ctx) {
  put(main, title(t('sv.title')), h('p', {}, t('sv.intro')));
  const [r, sectors] = await Promise.all([get('/surveys'), ctx.sectors()]);
  const names = new Map(sectors.map((s) => [s.id, L(s.name)]));
  const sectorList = (c) => (c.sectors && c.sectors.length ? c.sectors.map((s) => names.get(s) || s).join(lang() === 'en' ? ', ' : '、') : t('sv.allsectors'));
  const op = ctx.kind() === 'operator';
  const nisc = isNisc(ctx);
  const box = h('section', { id: 'sv-list', 'aria-labelledby': 'sv-list-h' }, h('h2', { id: 'sv-list-h' }, t('sv.campaigns')));
  put(main, box);
  if (!r.items.length) put(box, h('p', { cls: 'empty', id: 'sv-none' }, nisc ? t('sv.none.nisc') : t('sv.none')));
  else {
    const cols = [
      [t('sv.col.title'), (c) => link('/surveys/' + enc(c.id), L(c.title))],
      [t('sv.col.fy'), (c) => t('sv.fy', { fy: c.fy })],
      [t('state'), (c) => stateBadge(c.state)],
      [t('sv.col.deadline'), (c) => [time(c.deadline), overdue(c) ? [' ', flag(t('sv.overdue'), 'warn')] : null]],
      [t('sv.col.sectors'), sectorList],
    ];
    if (op) {
      cols.push([t('sv.col.mine'), (c) => (c.mine ? [mineBadge(c.mine.state), ' ', h('span', { cls: 'sv-count' }, t('sv.answered', { n: c.mine.answered, m: c.items }))] : t('sv.notasked'))]);
    } else cols.push([t('sv.col.targets'), (c) => t('sv.orgs', { n: c.targets }), 'num']);
    if (nisc) cols.push(['', (c) => (c.state === 'open' ? closeControl(ctx, c, true) : ''), null, t('table.action')]);
    put(box, table(cols, r.items, (c) => ({ 'data-id': c.id, 'data-state': c.state })));
  }
  if (nisc) put(main, await createForm(ctx, sectors));
}

/* The form NISC opens a campaign with. */
async function createForm(ctx, sectors) {
  const now = new Date(Date.now() + 9 * 3600e3);
  const fyNow = now.getUTCMonth() >= 3 ? now.getUTCFullYear() : now.getUTCFullYear() - 1;
  const f = {
    fy: h('input', { type: 'number', id: 'sv-fy', name: 'fy', min: 2000, max: 2100, value: String(fyNow), required: true }),
    deadline: h('input', { type: 'datetime-local', id: 'sv-deadline', name: 'deadline', required: true }),
    title_ja: h('input', { type: 'text', id: 'sv-title-ja', name: 'title_ja', maxlength: 200 }),
    title_en: h('input', { type: 'text', id: 'sv-title-en', name: 'title_en', maxlength: 200 }),
  };
  const errs = {};
  const mk = (name, label, hint) => {
    const r = field(label, f[name], hint);
    errs[name] = h('p', { cls: 'fielderr', id: 'sv-err-' + name, hidden: true });
    r.insertBefore(errs[name], f[name].nextSibling);
    return r;
  };
  const boxes = sectors.map((s) => h('label', { cls: 'inline sv-sector' },
    h('input', { type: 'checkbox', name: 'sectors', value: s.id, 'data-sector': s.id }), L(s.name)));
  errs.sectors = h('p', { cls: 'fielderr', id: 'sv-err-sectors', hidden: true });
  const sectorSet = h('fieldset', { id: 'sv-sectors', 'aria-describedby': 'sv-sectors-hint' },
    h('legend', {}, t('sv.new.sectors')),
    h('p', { cls: 'hint', id: 'sv-sectors-hint' }, t('sv.new.sectorshint')),
    h('div', { cls: 'sv-sectorlist' }, boxes), errs.sectors);
  const out = h('div', { id: 'sv-create-out', 'aria-live': 'polite' });
  const btn = h('button', { type: 'submit', id: 'sv-create' }, t('sv.new.open'));
  const form = h('form', { cls: 'card', id: 'sv-create-form', novalidate: true, 'aria-labelledby': 'sv-create-h' },
    h('h2', { id: 'sv-create-h' }, t('sv.new')),
    h('div', { cls: 'cols' }, mk('fy', t('sv.new.fy') + t('sv.req'), t('sv.new.fyhint')),
      mk('deadline', t('sv.new.deadline') + t('sv.req'), t('sv.new.deadlinehint'))),
    sectorSet,
    h('details', { cls: 'sv-titles' }, h('summary', {}, t('sv.new.titles')),
      mk('title_ja', t('sv.new.titleja'), t('sv.new.titlehint')), mk('title_en', t('sv.new.titleen'))),
    h('div', { cls: 'actions' }, btn), out);
  const setErr = (name, text) => {
    const e = errs[name];
    if (!e) return false;
    e.textContent = text || ''; e.hidden = !text;
    const el = name === 'sectors' ? sectorSet : f[name];
    if (name !== 'sectors') { if (text) el.setAttribute('aria-invalid', 'true'); else el.removeAttribute('aria-invalid'); }
    const desc = (el.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== e.id);
    if (text) desc.unshift(e.id);
    if (desc.length) el.setAttribute('aria-describedby', desc.join(' ')); else el.removeAttribute('aria-describedby');
    return true;
  };
  const focusOf = (name) => (name === 'sectors' ? boxes[0].querySelector('input') : f[name]);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(out);
    for (const n of Object.keys(errs)) setErr(n, '');
    const body = { fy: Number(f.fy.value), deadline: jstInputToRfc(f.deadline.value),
      sectors: boxes.map((b) => b.querySelector('input')).filter((x) => x.checked).map((x) => x.value) };
    if (f.title_ja.value.trim()) body.title_ja = f.title_ja.value.trim();
    if (f.title_en.value.trim()) body.title_en = f.title_en.value.trim();
    let bad = null;
    if (!/^\d{4}$/.test(f.fy.value.trim())) bad = ['fy', t('sv.new.err.fy')];
    else if (!body.deadline) bad = ['deadline', t('sv.new.err.deadline')];
    if (bad) { setErr(bad[0], bad[1]); focusOf(bad[0]).focus(); put(out, msg(bad[1], 'err')); return; }
    btn.disabled = true;
    try {
      const c = await post('/surveys', body);
      ctx.say(t('sv.new.done', { title: L(c.title), n: c.targets }), 'ok');
      ctx.go('/surveys/' + enc(c.id));
    } catch (e) {
      btn.disabled = false;
      const name = e.field ? String(e.field).replace(/\[\d+\]$/, '') : null;
      const text = errOf(e);
      if (name && errs[name]) { setErr(name, text); focusOf(name).focus(); }
      put(out, msg(text, 'err'));
    }
  });
  return form;
}

/* "Close…" then, in place, the confirmation (never a browser dialog).
 * compact: a row's control in the list. */
function closeControl(ctx, c, compact) {
  const box = h('div', { cls: 'sv-close', 'data-id': c.id });
  const out = h('div', { 'aria-live': 'polite' });
  const ask = h('button', { type: 'button', cls: compact ? 'secondary small sv-close-ask' : 'secondary sv-close-ask' },
    compact ? t('sv.close.short') : t('sv.close'));
  const confirmBox = h('div', { cls: 'sv-confirm msg warn', hidden: true, role: 'group', 'aria-label': t('sv.close') },
    h('p', {}, t('sv.close.confirm', { title: L(c.title) })),
    h('div', { cls: 'actions' },
      h('button', { type: 'button', cls: 'danger sv-close-yes', on: { click: async (ev) => {
        ev.target.disabled = true;
        try {
          await post('/surveys/' + enc(c.id) + '/close', { version: c.version });
          ctx.say(t('sv.close.done', { title: L(c.title) }), 'ok');
          if (compact) ctx.reload(); else ctx.go('/surveys/' + enc(c.id));
        } catch (e) {
          ev.target.disabled = false;
          clear(out);
          put(out, e.code === 'version_conflict' ? reloadBox(ctx, t('sv.close.conflict')) : msg(errOf(e), 'err'));
        }
      } } }, t('sv.close.yes')),
      h('button', { type: 'button', cls: 'secondary sv-close-no', on: { click: () => { confirmBox.hidden = true; ask.hidden = false; ask.focus(); } } }, t('cancel'))));
  ask.addEventListener('click', () => { ask.hidden = true; confirmBox.hidden = false; confirmBox.querySelector('.sv-close-yes').focus(); });
  return put(box, ask, confirmBox, out);
}

/* A refusal because something changed meanwhile, with a reload. */
function reloadBox(ctx, text) {
  return h('div', { cls: 'msg err sv-conflict', role: 'alert' },
    h('p', {}, text),
    h('div', { cls: 'actions' }, h('button', { type: 'button', cls: 'sv-reload', on: { click: () => ctx.reload() } }, t('sv.reload'))));
}

/* ---------- one campaign ---------- */

function campaignHead(c, names) {
  return h('div', { cls: 'card', id: 'sv-head' },
    h('p', { cls: 'meta' }, stateBadge(c.state), h('span', { id: 'sv-fy-label' }, t('sv.fy', { fy: c.fy })),
      h('span', {}, t('sv.edition', { e: c.edition }))),
    h('dl', { cls: 'fields' },
      h('dt', {}, t('sv.col.deadline')), h('dd', {}, time(c.deadline), overdue(c) ? [' ', flag(t('sv.overdue'), 'warn')] : null),
      h('dt', {}, t('sv.col.sectors')), h('dd', {}, c.sectors && c.sectors.length ? c.sectors.map((s) => names.get(s) || s).join(lang() === 'en' ? ', ' : '、') : t('sv.allsectors')),
      h('dt', {}, t('sv.col.targets')), h('dd', {}, t('sv.orgs', { n: c.targets })),
      h('dt', {}, t('sv.items')), h('dd', {}, t('sv.nitems', { n: c.items })),
      c.closed_at ? [h('dt', {}, t('sv.closedat')), h('dd', {}, time(c.closed_at))] : null));
}

async function surveyPage(main, ctx, id) {
  const q = new URLSearchParams((location.hash.split('?')[1]) || '');
  const [c, sectors] = await Promise.all([get('/surveys/' + enc(id)), ctx.sectors()]); // 404: "not found"
  const names = new Map(sectors.map((s) => [s.id, L(s.name)]));
  put(main, title(L(c.title), t('sv.page')), h('p', {}, link('/surveys', t('sv.back'))), campaignHead(c, names));
  if (q.get('org') && ctx.kind() === 'ceptoar') return memberPage(main, ctx, c, q.get('org'));
  if (c.state === 'closed') {
    await resultsView(main, ctx, c);
    if (ctx.kind() === 'operator' && c.mine) put(main, ownReadOnly(c));
    return null;
  }
  if (ctx.kind() === 'operator') {
    if (!c.mine) { put(main, h('p', { cls: 'empty', id: 'sv-notasked' }, t('sv.notasked.long'))); return null; }
    if (!mayAnswer(ctx)) { put(main, h('p', { cls: 'msg', id: 'sv-readonly' }, t('sv.readonly')), ownReadOnly(c, true)); return null; }
    return answerForm(main, ctx, c);
  }
  if (ctx.kind() === 'ceptoar') return secretariatView(main, ctx, c);
  if (followsAll(ctx)) return staffView(main, ctx, c);
  put(main, h('p', { cls: 'empty', id: 'sv-wait' }, t('sv.wait')));
  return null;
}

/* The catalogue of an edition, once per page. */
function guideline(edition) {
  return get('/guideline?edition=' + enc(edition));
}

/* The catalogue as the form's sections: per phase, groups of items; the
 * CP/BCP phase by characteristic, its checks as items. */
function sectionsOf(g) {
  const out = PHASES.map((p) => ({ phase: p, groups: [] }));
  const byPhase = new Map(out.map((s) => [s.phase, s]));
  const depth = new Map();
  for (const it of g.items) {
    const s = byPhase.get(it.pdca);
    if (!s) continue;
    depth.set(it.id, it.parent ? (depth.get(it.parent) || 0) + 1 : 0);
    const key = L(it.group);
    let grp = s.groups[s.groups.length - 1];
    if (!grp || grp.key !== key) { grp = { key, title: it.group, items: [] }; s.groups.push(grp); }
    grp.items.push({ id: it.id, title: it.title, text: it.text, annex: it.annex || [], ref: it.ref, answerable: it.answerable, depth: depth.get(it.id) });
  }
  const bcp = byPhase.get('bcp');
  for (const ch of g.bcp || []) {
    bcp.groups.push({ key: ch.id, title: ch.title, bcp: ch,
      items: ch.checks.map((k) => ({ id: k.id, title: k.text, answerable: true, depth: 0 })) });
  }
  return out.filter((s) => s.groups.length);
}

/* ---------- an operator's answers ---------- */

async function answerForm(main, ctx, c) {
  const base = '/surveys/' + enc(c.id);
  const [g, resp] = await Promise.all([guideline(c.edition), get(base + '/answers')]);
  let version = resp.version, state = resp.state;
  const have = new Map(resp.answers.map((a) => [a.item, a]));
  // the items with an answer on the hub: one no longer answered here is
  // sent in "clear" (taken back to "not answered")
  let stored = new Set(resp.answers.filter((a) => a.answer).map((a) => a.item));
  const items = new Map(); // item id -> {el, radios, evidence, files, err, phase}
  let n = 0;
  const status = h('div', { id: 'sv-save-out', 'aria-live': 'polite' });
  const sections = sectionsOf(g);

  // the summary: state, progress, share, suggestions
  const stateEl = h('span', { id: 'sv-mystate' }, mineBadge(state));
  const countEl = h('span', { id: 'sv-count', 'data-answered': '0' });
  const barCount = h('span', { cls: 'sv-barcount', 'aria-hidden': 'true', id: 'sv-barcount' });
  const bar = h('progress', { id: 'sv-progress', max: c.items, value: 0, 'aria-labelledby': 'sv-count' });
  const phaseCounts = h('ul', { cls: 'sv-phases', id: 'sv-phasecounts' });
  const progErr = h('p', { cls: 'fielderr', id: 'sv-err-answers', hidden: true });
  const shared = h('input', { type: 'checkbox', id: 'sv-shared', checked: resp.shared });
  const savedEl = h('span', { id: 'sv-saved' }, resp.updated_at ? [t('sv.savedat'), ' ', time(resp.updated_at)] : t('sv.notsaved'));
  const summary = h('section', { cls: 'card sv-summary', id: 'sv-summary', 'aria-labelledby': 'sv-summary-h' },
    h('h2', { id: 'sv-summary-h' }, t('sv.mine.title')),
    h('p', { cls: 'meta' }, stateEl, savedEl,
      resp.submitted_at ? h('span', { id: 'sv-submittedat' }, t('sv.submittedat'), ' ', time(resp.submitted_at)) : null),
    h('p', { cls: 'sv-progressline' }, bar, ' ', countEl), progErr, phaseCounts,
    h('div', { cls: 'row sv-share' }, h('label', { cls: 'inline', for: 'sv-shared' }, shared, t('sv.share')),
      h('p', { cls: 'hint' }, t('sv.share.hint'))),
    suggestBox());
  put(main, summary);
  put(summary, h('p', { cls: 'msg', id: 'sv-resubmit', hidden: state !== 'submitted' }, t('sv.resubmit')));

  function suggestBox() {
    const sug = resp.suggested || [];
    if (!sug.length) return h('p', { cls: 'hint', id: 'sv-suggest-none' }, t('sv.suggest.none'), ' ', link('/bcp', t('nav.bcp')));
    const out = h('p', { cls: 'hint', id: 'sv-suggest-out', 'aria-live': 'polite' });
    return h('div', { cls: 'row', id: 'sv-suggest' },
      h('button', { type: 'button', cls: 'secondary', id: 'sv-suggest-use', on: { click: () => {
        let k = 0;
        for (const s of sug) {
          const it = items.get(s.item);
          if (!it || it.radios.some((r) => r.checked)) continue;
          const r = it.radios.find((x) => x.value === s.answer);
          if (r) { r.checked = true; k++; }
          if (s.evidence && !it.evidence.value) it.evidence.value = s.evidence;
          mark(it);
        }
        recount();
        out.textContent = t('sv.suggest.done', { n: k });
      } } }, t('sv.suggest', { n: sug.length })),
      h('p', { cls: 'hint' }, t('sv.suggest.hint')), out);
  }

  // the items, phase by phase
  const form = h('form', { id: 'sv-form', novalidate: true, 'aria-label': t('sv.form') });
  for (const s of sections) {
    const sec = h('section', { cls: 'sv-phase', id: 'sv-phase-' + s.phase, 'data-phase': s.phase, 'aria-labelledby': 'sv-phase-' + s.phase + '-h' },
      h('h2', { id: 'sv-phase-' + s.phase + '-h', tabindex: '-1' }, phaseLabel(s.phase)),
      h('p', { cls: 'hint' }, t('sv.phase.' + s.phase + '.about')));
    for (const grp of s.groups) {
      const gEl = h('div', { cls: 'sv-group' }, h('h3', {}, L(grp.title)));
      if (grp.bcp) gEl.appendChild(bcpAbout(grp.bcp, 'sv-bcp-' + grp.key));
      for (const it of grp.items) {
        if (!it.answerable) { gEl.appendChild(h('p', { cls: 'sv-heading sv-depth-' + it.depth }, h('span', { cls: 'id' }, it.id), ' ', L(it.title))); continue; }
        gEl.appendChild(itemEl(it, s.phase, n++));
      }
      sec.appendChild(gEl);
    }
    form.appendChild(sec);
  }
  put(main, form);

  function itemEl(it, phase, i) {
    const a = have.get(it.id) || {};
    const hid = 'sv-i' + i;
    const err = h('p', { cls: 'fielderr', id: hid + '-err', hidden: true });
    const radios = ANSWERS.map((v) => h('input', { type: 'radio', name: hid, value: v, checked: a.answer === v, 'data-answer': v }));
    const evidence = h('textarea', { id: hid + '-ev', rows: 2, maxlength: 4000, cls: 'sv-evidence' });
    evidence.value = a.evidence || '';
    const fileIn = h('input', { type: 'file', id: hid + '-file', cls: 'sv-file' });
    const files = h('ul', { cls: 'sv-files', id: hid + '-files' });
    const fileOut = h('p', { cls: 'hint', id: hid + '-fileout', 'aria-live': 'polite' });
    const clearOut = h('p', { cls: 'hint', id: hid + '-clearout', 'aria-live': 'polite' });
    const clearBtn = h('button', { type: 'button', cls: 'linklike sv-clear', id: hid + '-clear' },
      t('sv.clear'), h('span', { cls: 'vh' }, ' ' + it.id));
    for (const x of a.attachments || []) files.appendChild(fileItem(c, x, fileOut));
    const el = h('div', { cls: 'sv-item', id: hid, 'data-item': it.id, 'data-phase': phase },
      h('h4', { id: hid + '-h' }, h('span', { cls: 'id' }, it.id), ' ', L(it.title)),
      it.text ? h('details', { cls: 'sv-text' }, h('summary', {}, t('sv.guide')),
        h('p', {}, L(it.text)),
        it.annex.length ? [h('p', { cls: 'sv-annexh' }, t('sv.annex')), h('ul', { cls: 'sv-annex' }, it.annex.map((x) => h('li', {}, x)))] : null,
        it.ref ? h('p', { cls: 'hint' }, t('sv.ref', { ref: it.ref })) : null) : null,
      h('fieldset', { cls: 'sv-answer', 'aria-describedby': hid + '-err' },
        h('legend', {}, t('sv.answer'), h('span', { cls: 'vh' }, ' ' + it.id)),
        radios.map((r) => h('label', { cls: 'inline sv-choice' }, r, answerLabel(r.value))),
        h('div', { cls: 'sv-clearrow' }, clearBtn, clearOut)),
      err,
      h('div', { cls: 'row' }, h('label', { for: evidence.id }, t('sv.evidence'), h('span', { cls: 'vh' }, ' ' + it.id)), evidence),
      h('div', { cls: 'sv-attach' },
        h('label', { for: fileIn.id }, t('sv.attach'), h('span', { cls: 'vh' }, ' ' + it.id)), fileIn,
        h('p', { cls: 'hint' }, t('sv.attach.hint')), fileOut, files));
    const rec = { el, radios, evidence, err, phase, files, clearBtn };
    items.set(it.id, rec);
    for (const r of radios) r.addEventListener('change', () => { mark(rec); setItemErr(rec, ''); clearOut.textContent = ''; recount(); });
    clearBtn.addEventListener('click', () => {
      for (const r of radios) r.checked = false;
      evidence.value = '';
      mark(rec); recount();
      clearOut.textContent = t('sv.clear.done', { item: it.id });
      radios[0].focus();
    });
    fileIn.addEventListener('change', () => upload(it.id, rec, fileIn, fileOut));
    mark(rec);
    return el;
  }

  function mark(rec) {
    const r = rec.radios.find((x) => x.checked);
    rec.el.setAttribute('data-answer', r ? r.value : '');
    rec.clearBtn.hidden = !r; // nothing to take back
  }
  function setItemErr(rec, text) {
    rec.err.textContent = text || ''; rec.err.hidden = !text;
    const fs = rec.el.querySelector('fieldset');
    if (text) rec.el.classList.add('sv-invalid'); else rec.el.classList.remove('sv-invalid');
    for (const r of rec.radios) if (text) r.setAttribute('aria-invalid', 'true'); else r.removeAttribute('aria-invalid');
    if (fs) fs.setAttribute('aria-describedby', rec.err.id);
  }
  function answered() {
    let k = 0;
    const per = new Map(PHASES.map((p) => [p, [0, 0]]));
    for (const rec of items.values()) {
      const x = per.get(rec.phase);
      x[1]++;
      if (rec.radios.some((r) => r.checked)) { k++; x[0]++; }
    }
    return { k, per };
  }
  function recount() {
    const { k, per } = answered();
    countEl.textContent = t('sv.answered', { n: k, m: items.size });
    countEl.setAttribute('data-answered', String(k));
    barCount.textContent = countEl.textContent;
    bar.value = k; bar.max = items.size;
    clear(phaseCounts);
    for (const [p, [a, m]] of per) {
      if (!m) continue;
      phaseCounts.appendChild(h('li', { 'data-phase': p },
        h('button', { type: 'button', cls: 'linklike', on: { click: () => {
          const hd = document.getElementById('sv-phase-' + p + '-h');
          if (hd) { hd.scrollIntoView(); hd.focus(); }
        } } }, t('sv.phasecount', { p: phaseLabel(p), n: a, m }))));
    }
    if (k === items.size) { progErr.hidden = true; progErr.textContent = ''; }
    saveLabel();
  }

  // the bar at the bottom of the screen: save, submit
  const saveBtn = h('button', { type: 'button', cls: 'secondary', id: 'sv-save' }, t('sv.save'));
  const unsubmit = h('p', { cls: 'msg warn', id: 'sv-unsubmit', hidden: true });
  // a submitted response stays submitted when saved, unless items are
  // not answered (cleared): it is then saved as a draft (submit: false)
  function saveLabel() {
    const missing = [...items.values()].filter((rec) => !rec.radios.some((r) => r.checked)).length;
    saveBtn.textContent = state === 'submitted' && !missing ? t('sv.savechanges') : t('sv.save');
    unsubmit.textContent = t('sv.unsubmit', { n: missing });
    unsubmit.hidden = !(state === 'submitted' && missing);
  }
  recount();
  const submitBtn = h('button', { type: 'button', id: 'sv-submit' }, t('sv.submit'));
  const confirmBox = h('div', { cls: 'sv-confirm msg warn', id: 'sv-submit-confirm', hidden: true, role: 'group', 'aria-label': t('sv.submit') },
    h('p', { id: 'sv-submit-q' }), h('div', { cls: 'actions' },
      h('button', { type: 'button', id: 'sv-submit-yes', on: { click: () => save(true) } }, t('sv.submit.yes')),
      h('button', { type: 'button', cls: 'secondary', id: 'sv-submit-no', on: { click: () => { confirmBox.hidden = true; submitBtn.focus(); } } }, t('cancel'))));
  put(main, h('div', { cls: 'sv-bar', id: 'sv-bar', role: 'region', 'aria-label': t('sv.bar') },
    h('div', { cls: 'actions' }, saveBtn, submitBtn, barCount),
    unsubmit, confirmBox, status));
  saveBtn.addEventListener('click', () => save(false));
  submitBtn.addEventListener('click', () => {
    clear(status);
    const missing = [...items.values()].filter((rec) => !rec.radios.some((r) => r.checked));
    for (const rec of items.values()) setItemErr(rec, '');
    if (missing.length) {
      for (const rec of missing) setItemErr(rec, t('sv.err.unanswered'));
      progErr.textContent = t('sv.err.missing', { n: missing.length }); progErr.hidden = false;
      put(status, msg(t('sv.err.missing', { n: missing.length }), 'err'));
      missing[0].el.scrollIntoView(); missing[0].radios[0].focus();
      return;
    }
    document.getElementById('sv-submit-q').textContent = t('sv.submit.confirm', { n: items.size });
    confirmBox.hidden = false;
    document.getElementById('sv-submit-yes').focus();
  });

  let sent = [], cleared = [];
  async function save(submit) {
    clear(status);
    confirmBox.hidden = true;
    for (const rec of items.values()) setItemErr(rec, '');
    sent = [];
    cleared = [];
    let loose = 0; // evidence written for an item not answered: not kept
    for (const [item, rec] of items) {
      const r = rec.radios.find((x) => x.checked);
      if (r) sent.push({ item, answer: r.value, evidence: rec.evidence.value });
      else {
        if (stored.has(item)) cleared.push(item);
        if (rec.evidence.value.trim()) loose++;
      }
    }
    const body = { version, answers: sent, shared: shared.checked };
    if (cleared.length) body.clear = cleared;
    // without "submit" the hub keeps the state: a submitted response with
    // every item answered stays submitted; otherwise a draft
    const was = state;
    const complete = sent.length === items.size;
    if (submit) body.submit = true;
    else if (!(was === 'submitted' && complete)) body.submit = false;
    saveBtn.disabled = submitBtn.disabled = true;
    try {
      const r = await post(base + '/answers', body);
      version = r.version; state = r.state;
      stored = new Set((r.answers || []).filter((a) => a.answer).map((a) => a.item));
      saveLabel();
      clear(stateEl); put(stateEl, mineBadge(state));
      clear(savedEl); put(savedEl, t('sv.savedat'), ' ', time(r.updated_at));
      const rs = document.getElementById('sv-resubmit');
      if (rs) rs.hidden = state !== 'submitted';
      put(status, msg(submit ? t('sv.submitted') : state === 'submitted' ? t('sv.savedsub')
        : was === 'submitted' ? t('sv.unsubmitted', { n: sent.length }) : t('sv.saved', { n: sent.length }), was === 'submitted' && state !== 'submitted' ? 'warn' : 'ok'));
      if (cleared.length) put(status, msg(t('sv.cleared', { n: cleared.length }), 'ok'));
      for (const rec of items.values()) { const o = rec.el.querySelector('[id$="-clearout"]'); if (o) o.textContent = ''; }
      if (loose) put(status, msg(t('sv.loose', { n: loose }), 'warn'));
      if (submit) ctx.say(t('sv.submitted'), 'ok');
    } catch (e) {
      if (e.status === 409 && e.code === 'version_conflict') { put(status, reloadBox(ctx, t('sv.conflict'))); return; }
      // an error naming answers[i] or clear[i]: at that item
      const m = /^(answers|clear)\[(\d+)\]/.exec(e.field || '');
      const which = m ? (m[1] === 'answers' ? (sent[Number(m[2])] || {}).item : cleared[Number(m[2])]) : null;
      const rec = which ? items.get(which) : null;
      const text = errOf(e);
      if (rec) { setItemErr(rec, text); rec.el.scrollIntoView(); rec.radios[0].focus(); } else if (e.code === 'incomplete' || e.field === 'answers') {
        progErr.textContent = text; progErr.hidden = false;
      }
      put(status, msg(text, 'err'));
    } finally {
      saveBtn.disabled = submitBtn.disabled = false;
    }
  }

  async function upload(item, rec, input, out) {
    const file = input.files[0];
    if (!file) return;
    out.textContent = '';
    if (file.size > FILE_MAX) { out.textContent = t('sv.attach.toolarge', { name: hiddenText(file.name) }); input.value = ''; return; }
    out.textContent = t('sv.attach.sending', { name: hiddenText(file.name) });
    try {
      const b64 = await new Promise((res, rej) => {
        const fr = new FileReader();
        fr.onload = () => res(String(fr.result).replace(/^data:[^,]*,/, ''));
        fr.onerror = () => rej(fr.error);
        fr.readAsDataURL(file);
      });
      const x = await post(base + '/attachments', { item, name: file.name, content_type: file.type || 'application/octet-stream', content: b64 });
      rec.files.appendChild(fileItem(c, x, out));
      out.textContent = t('sv.attach.done', { name: hiddenText(x.name) });
    } catch (e) {
      out.textContent = t('sv.attach.failed', { name: hiddenText(file.name), why: errOf(e) });
    }
    input.value = '';
  }
  return null;
}

/* A file as a download link; in the answer form (out: where to say what
 * happened) with "Delete…", confirmed in the page (DELETE
 * …/attachments/{att}: the operator's own files, while open). */
function fileItem(c, x, out) {
  const li = h('li', { 'data-att': x.id },
    h('a', { href: apiUrl('/surveys/' + enc(c.id) + '/attachments/' + enc(x.id)), download: x.name }, shown(x.name)),
    ' ', h('span', { cls: 'hint' }, size(x.size)));
  if (!out) return li;
  const ask = h('button', { type: 'button', cls: 'secondary small sv-file-del', 'aria-label': t('sv.file.deletelabel', { name: hiddenText(x.name) }) }, t('sv.file.delete'));
  const yes = h('button', { type: 'button', cls: 'danger small sv-file-yes' }, t('sv.file.yes'));
  const no = h('button', { type: 'button', cls: 'secondary small sv-file-no' }, t('cancel'));
  const confirmBox = h('div', { cls: 'sv-confirm msg warn', hidden: true, role: 'group', 'aria-label': t('sv.file.deletelabel', { name: hiddenText(x.name) }) },
    h('p', {}, t('sv.file.confirm', { name: hiddenText(x.name) })), h('div', { cls: 'actions' }, yes, no));
  ask.addEventListener('click', () => { ask.hidden = true; confirmBox.hidden = false; yes.focus(); });
  no.addEventListener('click', () => { confirmBox.hidden = true; ask.hidden = false; ask.focus(); });
  yes.addEventListener('click', async () => {
    yes.disabled = true;
    try {
      await del('/surveys/' + enc(c.id) + '/attachments/' + enc(x.id));
      const list = li.parentElement;
      li.remove();
      out.textContent = t('sv.file.deleted', { name: x.name });
      const input = list && list.parentElement ? list.parentElement.querySelector('input[type=file]') : null;
      if (input) input.focus();
    } catch (e) {
      yes.disabled = false;
      out.textContent = t('sv.file.failed', { name: x.name, why: errOf(e) });
    }
  });
  return put(li, ' ', ask, confirmBox);
}

/* A characteristic of cyber attacks (CP/BCP): its point and, folded, its
 * text and considerations. */
function bcpAbout(ch, id) {
  return h('div', { cls: 'sv-bcpabout', id },
    h('p', {}, h('strong', {}, t('bcp.point')), ' ', L(ch.point)),
    h('details', { cls: 'sv-text' }, h('summary', {}, t('bcp.about')),
      h('p', {}, L(ch.text)),
      ch.considerations && ch.considerations.length ? [h('p', { cls: 'sv-annexh' }, t('bcp.considerations')),
        h('ul', {}, ch.considerations.map((x) => h('li', {}, L(x))))] : null));
}

/* ---------- answers read-only ---------- */

/* A response as tables by phase (a secretariat reading a shared member's
 * answers; an operator reading its own). */
function answersTables(g, resp, c) {
  const have = new Map(resp.answers.map((a) => [a.item, a]));
  const out = [];
  for (const s of sectionsOf(g)) {
    const rows = [];
    for (const grp of s.groups) for (const it of grp.items) if (it.answerable) rows.push(it);
    out.push(h('h3', { 'data-phase': s.phase }, phaseLabel(s.phase)));
    out.push(table([
      [t('sv.col.item'), (it) => h('span', { cls: 'id' }, it.id)],
      [t('sv.col.itemtitle'), (it) => L(it.title)],
      [t('sv.answer'), (it) => { const a = have.get(it.id); return a && a.answer ? answerLabel(a.answer) : h('span', { cls: 'empty' }, t('sv.a.none')); }],
      [t('sv.evidence'), (it) => { const a = have.get(it.id); return a && a.evidence ? h('span', { cls: 'body' }, a.evidence) : ''; }],
      [t('sv.files'), (it) => { const a = have.get(it.id); return a && a.attachments.length ? h('ul', { cls: 'sv-files' }, a.attachments.map((x) => fileItem(c, x))) : ''; }],
    ], rows, (it) => ({ 'data-item': it.id, 'data-answer': (have.get(it.id) || {}).answer || '' })));
  }
  return out;
}

/* An operator's own answers, read-only (a closed campaign, or a user who
 * may not answer), folded; read when opened. */
function ownReadOnly(c, openNow) {
  const box = h('div', { id: 'sv-own-body' });
  const d = h('details', { cls: 'card', id: 'sv-own', open: openNow || null }, h('summary', {}, t('sv.own')), box);
  let done = false;
  const load = async () => {
    if (done) return;
    done = true;
    try {
      const [g, resp] = await Promise.all([guideline(c.edition), get('/surveys/' + enc(c.id) + '/answers')]);
      put(box, h('p', { cls: 'meta' }, mineBadge(resp.state), t('sv.answered', { n: resp.items - resp.missing, m: resp.items })), answersTables(g, resp, c));
    } catch (e) { put(box, msg(errOf(e), 'err')); }
  };
  d.addEventListener('toggle', () => { if (d.open) load(); });
  if (openNow) load();
  return d;
}

/* A secretariat reads a member's shared answers (#/surveys/{id}?org=X). */
async function memberPage(main, ctx, c, org) {
  const back = h('p', {}, link('/surveys/' + enc(c.id), t('sv.members.back')));
  let resp, g;
  try {
    [resp, g] = await Promise.all([get('/surveys/' + enc(c.id) + '/answers?org=' + enc(org), { quiet: true }), guideline(c.edition)]);
  } catch (e) {
    put(main, back, msg(e.code === 'not_shared' ? t('sv.err.not_shared') : errOf(e), 'err'));
    return null;
  }
  put(main, back, h('section', { id: 'sv-member', 'data-org': org, 'aria-labelledby': 'sv-member-h' },
    h('h2', { id: 'sv-member-h' }, t('sv.member.title', { org: L(resp.name) })),
    h('p', { cls: 'meta' }, mineBadge(resp.state), h('span', { id: 'sv-member-count' }, t('sv.answered', { n: resp.items - resp.missing, m: resp.items })),
      resp.submitted_at ? [t('sv.submittedat'), ' ', time(resp.submitted_at)] : null),
    h('p', { cls: 'hint' }, t('sv.member.readonly')),
    answersTables(g, resp, c)));
  return null;
}

/* ---------- progress, reminders ---------- */

function sectorTable(p) {
  return table([
    [t('sector'), (s) => L(s.name)],
    [t('sv.col.targets'), (s) => String(s.targets), 'num'],
    [t('sv.mine.submitted'), (s) => String(s.submitted), 'num'],
    [t('sv.mine.draft'), (s) => String(s.drafts), 'num'],
    [t('sv.mine.none'), (s) => String(s.none), 'num'],
    [t('sv.col.rate'), (s) => h('span', { cls: 'sv-subrate' },
      h('progress', { max: s.targets || 1, value: s.submitted, 'aria-label': t('sv.subrate.of', { sector: L(s.name) }) }), ' ',
      s.targets ? Math.round((100 * s.submitted) / s.targets) + '%' : '—')],
  ], p.sectors, (s) => ({ 'data-sector': s.sector, 'data-submitted': s.submitted }));
}

async function staffView(main, ctx, c) {
  const sec = h('section', { id: 'sv-progress-sectors', 'aria-labelledby': 'sv-prog-h' }, h('h2', { id: 'sv-prog-h' }, t('sv.progress')));
  put(main, sec);
  const p = await get('/surveys/' + enc(c.id) + '/progress');
  put(sec, h('p', { cls: 'hint' }, t('sv.progress.hint')), sectorTable(p));
  if (isNisc(ctx)) {
    put(main, h('section', { cls: 'card', id: 'sv-nisc-actions', 'aria-labelledby': 'sv-nisc-h' },
      h('h2', { id: 'sv-nisc-h' }, t('sv.nisc.actions')),
      remindBox(ctx, c, () => null, true),
      h('h3', {}, t('sv.close')), h('p', { cls: 'hint' }, t('sv.close.hint')), closeControl(ctx, c, false)));
  }
  put(main, h('p', { cls: 'hint', id: 'sv-wait' }, t('sv.wait')));
  return null;
}

/* The reminder buttons and their result. picked(): the operators ticked
 * (null: every one not submitted). */
function remindBox(ctx, c, picked, allOnly, after) {
  const out = h('div', { id: 'sv-remind-out', 'aria-live': 'polite' });
  const send = async (orgs, btn) => {
    clear(out);
    if (orgs && !orgs.length) { put(out, msg(t('sv.remind.pick'), 'err')); return; }
    btn.disabled = true;
    try {
      const r = await post('/surveys/' + enc(c.id) + '/remind', orgs ? { orgs } : {});
      // the operators by name where the page knows them (a secretariat's
      // members); NISC's reminder to all is said in figures
      const nameOf = after && after.name;
      const why = (x) => t('sv.skip.' + x.reason, null, true) || x.reason;
      const reasons = new Map();
      for (const x of r.skipped) reasons.set(x.reason, (reasons.get(x.reason) || 0) + 1);
      put(out, h('div', { cls: 'msg ok', id: 'sv-remind-result' },
        h('p', { id: 'sv-reminded' }, t('sv.remind.done', { n: r.reminded.length, m: r.messages })),
        nameOf && r.reminded.length ? h('ul', { cls: 'sv-reminded' }, r.reminded.map((x) => h('li', { 'data-org': x.org }, nameOf(x.org)))) : null,
        r.skipped.length ? h('p', { id: 'sv-skipped' }, t('sv.remind.skipped', { n: r.skipped.length })) : null,
        nameOf && r.skipped.length ? h('ul', { cls: 'sv-skipped' }, r.skipped.map((x) => h('li', { 'data-org': x.org, 'data-reason': x.reason },
          t('sv.remind.why', { org: nameOf(x.org), why: why(x) })))) : null,
        !nameOf && r.skipped.length ? h('ul', { cls: 'sv-skipped' }, [...reasons].map(([k, n]) => h('li', { 'data-reason': k },
          t('sv.remind.whyn', { n, why: why({ reason: k }) })))) : null));
      if (after && after.done) await after.done();
    } catch (e) {
      put(out, msg(errOf(e), 'err'));
    } finally { btn.disabled = false; }
  };
  const allBtn = h('button', { type: 'button', cls: allOnly ? '' : 'secondary', id: 'sv-remind-all' }, t('sv.remind.all'));
  allBtn.addEventListener('click', () => send(null, allBtn));
  const pickBtn = allOnly ? null : h('button', { type: 'button', id: 'sv-remind-picked' }, t('sv.remind.picked'));
  if (pickBtn) pickBtn.addEventListener('click', () => send(picked(), pickBtn));
  return h('div', { cls: 'sv-remind' },
    h('p', { cls: 'hint' }, t('sv.remind.hint')),
    h('div', { cls: 'actions' }, pickBtn, allBtn), out);
}

async function secretariatView(main, ctx, c) {
  if (!isSecretariat(ctx)) { put(main, h('p', { cls: 'empty' }, t('sv.wait'))); return null; }
  const sec = h('section', { id: 'sv-members', 'aria-labelledby': 'sv-members-h' }, h('h2', { id: 'sv-members-h' }, t('sv.members')));
  const tbox = h('div', { id: 'sv-members-table' });
  const summaryEl = h('p', { id: 'sv-members-summary', cls: 'meta' });
  put(main, sec);
  let p = null;
  const names = new Map();
  const draw = async () => {
    p = await get('/surveys/' + enc(c.id) + '/progress');
    for (const m of p.members) names.set(m.org, L(m.name));
    const by = { none: 0, draft: 0, submitted: 0 };
    for (const m of p.members) by[m.state] = (by[m.state] || 0) + 1;
    summaryEl.textContent = t('sv.members.summary', { n: p.members.length, s: by.submitted, d: by.draft, z: by.none });
    clear(tbox);
    if (!p.members.length) { put(tbox, h('p', { cls: 'empty' }, t('sv.members.none'))); return; }
    put(tbox, table([
      ['', (m) => (m.state === 'submitted' ? '' : h('input', { type: 'checkbox', cls: 'sv-pick', value: m.org, 'aria-label': t('sv.pick', { org: L(m.name) }) })), null, t('sv.col.pick')],
      [t('org'), (m) => L(m.name)],
      [t('state'), (m) => mineBadge(m.state)],
      [t('sv.col.answered'), (m) => t('sv.answered', { n: m.answered, m: c.items })],
      [t('sv.col.shared'), (m) => (m.shared ? link('/surveys/' + enc(c.id) + '?org=' + enc(m.org), t('sv.viewanswers'), h('span', { cls: 'vh' }, ' ' + L(m.name))) : h('span', { cls: 'empty' }, t('sv.notshared')))],
      [t('updated'), (m) => time(m.updated_at)],
      [t('sv.col.reminded'), (m) => (m.last_reminded ? time(m.last_reminded) : h('span', { cls: 'empty' }, t('sv.never')))],
    ], p.members, (m) => ({ 'data-org': m.org, 'data-state': m.state, 'data-shared': m.shared ? '1' : '0' })));
  };
  await draw();
  put(sec, summaryEl, tbox,
    remindBox(ctx, c, () => [...tbox.querySelectorAll('input.sv-pick:checked')].map((x) => x.value), false,
      { name: (o) => names.get(o) || o, done: draw }));
  const secs = h('section', { id: 'sv-progress-sectors', 'aria-labelledby': 'sv-prog-h' }, h('h2', { id: 'sv-prog-h' }, t('sv.progress')), sectorTable(p));
  put(main, secs);
  return null;
}

/* ---------- the results ---------- */

async function resultsView(main, ctx, c) {
  const r = await get('/surveys/' + enc(c.id) + '/aggregates');
  const pub = r.groups.filter((g) => g.published);
  const hidden = r.groups.filter((g) => !g.published);
  const sec = h('section', { id: 'sv-results', 'aria-labelledby': 'sv-results-h' },
    h('h2', { id: 'sv-results-h' }, t('sv.results')),
    h('p', {}, t('sv.results.about', { n: r.min_group || MIN_GROUP, m: (r.min_group || MIN_GROUP) - 1 })),
    h('p', { cls: 'meta', id: 'sv-previous' }, r.previous ? t('sv.results.prev', { fy: r.previous.fy }) : t('sv.results.noprev')),
    h('p', { cls: 'actions', id: 'sv-downloads' },
      h('a', { cls: 'button secondary', id: 'sv-csv', href: apiUrl('/surveys/' + enc(c.id) + '/aggregates?format=csv'), download: 'survey-' + c.id + '.csv' }, t('sv.csv')),
      h('a', { cls: 'button secondary', id: 'sv-report-ja', href: apiUrl('/surveys/' + enc(c.id) + '/report?lang=ja'), target: '_blank', rel: 'noopener', hreflang: 'ja' }, t('sv.report.ja')),
      h('a', { cls: 'button secondary', id: 'sv-report-en', href: apiUrl('/surveys/' + enc(c.id) + '/report?lang=en'), target: '_blank', rel: 'noopener', hreflang: 'en' }, t('sv.report.en'))));
  put(main, sec);
  const groupName = (g) => L(g.name);
  // the table by group
  const notShown = () => h('span', { cls: 'sv-hidden' }, t('sv.notshown', { n: r.min_group || MIN_GROUP }));
  put(sec, h('h3', { id: 'sv-groups-h' }, t('sv.bygroup')), table([
    [t('sv.col.group'), (g) => (g.kind === 'sector' ? groupName(g) : h('strong', {}, groupName(g)))],
    [t('sv.col.respondents'), (g) => (g.published ? t('sv.orgs', { n: g.respondents }) : notShown()), 'num'],
    [t('sv.col.rate'), (g) => (g.published ? h('strong', { cls: 'sv-rate' }, pct(g.rate)) : ''), 'num'],
    ...PHASES.map((p) => [phaseShort(p), (g) => (g.published ? pct(g.phases[p]) : ''), 'num']),
    [t('sv.col.prev'), (g) => (g.published ? pct(g.previous_rate) : ''), 'num'],
    [t('sv.col.change'), (g) => (g.published ? change(g.change) : ''), 'num'],
  ], r.groups, (g) => ({ 'data-group': g.key, 'data-kind': g.kind, 'data-published': g.published ? '1' : '0', 'data-rate': g.published && g.rate !== null ? String(g.rate) : '' })));
  put(sec, h('p', { cls: 'hint' }, t('sv.rate.hint')));

  // the chart, drawn for the screen's width (again when that changes)
  const cbox = h('div', { id: 'sv-chartbox' });
  const mq = window.matchMedia('(max-width: 600px)');
  const draw = () => { clear(cbox); put(cbox, chart(pub, !!r.previous, mq.matches, groupName)); };
  put(sec, h('h3', { id: 'sv-chart-h' }, t('sv.chart')), cbox,
    h('ul', { cls: 'legend sv-legend' },
      h('li', {}, h('span', { cls: 'key sv-key-rate' }), t('sv.chart.rate')),
      r.previous ? h('li', {}, h('span', { cls: 'key sv-key-prev' }), t('sv.chart.prev', { fy: r.previous.fy })) : null),
    hidden.length ? h('p', { cls: 'hint', id: 'sv-chart-hidden' }, t('sv.chart.hidden', { names: hidden.map(groupName).join(lang() === 'en' ? ', ' : '、'), n: r.min_group || MIN_GROUP })) : null);
  draw();
  mq.addEventListener('change', draw);

  // the items of one group
  if (pub.length) {
    const pick = h('select', { id: 'sv-group-pick' }, pub.map((g) => h('option', { value: g.key }, groupName(g))));
    const def = pub.find((g) => g.kind === 'national') || pub[0];
    pick.value = def.key;
    const itbox = h('div', { id: 'sv-items' });
    const titles = new Map(r.items.map((x) => [x.id, x]));
    const drawItems = () => {
      const g = pub.find((x) => x.key === pick.value) || def;
      clear(itbox);
      put(itbox, table([
        [t('sv.col.item'), (x) => h('span', { cls: 'id' }, x.item)],
        [t('sv.col.itemtitle'), (x) => L((titles.get(x.item) || {}).title)],
        [t('sv.col.phase'), (x) => phaseShort((titles.get(x.item) || {}).pdca)],
        ...ANSWERS.map((a) => [answerLabel(a), (x) => String(x[a]), 'num']),
        [t('sv.col.rate'), (x) => pct(x.rate), 'num'],
        [t('sv.col.prev'), (x) => pct(x.previous_rate), 'num'],
        [t('sv.col.change'), (x) => change(x.change), 'num'],
      ], g.items, (x) => ({ 'data-item': x.item })));
    };
    pick.addEventListener('change', drawItems);
    drawItems();
    put(sec, h('h3', { id: 'sv-items-h' }, t('sv.byitem')), field(t('sv.col.group'), pick), itbox);
  }
  return () => mq.removeEventListener('change', draw);
}

/* Rates by group as horizontal bars (one row per published group, the
 * rate written at the bar's end, last year's rate a dashed mark); the
 * table above has the same figures. */
function chart(groups, withPrev, narrow, nameOf) {
  const W = narrow ? 340 : 760, lab = narrow ? 0 : 240, right = 56, row = narrow ? 44 : 30, top = 8, axisH = 22;
  const x0 = narrow ? 14 : lab + 8, x1 = W - right;
  const xs = (v) => x0 + ((x1 - x0) * Math.max(0, Math.min(100, v))) / 100;
  const H = top + groups.length * row + axisH;
  const kids = [];
  for (const v of [0, 25, 50, 75, 100]) {
    kids.push(svg('line', { x1: xs(v), y1: top, x2: xs(v), y2: H - axisH, cls: 'grid' }),
      svg('text', { x: xs(v), y: H - 6, 'text-anchor': 'middle', cls: 'tick' }, v + '%'));
  }
  groups.forEach((g, i) => {
    const y = top + i * row;
    const by = narrow ? y + 18 : y + 6, bh = narrow ? 18 : 18;
    const label = svg('text', { x: narrow ? x0 : lab, y: narrow ? y + 13 : y + 20, 'text-anchor': narrow ? 'start' : 'end', cls: 'lab' + (g.kind === 'sector' ? '' : ' strong') }, nameOf(g));
    const rate = g.rate === null ? 0 : g.rate;
    kids.push(svg('g', { cls: 'sv-bar-row sv-kind-' + g.kind, 'data-group': g.key, 'data-rate': g.rate === null ? '' : String(g.rate) },
      svg('title', {}, nameOf(g) + ': ' + pct(g.rate) + (g.previous_rate !== null && g.previous_rate !== undefined ? ' (' + t('sv.col.prev') + ' ' + pct(g.previous_rate) + ')' : '')),
      label,
      svg('rect', { x: x0, y: by, width: Math.max(0, xs(rate) - x0), height: bh, cls: 'sv-rate-bar' }),
      svg('text', { x: xs(rate) + 4, y: by + 14, cls: 'val' }, pct(g.rate)),
      withPrev && g.previous_rate !== null && g.previous_rate !== undefined
        ? svg('line', { x1: xs(g.previous_rate), y1: by - 3, x2: xs(g.previous_rate), y2: by + bh + 3, cls: 'sv-prev-mark' }) : null));
  });
  return svg('svg', { viewBox: `0 0 ${W} ${H}`, cls: 'sv-chart' + (narrow ? ' narrow' : ''), id: 'sv-chart', role: 'img', 'aria-labelledby': 'sv-chart-h sv-chart-desc' },
    svg('desc', { id: 'sv-chart-desc' }, t('sv.chart.desc', { n: groups.length })), kids);
}

/* ---------- CP/BCP readiness ---------- */

async function bcpPage(main, ctx) {
  put(main, title(t('bcp.title')), h('p', {}, t('bcp.intro')));
  if (ctx.kind() !== 'operator') { put(main, h('p', { cls: 'empty', id: 'bcp-notop' }, t('bcp.notop'))); return null; }
  let d = await get('/bcp-readiness');
  let version = d.version;
  const may = mayAnswer(ctx);
  const checks = new Map(); // check id -> {radios, note, ch}
  const meters = new Map(); // characteristic id -> {meter, text, count}
  const summary = h('p', { id: 'bcp-summary', cls: 'meta' });
  const total = h('p', { id: 'bcp-total' });
  put(main, h('section', { cls: 'card', id: 'bcp-head', 'aria-labelledby': 'bcp-head-h' },
    h('h2', { id: 'bcp-head-h' }, t('bcp.overall')), total, summary,
    h('p', { cls: 'hint' }, t('bcp.score.hint')),
    h('p', { cls: 'hint' }, t('bcp.survey.hint'), ' ', link('/surveys', t('nav.surveys')))));
  const form = h('form', { id: 'bcp-form', novalidate: true, 'aria-label': t('bcp.title') });
  d.characteristics.forEach((ch, i) => {
    const bar = h('meter', { min: 0, max: 100, low: 50, high: 80, optimum: 100, value: 0, id: 'bcp-meter-' + ch.id, 'aria-labelledby': 'bcp-' + ch.id + '-h bcp-' + ch.id + '-score' });
    const text = h('span', { id: 'bcp-' + ch.id + '-score', cls: 'bcp-score' });
    meters.set(ch.id, { bar, text });
    const sec = h('section', { cls: 'card bcp-char', id: 'bcp-' + ch.id, 'data-char': ch.id, 'aria-labelledby': 'bcp-' + ch.id + '-h' },
      h('h2', { id: 'bcp-' + ch.id + '-h' }, t('bcp.char', { n: i + 1, title: L(ch.title) })),
      h('p', { cls: 'bcp-readiness' }, h('span', {}, t('bcp.readiness')), ' ', bar, ' ', text),
      h('p', {}, h('strong', {}, t('bcp.point')), ' ', L(ch.point)),
      ch.considerations.length ? [h('h3', {}, t('bcp.considerations')), h('ul', {}, ch.considerations.map((x) => h('li', {}, L(x))))] : null,
      ch.preparations.length ? h('details', { cls: 'sv-text bcp-prep' }, h('summary', {}, t('bcp.preparations', { n: ch.preparations.length })),
        h('ul', {}, ch.preparations.map((x) => h('li', {}, L(x))))) : null,
      h('h3', {}, t('bcp.checks')),
      ch.checks.map((k) => checkEl(ch, k)));
    form.appendChild(sec);
  });
  function checkEl(ch, k) {
    const hid = 'bcp-c-' + k.id.replace(/[^A-Za-z0-9_-]/g, '_');
    const radios = ANSWERS.map((v) => h('input', { type: 'radio', name: hid, value: v, checked: k.answer === v, disabled: !may, 'data-answer': v }));
    const note = h('input', { type: 'text', id: hid + '-note', maxlength: 2000, disabled: !may, cls: 'bcp-note' });
    note.value = k.note || '';
    checks.set(k.id, { radios, note, ch: ch.id });
    return h('div', { cls: 'sv-item bcp-check', id: hid, 'data-check': k.id, 'data-answer': k.answer || '' },
      h('fieldset', { cls: 'sv-answer' }, h('legend', {}, h('span', { cls: 'id' }, k.id), ' ', L(k.text)),
        radios.map((r) => h('label', { cls: 'inline sv-choice' }, r, answerLabel(r.value)))),
      h('div', { cls: 'row' }, h('label', { for: note.id }, t('bcp.note'), h('span', { cls: 'vh' }, ' ' + k.id)), note));
  }
  put(main, form);
  const draw = (x) => {
    let a = 0, n = 0;
    for (const ch of x.characteristics) {
      const m = meters.get(ch.id);
      if (!m) continue;
      m.bar.value = ch.readiness === null ? 0 : ch.readiness;
      m.text.textContent = ch.readiness === null ? t('bcp.noscore', { a: ch.answered, n: ch.total }) : t('bcp.score', { r: ch.readiness, a: ch.answered, n: ch.total });
      m.bar.closest('section').setAttribute('data-readiness', ch.readiness === null ? '' : String(ch.readiness));
      a += ch.answered; n += ch.total;
    }
    // the overall readiness as the hub computes it
    const all = x.readiness === undefined ? null : x.readiness;
    total.textContent = all === null ? t('bcp.total.none') : t('bcp.total', { r: all });
    total.setAttribute('data-readiness', all === null ? '' : String(all));
    summary.textContent = t('bcp.answered', { a, n });
  };
  draw(d);
  const out = h('div', { id: 'bcp-out', 'aria-live': 'polite' });
  const save = h('button', { type: 'button', id: 'bcp-save', disabled: !may }, t('bcp.save'));
  put(main, h('div', { cls: 'sv-bar', id: 'bcp-bar', role: 'region', 'aria-label': t('sv.bar') },
    h('div', { cls: 'actions' }, save, may ? null : h('span', { cls: 'hint' }, t('bcp.readonly'))), out));
  form.addEventListener('change', (ev) => {
    const item = ev.target.closest('.bcp-check');
    if (item && ev.target.type === 'radio') item.setAttribute('data-answer', ev.target.value);
  });
  save.addEventListener('click', async () => {
    clear(out);
    const answers = [];
    for (const [check, k] of checks) {
      const r = k.radios.find((x) => x.checked);
      if (r) answers.push({ check, answer: r.value, note: k.note.value });
    }
    save.disabled = true;
    try {
      d = await apiPut('/bcp-readiness', { version, answers });
      version = d.version;
      draw(d);
      put(out, msg(t('bcp.saved', { n: answers.length }), 'ok'));
    } catch (e) {
      if (e.status === 409 && e.code === 'version_conflict') put(out, reloadBox(ctx, t('bcp.conflict')));
      else put(out, msg(errOf(e), 'err'));
    } finally { save.disabled = false; }
  });
  return null;
}

/* The home page's summary of an operator's CP/BCP readiness
 * (page-home.js loads this module for operators only): answered checks
 * and each characteristic's readiness, linking to #/bcp. Nothing when it
 * cannot be read. */
export async function bcpSummary() {
  let d;
  try { [d] = await Promise.all([get('/bcp-readiness'), styles()]); } catch (e) { return null; }
  const score = (ch) => (ch.readiness === null ? t('bcp.noscore', { a: ch.answered, n: ch.total }) : t('bcp.score', { r: ch.readiness, a: ch.answered, n: ch.total }));
  return h('section', { id: 'home-bcp', 'aria-labelledby': 'home-bcp-h' },
    h('h2', { id: 'home-bcp-h' }, t('bcp.title')),
    h('p', { id: 'home-bcp-answered' }, t('bcp.answered', { a: d.answered, n: d.total }), ' ', link('/bcp', t('bcp.open'))),
    h('p', { id: 'home-bcp-total', 'data-readiness': d.readiness === null || d.readiness === undefined ? '' : String(d.readiness) },
      d.readiness === null || d.readiness === undefined ? t('bcp.total.none') : t('bcp.total', { r: d.readiness })),
    h('ul', { cls: 'bcp-mini' }, d.characteristics.map((ch, i) => {
      const name = t('bcp.char', { n: i + 1, title: L(ch.title) });
      return h('li', { 'data-char': ch.id, 'data-readiness': ch.readiness === null ? '' : String(ch.readiness) },
        h('span', { cls: 'bcp-mini-name' }, name),
        h('meter', { min: 0, max: 100, low: 50, high: 80, optimum: 100, value: ch.readiness || 0, 'aria-label': name }),
        h('span', {}, score(ch)));
    })));
}
