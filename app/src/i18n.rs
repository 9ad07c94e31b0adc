//! The UI's words, Japanese first, English second. Every string a person
//! reads comes from here; components never hard-code text.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    Ja,
    En,
}

impl Lang {
    pub const COOKIE: &'static str = "yorisoi_lang";

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// The language named in a `Cookie:` header value (Japanese by default).
    pub fn from_cookie_header(header: &str) -> Lang {
        let wanted = format!("{}=en", Lang::COOKIE);
        if header.split(';').any(|c| c.trim() == wanted) {
            Lang::En
        } else {
            Lang::Ja
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Ja => Lang::En,
            Lang::En => Lang::Ja,
        }
    }
}

macro_rules! catalogue {
    ($($key:literal => $ja:literal, $en:literal;)*) => {
        fn lookup(lang: Lang, key: &str) -> Option<&'static str> {
            Some(match (key, lang) {
                $(($key, Lang::Ja) => $ja, ($key, Lang::En) => $en,)*
                _ => return None,
            })
        }
        #[cfg(test)]
        const ENTRIES: &[(&str, &str, &str)] = &[$(($key, $ja, $en)),*];
    };
}

/// The text for `key`; a missing key shows itself so it is noticed.
pub fn t(lang: Lang, key: &str) -> String {
    lookup(lang, key).map(str::to_string).unwrap_or_else(|| key.to_string())
}

/// The text for `key` with `{n}` replaced.
pub fn t_n(lang: Lang, key: &str, n: i64) -> String {
    t(lang, key).replace("{n}", &n.to_string())
}

catalogue! {
    "app.name" => "Yorisoi", "Yorisoi";
    "app.tagline" => "クリニックのLINE公式アカウント運用コンソール", "The LINE Official Account console for clinics";
    "lang.switch" => "English", "日本語";
    "common.loading" => "読み込み中…", "Loading…";
    "common.save" => "保存", "Save";
    "common.cancel" => "キャンセル", "Cancel";
    "common.csv" => "CSVで保存", "Save as CSV";
    "report.title" => "効果", "Results";
    "bc.tracked_links_n" => "リンク{n}件は、お一人ずつのクリック計測用の短いリンク（患者さんの情報は含みません）にして送ります。そのため一人ずつの送信になり、大人数では少し時間がかかります（通数は同じです）。", "The {n} link(s) go out as each recipient's own short tracking link (no patient data in it), so the send goes one by one and takes a little longer for many people (the same number of messages).";
    "report.opened" => "開封した人（LINEの集計）", "Opened (LINE's count)";
    "report.opened_later" => "集計待ち（LINEの集計は送信の翌日ごろに出ます）", "Waiting (LINE's figures come about a day after sending)";
    "report.under_20" => "20人未満（LINEは少ない人数を公表しません）", "Under 20 (LINE does not give small numbers)";
    "report.people_n" => "{n}人", "{n}";
    "report.reached" => "届いた人", "Reached";
    "report.clickers" => "リンクを開いた人", "Opened a link";
    "report.rate" => "クリック率", "Click rate";
    "report.no_links" => "リンクを含む配信では、リンクごとに開いた人数がここに表示されます。", "For a send with links, each link's clicks are shown here.";
    "report.links_help" => "リンクは一人ずつ専用の短いリンク（患者さんの情報は含みません）にして送り、開かれた回数を数えています。", "Each link is sent as the recipient's own short link (no patient data in it), so every click is counted.";
    "report.col_link" => "リンク", "Link";
    "report.col_clicks" => "クリック数", "Clicks";
    "report.col_clickers" => "開いた人", "People";
    "report.col_rate" => "クリック率", "Click rate";
    "common.saved" => "保存しました。", "Saved.";
    "common.yes" => "はい", "Yes";
    "common.back_home" => "ダッシュボードへ戻る", "Back to the dashboard";
    "common.error_title" => "問題が発生しました", "Something went wrong";
    "common.retry" => "再読み込み", "Reload";

    "nav.dashboard" => "ダッシュボード", "Dashboard";
    "nav.friends" => "友だち", "Friends";
    "nav.tags" => "タグ", "Tags";
    "nav.segments" => "セグメント", "Segments";
    "nav.broadcasts" => "配信", "Broadcasts";
    "nav.sequences" => "ステップ配信", "Step sequences";
    "nav.richmenus" => "リッチメニュー", "Rich menus";
    "nav.staff_channels" => "職員連絡", "Staff channels";
    "nav.analytics" => "分析", "Analytics";
    "nav.settings" => "設定", "Settings";
    "nav.sandbox" => "サンドボックス電話", "Sandbox phone";
    "shell.sandbox_banner" => "サンドボックス：LINEには送信されません（練習・デモ用）", "Sandbox: nothing is sent to LINE (for practice and demos)";

    "friends.title" => "友だち", "Friends";
    "friends.search" => "表示名・フリガナ・診察券番号で検索", "Search by name, kana or patient number";
    "friends.status" => "状態", "Status";
    "friends.status_all" => "すべて", "All";
    "friends.status_active" => "友だち", "Friend";
    "friends.status_blocked" => "ブロック", "Blocked";
    "friends.followed_from" => "友だち追加日（から）", "Added from";
    "friends.followed_until" => "友だち追加日（まで）", "Added until";
    "friends.apply" => "絞り込む", "Filter";
    "friends.clear" => "条件をクリア", "Clear";
    "friends.name" => "表示名", "Display name";
    "friends.followed" => "友だち追加日", "Added";
    "friends.next" => "次の50人", "Next 50";
    "friends.first" => "最初のページへ", "First page";
    "friends.empty" => "友だちはまだいません。LINEで友だち追加されるとここに表示されます。", "No friends yet. People appear here when they add the clinic on LINE.";
    "friends.no_match" => "条件に合う友だちはいません。", "No friends match.";
    "friends.no_name" => "（名前を取得中）", "(fetching name)";
    "friends.no_name_blocked" => "（ブロック中のため名前を取得できません）", "(blocked: LINE gives no name)";
    "friend.back" => "友だち一覧へ戻る", "Back to friends";
    "friend.blocked_at" => "ブロックした日時", "Blocked";
    "friend.unblocked_at" => "ブロック解除の日時", "Unblocked";
    "friend.timeline" => "タイムライン", "Timeline";
    "friend.timeline_empty" => "まだ記録はありません。", "Nothing recorded yet.";
    "friends.patient_number" => "診察券番号", "Patient no.";
    "friends.csv" => "CSV（診察券番号など）", "CSV (patient numbers etc.)";
    "friends.export" => "CSVを書き出す", "Export CSV";
    "friends.import" => "CSVを取り込む", "Import CSV";
    "patient.title" => "患者情報", "Patient details";
    "patient.number" => "診察券番号", "Patient number";
    "patient.number_help" => "半角英数字とハイフン、20文字まで", "Letters, digits and hyphens, up to 20";
    "patient.kana" => "フリガナ", "Name (kana)";
    "patient.kana_help" => "カタカナ（ひらがなは自動でカタカナになります）", "Katakana (hiragana is converted)";
    "patient.birth_date" => "生年月日", "Date of birth";
    "patient.age" => "{n}歳", "{n} years";
    "patient.sex" => "性別", "Sex";
    "patient.sex_unset" => "未設定", "Not set";
    "patient.sex_female" => "女性", "Female";
    "patient.sex_male" => "男性", "Male";
    "patient.sex_other" => "その他", "Other";
    "patient.not_set" => "未登録", "Not recorded";
    "patient.save" => "患者情報を保存", "Save patient details";
    "patient.saved" => "患者情報を保存しました。", "Patient details saved.";
    "patient.memo" => "スタッフメモ", "Staff memo";
    "patient.memo_help" => "スタッフだけが見られます（2000文字まで）。患者さんには送られません。", "Only staff can see this (up to 2,000 characters). Never sent to the patient.";
    "patient.memo_save" => "メモを保存", "Save memo";
    "patient.memo_saved" => "メモを保存しました。", "Memo saved.";
    "patient.memo_empty" => "メモはありません。", "No memo.";
    "patient.number_invalid" => "診察券番号は半角英数字とハイフン（20文字まで）で入力してください。", "Use letters, digits and hyphens (up to 20) for the patient number.";
    "patient.kana_invalid" => "フリガナはカタカナで入力してください（60文字まで）。", "Enter the name in katakana (up to 60 characters).";
    "patient.date_invalid" => "生年月日が正しい日付ではありません（例: 1985/04/01）。", "The date of birth is not a valid date (e.g. 1985/04/01).";
    "patient.date_in_future" => "生年月日が今日より後になっています。", "The date of birth is after today.";
    "patient.sex_invalid" => "性別は「女性」「男性」「その他」のいずれかにしてください。", "Sex must be female, male or other.";
    "patient.memo_too_long" => "メモは2000文字以内にしてください。", "The memo must be at most 2,000 characters.";
    "patient.number_taken" => "この診察券番号は別の友だちで使われています。", "This patient number belongs to another friend.";
    "patient.number_repeated" => "同じ診察券番号がファイル内で重複しています。", "The same patient number appears twice in the file.";
    "patient.key_missing" => "友だちID・LINEユーザーID・診察券番号のどれも入っていません。", "The row has no friend ID, LINE user ID or patient number.";
    "patient.line_user_id_invalid" => "LINEユーザーIDの形式が正しくありません（Uと32文字の英数字）。", "The LINE user ID is not valid (U and 32 letters and digits).";
    "patient.friend_repeated" => "同じ友だちがファイル内で2回指定されています（括弧内は最初の行）。", "The same friend is named twice in the file (the first line in brackets).";
    "patient.friend_unknown" => "この友だちはこのクリニックに見つかりません。", "No such friend in this clinic.";
    "import.title" => "患者情報のCSV取り込み", "Import patient details from CSV";
    "import.intro" => "「CSVを書き出す」で作ったファイルを編集して取り込めます。友だちID・LINEユーザーID・診察券番号のいずれかで照合し、ファイルにある列（診察券番号・フリガナ・生年月日・性別）だけを更新します。空欄はその項目を消去します。", "Edit a file made with “Export CSV” and import it. Rows are matched by friend ID, LINE user ID or patient number; only the columns in the file (patient number, kana, date of birth, sex) are updated. An empty cell clears that field.";
    "import.encoding" => "Excelで保存したCSV（Shift_JIS）とUTF-8のどちらでも読み込めます。", "CSV saved by Excel (Shift_JIS) and UTF-8 both work.";
    "import.file" => "CSVファイル", "CSV file";
    "import.check" => "内容を確認する", "Check the file";
    "import.checking" => "確認しています…", "Checking…";
    "import.apply" => "問題のない{n}行を取り込む", "Import the {n} good rows";
    "import.cancel" => "やり直す", "Start over";
    "import.summary" => "取り込める行: {n}", "Rows ready: {n}";
    "import.problems" => "問題のある行（取り込まれません）", "Rows with problems (not imported)";
    "import.no_problems" => "問題のある行はありません。", "No rows have problems.";
    "import.line" => "行", "Line";
    "import.column" => "列", "Column";
    "import.problem" => "内容", "Problem";
    "import.value" => "値", "Value";
    "import.done" => "{n}行を取り込みました。問題のあった行は変更していません。", "Imported {n} rows. Rows with problems were not changed.";
    "import.not_read" => "ファイルを読み込めませんでした。", "The file could not be read.";
    "import.choose" => "ファイルを選んでください。", "Please choose a file.";
    "event.follow" => "友だち追加", "Added as friend";
    "event.unblock" => "ブロック解除", "Unblocked";
    "event.block" => "ブロック", "Blocked";
    "event.message_in" => "受信メッセージ", "Message received";
    "event.postback" => "ボタン操作", "Button tapped";
    "event.account_link" => "アカウント連携", "Account link";
    "event.nontext" => "（テキスト以外のメッセージ）", "(a non-text message)";

    "phone.title" => "サンドボックス電話", "Sandbox phone";
    "phone.help" => "シミュレーション上の患者さんになって、クリニックのLINEを操作できます。実際のLINEには何も送信されません。", "Act as a simulated patient on the clinic's LINE. Nothing is sent to real LINE.";
    "phone.person" => "操作する人", "Person";
    "phone.choose" => "人を選んでください", "Choose a person";
    "phone.new_person" => "新しい人を追加", "Add a new person";
    "phone.new_name" => "表示名（20文字まで）", "Display name (up to 20 characters)";
    "phone.add" => "追加", "Add";
    "phone.follow" => "友だち追加", "Add friend";
    "phone.unblock" => "ブロック解除", "Unblock";
    "phone.block" => "ブロック", "Block";
    "phone.status_none" => "未登録", "Not a friend";
    "phone.write" => "メッセージを入力", "Type a message";
    "phone.send" => "送信", "Send";
    "phone.sent" => "送信しました。", "Sent.";
    "phone.chat_empty" => "クリニックからのメッセージはまだありません。", "No messages from the clinic yet.";
    "phone.not_friend" => "友だち追加するとメッセージを送れます。", "Add the clinic as a friend to send messages.";
    "phone.read" => "既読 ", "Read ";
    "phone.image" => "画像", "Image";
    "phone.sticker" => "スタンプ", "Sticker";
    "phone.carousel" => "カルーセル（横にスクロールできます）", "Carousel (scrolls sideways)";
    "phone.quick_replies" => "クイックリプライ", "Quick replies";
    "nav.menu" => "メニュー", "Menu";
    "nav.main" => "メインナビゲーション", "Main navigation";

    "shell.clinic" => "クリニック", "Clinic";
    "shell.switch_clinic" => "切り替え", "Switch";
    "shell.logout" => "ログアウト", "Log out";
    "shell.skip" => "本文へスキップ", "Skip to content";

    "role.owner" => "オーナー", "Owner";
    "role.admin" => "管理者", "Admin";
    "role.marketer" => "マーケター", "Marketer";
    "role.staff" => "スタッフ", "Staff";
    "role.viewer" => "閲覧者", "Viewer";

    "login.title" => "ログイン", "Log in";
    "login.email" => "メールアドレス", "E-mail address";
    "login.password" => "パスワード", "Password";
    "login.submit" => "ログイン", "Log in";
    "login.submitting" => "確認中…", "Checking…";
    "login.totp_title" => "確認コードの入力", "Enter your verification code";
    "login.totp_help" => "認証アプリに表示されている6桁のコードを入力してください。", "Enter the 6-digit code shown in your authenticator app.";
    "login.totp_code" => "確認コード", "Verification code";
    "login.totp_submit" => "確認", "Verify";
    "login.enrol_title" => "二段階認証の設定が必要です", "Two-step verification is required";
    "login.enrol_help" => "組織の方針により、二段階認証を設定してからご利用いただけます。", "Your organization requires two-step verification before you continue.";
    "login.back" => "ログイン画面に戻る", "Back to login";

    "dash.title" => "ダッシュボード", "Dashboard";
    "dash.welcome" => "ようこそ、{name}さん", "Welcome, {name}";
    "dash.role" => "このクリニックでの役割", "Your role in this clinic";
    "dash.friends" => "{month}の友だち", "Friends in {month}";
    "dash.followed" => "新しい友だち", "New friends";
    "dash.unblocked" => "ブロック解除", "Unblocked";
    "dash.blocked" => "ブロック", "Blocked";
    "dash.net" => "増減", "Net change";
    "dash.following" => "いまの友だち", "Friends now";
    "dash.to_friends" => "友だち一覧へ", "Go to friends";
    "dash.sends" => "最近の配信", "Recent sends";
    "dash.no_sends" => "まだ配信はありません。", "No sends yet.";
    "dash.to_sends" => "配信へ", "Go to sends";
    "dash.sequences" => "ステップ配信", "Sequences";
    "dash.enrolled" => "進行中の人", "People in a sequence";
    "dash.steps_today" => "今日送ったステップ・リマインド", "Steps and reminders sent today";
    "dash.to_sequences" => "ステップ配信へ", "Go to sequences";
    "dash.approval" => "承認待ちの配信", "Sends awaiting approval";
    "dash.approval_n" => "{n}件", "{n}";
    "dash.automations" => "自動アクションの失敗（7日間）", "Automation failures (7 days)";
    "dash.failed_n" => "{n}件", "{n}";
    "dash.to_automations" => "自動アクションへ", "Go to automations";
    "dash.chart_day" => "{day}日 追加{gained}人・ブロック{blocked}人", "day {day}: {gained} gained, {blocked} blocked";
    "dash.chart_none" => "今月はまだ友だちの増減がありません", "No friends gained or lost this month yet";
    "dash.chart_legend" => "日ごとの友だち追加（上・緑）とブロック（下・赤）", "Friends gained (up, green) and blocked (down, red) each day";

    "an.intro" => "友だちがどこから来たかを測ります。配信ごとのクリックは各配信のページに、月のまとめはダッシュボードにあります。", "Where friends come from. Each send's clicks are on its own page; the month at a glance is on the dashboard.";
    "route.title" => "流入経路", "Inflow routes";
    "route.intro" => "受付のポスター、ホームページ、会計で渡すチラシなど、場所ごとにURLとQRコードを作ります。その経路から友だち追加した方を数え、経路ごとのあいさつを送ります。", "One URL and QR code per place (the reception poster, the website, the leaflet at checkout). Friends added through it are counted, and greeted by the route's own message.";
    "route.empty" => "まだ流入経路はありません。最初の経路（例：受付ポスター）を作りましょう。", "No routes yet. Make the first (e.g. the reception poster).";
    "route.name" => "経路の名前", "Route name";
    "route.name_placeholder" => "例：受付ポスター", "e.g. Reception poster";
    "route.create" => "経路を作る", "Create route";
    "route.qr" => "QRコード", "QR code";
    "route.friends" => "友だち", "Friends";
    "route.blocked" => "ブロック", "Blocked";
    "route.retention" => "継続率", "Still following";
    "route.under_20" => "20人から表示", "Shown from 20";
    "route.rates_help" => "友だちが20人未満の経路は、人数だけを表示します（少ない人数の割合は誤解を招くため）。", "Routes with fewer than 20 friends show counts only (a rate of a few people misleads).";
    "route.greeting" => "あいさつ", "Greeting";
    "route.greeting_on" => "経路専用", "The route's own";
    "route.greeting_off" => "通常のあいさつ", "The usual one";
    "route.edit_greeting" => "自動アクションで編集", "Edit in automations";
    "landing.title" => "友だち追加", "Add as a friend";
    "error.open_in_line" => "このページはLINEアプリで開いてください（LINEのQRコードリーダーで読み取ると開きます）。", "Please open this page in the LINE app (read the QR code with LINE's reader).";
    "landing.invite" => "LINEで友だち追加すると、ご予約やお知らせをLINEでお受け取りいただけます。", "Add us as a friend on LINE to receive booking reminders and news.";
    "landing.add" => "友だち追加", "Add friend";
    "landing.done" => "友だち追加しました。LINEのトーク画面に戻ってください。", "Added. Please go back to the LINE chat.";
    "landing.already" => "すでに友だちです。LINEのトーク画面からご利用ください。", "You are already a friend. Please use the LINE chat.";
    "phone.route" => "流入経路から追加", "Add through a route";
    "phone.route_open" => "経路のページを開く", "Open the route's page";

    "settings.title" => "設定", "Settings";
    "settings.account" => "アカウント", "Account";
    "settings.staff" => "スタッフ", "Staff";
    "settings.audit" => "監査ログ", "Audit log";
    "settings.security" => "セキュリティ", "Security";
    "settings.line" => "LINE連携", "LINE channel";

    "channel.title" => "LINE連携", "LINE channel";
    "channel.mode" => "接続先", "Connected to";
    "channel.mode_sandbox" => "サンドボックス（練習・デモ用。LINEには送信しません）", "Sandbox (practice and demos; nothing goes to LINE)";
    "channel.mode_line" => "LINE公式アカウント（本番）", "LINE Official Account (live)";
    "channel.channel_id" => "チャネルID", "Channel ID";
    "channel.secret" => "チャネルシークレット", "Channel secret";
    "channel.token" => "チャネルアクセストークン（長期）", "Channel access token (long-lived)";
    "channel.keep" => "保存済み（変更するときだけ入力）", "Saved (enter only to change it)";
    "channel.secret_help" => "LINE Developersコンソールの「チャネル基本設定」「Messaging API設定」からコピーしてください。保存後は表示されません。", "Copy them from the LINE Developers console (Basic settings, Messaging API). They are never shown again after saving.";
    "channel.webhook" => "Webhook URL（LINE Developersコンソールに貼り付けてください）", "Webhook URL (paste it into the LINE Developers console)";
    "channel.save" => "保存", "Save";
    "channel.saved" => "保存しました。", "Saved.";
    "channel.test" => "接続テスト", "Test connection";
    "channel.test_ok" => "接続できました：{name}（今月の送信数 {used} 通／上限 {quota}）", "Connected: {name} ({used} messages sent this month, limit {quota})";
    "channel.unlimited" => "なし", "none";

    "pw.title" => "パスワードの変更", "Change password";
    "pw.current" => "現在のパスワード", "Current password";
    "pw.new" => "新しいパスワード", "New password";
    "pw.confirm" => "新しいパスワード（確認）", "New password (again)";
    "pw.help" => "10文字以上。長い文やフレーズがおすすめです。", "At least 10 characters. A long phrase works best.";
    "pw.changed" => "パスワードを変更しました。他の端末からはログアウトされました。", "Password changed. Other devices have been signed out.";

    "totp.title" => "二段階認証（TOTP）", "Two-step verification (TOTP)";
    "totp.on" => "有効", "On";
    "totp.off" => "無効", "Off";
    "totp.status" => "状態", "Status";
    "totp.start" => "設定を始める", "Set up";
    "totp.scan" => "認証アプリ（Google Authenticator など）でQRコードを読み取るか、次のキーを入力してください。", "Scan the QR code with an authenticator app (such as Google Authenticator), or type this key:";
    "totp.secret" => "セットアップキー", "Setup key";
    "totp.confirm" => "表示された6桁のコードで確認", "Confirm with the 6-digit code";
    "totp.enabled" => "二段階認証を有効にしました。次回のログインから確認コードが必要です。", "Two-step verification is on. You will be asked for a code at your next login.";
    "totp.disable" => "無効にする", "Turn off";
    "totp.disable_help" => "無効にするには現在のパスワードを入力してください。", "Enter your current password to turn it off.";
    "totp.disabled" => "二段階認証を無効にしました。", "Two-step verification is off.";

    "staff.title" => "スタッフ管理", "Staff";
    "staff.name" => "氏名", "Name";
    "staff.email" => "メールアドレス", "E-mail";
    "staff.role" => "役割", "Role";
    "staff.state" => "状態", "State";
    "staff.active" => "有効", "Active";
    "staff.disabled" => "無効", "Disabled";
    "staff.invited" => "招待中", "Invited";
    "staff.you" => "あなた", "You";
    "staff.change_role" => "役割を変更", "Change role";
    "staff.disable" => "無効にする", "Disable";
    "staff.enable" => "有効にする", "Enable";
    "staff.confirm_disable" => "{name}さんを無効にしますか？ すぐにログアウトされ、再び有効にするまでログインできません。", "Disable {name}? They are signed out at once and cannot log in until enabled again.";
    "staff.invite" => "スタッフを招待", "Invite staff";
    "staff.invite_submit" => "招待リンクを作成", "Create invitation link";
    "staff.invite_link" => "招待リンクを作成しました。ご本人に渡してください（7日間有効・1回限り）：", "Invitation link created. Give it to the person (valid 7 days, once):";
    "staff.added" => "既存のアカウントをこのクリニックに追加しました。", "The existing account was added to this clinic.";
    "staff.empty" => "スタッフがまだいません。", "No staff yet.";
    "staff.totp" => "二段階認証", "2-step";

    "audit.title" => "監査ログ", "Audit log";
    "audit.at" => "日時", "When";
    "audit.actor" => "操作した人", "Who";
    "audit.action" => "操作", "Action";
    "audit.target" => "対象", "Target";
    "audit.detail" => "詳細", "Detail";
    "audit.ip" => "IPアドレス", "IP address";
    "audit.filter" => "種類で絞り込み", "Filter by kind";
    "audit.all" => "すべて", "All";
    "audit.logins" => "ログイン", "Logins";
    "audit.staff" => "スタッフ・役割", "Staff and roles";
    "audit.settings" => "設定変更", "Settings";
    "audit.more" => "さらに表示", "Show more";
    "audit.empty" => "該当する記録はありません。", "No entries match.";
    "audit.chain" => "記録は改ざん検知のためハッシュチェーンで連結されています（yorisoi audit verify で検証）。", "Entries are hash-chained so tampering is detectable (check with yorisoi audit verify).";

    "security.title" => "セキュリティ方針", "Security policy";
    "security.require_totp" => "全スタッフに二段階認証を必須にする", "Require two-step verification for all staff";
    "security.require_totp_help" => "未設定のスタッフは次回ログイン時に設定を求められます。", "Staff without it are asked to set it up at their next login.";

    "invite.title" => "アカウントの有効化", "Activate your account";
    "invite.help" => "{email} のパスワードを設定してください。", "Choose a password for {email}.";
    "invite.join_help" => "「{clinic}」のスタッフとして招待されています。{email} の現在のパスワードを入力すると参加します。", "You are invited to join 「{clinic}」 as staff. Enter the current password of {email} to join.";
    "invite.join_submit" => "参加する", "Join";
    "invite.submit" => "パスワードを設定してログインへ", "Set password and continue";
    "invite.done" => "パスワードを設定しました。ログインしてください。", "Your password is set. Please log in.";

    "error.not_signed_in" => "ログインしてください。", "Please log in.";
    "error.invalid_credentials" => "メールアドレスまたはパスワードが正しくありません。", "The e-mail address or password is not correct.";
    "error.throttled" => "ログインの失敗が続いたため、一時的にロックしています。{n}秒後にもう一度お試しください。", "Too many failed attempts. Please try again in {n} seconds.";
    "error.account_disabled" => "このアカウントは無効になっています。管理者にお問い合わせください。", "This account is disabled. Please contact your administrator.";
    "error.totp_proof_required" => "二段階認証を設定し直すには、パスワードか認証アプリの現在のコードを入力してください。", "To set up the second factor again, enter your password or a current code from your authenticator app.";
    "error.invalid_totp" => "確認コードが正しくないか、すでに使われています。", "The code is wrong or has already been used.";
    "error.totp_required_by_policy" => "組織の方針で二段階認証が必須のため、無効にできません。", "Your organization requires two-step verification; it cannot be turned off.";
    "error.totp_enrolment_required" => "先に二段階認証を設定してください。", "Please set up two-step verification first.";
    "error.forbidden" => "この操作を行う権限がありません。", "You do not have permission to do this.";
    "error.forbidden_page" => "このページを表示する権限がありません。必要な場合は管理者にお問い合わせください。", "You do not have permission to view this page. Ask your administrator if you need it.";
    "error.not_found" => "見つかりません。", "Not found.";
    "error.password_too_short" => "パスワードは10文字以上にしてください。", "The password must be at least 10 characters.";
    "error.password_too_long" => "パスワードは128文字以内にしてください。", "The password must be at most 128 characters.";
    "error.password_mismatch" => "確認用のパスワードが一致しません。", "The two new passwords do not match.";
    "error.wrong_current_password" => "現在のパスワードが正しくありません。", "The current password is not correct.";
    "error.email_taken" => "このメールアドレスはすでに使われています。", "This e-mail address is already in use.";
    "error.invalid_email" => "メールアドレスの形式が正しくありません。", "The e-mail address is not valid.";
    "error.name_required" => "氏名を入力してください。", "Please enter a name.";
    "error.invalid_invitation" => "招待リンクが無効か、期限切れか、すでに使われています。管理者に新しいリンクを依頼してください。", "The invitation link is invalid, expired or already used. Ask your administrator for a new one.";
    "error.last_owner" => "クリニックにはオーナーが最低1人必要です。", "A clinic needs at least one owner.";
    "error.self_change" => "自分自身の役割や状態は変更できません。", "You cannot change your own role or state.";
    "error.invalid_role" => "役割の指定が正しくありません。", "That role is not valid.";
    "error.appointment_cancelled" => "この予約はキャンセル済みです。新しく予約を取ってください。", "This appointment was cancelled. Please make a new booking.";
    "error.appointment_visited" => "この予約は来院済みのため、変更できません。", "This appointment was already visited and cannot be changed.";
    "error.appointment_in_the_past" => "予約の時刻を過ぎているため、変更・キャンセルできません。クリニックへお電話ください。", "The appointment time has passed; it can no longer be changed or cancelled. Please call the clinic.";
    "error.appointment_not_begun" => "予約の時刻前のため、まだ記録できません。", "The appointment has not begun yet, so this cannot be recorded.";
    "error.appointment_changed_meanwhile" => "この予約は他の方が先に変更しました。画面を更新して確認してください。", "Someone else changed this appointment meanwhile. Reload to see it.";
    "error.time_travel_refused" => "時間を進められるのは、すべての医院がサンドボックスにつながっているときだけです（1回に最大1年）。", "Time travel is only for sandbox clinics (at most a year at once).";
    "error.booking_link_invalid" => "このリンクは使えません（期限切れか、正しくありません）。LINEのトークで「予約」と送ると、新しいリンクが届きます。", "This link cannot be used (expired or not valid). Send 「予約」 in LINE to get a new one.";
    "error.booking_link_used" => "このリンクでは、すでに予約を変更しました。最新のメッセージのリンクを開いてください。", "This link was already used for a change. Please open the link in the latest message.";
    "error.slot_full" => "この時間帯は予約がいっぱいです。別の時間を選んでください。", "This time slot is full. Please choose another.";
    "error.invalid_slot" => "1枠は5〜240分、定員は1〜100人で指定してください。", "A slot must be 5 to 240 minutes for 1 to 100 patients.";
    "error.invalid_sequence" => "このステップ配信は保存できません。赤字の項目を確認してください。", "This sequence cannot be saved. Check the items in red.";
    "rm.intro" => "LINEのトーク画面の下に出るメニューです。エリアを描いて、押したときの動きを決め、公開するとLINEに反映されます。誰にどのメニューを出すかは下の「表示の設定」で決めます。", "The menu under the LINE chat. Draw areas, choose what each does, and publish to show it in LINE. Who sees which menu is set under “Display settings” below.";
    "rm.new_title" => "新しいメニュー", "New menu";
    "rm.edit_title" => "メニューを編集", "Edit menu";
    "rm.back" => "← リッチメニュー一覧へ", "← Back to rich menus";
    "rm.empty" => "まだメニューがありません。「新しいメニュー」から作りましょう。", "No menus yet. Start with “New menu”.";
    "rm.published" => "公開しました。LINEへの反映が終わると、下に「反映済み」と表示されます。", "Published. When LINE shows it, the status below says so.";
    "rm.sync_done" => "LINEに反映済みです（{at}）", "LINE shows all of this ({at})";
    "rm.sync_pending" => "LINEへ反映しています…（数秒から数分かかります。LINEの制限で1時間に100件までです）", "Bringing LINE in step… (seconds to minutes; LINE allows 100 changes an hour)";
    "rm.sync_failed" => "LINEへの反映が止まっています。自動でやり直します。", "LINE is not in step yet; trying again by itself.";
    "rm.status_draft" => "下書き", "Draft";
    "rm.status_live" => "公開中", "Published";
    "rm.status_changed" => "公開中（未公開の変更あり）", "Published (unpublished changes)";
    "rm.status_archived" => "アーカイブ済み", "Archived";
    "rm.tab_count" => "タブ {n} 枚", "{n} tab(s)";
    "rm.edit" => "編集", "Edit";
    "rm.archive" => "アーカイブ", "Archive";
    "rm.archive_confirm" => "このメニューをアーカイブしますか？ LINEからも削除されます（表示中のメニューはアーカイブできません）。", "Archive this menu? It is removed from LINE too (a menu in use cannot be archived).";
    "rm.rules" => "表示の設定", "Display settings";
    "rm.rules_help" => "上から順に見て、最初に当てはまったルールのメニューを表示します。どれにも当てはまらない人には既定のメニューを表示します。日時を入れると、その期間だけ有効です（例：年末年始の休診メニュー）。", "Rules are checked from the top; the first that fits decides. Everyone else sees the default menu. With dates, a rule holds only then (e.g. a year-end holiday menu).";
    "rm.default" => "既定のメニュー", "Default menu";
    "rm.default_none" => "（なし）", "(none)";
    "rm.rule_menu" => "メニュー", "Menu";
    "rm.rule_who" => "対象", "Who";
    "rm.rule_from" => "開始（空欄：すぐ）", "From (empty: now)";
    "rm.rule_until" => "終了（空欄：ずっと）", "Until (empty: always)";
    "rm.rule_up" => "上へ", "Move up";
    "rm.rule_down" => "下へ", "Move down";
    "rm.rule_remove" => "削除", "Remove";
    "rm.add_rule" => "ルールを追加", "Add a rule";
    "rm.save_rules" => "表示の設定を保存", "Save display settings";
    "rm.rules_saved" => "保存しました。LINEへの反映を始めます。", "Saved. LINE is being brought in step.";
    "rm.everyone" => "全員", "Everyone";
    "rm.name" => "メニュー名（管理用）", "Menu name (for staff)";
    "rm.tabs" => "タブ", "Tabs";
    "rm.tabs_help" => "タブを2枚以上にすると、エリアの「タブを切り替える」で行き来できます。", "With two or more tabs, “Switch tab” areas move between them.";
    "rm.tab_n" => "タブ{n}", "Tab {n}";
    "rm.add_tab" => "タブを追加", "Add a tab";
    "rm.remove_tab" => "このタブを削除", "Remove this tab";
    "rm.size" => "大きさ", "Size";
    "rm.size_compact" => "小（2500×843）", "Compact (2500×843)";
    "rm.size_large" => "大（2500×1686）", "Large (2500×1686)";
    "rm.bar" => "メニューバーの文字（14文字まで）", "Menu bar text (up to 14)";
    "rm.opens" => "トークを開いたときにメニューを開く", "Open the menu when the chat opens";
    "rm.layouts" => "テンプレートから作る：", "Start from a layout:";
    "rm.layout_grid" => "{c}×{r}", "{c}×{r}";
    "rm.layout_wide" => "上1・下{n}", "1 on top, {n} below";
    "rm.layout_large_left" => "左大・右2", "Large left, 2 right";
    "rm.draw_help" => "画像の上をドラッグしてエリアを描きます。エリアはドラッグで移動、右下の角で大きさを変えられます。キーボードでは Tab でエリアを選び、矢印キーで移動（Shiftで10倍）、Deleteで削除、Ctrl+Zで元に戻す。", "Drag on the picture to draw an area; drag an area to move it and its corner to resize it. By keyboard: Tab to an area, arrows move it (Shift: ten times), Delete removes it, Ctrl+Z undoes.";
    "rm.undo" => "元に戻す", "Undo";
    "rm.redo" => "やり直す", "Redo";
    "rm.area_count" => "エリア {n}／20", "{n} of 20 areas";
    "rm.untitled" => "エリア{n}", "Area {n}";
    "rm.label" => "エリアの名前（20文字まで）", "Area name (up to 20)";
    "rm.label_help" => "タイルに表示され、読み上げにも使われます。", "Shown on the tile and read out by screen readers.";
    "rm.action" => "押したときの動き", "When tapped";
    "rm.act_link" => "リンクを開く", "Open a link";
    "rm.act_text" => "文字を送信する", "Send a text";
    "rm.act_postback" => "自動アクションを動かす", "Run automations";
    "rm.act_switch" => "タブを切り替える", "Switch tab";
    "rm.act_booking" => "予約ページを開く", "Open the booking page";
    "rm.act_call" => "電話をかける", "Call";
    "rm.url" => "開くページのURL", "Page address";
    "rm.url_help" => "https:// で始まるアドレスです。", "An address starting with https://.";
    "rm.text" => "送信される文字", "Text sent";
    "rm.text_help" => "患者さんの発言として送られます。キーワードの自動応答で返事ができます。", "Sent as the patient's message; a keyword automation can answer it.";
    "rm.postback" => "合図の名前", "Signal name";
    "rm.postback_help" => "自動アクションの「ボタンやメニューが押されたとき」でこの名前を指定すると、タグ付けなどができます。", "Use this name in an automation's “button or menu tapped” trigger to tag and more.";
    "rm.number" => "電話番号", "Phone number";
    "rm.number_help" => "例：03-1234-5678", "e.g. 03-1234-5678";
    "rm.switch_to" => "表示するタブ", "Tab to show";
    "rm.switch_help" => "切り替え先のタブを先に追加してください。", "Add the tab to switch to first.";
    "rm.booking_help" => "押すと、その患者さん専用の予約リンクが返信されます。", "Tapping it replies with the patient's own booking link.";
    "rm.colour" => "タイルの色", "Tile colour";
    "rm.colour_n" => "色{n}", "Colour {n}";
    "rm.x" => "左（px）", "Left (px)";
    "rm.y" => "上（px）", "Top (px)";
    "rm.width" => "幅（px）", "Width (px)";
    "rm.height" => "高さ（px）", "Height (px)";
    "rm.remove_area" => "このエリアを削除", "Remove this area";
    "rm.picture" => "画像", "Picture";
    "rm.picture_tiles" => "タイルから作る（エリアの名前と色で画像を作ります）", "Make it from tiles (area names and colours)";
    "rm.picture_upload" => "画像をアップロードする", "Upload a picture";
    "rm.picture_upload_help" => "JPEGかPNG、{w}×{h}ピクセル、1MB以下の画像です。", "A JPEG or PNG of {w}×{h} pixels, 1 MB or less.";
    "rm.picture_wrong_size" => "画像の大きさが合いません。{w}×{h}ピクセルの画像を選ぶか、「タイルから作る」を使ってください。", "The picture is not the menu's size. Choose one of {w}×{h} pixels, or make it from tiles.";
    "rm.picture_of" => "メニュー「{bar}」の画像", "Picture of the “{bar}” menu";
    "rm.save" => "下書きを保存", "Save draft";
    "rm.saved" => "下書きを保存しました（LINEにはまだ出ていません）。", "Draft saved (not in LINE yet).";
    "rm.publish" => "保存して公開", "Save and publish";
    "rm.publish_help" => "公開すると新しいメニューがLINEに作られ、表示中の人は自動で切り替わります。", "Publishing makes a new menu on LINE and moves everyone who sees it over.";
    "rm.problem_size" => "この大きさはLINEで使えません。", "LINE does not take this size.";
    "rm.problem_bar" => "メニューバーの文字を1〜14文字で入力してください。", "Give the menu bar 1 to 14 characters.";
    "rm.problem_too_many" => "エリアは20個までです。", "At most 20 areas.";
    "rm.problem_small" => "エリア{n}が小さすぎます（一辺60ピクセル以上）。", "Area {n} is too small (60 pixels a side at least).";
    "rm.problem_out" => "エリア{n}が画像からはみ出しています。", "Area {n} goes past the picture's edge.";
    "rm.problem_overlap" => "エリア{a}とエリア{b}が重なっています。", "Areas {a} and {b} overlap.";
    "rm.problem_label" => "エリア{n}の名前を1〜20文字で入力してください。", "Give area {n} a name of 1 to 20 characters.";
    "rm.problem_link" => "エリア{n}のURLは https:// で始まる正しいアドレスにしてください。", "Area {n} needs a valid https:// address.";
    "rm.problem_empty" => "エリア{n}の文字を入力してください。", "Area {n} needs its text.";
    "rm.problem_long" => "エリア{n}の文字が長すぎます（300文字まで）。", "Area {n}'s text is too long (300 at most).";
    "rm.problem_number" => "エリア{n}の電話番号を確認してください。", "Check area {n}'s phone number.";
    "rm.problem_tab" => "エリア{n}の切り替え先のタブがありません。", "Area {n} switches to a tab that is not there.";
    "rm.does_unset" => "（動きを設定してください）", "(choose what it does)";
    "rm.does_link" => "{url} を開く", "Opens {url}";
    "rm.does_text" => "「{text}」と送信", "Sends “{text}”";
    "rm.does_postback" => "合図「{data}」", "Signal “{data}”";
    "rm.does_switch" => "タブ{n}を表示", "Shows tab {n}";
    "rm.does_booking" => "予約ページ", "Booking page";
    "rm.does_call" => "{number} に電話", "Calls {number}";
    "rm.stats" => "タップ数を見る（LINEの集計・直近30日）", "Taps (LINE's figures, last 30 days)";
    "rm.impressions" => "表示回数", "Seen";
    "rm.stats_area" => "エリア", "Area";
    "rm.stats_taps" => "タップ数", "Taps";
    "rm.under_twenty" => "20人未満", "fewer than 20";
    "rm.friend_title" => "リッチメニュー", "Rich menu";
    "rm.friend_none" => "表示するメニューはありません。", "No menu is set up for them.";
    "rm.friend_default" => "「{menu}」（既定のメニュー）", "“{menu}” (the default)";
    "rm.friend_rule" => "「{menu}」（表示の設定のルール{n}：{who}）", "“{menu}” (display rule {n}: {who})";
    "friends.staff" => "職員", "Staff";
    "friends.staff_help" => "職員が自分のLINEとして連携したアカウントです。患者向けの配信・セグメント・ステップ配信には含まれません。", "A staff member's own linked LINE: left out of patient sends, segments and sequences.";
    "dash.pending_n" => "確認が必要な職員連絡（{n}件）", "Staff posts to confirm ({n})";
    "rm.staff" => "LINE連携した職員", "Staff with LINE linked";
    "link.title" => "自分のLINE連携", "Your own LINE";
    "link.help" => "自分のLINEをこのクリニックの公式アカウントと連携すると、職員連絡が自分のLINEに届き、確認ボタンで既読を伝えられます。連携したLINEは職員として扱われ、患者向けの配信・セグメント・集計には含まれません。", "Link your own LINE to the clinic's account to receive staff posts there and confirm them with a tap. A linked LINE counts as staff: it is left out of patient sends, segments and figures.";
    "link.linked" => "自分のLINEは連携済みです。職員連絡はこのLINEに届きます。", "Your LINE is linked. Staff posts arrive there.";
    "link.end" => "連携を解除", "Unlink";
    "link.end_confirm" => "自分のLINEの連携を解除しますか？職員連絡はこのLINEに届かなくなります。", "Unlink your LINE? Staff posts will no longer reach it.";
    "link.end_yes" => "解除する", "Unlink";
    "sc.intro" => "職員だけに届く連絡です。お知らせはLINEを連携した職員のLINEと、この画面に届きます。患者さんには決して届きません。", "Posts for staff only: they reach the LINE of staff who linked theirs, and this page. Never a patient.";
    "sc.not_linked" => "自分のLINEがまだ連携されていません。連携すると職員連絡が自分のLINEに届きます。", "Your LINE is not linked yet. Link it to receive staff posts there.";
    "sc.link_here" => "プロフィールで連携する", "Link it on your profile";
    "sc.new" => "新しいチャンネル", "New channel";
    "sc.empty" => "参加しているチャンネルはまだありません。", "You are in no channel yet.";
    "sc.empty_manager" => "チャンネルはまだありません。「新しいチャンネル」から、全職員・看護部・受付などを作れます。", "No channels yet. Create ones such as all staff, nursing or front desk with “New channel”.";
    "sc.archived" => "アーカイブ済み", "Archived";
    "sc.archived_notice" => "このチャンネルはアーカイブされています。新しい投稿はできません。", "This channel is archived: nothing new can be posted.";
    "sc.members_n" => "メンバー{n}人", "{n} members";
    "sc.linked_n" => "LINE連携 {n}人", "{n} with LINE linked";
    "sc.posters" => "投稿できる人", "Who may post";
    "sc.none" => "なし", "none";
    "sc.voices" => "職員の声（匿名）", "Staff voice (anonymous)";
    "sc.voices_help" => "職員が連携済みのLINEから「職員の声」に続けて書いて送ると、ここに届きます。誰が送ったかはどこにも記録されません（日付のみ）。", "Staff write “職員の声” followed by their words from their linked LINE, and it arrives here. Who sent it is recorded nowhere (only the day).";
    "sc.voices_empty" => "まだ届いていません。", "Nothing yet.";
    "sc.back" => "職員連絡へ戻る", "Back to staff channels";
    "sc.name" => "チャンネル名", "Channel name";
    "sc.description" => "説明", "Description";
    "sc.member_roles" => "メンバー（役割で）", "Members (by role)";
    "sc.people" => "メンバー（個人で）", "Members (by person)";
    "sc.people_help" => "役割に関係なく加える人を選びます。", "People added whatever their role.";
    "sc.poster_roles" => "投稿できる役割", "Roles that may post";
    "sc.poster_help" => "オーナーと管理者はいつでも投稿できます。", "Owners and admins may always post.";
    "sc.linked_mark" => "・LINE連携済み", ", LINE linked";
    "sc.unlinked_mark" => "・LINE未連携", ", LINE not linked";
    "sc.p_name" => "チャンネル名を入力してください。", "Enter a channel name.";
    "sc.p_name_long" => "チャンネル名は{max}文字までです。", "A channel name has at most {max} characters.";
    "sc.p_desc_long" => "説明は{max}文字までです。", "A description has at most {max} characters.";
    "sc.p_members" => "メンバーを役割か個人で選んでください。", "Choose members by role or by person.";
    "sc.archive" => "アーカイブする", "Archive";
    "sc.archive_help" => "アーカイブすると新しい投稿はできなくなります。これまでの投稿と確認の記録は残ります。", "Archived, it takes no new posts. Its posts and confirmations are kept.";
    "sc.archive_confirm" => "このチャンネルをアーカイブしますか？", "Archive this channel?";
    "sc.archive_yes" => "アーカイブする", "Archive";
    "sc.archived_done" => "アーカイブしました。", "Archived.";
    "sc.settings" => "チャンネルの設定", "Channel settings";
    "sc.compose" => "お知らせを書く", "Write a post";
    "sc.text" => "本文", "Text";
    "sc.attach" => "リンク・資料・画像を添える", "Add a link, a document or a picture";
    "sc.link_title" => "リンクの見出し", "Link title";
    "sc.link_url" => "リンク（https://）", "Link (https://)";
    "sc.doc_title" => "資料の名前", "Document name";
    "sc.doc_url" => "資料のリンク（https://）", "Document link (https://)";
    "sc.image" => "画像", "Picture";
    "sc.image_remove" => "画像を外す", "Remove the picture";
    "sc.ack" => "確認を求める（「確認しました」ボタンを付ける）", "Ask for confirmation (add a “確認しました” button)";
    "sc.remind" => "未確認の人への再通知", "Reminder to those who have not confirmed";
    "sc.remind_none" => "しない", "None";
    "sc.remind_h" => "{n}時間後に1回", "Once after {n} h";
    "sc.remind_day" => "翌日（24時間後）に1回", "Once the next day (after 24 h)";
    "sc.p_text" => "本文を入力してください。", "Enter the text.";
    "sc.p_text_long" => "本文は{max}文字までです。", "The text has at most {max} characters.";
    "sc.p_link" => "リンクは https:// で始まる正しいアドレスにしてください。", "A link must be a valid address starting with https://.";
    "sc.p_link_title" => "見出しは{max}文字までです。", "A title has at most {max} characters.";
    "sc.p_remind" => "再通知は{max}時間以内にしてください。", "A reminder goes within {max} hours.";
    "sc.p_remind_ack" => "再通知は確認を求めるお知らせだけに付けられます。", "Only a post that asks for confirmation has a reminder.";
    "sc.check" => "送信前の確認", "Check before sending";
    "sc.cost" => "LINEに届く人: {n}人（通数 {n}通）。", "Reaches {n} on LINE ({n} messages of the quota).";
    "sc.quota_left" => "今月の残り{n}通。", "{n} left this month.";
    "sc.web_only" => "LINE未連携のため画面だけで見る人", "See it on this page only (LINE not linked)";
    "sc.warn_title" => "患者さんの情報が含まれているかもしれません。", "This may contain a patient's data.";
    "sc.warn_help" => "職員連絡でも患者さんの個人情報は必要最小限にしてください。問題なければ「このまま送信」を押してください。", "Keep patients' personal data to the minimum, even among staff. If this is fine, press “Send anyway”.";
    "sc.h_name" => "患者さんの名前「{x}」と同じ文字があります", "It has the same letters as the patient name “{x}”";
    "sc.h_number" => "診察券番号らしい「{x}」があります", "It has “{x}”, which looks like a patient number";
    "sc.h_birth" => "生年月日らしい「{x}」があります", "It has “{x}”, which looks like a date of birth";
    "sc.send" => "送信する", "Send";
    "sc.send_anyway" => "このまま送信", "Send anyway";
    "sc.sent" => "送信しました。LINEに順に届きます。", "Sent. It reaches LINE shortly.";
    "sc.feed" => "お知らせ", "Posts";
    "sc.feed_empty" => "まだお知らせはありません。", "No posts yet.";
    "sc.version_n" => "第{n}版", "version {n}";
    "sc.ack_badge" => "確認必須", "Confirmation asked";
    "sc.sent_n" => "LINEに送信 {n}人", "Sent to {n} on LINE";
    "sc.pending_n" => "送信待ち {n}人", "{n} waiting";
    "sc.failed_n" => "届かなかった {n}人", "{n} not delivered";
    "sc.confirmed" => "確認済み", "Confirmed";
    "sc.waiting" => "未確認", "Not yet";
    "sc.remind_at" => "{at} に未確認の人へ再通知します。", "Those who have not confirmed are reminded at {at}.";
    "sc.reminded_n" => "{n}人に再通知しました。", "Reminded {n}.";
    "sc.confirm" => "確認しました", "Confirmed";
    "sc.confirmed_by_me" => "あなたは確認済みです。", "You confirmed this.";
    "sc.replies" => "LINEからの返信", "Replies from LINE";
    "sc.edit" => "内容を変更", "Change";
    "sc.edit_send" => "変更を送信", "Send the change";
    "sc.edit_confirm" => "変更した内容を全員のLINEに送り直し、もう一度確認をお願いしますか？（通数を使います）", "Send the changed post to everyone's LINE again and ask them to confirm again? (It uses the quota.)";
    "sc.edit_yes" => "送り直す", "Send again";
    "error.invalid_staff_channel" => "チャンネルを保存できません。赤字の項目を確認してください。", "The channel cannot be saved. Check the items in red.";
    "error.invalid_route_name" => "経路の名前を1〜40文字で入力してください（ほかの経路と同じ名前は使えません）。", "Give the route a name of 1 to 40 characters, different from the other routes.";
    "error.staff_channel_name_taken" => "同じ名前のチャンネルがあります。別の名前にしてください。", "Another channel has this name. Choose another.";
    "error.staff_channel_archived" => "このチャンネルはアーカイブされています。", "This channel is archived.";
    "error.invalid_staff_post" => "このお知らせは送れません。赤字の項目を確認してください。", "This post cannot be sent. Check the items in red.";
    "error.patient_data_warning" => "患者さんの情報が含まれているかもしれません。内容を確認して「このまま送信」を押してください。", "This may contain a patient's data. Check it, then press “Send anyway”.";
    "error.staff_post_changed" => "このお知らせはほかの人が先に変更しました。画面を読み込み直してください。", "Someone changed this post first. Reload the page.";
    "error.invalid_rich_menu_rule" => "表示の設定の日時を確認してください（終了は開始より後に）。", "Check the display rule's dates (the end after the start).";
    "error.invalid_rich_menu" => "このリッチメニューは公開できません。赤字の項目を確認してください。", "This rich menu cannot be published. Check the items in red.";
    "error.invalid_rich_menu_name" => "メニュー名を100文字以内で入力してください（ほかのメニューと同じ名前は使えません）。", "Give the menu a name of up to 100 characters that no other menu uses.";
    "error.rich_menu_image" => "画像は、このクリニックでアップロードしたJPEGかPNGで、メニューと同じ大きさ・1MB以下のものを選んでください。", "Choose a JPEG or PNG uploaded here, exactly the menu's size and 1 MB or less.";
    "error.rich_menu_in_use" => "このメニューは表示中です（既定のメニューか表示ルールで使われています）。先に表示の設定から外してください。", "This menu is in use (the default or a display rule). Take it out of the display settings first.";
    "error.unreadable_request" => "送信内容を読み取れませんでした。ページを再読み込みしてから、もう一度お試しください。", "The request could not be read. Reload the page and try again.";
    "error.internal" => "サーバーで問題が発生しました。しばらくしてからもう一度お試しください。", "The server had a problem. Please try again shortly.";
    "error.network" => "サーバーと通信できませんでした。接続を確認してもう一度お試しください。", "Could not reach the server. Check the connection and try again.";
    "error.no_channel" => "このクリニックはLINE（またはサンドボックス）に接続されていません。", "This clinic is not connected to LINE (or the sandbox).";
    "error.secret_key_required" => "実際のLINEアカウントの秘密情報を保存するには、サーバーに YORISOI_SECRET_KEY を設定してください（デモ用の自動生成キーでは保存できません）。設定方法はREADMEにあります。", "To store a real LINE account's secrets, set YORISOI_SECRET_KEY on the server (the demo's generated key cannot be used). The README explains how.";
    "error.channel_changed" => "LINE連携の設定が変わったため、この配信は停止しました。", "The LINE connection changed, so this send stopped.";
    "error.line_auth_failed" => "LINEがチャネルアクセストークンを受け付けませんでした。トークンを確認してください。", "LINE refused the channel access token. Please check it.";
    "error.invalid_channel_id" => "チャネルIDは数字で入力してください（LINE Developersコンソールに表示されています）。", "The channel ID is the number shown in the LINE Developers console.";
    "error.invalid_channel_secret" => "チャネルシークレットは32文字の英数字です。コピーし直してください。", "The channel secret is 32 letters and digits. Please copy it again.";
    "error.channel_credentials_required" => "LINE公式アカウントに接続するには、チャネルシークレットとアクセストークンが必要です。", "Connecting to LINE needs the channel secret and the access token.";
    "error.line_error" => "LINEとの通信で問題が発生しました。", "There was a problem talking to LINE.";
    "error.sandbox_unavailable" => "サンドボックスが応答しません。サーバーの設定を確認してください。", "The sandbox is not answering. Check the server's settings.";
    "error.invalid_display_name" => "表示名は1〜20文字で入力してください。", "Enter a display name of 1 to 20 characters.";
    "error.invalid_message_text" => "メッセージは1〜5000文字で入力してください。", "Enter a message of 1 to 5,000 characters.";
    "error.bad_signature" => "署名が正しくありません。", "The signature is not valid.";
    "error.malformed_webhook" => "Webhookの内容が正しくありません。", "The webhook body is not valid.";
    "error.patient_number_invalid" => "診察券番号は半角英数字とハイフン（20文字まで）で入力してください。", "Use letters, digits and hyphens (up to 20) for the patient number.";
    "error.patient_kana_invalid" => "フリガナはカタカナで入力してください（60文字まで）。", "Enter the name in katakana (up to 60 characters).";
    "error.patient_date_invalid" => "生年月日が正しい日付ではありません。", "The date of birth is not a valid date.";
    "error.patient_date_in_future" => "生年月日が今日より後になっています。", "The date of birth is after today.";
    "error.patient_sex_invalid" => "性別の指定が正しくありません。", "That sex value is not valid.";
    "error.patient_memo_too_long" => "メモは2000文字以内にしてください。", "The memo must be at most 2,000 characters.";
    "error.patient_number_taken" => "この診察券番号は別の友だちで使われています。番号を確認してください。", "This patient number belongs to another friend. Please check it.";
    "error.invalid_tag_name" => "名前は1〜30文字で入力してください。", "Enter a name of 1 to 30 characters.";
    "error.tag_name_taken" => "同じ名前がすでにあります。別の名前にしてください。", "That name is already used. Please choose another.";
    "error.invalid_tag_color" => "色は一覧から選んでください。", "Choose one of the colours.";
    "error.tag_text_too_long" => "説明は200文字、運用ルールは500文字までです。", "The description may be 200 characters and the rule 500.";
    "error.invalid_field_type" => "項目の種類が正しくありません。", "That field type is not valid.";
    "error.invalid_choices" => "選択肢は選択式の項目にだけ、1〜50個（重複なし）で設定してください。", "Choice fields need 1 to 50 different choices; other fields take none.";
    "error.value_not_for_field" => "この項目に入れられない値です。", "That value does not fit this field.";
    "error.invalid_rule" => "この条件では数えられません。削除されたタグや項目が含まれていないか確認してください。", "This rule cannot be counted. Check for deleted tags or fields.";
    "error.csv_stray_quote" => "CSVの引用符（\"）の使い方が正しくありません。", "The CSV has a misplaced quote (\").";
    "error.csv_unclosed_quote" => "CSVの引用符（\"）が閉じられていません。", "A quote (\") in the CSV is never closed.";
    "error.csv_empty" => "ファイルが空です。", "The file is empty.";
    "error.csv_no_key" => "1行目に「友だちID」「LINEユーザーID」「診察券番号」のいずれの列もありません。「CSVを書き出す」で作ったファイルを使ってください。", "The first line has no 友だちID, LINEユーザーID or 診察券番号 column. Please start from an exported file.";
    "error.csv_nothing_to_import" => "取り込める列（診察券番号・フリガナ・生年月日・性別）または行がありません。", "There is no column (patient number, kana, date of birth, sex) or row to import.";
    "error.csv_too_many_rows" => "一度に取り込めるのは20,000行までです。ファイルを分けてください。", "At most 20,000 rows can be imported at once. Please split the file.";
    "nav.automations" => "自動アクション", "Automations";
    "event.automation" => "自動アクション実行", "Automation ran";
    "event.message_out" => "送信メッセージ", "Message sent";

    "tags.title" => "タグ", "Tags";
    "tags.intro" => "タグは友だちの分類です。フォルダごとに整理し、「付けるときのルール」を書いておくと、誰が付けても同じ基準になります。", "Tags sort your friends. Keep them in folders and write down when to attach each, so everyone applies them alike.";
    "tags.empty" => "まだタグがありません。下の「タグを追加」から作成できます。", "No tags yet. Create one with “Add a tag” below.";
    "tags.no_folder" => "フォルダなし", "No folder";
    "tags.review_only" => "見直し候補だけ表示（90日以上使われていないタグ）", "Show only tags to review (unused for 90 days)";
    "tags.unused_count" => "見直し候補 {n}件", "{n} to review";
    "tags.unused" => "90日以上未使用", "Unused 90+ days";
    "tags.tag" => "タグ", "Tag";
    "tags.rule_text" => "付けるときのルール", "When to attach";
    "tags.rule_text_help" => "例: 初診の予約を受けたときに付け、来院後に外します", "e.g. attach when a first visit is booked; remove after the visit";
    "tags.friends" => "友だち数", "Friends";
    "tags.last_applied" => "最後に付けた日時", "Last attached";
    "tags.never" => "まだ付けていません", "Never";
    "tags.overlap" => "タグの重なり", "Overlap of two tags";
    "tags.overlap_help" => "2つのタグを選ぶと、それぞれの人数と両方付いている人数がわかります。ほぼ同じなら統合を検討しましょう。", "Pick two tags to see how many carry each and both. If they nearly match, consider merging them.";
    "tags.overlap_a" => "1つ目のタグ", "First tag";
    "tags.overlap_b" => "2つ目のタグ", "Second tag";
    "tags.overlap_count" => "人数を見る", "Count";
    "tags.overlap_result" => "1つ目: {a}人 ／ 2つ目: {b}人 ／ 両方: {both}人", "First: {a} ／ second: {b} ／ both: {both}";
    "tags.choose" => "選んでください", "Choose…";
    "tags.add_tag" => "タグを追加", "Add a tag";
    "tags.name" => "タグ名（30文字まで）", "Tag name (up to 30 characters)";
    "tags.name_placeholder" => "例: インフルエンザワクチン希望", "e.g. Wants a flu shot";
    "tags.folder" => "フォルダ", "Folder";
    "tags.color" => "色", "Colour";
    "tags.color_n" => "色{n}", "Colour {n}";
    "tags.description" => "説明（任意）", "Description (optional)";
    "tags.create" => "タグを作成", "Create tag";
    "tags.add_folder" => "フォルダを追加", "Add a folder";
    "tags.folder_name" => "フォルダ名", "Folder name";
    "tags.folder_placeholder" => "例: 診療科", "e.g. Department";
    "tags.create_folder" => "フォルダを作成", "Create folder";
    "tags.on_friend" => "タグ", "Tags";
    "tags.none_on_friend" => "タグはまだ付いていません。", "No tags yet.";
    "tags.add_to_friend" => "付けるタグ", "Tag to attach";
    "tags.attach" => "付ける", "Attach";
    "tags.remove_named" => "「{tag}」を外す", "Remove “{tag}”";
    "friends.by_tags" => "タグで絞り込む", "Filter by tags";
    "friends.by_tags_help" => "選んだタグがすべて付いている友だちを表示します。", "Shows friends carrying every chosen tag.";
    "friends.picked" => "{n}人を選択中", "{n} selected";
    "tags.bulk" => "選んだ友だちに", "For the selected friends";
    "tags.bulk_attach" => "タグを付ける", "Attach tag";
    "tags.bulk_remove" => "タグを外す", "Remove tag";
    "tags.bulk_done" => "{n}人の友だちを更新しました。", "Updated {n} friends.";
    "tags.select_all" => "このページの友だちをすべて選ぶ", "Select every friend on this page";
    "tags.select_one" => "選ぶ", "Select";

    "field.title" => "カスタム項目", "Custom fields";
    "field.intro" => "友だちごとに記録する項目です（例: 最終来院日、来院回数）。セグメントの条件に使えます。", "Values you record per friend (e.g. last visit, number of visits); usable in segments.";
    "field.empty" => "まだ項目がありません。", "No fields yet.";
    "field.name" => "項目名", "Field name";
    "field.name_placeholder" => "例: 最終来院日", "e.g. Last visit";
    "field.type" => "種類", "Type";
    "field.choices" => "選択肢", "Choices";
    "field.choices_help" => "1行に1つずつ入力してください。", "One per line.";
    "field.add" => "項目を追加", "Add a field";
    "field.create" => "項目を作成", "Create field";
    "field.type_text" => "テキスト", "Text";
    "field.type_number" => "数値", "Number";
    "field.type_date" => "日付", "Date";
    "field.type_single_choice" => "選択（1つ）", "Single choice";
    "field.type_multi_choice" => "選択（複数）", "Multiple choice";

    "seg.title" => "セグメント", "Segments";
    "seg.intro" => "条件を組み合わせて、配信先やリッチメニューの対象になる友だちのグループを作ります。人数は条件を変えるとすぐに更新されます。", "Combine conditions into a group of friends for broadcasts and rich menus. The count updates as you edit.";
    "seg.new" => "新しいセグメント", "New segment";
    "seg.edit" => "セグメントを編集", "Edit segment";
    "seg.empty" => "保存したセグメントはまだありません。", "No saved segments yet.";
    "seg.back" => "← セグメント一覧へ", "← Back to segments";
    "seg.name" => "セグメント名", "Name";
    "seg.description" => "説明", "Description";
    "seg.count" => "該当人数", "Friends";
    "seg.people" => "{n}人", "{n} friends";
    "seg.rule" => "条件", "Conditions";
    "seg.rule_help" => "上から順に評価されます。行をドラッグするか ↑↓ で並べ替えられます。", "Drag rows or use ↑↓ to reorder.";
    "seg.join" => "条件のつなぎ方", "How conditions combine";
    "seg.join_all" => "次のすべてに当てはまる（AND）", "All of these (AND)";
    "seg.join_any" => "次のいずれかに当てはまる（OR）", "Any of these (OR)";
    "seg.not" => "このグループに当てはまらない人（NOT）", "Friends NOT matching this group";
    "seg.add_condition" => "＋ 条件を追加", "+ Add condition";
    "seg.add_group" => "＋ グループを追加", "+ Add group";
    "seg.move_up" => "上へ移動", "Move up";
    "seg.move_down" => "下へ移動", "Move down";
    "seg.remove" => "この条件を削除", "Remove this condition";
    "seg.kind" => "条件の種類", "Kind of condition";
    "seg.kind_tag" => "タグ", "Tag";
    "seg.kind_field" => "カスタム項目", "Custom field";
    "seg.kind_date" => "日付・年齢", "Date or age";
    "seg.kind_status" => "友だちの状態", "Friend status";
    "seg.has" => "付いているか", "Has or lacks";
    "seg.has_tag" => "が付いている", "is attached";
    "seg.lacks_tag" => "が付いていない", "is not attached";
    "seg.deleted_tag" => "（削除されたタグ）", "(deleted tag)";
    "seg.op" => "比べ方", "Comparison";
    "seg.op_eq" => "と等しい", "equals";
    "seg.op_ne" => "と等しくない", "does not equal";
    "seg.op_lt" => "より小さい（前）", "is less than (before)";
    "seg.op_gt" => "より大きい（後）", "is greater than (after)";
    "seg.op_contains" => "を含む", "contains";
    "seg.op_is_empty" => "が空", "is empty";
    "seg.op_is_not_empty" => "が空でない", "is not empty";
    "seg.value" => "値", "Value";
    "seg.date_source" => "日付", "Date";
    "seg.date_birth" => "生年月日", "Date of birth";
    "seg.date_followed" => "友だち追加日", "Date added as friend";
    "seg.when" => "条件", "Condition";
    "seg.when_years" => "年齢（満）が", "Age in years is";
    "seg.when_months_ago" => "から", "More than";
    "seg.when_within_days" => "が直近", "Within the last";
    "seg.when_this_month" => "が今月（誕生月など）", "Is this month (e.g. birthday)";
    "seg.months" => "か月", "Months";
    "seg.months_ago" => "か月以上たっている", "months ago";
    "seg.within_last" => "直近", "last";
    "seg.days" => "日数", "Days";
    "seg.days_within" => "日以内", "days";
    "seg.years_min" => "何歳から", "From age";
    "seg.years_max" => "何歳まで", "To age";
    "seg.years_to" => "〜", "to";
    "seg.years_old" => "歳", "years";
    "seg.matching" => "該当する友だち", "Matching friends";
    "seg.sample" => "該当する友だちの例", "Some of them";
    "seg.save" => "セグメントを保存", "Save segment";
    "seg.saved" => "保存しました。", "Saved.";
    "seg.unsaved" => "保存されていない変更があります", "You have unsaved changes";
    "seg.delete" => "削除", "Delete";
    "seg.delete_confirm" => "このセグメントを削除しますか？ 配信予約などで使っている場合は、先に差し替えてください。", "Delete this segment? If a scheduled send uses it, change that first.";
    "seg.delete_yes" => "削除する", "Delete";
    "seg.at" => "{n}番目の条件", "Condition {n}";
    "seg.reason_unsupported_version" => "この条件は新しい版で作られていて、ここでは扱えません。", "This rule was made by a newer version.";
    "seg.reason_empty_group" => "グループに条件がありません。条件を追加するか、グループを削除してください。", "This group is empty. Add a condition or remove the group.";
    "seg.reason_unknown_tag" => "タグが見つかりません（削除された可能性があります）。", "The tag no longer exists.";
    "seg.reason_unknown_field" => "項目が見つかりません（削除された可能性があります）。", "The field no longer exists.";
    "seg.reason_operator_not_for_type" => "この項目の種類には使えない比べ方です。", "That comparison does not fit this field's type.";
    "seg.reason_value_not_for_type" => "値がこの項目の種類に合っていません。", "The value does not fit this field's type.";
    "seg.reason_bad_range" => "年齢の範囲が逆になっています（小さい方を先に）。", "The age range is reversed (smaller first).";

    "auto.title" => "自動アクション", "Automations";
    "auto.intro" => "「〜したら、〜する」を決めておくと、クリニックが自動で対応します。例: 予防接種の案内で「希望する」が押されたら、タグを付けてお礼を返信。", "Decide “when this happens, do that”, and the clinic answers by itself. E.g. when “I'd like it” is tapped on the vaccine notice, tag the patient and reply.";
    "auto.new" => "新しい自動アクション", "New automation";
    "auto.edit" => "編集", "Edit";
    "auto.empty" => "自動アクションはまだありません。", "No automations yet.";
    "auto.on" => "動作中", "On";
    "auto.off" => "停止中", "Off";
    "auto.turn_off" => "停止する", "Turn off";
    "auto.turn_on" => "再開する", "Turn on";
    "auto.has_condition" => "条件に当てはまる友だちだけが対象です。", "Only friends matching its condition.";
    "auto.name" => "名前", "Name";
    "auto.trigger" => "きっかけ", "When";
    "auto.trigger_link_clicked" => "配信のリンクが開かれたとき", "A link in a message is opened";
    "auto.link" => "リンク先のURL（空欄ならどのリンクでも）", "The link's address (empty: any link)";
    "auto.link_help" => "配信やステップ配信で送ったリンクを、友だちが開いたときに動きます（例：クリックした方にタグ「インフル関心あり」を付ける）。", "Runs when a friend opens a link sent in a broadcast or a sequence (e.g. tag those who clicked).";
    "auto.when_link" => "リンク「{x}」が開かれたとき", "When the link “{x}” is opened";
    "auto.when_any_link" => "配信のリンクが開かれたとき", "When any link in a message is opened";
    "auto.problem_bad_url" => "https:// で始まるURLを入力してください。", "Enter an address starting with https://.";
    "auto.trigger_postback" => "ボタン・リッチメニューが押されたとき", "A button or rich menu is tapped";
    "auto.trigger_keyword" => "キーワードを受け取ったとき", "A keyword is received";
    "auto.trigger_followed" => "友だち追加されたとき", "Someone adds the clinic";
    "auto.trigger_unblocked" => "ブロックが解除されたとき", "Someone unblocks the clinic";
    "auto.trigger_tag_added" => "タグが付いたとき", "A tag is attached";
    "auto.trigger_tag_removed" => "タグが外れたとき", "A tag is removed";
    "auto.trigger_field_changed" => "項目の値が変わったとき", "A field changes";
    "auto.keyword" => "キーワード", "Keyword";
    "auto.exact" => "完全に一致したときだけ（オフなら「含む」）", "Only an exact match (off: contains)";
    "auto.postback" => "ボタンのデータ（postback data）", "Button data (postback data)";
    "auto.postback_help" => "ボタンやリッチメニューに設定したデータと同じ文字列を入力します。例: vaccine=flu", "The same text as set on the button or rich menu area, e.g. vaccine=flu";
    "auto.tag" => "タグ", "Tag";
    "auto.field" => "項目", "Field";
    "auto.condition" => "条件（任意）", "Condition (optional)";
    "auto.condition_none" => "すべての友だちが対象です。", "Every friend.";
    "auto.condition_set" => "条件に当てはまる友だちだけが対象です。", "Only friends matching the condition.";
    "auto.condition_from" => "条件にするセグメント", "Segment to use as condition";
    "auto.condition_pick" => "保存済みセグメントから選ぶ", "Pick a saved segment";
    "auto.condition_use" => "条件にする", "Use as condition";
    "auto.condition_clear" => "条件を外す", "Remove condition";
    "auto.actions" => "すること", "Then";
    "auto.action_n" => "{n}番目のアクション", "Action {n}";
    "auto.add_add_tag" => "タグを付ける", "Attach a tag";
    "auto.add_remove_tag" => "タグを外す", "Remove a tag";
    "auto.add_set_field" => "項目に値を入れる", "Set a field";
    "auto.add_reply" => "返信する（無料）", "Reply (free)";
    "auto.add_start_sequence" => "ステップ配信を開始", "Start a sequence";
    "auto.add_stop_sequence" => "ステップ配信から外す", "Take out of a sequence";
    "auto.do_start_sequence" => "ステップ配信「{x}」を開始", "Start the sequence “{x}”";
    "auto.do_stop_sequence" => "ステップ配信「{x}」から外す", "Take out of the sequence “{x}”";
    "auto.problem_unknown_sequence" => "ステップ配信が見つかりません（削除された可能性があります）。", "The sequence no longer exists.";
    "auto.add_push" => "メッセージを送る（通数を消費）", "Send a message (uses quota)";
    "auto.reply_help" => "返信はイベントから約1分以内なら無料の応答で送ります。間に合わないときは通常のメッセージ（通数を消費）で送ります。", "Replies are free while the event is under a minute old; later they go as a normal message, which uses the quota.";
    "auto.value_placeholder" => "空にすると値を消します", "Leave empty to clear";
    "auto.save" => "保存して有効にする", "Save and turn on";
    "auto.when_followed_via_route" => "この流入経路から友だち追加されたとき", "Added as a friend through this inflow route";
    "auto.route_help" => "流入経路ごとのあいさつです。オンのあいだ、この経路から追加した方には「友だち追加されたとき」の自動アクションの代わりにこちらが動きます。", "The inflow route's own greeting: while it is on, it runs instead of the usual friend-added automations for friends added through the route.";
    "auto.when_followed" => "友だち追加されたとき", "When someone adds the clinic";
    "auto.when_unblocked" => "ブロックが解除されたとき", "When someone unblocks the clinic";
    "auto.when_keyword" => "「{x}」を含むメッセージを受け取ったとき", "When a message containing “{x}” arrives";
    "auto.when_keyword_exact" => "「{x}」とだけ書かれたメッセージを受け取ったとき", "When a message saying exactly “{x}” arrives";
    "auto.when_postback" => "ボタン（データ「{x}」）が押されたとき", "When a button with data “{x}” is tapped";
    "auto.when_tag_added" => "タグ「{x}」が付いたとき", "When the tag “{x}” is attached";
    "auto.when_tag_removed" => "タグ「{x}」が外れたとき", "When the tag “{x}” is removed";
    "auto.when_field_changed" => "項目「{x}」が変わったとき", "When the field “{x}” changes";
    "auto.do_add_tag" => "タグ「{x}」を付ける", "Attach the tag “{x}”";
    "auto.do_remove_tag" => "タグ「{x}」を外す", "Remove the tag “{x}”";
    "auto.do_set_field" => "項目に値を入れる: {x}", "Set a field: {x}";
    "auto.do_reply" => "返信: {x}", "Reply: {x}";
    "auto.do_push" => "メッセージを送る: {x}", "Send: {x}";
    "auto.runs" => "最近の実行", "Recent runs";
    "auto.runs_empty" => "まだ実行されていません。", "Nothing has run yet.";
    "auto.run_at" => "日時", "When";
    "auto.run_friend" => "友だち", "Friend";
    "auto.run_result" => "結果", "Result";
    "auto.status_done" => "完了", "Done";
    "auto.status_running" => "実行中", "Running";
    "auto.status_failed" => "失敗", "Failed";
    "auto.error_no_channel" => "LINEに接続されていません", "not connected to LINE";
    "auto.error_not_found" => "タグや項目が削除されています", "a tag or field was deleted";
    "auto.error_invalid_rule" => "条件が使えなくなっています（タグや項目の削除）", "its condition no longer works (deleted tag or field)";
    "auto.error_automation_chain_too_deep" => "自動アクションが連続しすぎたため止めました", "stopped: too many automations in a row";
    "auto.error_value_not_for_field" => "項目に入れられない値です", "the value does not fit the field";
    "auto.error_line_invalid_request" => "LINEがメッセージを受け付けませんでした", "LINE refused the message";
    "auto.error_line_auth" => "チャネルアクセストークンが無効です", "the channel access token is invalid";
    "auto.error_line_monthly_limit" => "今月の送信上限に達しています", "the month's message limit is reached";
    "auto.error_line_rate_limited" => "LINEの送信回数制限に達しました", "LINE's rate limit was reached";
    "auto.error_line_server_error" => "LINE側の障害が続きました", "LINE kept failing";
    "auto.error_line_timeout" => "LINEが応答しませんでした", "LINE did not answer";
    "auto.error_line_network" => "LINEに接続できませんでした", "LINE could not be reached";
    "auto.error_line_not_found" => "送信先が見つかりません", "the recipient was not found";
    "auto.error_line_unexpected" => "LINEから予期しない応答がありました", "LINE answered unexpectedly";
    "auto.error_internal" => "サーバーで問題が発生しました", "the server had a problem";
    "auto.problem_no_actions" => "することを1つ以上追加してください。", "Add at least one action.";
    "auto.problem_too_many_actions" => "することは10個までです。", "At most 10 actions.";
    "auto.problem_unknown_tag" => "タグが見つかりません。", "The tag does not exist.";
    "auto.problem_unknown_field" => "項目が見つからないか、値が項目に合っていません。", "The field does not exist or the value does not fit it.";
    "auto.problem_empty_text" => "入力してください。", "Please fill this in.";
    "auto.problem_text_too_long" => "長すぎます（メッセージは5000文字まで）。", "Too long (messages: up to 5,000 characters).";
    "auto.problem_condition" => "条件に使えないタグや項目が含まれています。", "The condition names a tag or field that does not exist.";
    "auto.problem_loop" => "ほかの自動アクション（{x}）と互いに呼び合い、止まらなくなります。タグや項目を見直してください。", "It would trigger itself through other automations ({x}) forever. Please change the tags or fields.";

    "error.invalid_segment_name" => "名前は1〜40文字で入力してください。", "Enter a name of 1 to 40 characters.";
    "error.invalid_automation" => "この自動アクションは保存できません。内容を確認してください。", "This automation cannot be saved. Please check it.";
    "error.automation_chain_too_deep" => "自動アクションが連続しすぎたため止めました。", "Stopped: too many automations in a row.";
    "nav.appointments" => "予約", "Appointments";
    "travel.title" => "時間を進める（サンドボックス）", "Move time forward (sandbox)";
    "travel.help" => "医院の時計とサンドボックスのLINEを一緒に進めます。途中で予定どおりに届くはずだったステップ配信は、それぞれの時刻に送られます。本番のLINEにつないだ医院では使えません。ログイン状態は変わりません。", "Moves the clinic's clock and the sandbox LINE forward together. Steps due on the way are sent at their own times. Not available for clinics on real LINE. Sign-ins are not affected.";
    "travel.not_allowed" => "本番のLINEにつないだ医院があるため、時間は進められません。", "Time cannot be moved: a clinic here is connected to real LINE.";
    "travel.now" => "いまの時刻（日本時間）:", "Now (Japan time):";
    "travel.ahead" => "実際より {d}日{h}時間 進んでいます", "{d} days {h} hours ahead of real time";
    "travel.hour" => "+1時間", "+1 hour";
    "travel.day" => "+1日", "+1 day";
    "travel.three_days" => "+3日", "+3 days";
    "travel.week" => "+1週間", "+1 week";
    "travel.month" => "+30日", "+30 days";
    "travel.next" => "次の配信まで進める", "To the next step due";
    "travel.nothing_next" => "この先に予定されているステップ配信はありません。", "No step is due from here on.";
    "travel.moving" => "時間を進めています…", "Moving time forward…";
    "book.checking" => "LINEでご本人を確認しています…", "Checking who you are with LINE…";
    "book.open_liff" => "予約ページ（LIFF）を開く", "Open the booking page (LIFF)";
    "book.title" => "ご予約", "Your appointments";
    "book.greeting" => "{name} さん、こちらから予約・変更・キャンセルができます。", "{name}, you can book, change or cancel here.";
    "book.upcoming" => "ご予約中", "Booked";
    "book.none" => "いまご予約はありません。", "You have no appointment booked.";
    "book.move" => "日時を変更", "Change the time";
    "book.cancel" => "キャンセル", "Cancel";
    "book.cancel_confirm" => "このご予約をキャンセルしますか？", "Cancel this appointment?";
    "book.cancel_yes" => "キャンセルする", "Yes, cancel it";
    "book.keep" => "やめる", "Keep it";
    "book.new" => "新しく予約する", "Book an appointment";
    "book.move_title" => "{when} のご予約の変更先を選んでください", "Choose a new time for {when}";
    "book.move_stop" => "変更をやめる", "Stop changing";
    "book.department" => "診療科", "Department";
    "book.day" => "日にち", "Day";
    "book.time" => "時間", "Time";
    "book.no_slots" => "この日は予約できる時間がありません。別の日を選んでください。", "No times can be booked on this day. Please choose another day.";
    "book.full" => "満", "Full";
    "book.free" => "残り{n}", "{n} left";
    "book.submit" => "この日時で予約する", "Book this time";
    "book.move_submit" => "この日時に変更する", "Change to this time";
    "book.done_booked" => "ご予約を受け付けました。", "Your appointment is booked.";
    "book.done_moved" => "ご予約の日時を変更しました。", "Your appointment was moved.";
    "book.done_cancelled" => "ご予約をキャンセルしました。", "Your appointment was cancelled.";
    "book.done_help" => "このリンクでの変更はここまでです。またの変更は、LINEに届く新しいリンクからどうぞ。", "This link has made its change. For another change, use the new link you receive in LINE.";
    "book.link_used" => "このリンクでは、すでに変更を受け付けました。内容の確認だけできます。", "This link has already made a change; it can only show your appointments.";
    "appt.view" => "表示", "View";
    "appt.view_day" => "日", "Day";
    "appt.view_week" => "週", "Week";
    "appt.weeks" => "表示する週", "Week shown";
    "appt.previous_week" => "← 前の週", "← Previous week";
    "appt.next_week" => "次の週 →", "Next week →";
    "appt.this_week" => "今週", "This week";
    "appt_import.title" => "予約システムから取り込む（CSV）", "Import from a booking system (CSV)";
    "appt_import.help" => "列: 予約番号, 診察券番号, 診療科, 日時（2026-12-20 09:30）, 状態（予約／キャンセル、省略可）。同じファイルを2回取り込んでも重複しません。時刻が変わった行は変更、キャンセルの行は取消になり、リマインドも追従します。まず内容を確認し、取り込むまで何も変わりません。", "Columns: 予約番号, 診察券番号, 診療科, 日時 (2026-12-20 09:30), 状態 (予約/キャンセル, optional). Importing the same file twice changes nothing. A row whose time changed moves the appointment, a cancelled row cancels it, and reminders follow. Check first: nothing changes until you import.";
    "appt_import.apply" => "{n}件を取り込む", "Import {n} rows";
    "appt_import.done" => "取り込みました。各行の結果は下のとおりです。", "Imported. What became of each row:";
    "appt_import.line" => "行", "Line";
    "appt_import.ref" => "予約番号", "Booking no.";
    "appt_import.result" => "結果", "Result";
    "appt_import.book" => "新しい予約", "New appointment";
    "appt_import.move" => "日時を変更", "Moved";
    "appt_import.cancel" => "キャンセル", "Cancelled";
    "appt_import.unchanged" => "変更なし", "No change";
    "import.appt_ref" => "予約番号がないか、40文字を超えています", "The booking number is missing or over 40 characters";
    "import.appt_patient" => "この診察券番号の友だちがいません", "No friend has this patient number";
    "import.appt_department" => "この診療科はありません", "No such department";
    "import.appt_when" => "日時が読めません（例: 2026-12-20 09:30）", "The date and time cannot be read (e.g. 2026-12-20 09:30)";
    "import.appt_state" => "状態は「予約」か「キャンセル」です", "The state must be 予約 or キャンセル";
    "import.appt_other_patient" => "この予約番号は別の患者さんの予約です", "This booking number belongs to another patient";
    "import.appt_past" => "過去の日時は取り込めません", "A time in the past cannot be imported";
    "import.appt_department_changed" => "診療科の変更は取り込めません（予約システムでいったんキャンセルしてください）", "A change of department cannot be imported (cancel it in the booking system first)";
    "error.csv_appointment_columns" => "予約番号・診察券番号・診療科・日時の列が必要です。", "The file needs the columns 予約番号, 診察券番号, 診療科 and 日時.";
    "appt.title" => "予約", "Appointments";
    "appt.days" => "表示する日", "Day shown";
    "appt.previous_day" => "← 前の日", "← Previous day";
    "appt.next_day" => "次の日 →", "Next day →";
    "appt.today" => "今日", "Today";
    "appt.count_n" => "この日の予約: {n}件", "Appointments this day: {n}";
    "appt.no_departments" => "診療科がまだありません。", "There are no departments yet.";
    "appt.none_today" => "この日の予約はありません。", "No appointments this day.";
    "appt.none" => "予約はまだありません。", "No appointments yet.";
    "appt.slot" => "1枠{m}分・定員{n}人", "{m}-minute slots, {n} per slot";
    "appt.time" => "時刻", "Time";
    "appt.patient" => "患者さん", "Patient";
    "appt.status" => "状態", "Status";
    "appt.actions" => "操作", "Actions";
    "appt.record_visit" => "来院を記録", "Record visit";
    "appt.record_no_show" => "無断キャンセル", "No-show";
    "appt.status_booked" => "予約済み", "Booked";
    "appt.status_changed" => "変更済み", "Changed";
    "appt.status_visited" => "来院済み", "Visited";
    "appt.status_cancelled" => "キャンセル", "Cancelled";
    "appt.status_no_show" => "無断キャンセル", "No-show";
    "appt.department" => "診療科", "Department";
    "appt.when" => "日時", "Date and time";
    "appt.book" => "予約を入れる", "Book";
    "appt.move" => "日時を変更", "Change time";
    "appt.move_to" => "新しい日時", "New date and time";
    "appt.move_save" => "変更する", "Change";
    "appt.cancel" => "キャンセル", "Cancel appointment";
    "appt.cancel_confirm" => "この予約をキャンセルしますか？ リマインドは送られなくなります。", "Cancel this appointment? No reminder will be sent for it.";
    "appt.cancel_yes" => "キャンセルする", "Yes, cancel it";
    "appt.keep" => "予約を残す", "Keep it";
    "seq.intro" => "予約・来院・タグなどをきっかけに、決めた日時にメッセージを送ります。予約の前後に送るステップは、送る時点の予約の日時と状態から決まります（変更や取り消しに自動で追従します）。", "Messages sent at set times after a booking, a visit, a tag and more. Steps around an appointment follow the appointment as it is when they are sent (changes and cancellations are followed automatically).";
    "seq.preview_title" => "今後の配信予定", "Coming messages";
    "seq.preview_help" => "ステップ配信からこの方に届く予定のメッセージです（今の予約と設定による。予約の変更・キャンセルで変わります）。", "What this person's sequences will send them, as things stand (a changed or cancelled appointment changes it).";
    "seq.preview_empty" => "予定されているメッセージはありません。", "No messages are coming.";
    "seq.preview_conditional" => "条件を満たすときのみ", "Only if its condition holds";
    "seq.bulk_segment" => "セグメントからまとめて登録", "Enrol a segment";
    "seq.bulk_pick" => "セグメントを選ぶ", "Choose a segment";
    "seq.bulk_option" => "{name}（{n}人）", "{name} ({n})";
    "seq.bulk_enrol" => "まとめて登録", "Enrol them";
    "seq.bulk_confirm" => "このセグメントの友だち全員をステップ配信に登録しますか？（すでに参加中の方はそのままです）", "Enrol every friend of this segment? (Those already in it stay as they are.)";
    "seq.bulk_yes" => "登録する", "Enrol";
    "seq.bulk_done" => "{n}人を登録しました。", "{n} enrolled.";
    "seq.enrolments_show" => "参加者を見る", "Show who is in it";
    "seq.enrolments_hide" => "参加者を閉じる", "Hide who is in it";
    "seq.enrolments_empty" => "まだ誰も参加していません。", "Nobody has been enrolled yet.";
    "seq.col_friend" => "友だち", "Friend";
    "seq.col_state" => "状態", "State";
    "seq.col_next" => "次の配信", "Next step";
    "seq.col_sent" => "送信済み", "Sent";
    "seq.col_actions" => "操作", "Actions";
    "seq.state_active" => "配信中", "In progress";
    "seq.state_finished" => "終了", "Finished";
    "seq.state_stopped" => "停止", "Stopped";
    "seq.reason_blocked" => "ブロック", "blocked";
    "seq.reason_tag_added" => "停止タグ", "stop tag";
    "seq.reason_segment_left" => "セグメント外", "left the segment";
    "seq.reason_manual" => "手動で外した", "taken out by hand";
    "seq.reason_sequence_gone" => "削除済み", "sequence removed";
    "seq.reason_friend_gone" => "友だちなし", "friend gone";
    "seq.reason_staff" => "職員として連携済み", "linked as staff";
    "seq.unenrol" => "外す", "Take out";
    "seq.unenrol_confirm" => "この方をステップ配信から外しますか？", "Take this friend out of the sequence?";
    "seq.unenrol_yes" => "外す", "Take out";
    "seqed.back" => "← ステップ配信の一覧", "← All sequences";
    "seqed.new_title" => "ステップ配信を作る", "New sequence";
    "seqed.edit_title" => "ステップ配信を編集", "Edit sequence";
    "seqed.edit" => "編集", "Edit";
    "seqed.duplicate" => "複製", "Duplicate";
    "seqed.name" => "名前", "Name";
    "seqed.trigger_kept" => "（今の設定のまま）", "(as it is now)";
    "seqed.trigger_tag" => "タグが付いたとき", "When a tag is added";
    "seqed.trigger_segment" => "セグメントに入ったとき", "When the friend enters a segment";
    "seqed.which_tag" => "どのタグ", "Which tag";
    "seqed.which_segment" => "どのセグメント", "Which segment";
    "seqed.actions" => "このステップで行うこと", "What this step does";
    "seqed.actions_help" => "メッセージを送ったあとに行います。メッセージを空にすると、行うことだけのステップになります。", "Done after the message is sent. Leave the message empty for a step that only acts.";
    "seqed.add_action" => "＋ 行うことを追加", "+ Add something to do";
    "seqed.action_kind" => "行うこと", "What to do";
    "seqed.action_target" => "対象", "Which one";
    "seqed.action_add_tag" => "タグを付ける", "Add a tag";
    "seqed.action_remove_tag" => "タグを外す", "Remove a tag";
    "seqed.action_start" => "ステップ配信を始める", "Start a sequence";
    "seqed.action_stop" => "ステップ配信を止める", "Stop a sequence";
    "seqed.action_kept" => "項目の値を設定（そのまま残します）", "Set a field (kept as it is)";
    "seqed.remove_action" => "この行を削除", "Remove this row";
    "seqed.stops_help" => "ブロックされたときは、いつでも停止します。", "Blocking the account always stops it.";
    "seqed.stop_kind" => "停止する条件の種類", "Kind of stop";
    "seqed.stop_kind_tag" => "タグが付いたとき", "When a tag is added";
    "seqed.stop_kind_segment" => "セグメントから外れたとき", "When the friend leaves a segment";
    "seqed.add_stop" => "＋ 停止する条件を追加", "+ Add a stop";
    "seqed.trigger_target_gone" => "（削除されました。別のものを選んでください）", "(removed: choose another)";
    "seqed.axis_help" => "ステップをドラッグすると日を変えられます。キーボードでは、ステップを選んで ←→ で1日、↑↓ で30分ずつ動かせます。クリックするとメッセージを編集できます。保存するまで何も送られません。", "Drag a step to change its day. With the keyboard, select a step and use ←→ for a day and ↑↓ for half an hour. Click a step to edit its message. Nothing is sent until you save.";
    "seqed.zero_appointment" => "予約日", "Appointment";
    "seqed.zero_start" => "開始日", "Start";
    "seqed.add_step" => "ステップを追加", "Add a step";
    "seqed.step_label" => "ステップ {when}", "Step {when}";
    "seqed.step_panel" => "選んだステップ", "Selected step";
    "seqed.anchor" => "基準", "Counted from";
    "seqed.anchor_appointment" => "予約日時", "the appointment";
    "seqed.anchor_start" => "開始日", "the start";
    "seqed.days" => "日数（前はマイナス）", "Days (minus: before)";
    "seqed.clock" => "時刻（日本時間）", "Time (Japan)";
    "seqed.purpose" => "種類", "Kind";
    "seqed.text" => "メッセージ", "Message";
    "seqed.variables" => "{表示名} {次回予約日} {予約時刻} {診療科} {予約URL}（その方専用の予約ページ）が使えます。", "You can use {表示名} {次回予約日} {予約時刻} {診療科} {予約URL} (the person's own booking page).";
    "seqed.other_bubbles" => "このステップには、ほかに画像などのメッセージが{n}件あり、そのまま送られます。", "This step has {n} more messages (pictures and others), sent as they are.";
    "seqed.remove_step" => "このステップを削除", "Remove this step";
    "seqed.remove_confirm" => "このステップを削除しますか？（保存するまで反映されません）", "Remove this step? (Not applied until you save.)";
    "seqed.remove_yes" => "削除する", "Remove";
    "seqed.save" => "保存する", "Save";
    "seq.notice_booked" => "{who}予約を入れたとき（お知らせ）", "When {who} books (notice)";
    "seq.notice_moved" => "{who}予約を変更したとき（お知らせ）", "When {who} moves an appointment (notice)";
    "seq.notice_cancelled" => "{who}予約をキャンセルしたとき（お知らせ）", "When {who} cancels an appointment (notice)";
    "seq.by_anyone" => "患者さん・クリニックのどちらかが", "anyone";
    "seq.by_patient" => "患者さんが", "the patient";
    "seq.by_staff" => "クリニックが", "the clinic";
    "seq.by_import" => "予約システムの取り込みで", "the booking system import";
    "seqed.notices" => "予約のお知らせ（すぐに送る）", "Appointment notices (sent at once)";
    "seq.empty" => "ステップ配信はまだありません。", "There are no sequences yet.";
    "seq.running" => "配信中", "Running";
    "seq.paused" => "一時停止中", "Paused";
    "seq.pause" => "一時停止", "Pause";
    "seq.resume" => "再開", "Resume";
    "seq.trigger" => "開始のきっかけ", "Starts when";
    "seq.stops" => "停止する条件", "Stops when";
    "seq.enrolled" => "配信中の人数", "Enrolled now";
    "seq.people" => "{n}人", "{n}";
    "seq.timeline" => "ステップ（時間順）", "Steps (in time order)";
    "seq.axis_appointment" => "予約日時の", "Appointment";
    "seq.axis_start" => "開始から", "From start";
    "seq.operational" => "お知らせ（配信停止の対象外）", "Notice (always sent)";
    "seq.marketing" => "ご案内（配信時間帯・上限の対象）", "Marketing (quiet hours and cap apply)";
    "seq.sent_n" => "送信 {n}件", "Sent {n}";
    "seq.blocked_after_n" => "送信後7日以内のブロック {n}人", "Blocked within 7 days {n}";
    "seq.skipped_n" => "見送り {n}件", "Skipped {n}";
    "seq.does" => "行うこと: {list}", "Also: {list}";
    "seq.does_add_tag" => "タグ「{name}」を付ける", "add the tag “{name}”";
    "seq.does_remove_tag" => "タグ「{name}」を外す", "remove the tag “{name}”";
    "seq.does_start" => "「{name}」を始める", "start “{name}”";
    "seq.does_stop" => "「{name}」を止める", "stop “{name}”";
    "seq.does_set_field" => "項目の値を設定する", "set a field";
    "seq.trigger_friend_added" => "友だち追加のとき", "When a friend is added";
    "seq.trigger_tag_added" => "タグ「{name}」が付いたとき", "When the tag “{name}” is added";
    "seq.trigger_segment_entered" => "セグメント「{name}」に入ったとき", "When the friend enters the segment “{name}”";
    "seq.trigger_booked" => "予約が入ったとき", "When an appointment is booked";
    "seq.trigger_booked_in" => "{name}の予約が入ったとき", "When an appointment in {name} is booked";
    "seq.trigger_first_visit" => "初診の来院を記録したとき", "When a first visit is recorded";
    "seq.trigger_visit" => "来院を記録したとき", "When a visit is recorded";
    "seq.trigger_no_show" => "無断キャンセルを記録したとき", "When a no-show is recorded";
    "seq.trigger_manual" => "手動または自動アクションで開始", "Started by hand or by an automation";
    "seq.stop_tag" => "タグ「{name}」が付いたとき", "the tag “{name}” is added";
    "seq.stop_segment" => "セグメント「{name}」から外れたとき", "the friend leaves the segment “{name}”";
    "nav.quota" => "配信通数", "Message quota";
    "settings.delivery" => "配信設定", "Delivery";
    "bc.title" => "配信", "Broadcasts";
    "bc.intro" => "友だち全員・セグメント・タグ・診察券番号リストに、1〜5件の吹き出しをまとめて送ります。1人に何件送っても消費は1通です。", "Send 1–5 bubbles to all friends, a segment, tags or a list of patient numbers. However many bubbles, each recipient costs one message.";
    "bc.new" => "新しい配信", "New broadcast";
    "bc.back" => "← 配信の一覧へ", "← All broadcasts";
    "bc.empty" => "まだ配信はありません。「新しい配信」から作成できます。", "No broadcasts yet. Create one with “New broadcast”.";
    "bc.col_title" => "件名", "Title";
    "bc.col_status" => "状態", "Status";
    "bc.col_delivered" => "配信済み / 対象", "Delivered / total";
    "bc.col_failed" => "失敗", "Failed";
    "bc.col_when" => "配信日時", "When";
    "bc.status_awaiting_approval" => "承認待ち", "Awaiting approval";
    "bc.status_scheduled" => "予約済み", "Scheduled";
    "bc.status_sending" => "配信中", "Sending";
    "bc.status_held" => "配信待ち（夜間）", "Waiting (quiet hours)";
    "bc.status_paused" => "一時停止中", "Paused";
    "bc.status_done" => "完了", "Done";
    "bc.status_cancelled" => "取り消し", "Cancelled";
    "bc.status_stopped" => "停止", "Stopped";
    "bc.reason_quota_shortfall" => "今月の通数が足りなかったため配信できませんでした（{n}通不足）。", "Not sent: this month's messages fell short by {n}.";
    "bc.reason_quiet_hours" => "配信しない時間帯のため、{at} に再開します。", "Quiet hours: it resumes at {at}.";
    "bc.reason_monthly_limit" => "LINEの今月の上限に達したため停止しました。残りは送られていません。", "Stopped: LINE's monthly limit is reached. The rest was not sent.";
    "bc.reason_repeated_failures" => "LINEへの送信が続けて失敗したため一時停止しました。時間をおいて「再開」してください。", "Paused after repeated failures reaching LINE. Resume it later.";
    "bc.reason_channel_changed" => "LINE連携の設定が変わったため停止しました。残りは元のアカウントからも新しいアカウントからも送られていません。", "Stopped: the LINE connection changed. The rest was sent neither from the old account nor from the new one.";
    "bc.reason_by_staff" => "スタッフが操作しました。", "Changed by staff.";
    "bc.reason_line" => "LINEが配信を受け付けなかったため停止しました。内容とLINE連携を確認してください。", "Stopped: LINE refused the send. Check the messages and the LINE connection.";
    "bc.field_title" => "件名（スタッフ用）", "Title (for staff)";
    "bc.field_title_help" => "患者さんには表示されません。一覧で見分けるための名前です。", "Patients do not see it; it names the send in the list.";
    "bc.messages" => "メッセージ", "Messages";
    "bc.messages_help" => "吹き出しは5件まで。LINEの文字数などの制限は入力中に確認します。", "Up to 5 bubbles. LINE's limits are checked as you type.";
    "bc.test_title" => "テスト送信", "Test send";
    "bc.test_help" => "自分のLINEに届く見え方を確認できます。まず自分のLINEをこのクリニックのアカウントと連携します（最初の1回だけ）。", "See it on your own LINE. First link your LINE with this clinic's account (once).";
    "bc.test_link" => "自分のLINEを連携する", "Link my LINE";
    "bc.test_code" => "自分のLINEから、このクリニックの公式アカウントに次の8桁の番号を送ってください（{until}まで有効）。", "From your own LINE, send these 8 digits to the clinic's account (valid until {until}).";
    "bc.test_check" => "連携を確認", "Check the link";
    "bc.test_send" => "自分のLINEにテスト送信", "Send a test to my LINE";
    "bc.test_sent" => "自分のLINEに送りました（1通として数えます）。", "Sent to your LINE (counted as one message).";
    "bc.variables_help" => "本文に {表示名} と書くと、一人ひとりのLINEの表示名に置き換えて送ります（1人ずつの送信になります。消費通数は同じです）。", "Write {表示名} to put in each patient's LINE display name (sent one by one; the count is the same).";
    "bc.bubble_n" => "吹き出し{n}", "Bubble {n}";
    "bc.kind" => "種類", "Kind";
    "bc.kind_text" => "テキスト", "Text";
    "bc.kind_image" => "画像", "Image";
    "bc.kind_buttons" => "ボタン付き", "Buttons";
    "bc.kind_confirm" => "確認（はい／いいえ）", "Confirm (yes / no)";
    "bc.kind_card" => "カード", "Card";
    "bc.kind_carousel" => "カルーセル", "Carousel";
    "bc.move_up" => "上へ", "Move up";
    "bc.move_down" => "下へ", "Move down";
    "bc.remove" => "削除", "Remove";
    "bc.add_bubble" => "吹き出しを追加", "Add a bubble";
    "bc.bubbles_left" => "あと{n}件追加できます", "{n} more can be added";
    "bc.f_text" => "本文", "Text";
    "bc.f_title" => "タイトル", "Title";
    "bc.f_body" => "説明文", "Body";
    "bc.f_question" => "質問", "Question";
    "bc.f_image_url" => "画像のURL（https://）", "Image URL (https://)";
    "bc.f_preview_url" => "プレビュー画像のURL（省略可）", "Preview image URL (optional)";
    "bc.f_image_optional" => "画像のURL（省略可）", "Image URL (optional)";
    "bc.image_help" => "画像をアップロードするか、HTTPSで公開されている画像のURLを入力します（JPEGまたはPNG、10MBまで）。", "Upload a picture, or give the URL of one served over HTTPS (JPEG or PNG up to 10 MB).";
    "bc.upload" => "画像をアップロード", "Upload a picture";
    "bc.upload_help" => "JPEGかPNG、10MBまで。アップロードするとURLは自動で入ります。", "JPEG or PNG up to 10 MB; the URL is filled in for you.";
    "bc.uploading" => "アップロード中…", "Uploading…";
    "bc.uploaded" => "アップロードしました（{w}×{h}・{size}）", "Uploaded ({w}×{h}, {size})";
    "phone.emoji" => "LINE絵文字{id}", "LINE emoji {id}";
    "bc.emoji" => "LINE絵文字", "LINE emoji";
    "bc.emoji_help" => "選ぶとカーソルの位置に入ります。本文では {絵文字:001} のように表示され、1文字として数えます（1つの吹き出しに20個まで）。", "Inserted at the cursor. It shows as {絵文字:001} in the text and counts as one character (up to 20 per bubble).";
    "bc.length" => "{n} / 5000（LINEの数え方）", "{n} / 5000 (as LINE counts)";
    "bc.column_n" => "カード{n}", "Card {n}";
    "bc.column_title" => "タイトル", "Title";
    "bc.column_text" => "本文", "Text";
    "bc.column_image_url" => "画像のURL（省略可）", "Image URL (optional)";
    "bc.add_column" => "カードを追加", "Add a card";
    "bc.button_label" => "ボタンの文字", "Button label";
    "bc.button_does" => "押したとき", "When tapped";
    "bc.button_open" => "ページを開く", "Open a page";
    "bc.button_say" => "文字を送る", "Send words";
    "bc.button_value" => "URL または送る文字", "URL or words to send";
    "bc.add_button" => "ボタンを追加", "Add a button";
    "bc.quick_replies" => "クイックリプライ", "Quick replies";
    "bc.quick_replies_help" => "最後の吹き出しの下に表示されるボタンです（13個まで）。", "Buttons under the last bubble (up to 13).";
    "bc.ad_title" => "医療広告ガイドラインの確認", "Medical advertising check";
    "bc.ad_clear" => "気になる表現は見つかりませんでした。", "No risky wording found.";
    "bc.marked_marketing" => "広告にあたる表現があるため、業務連絡ではなく宣伝の配信として送ります（配信停止の方・月の上限・夜間の保留が適用されます）。", "Its wording is advertising, so it goes as a marketing send, not an operational notice (opt-outs, the monthly cap and quiet hours apply).";
    "bc.ad_needs_approval" => "この配信は管理者の承認後に送られます。", "This send waits for an admin's approval.";
    "bc.ad_flags_n" => "{n}件の表現を指摘", "{n} phrases flagged";
    "bc.audience" => "配信先", "Audience";
    "bc.aud_all" => "友だち全員", "All friends";
    "bc.aud_all_help" => "ブロック中の方には送られません（通数も消費しません）。", "Friends who blocked the account get nothing (and cost nothing).";
    "bc.aud_segment" => "セグメント", "Segment";
    "bc.aud_tags" => "タグ", "Tags";
    "bc.aud_patients" => "診察券番号リスト", "Patient numbers";
    "bc.aud_patients_n" => "診察券番号リスト（{n}件）", "Patient number list ({n})";
    "bc.no_segments" => "保存されたセグメントがありません。", "No saved segments.";
    "bc.no_tags" => "タグがありません。", "No tags yet.";
    "bc.tags_any" => "いずれかのタグ", "Any of the tags";
    "bc.tags_all" => "すべてのタグ", "All of the tags";
    "bc.patients_file" => "CSVファイルから読み込む（1列目が診察券番号）", "Read from a CSV file (first column: patient number)";
    "bc.patients_file_read" => "{n}件の診察券番号を読み込みました。下の一覧で確認・修正できます。", "Read {n} patient numbers. Check or edit them below.";
    "bc.patients_label" => "診察券番号（1行に1件、またはCSVを貼り付け）", "Patient numbers (one per line, or paste a CSV)";
    "bc.patients_help" => "CSVは1列目を診察券番号として読み取ります。見つからない番号は送信前に表示します。", "A CSV's first column is read as the number. Numbers not found are listed before sending.";
    "bc.purpose" => "配信の種類", "Kind of send";
    "bc.purpose_marketing" => "お知らせ・販促", "Marketing";
    "bc.purpose_operational" => "診療上のご連絡（予約・休診など）", "Operational (appointments, closures)";
    "bc.purpose_help" => "お知らせ・販促は夜間（既定21時〜8時）は送らず、1人あたり月の上限回数と配信停止希望を守ります。", "Marketing waits out quiet hours (21:00–08:00 by default) and respects the monthly cap per patient and opt-outs.";
    "bc.when" => "配信日時", "When";
    "bc.now" => "今すぐ", "Now";
    "bc.later" => "日時を指定", "At a time";
    "bc.at" => "配信日時（日本時間）", "Date and time (Japan)";
    "bc.preview" => "プレビュー", "Preview";
    "bc.cost" => "送信前の確認", "Before sending";
    "bc.recipients" => "配信対象", "Recipients";
    "bc.consumes" => "消費する通数", "Messages used";
    "bc.n_messages" => "{n}通", "{n} messages";
    "bc.left_now" => "今月の残り", "Left this month";
    "bc.left_after" => "配信後の残り", "Left after";
    "bc.extra_cost" => "追加メッセージ料金（税別）", "Extra message charge (excl. tax)";
    "bc.plan" => "LINEのプラン", "LINE plan";
    "bc.excluded" => "対象外: 配信停止希望 {opted}人、今月の上限回数に達した方 {capped}人", "Left out: {opted} opted out, {capped} reached this month's cap";
    "bc.unknown_numbers" => "見つからない診察券番号: {list}", "Patient numbers not found: {list}";
    "bc.shortfall" => "今月の残り通数が足りません。あと{n}通不足しています。", "This month's messages are not enough: {n} short.";
    "bc.nobody" => "この条件で送れる方がいません。", "Nobody can receive this send.";
    "bc.held_until" => "今は配信しない時間帯です。{at} に送信を始めます。", "It is quiet hours now; sending starts at {at}.";
    "bc.send" => "配信する", "Send";
    "bc.schedule" => "予約する", "Schedule";
    "bc.fix_first" => "赤字の項目を直すと送信できます。", "Fix the items in red to send.";
    "bc.confirm" => "{n}人に配信します。よろしいですか？", "Send to {n} people?";
    "bc.confirm_yes" => "配信する", "Send";
    "bc.templates" => "定型文", "Templates";
    "bc.templates_empty" => "保存した定型文はまだありません。下の「定型文として保存」から作れます。", "No templates yet. Save one below.";
    "bc.template_choose" => "定型文を選ぶ", "Choose a template";
    "bc.template_no_folder" => "フォルダなし", "No folder";
    "bc.template_load" => "読み込む", "Load";
    "bc.template_replace" => "いま入力しているメッセージを定型文で置き換えます。よろしいですか？", "Replace the messages typed so far with the template?";
    "bc.template_save" => "このメッセージを定型文として保存", "Save these messages as a template";
    "bc.template_folder" => "フォルダ（任意）", "Folder (optional)";
    "bc.template_name" => "定型文の名前", "Template name";
    "bc.template_saved" => "定型文を保存しました。", "Template saved.";
    "bc.restored" => "前回の下書きを復元しました。", "Your previous draft was restored.";
    "bc.discard" => "下書きを破棄", "Discard draft";
    "bc.progress" => "配信状況", "Progress";
    "bc.progress_text" => "{done} / {total}人に配信済み（{pct}%）", "{done} of {total} delivered ({pct}%)";
    "bc.failed_n" => "{n}人に送れませんでした。", "{n} could not be sent.";
    "bc.capped_n" => "今月の上限回数に達した{n}人は対象外でした。", "{n} who reached this month's cap were left out.";
    "bc.pause" => "一時停止", "Pause";
    "bc.resume" => "再開", "Resume";
    "bc.approve" => "承認して配信", "Approve and send";
    "bc.cancel" => "配信を取り消す", "Cancel the send";
    "bc.cancel_confirm" => "まだ送っていない分を取り消します。送信済みの分は取り消せません。よろしいですか？", "What has not been sent will not be. What was sent stays sent. Cancel?";
    "bc.cancel_yes" => "取り消す", "Cancel it";
    "msg.too_long" => "{max}文字以内にしてください（現在{len}文字、LINEの数え方）。", "At most {max} characters (now {len}, as LINE counts).";
    "msg.too_many" => "{n}個までです。", "At most {n}.";
    "msg.card_too_large" => "カードが大きすぎます（{n}KBまで）。", "The card is too large (at most {n} KB).";
    "msg.no_bubbles" => "吹き出しを1件以上入れてください。", "Add at least one bubble.";
    "msg.empty" => "入力してください。", "Required.";
    "msg.no_buttons" => "ボタンを1つ以上入れてください。", "Add at least one button.";
    "msg.no_columns" => "カードを1枚以上入れてください。", "Add at least one card.";
    "msg.uneven_columns" => "カルーセルのカードは、画像・タイトルの有無とボタンの数をそろえてください。", "Carousel cards must all have (or all lack) a picture and a title, and the same number of buttons.";
    "msg.too_many_emoji" => "LINE絵文字は1つの吹き出しに{n}個までです。", "At most {n} LINE emoji per bubble.";
    "msg.bad_emoji" => "{絵文字:…} の書き方が正しくありません。絵文字はボタンから選んでください。", "A {絵文字:…} is not written correctly. Pick emoji with the button.";
    "msg.not_https" => "https:// で始まるURLにしてください。", "Use an address starting with https://.";
    "msg.bad_uri" => "http(s)://、line:// または tel: で始まるURLにしてください。", "Use an http(s)://, line:// or tel: address.";
    "ad.superiority" => "比較優良広告", "Claim of superiority";
    "ad.superiority_why" => "他の医療機関より優れていると示す表現は広告できません。", "Claiming to be better than other clinics is not allowed.";
    "ad.exaggeration" => "誇大広告", "Exaggeration";
    "ad.exaggeration_why" => "効果を保証したり誇張したりする表現は広告できません。", "Promising or exaggerating results is not allowed.";
    "ad.testimonial" => "体験談", "Testimonial";
    "ad.testimonial_why" => "治療の効果に関する患者さんの体験談は広告できません。", "Patients' accounts of treatment results are not allowed.";
    "ad.before_after" => "術前術後の写真", "Before/after pictures";
    "ad.before_after_why" => "治療内容・費用・リスク（副作用）の説明がない術前術後の写真は広告できません。", "Before/after pictures need the treatment, its cost and its risks stated.";
    "ad.price_lure" => "費用の強調", "Price lure";
    "ad.price_lure_why" => "費用を強調して来院を誘う表現は控えてください。", "Luring patients with prices is to be avoided.";
    "plan.free" => "コミュニケーションプラン（無料・月200通）", "Communication plan (free, 200 a month)";
    "plan.light" => "ライトプラン（月5,000通）", "Light plan (5,000 a month)";
    "plan.standard" => "スタンダードプラン（月30,000通＋追加）", "Standard plan (30,000 a month + extra)";
    "quota.title" => "配信通数", "Message quota";
    "quota.intro" => "今月LINEで送れる通数と、その使い道です。LINEの管理画面から送った分も、LINEの集計と照合して含めます。", "This month's messages and where they went. Sends made in LINE's own app are included by reconciling with LINE's count.";
    "quota.month" => "{month}", "{month}";
    "quota.used" => "送信済み", "Sent";
    "quota.reserved" => "配信中の予約分", "Reserved by sends under way";
    "quota.outside" => "LINEの管理画面などから送信", "Sent outside Yorisoi";
    "quota.ceiling" => "今月の上限", "This month's ceiling";
    "quota.left" => "残り", "Left";
    "quota.unlimited" => "上限なし（追加料金あり）", "No ceiling (extra messages are charged)";
    "quota.op_reserve" => "診療連絡用に確保", "Kept for operational messages";
    "quota.reconciled" => "LINEの集計と照合: {at}", "Reconciled with LINE: {at}";
    "quota.forecast" => "月末までの見通し", "Forecast to month end";
    "quota.scheduled" => "予約済みの配信", "Scheduled sends";
    "quota.pace" => "今月のペース", "This month's pace";
    "quota.per_day" => "1日あたり{n}通", "{n} a day";
    "quota.runs_out" => "このペースで上限に達する日", "Ceiling reached at this pace on";
    "quota.not_this_month" => "今月中には達しません", "Not this month";
    "quota.ledger" => "通数の記録", "Ledger";
    "quota.ledger_empty" => "今月の記録はまだありません。", "Nothing recorded this month yet.";
    "quota.at" => "日時", "When";
    "quota.kind" => "内容", "What";
    "quota.amount" => "通数", "Messages";
    "quota.kind_reserve" => "予約（配信開始）", "Reserved (send started)";
    "quota.kind_settle" => "送信確定", "Settled (sent)";
    "quota.kind_release" => "予約の返却", "Released";
    "quota.kind_reconcile" => "LINEの集計との照合", "Reconciled with LINE";
    "quota.warn_80" => "今月の通数の{n}%を使いました。配信の予定を確認してください。", "{n}% of this month's messages are used. Check what is planned.";
    "quota.warn_95" => "今月の通数の{n}%を使いました。まもなく上限です。", "{n}% of this month's messages are used: the ceiling is near.";
    "quota.share" => "今月の通数の{n}%を使っています。", "{n}% of this month's messages are used.";
    "quota.left_n" => "残り{n}通", "{n} left";
    "quota.open" => "配信通数を見る", "Open the quota";
    "deliv.title" => "配信設定", "Delivery settings";
    "deliv.quiet" => "配信しない時間帯", "Quiet hours";
    "deliv.quiet_help" => "お知らせ・販促はこの時間帯には送らず、明けてから送ります（日本時間）。開始と終了を同じにすると制限なし。", "Marketing waits until quiet hours end (Japan time). The same start and end turns them off.";
    "deliv.quiet_start" => "開始", "From";
    "deliv.quiet_end" => "終了", "Until";
    "deliv.limits" => "送りすぎの防止", "Not too many";
    "deliv.cap" => "1人あたりの月の上限（お知らせ・販促）", "Marketing messages per patient per month";
    "deliv.cap_help" => "上限に達した方には、その月はお知らせ・販促を送りません。診療上のご連絡は対象外です。", "Once reached, no more marketing that month. Operational messages are exempt.";
    "deliv.reserve" => "診療連絡用に確保する通数", "Messages kept for operational sends";
    "deliv.reserve_help" => "予約リマインドなどのために残し、お知らせ・販促では使いません。", "Kept for reminders; marketing sends cannot use them.";
    "deliv.ad" => "医療広告ガイドライン", "Medical advertising";
    "deliv.approval" => "指摘のある配信は管理者の承認を必要とする", "Flagged sends need an admin's approval";
    "deliv.rules_help" => "標準の表現リストに加えて、院独自に注意したい表現を登録できます。", "Add your own phrases to the standard list.";
    "deliv.no_rules" => "院独自の表現はまだありません。", "No phrases of your own yet.";
    "deliv.phrase" => "表現", "Phrase";
    "deliv.category" => "分類", "Category";
    "deliv.note" => "理由（任意）", "Reason (optional)";
    "deliv.add_rule" => "追加", "Add";
    "phone.plan_title" => "サンドボックスのLINEプラン", "The sandbox's LINE plan";
    "phone.plan_help" => "無料プランやライトプランの院で何が起きるかを試せます（本番のLINEには影響しません）。", "Try what a clinic on the free or Light plan sees (real LINE is not affected).";
    "phone.plan_usage" => "今月の使用済み通数", "Used this month";
    "phone.plan_apply" => "切り替える", "Switch";
    "error.invalid_broadcast_title" => "件名を1〜60文字で入力してください。", "Enter a title of 1 to 60 characters.";
    "error.invalid_bundle" => "メッセージにLINEの制限を超える箇所があります。赤字の項目を直してください。", "The messages break a LINE limit. Fix the items in red.";
    "error.schedule_in_past" => "配信日時が過ぎています。これから先の日時を選んでください。", "The time has passed. Choose a time ahead.";
    "error.empty_audience" => "この条件で送れる方がいません。", "Nobody can receive this send.";
    "error.quota_shortfall" => "今月の残り通数が足りないため送れません（{n}通不足）。配信先を絞るか、プランを見直してください。", "Not enough messages left this month ({n} short). Narrow the audience or review the plan.";
    "error.broadcast_state" => "この配信は今の状態ではその操作ができません。画面を更新してください。", "This send cannot do that now. Reload the page.";
    "error.invalid_delivery_settings" => "設定の値を確認してください（時刻は00:00〜23:59、回数は0〜100）。", "Check the values (times 00:00–23:59, counts 0–100).";
    "error.image_empty" => "ファイルが空です。画像を選び直してください。", "The file is empty. Choose the picture again.";
    "error.image_type" => "JPEGかPNGの画像だけ送れます（GIF・HEIC・PDFは送れません）。", "Only JPEG or PNG pictures can be sent (not GIF, HEIC or PDF).";
    "error.image_too_large" => "画像が10MBを超えています。小さくしてから選んでください。", "The picture is over 10 MB. Make it smaller first.";
    "error.image_too_many_pixels" => "画像が大きすぎます（1辺10,000ピクセル・全体で4,000万画素まで）。縮小してからアップロードしてください。", "The picture is too large (at most 10,000 pixels a side and 40 megapixels in all). Please make it smaller first.";
    "error.image_damaged" => "画像を読み込めませんでした。ファイルが壊れているか途中までしかありません。", "The picture could not be read: the file is damaged or cut short.";
    "error.pictures_need_https" => "アップロードした画像をLINEで送るには、このサーバーをHTTPSで公開する設定（YORISOI_PUBLIC_URL）が必要です。管理者に確認してください。", "Sending uploaded pictures needs this server published over HTTPS (YORISOI_PUBLIC_URL). Ask your administrator.";
    "error.not_linked" => "自分のLINEがまだ連携されていません。「自分のLINEを連携する」から連携してください。", "Your LINE is not linked yet. Link it first.";
    "error.csrf" => "安全のため、このリクエストは拒否されました。ページを再読み込みしてください。", "For your safety this request was refused. Please reload the page.";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_has_both_languages() {
        for (key, ja, en) in ENTRIES {
            assert!(!ja.is_empty() && !en.is_empty(), "{key}");
        }
        let mut keys: Vec<&str> = ENTRIES.iter().map(|e| e.0).collect();
        keys.sort();
        let n = keys.len();
        keys.dedup();
        assert_eq!(n, keys.len(), "duplicate keys in the catalogue");
    }

    /// Every error code has words in both languages: each the engine gives
    /// (`EngineError::examples`, one of every kind) and each the app gives
    /// itself (`AppError::new("…")` anywhere under `app/src`).
    #[test]
    fn every_error_code_has_a_message() {
        let mut codes: Vec<String> = Vec::new();
        #[cfg(feature = "ssr")]
        codes.extend(engine::EngineError::examples().iter().map(|e| e.code().to_string()));
        for (_, src) in app_sources() {
            for (i, _) in src.match_indices("AppError::new(\"") {
                let rest = &src[i + 15..];
                let code = &rest[..rest.find('"').unwrap_or(0)];
                // Not the `AppError::new("…")` of a comment.
                if !code.is_empty() && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                    codes.push(code.to_string());
                }
            }
        }
        assert!(codes.contains(&"network".to_string()), "the scan found the app's own codes");
        for code in codes {
            let key = format!("error.{code}");
            assert!(
                lookup(Lang::Ja, &key).is_some() && lookup(Lang::En, &key).is_some(),
                "{key} missing"
            );
        }
    }

    /// Every `.rs` file under `app/src`, read from disk (a new file is
    /// checked without being listed here).
    fn app_sources() -> Vec<(String, String)> {
        fn walk(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
            let mut entries: Vec<_> = std::fs::read_dir(dir).expect("app/src is readable").flatten().collect();
            entries.sort_by_key(|e| e.path());
            for e in entries {
                let path = e.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|x| x == "rs") {
                    out.push((path.display().to_string(), std::fs::read_to_string(&path).expect("readable source")));
                }
            }
        }
        let mut out = Vec::new();
        walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
        out
    }

    /// The keys a source names literally: the second argument of `t(…)`
    /// and `t_n(…)` when it is a string literal.
    fn literal_keys(src: &str) -> Vec<&str> {
        let mut keys = Vec::new();
        for call in ["t(", "t_n("] {
            for (i, _) in src.match_indices(call) {
                let before = src[..i].chars().next_back().unwrap_or(' ');
                if before.is_alphanumeric() || before == '_' {
                    continue; // part of a longer name (`fmt(`, `set_n(`…)
                }
                let args = &src[i + call.len()..];
                // The first argument ends at the first comma outside
                // parentheses (`use_lang()`); a `)` first ends the call.
                let mut depth = 0;
                let mut comma = None;
                for (j, c) in args.char_indices().take(40) {
                    match c {
                        '(' => depth += 1,
                        ')' if depth == 0 => break,
                        ')' => depth -= 1,
                        ',' if depth == 0 => {
                            comma = Some(j);
                            break;
                        }
                        _ => {}
                    }
                }
                let Some(comma) = comma.filter(|c| args[*c..].starts_with(", \"")) else {
                    continue;
                };
                let rest = &args[comma + 3..];
                keys.push(&rest[..rest.find('"').unwrap_or(0)]);
            }
        }
        keys
    }

    #[test]
    fn literal_keys_are_found_in_every_call_form() {
        let src = r#"t(lang, "a.one") t(use_lang(), "a.two") t_n(lang, "a.three", 3) fmt(lang, "not.a_key")"#;
        assert_eq!(literal_keys(src), ["a.one", "a.two", "a.three"]);
    }

    /// Every key the app names literally is in the catalogue (a missing
    /// one would show its key to the clinic's staff). Run with
    /// `--nocapture` to see every file it read.
    #[test]
    fn every_key_the_app_names_exists() {
        let sources = app_sources();
        let mut missing = Vec::new();
        let mut checked = 0;
        for (path, src) in &sources {
            // Test modules name made-up keys on purpose.
            let src = src.split("\n#[cfg(test)]").next().unwrap_or(src);
            let keys = literal_keys(src);
            println!("{:>4} keys  {path}", keys.len());
            for key in keys {
                checked += 1;
                if lookup(Lang::Ja, key).is_none() {
                    missing.push(format!("{key} ({path})"));
                }
            }
        }
        println!("{checked} keys in {} files", sources.len());
        assert!(sources
            .iter()
            .any(|(p, _)| p.ends_with("pages/broadcasts.rs") || p.ends_with("pages/broadcasts/composer.rs")));
        assert!(checked > 500, "the scan found only {checked} keys: is it still reading the pages?");
        assert!(missing.is_empty(), "missing from the catalogue: {missing:?}");
        for prefix in [
            "seg.kind_",
            "seg.op_",
            "seg.when_",
            "seg.reason_",
            "field.type_",
            "auto.trigger_",
            "auto.add_",
            "auto.status_",
            "bc.status_",
            "bc.kind_",
            "bc.aud_",
            "bc.column_",
            "bc.purpose_",
            "ad.",
            "plan.",
            "quota.kind_",
        ] {
            assert!(ENTRIES.iter().any(|e| e.0.starts_with(prefix)), "{prefix}");
        }
    }

    /// Keys made from a value at run time exist for every value.
    #[test]
    fn every_send_state_category_and_plan_has_words() {
        for s in model::broadcast::BroadcastStatus::ALL {
            assert!(lookup(Lang::Ja, &format!("bc.status_{}", s.as_str())).is_some(), "{s:?}");
        }
        for c in model::adcheck::AdCategory::ALL {
            assert!(lookup(Lang::En, &format!("ad.{}", c.as_str())).is_some());
            assert!(lookup(Lang::En, &format!("ad.{}_why", c.as_str())).is_some());
        }
        for p in model::plan::PLANS {
            assert!(lookup(Lang::Ja, &format!("plan.{}", p.plan.as_str())).is_some());
        }
        for k in ["reserve", "settle", "release", "reconcile"] {
            assert!(lookup(Lang::Ja, &format!("quota.kind_{k}")).is_some());
        }
    }

    #[test]
    fn language_comes_from_the_cookie() {
        assert_eq!(Lang::from_cookie_header("a=b; yorisoi_lang=en"), Lang::En);
        assert_eq!(Lang::from_cookie_header("yorisoi_lang=ja"), Lang::Ja);
        assert_eq!(Lang::from_cookie_header(""), Lang::Ja);
        assert_eq!(
            t_n(Lang::En, "error.throttled", 30),
            "Too many failed attempts. Please try again in 30 seconds."
        );
    }
}
