use model::PasswordProblem;
use store::StoreError;

/// Why the engine refused. Each variant has a stable `code()` that the UI
/// turns into a sentence from its catalogue (Japanese or English).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("not signed in")]
    NotSignedIn,
    #[error("the e-mail address or password is wrong")]
    InvalidCredentials,
    #[error("too many failed logins; retry after {retry_after_secs} s")]
    Throttled { retry_after_secs: i64 },
    #[error("this account is disabled")]
    AccountDisabled,
    #[error("the organization requires a second factor")]
    TotpRequiredByPolicy,
    #[error("the one-time code is wrong or was already used")]
    InvalidTotp,
    #[error("a second factor must be set up first")]
    TotpEnrolmentRequired,
    #[error("replacing the second factor needs the password or a current code")]
    TotpProofRequired,
    #[error("your role may not do this")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("password: {0:?}")]
    WeakPassword(PasswordProblem),
    #[error("the current password is wrong")]
    WrongCurrentPassword,
    #[error("this e-mail address is already in use")]
    EmailTaken,
    #[error("the e-mail address is not valid")]
    InvalidEmail,
    #[error("a name is required")]
    NameRequired,
    #[error("the invitation link is invalid, expired or already used")]
    InvalidInvitation,
    #[error("the clinic would be left without an owner")]
    LastOwner,
    #[error("you cannot change your own role or account state")]
    SelfChange,
    #[error("the webhook signature does not match")]
    BadSignature,
    #[error("the webhook body is not valid: {0}")]
    MalformedWebhook(String),
    #[error("this clinic has no LINE channel configured")]
    NoChannel,
    #[error("LINE: {0}")]
    Line(String),
    #[error("LINE refused the channel access token")]
    LineAuthFailed,
    #[error("the channel ID must be the digits shown in the LINE Developers console")]
    InvalidChannelId,
    #[error("the channel secret must be the 32 characters shown in the LINE Developers console")]
    InvalidChannelSecret,
    #[error("the channel secret and access token are required")]
    ChannelCredentialsRequired,
    #[error("the sandbox is not available: {0}")]
    Sandbox(String),
    #[error("a display name is required (at most 20 characters)")]
    InvalidDisplayName,
    #[error("a message is required (at most 5000 characters)")]
    InvalidMessageText,
    #[error("patient field: {0:?}")]
    PatientField(model::patient::PatientProblem),
    #[error("this patient number belongs to another friend")]
    PatientNumberTaken,
    #[error("CSV: {0:?}")]
    Csv(model::patient::CsvError),
    #[error("a name of 1 to 30 characters is required")]
    InvalidTagName,
    #[error("that name is already used in this clinic")]
    TagNameTaken,
    #[error("choose one of the tag colours")]
    InvalidTagColor,
    #[error("the description or rule text is too long")]
    TagTextTooLong,
    #[error("unknown field type")]
    InvalidFieldType,
    #[error("choices are required for choice fields (1 to 50, different), and only for them")]
    InvalidChoices,
    #[error("the value does not fit the field")]
    ValueNotForField,
    #[error("the rule cannot be evaluated: {0:?}")]
    InvalidRule(Vec<model::segment::Refusal>),
    #[error("a name of 1 to 40 characters is required")]
    InvalidSegmentName,
    #[error("the automation cannot be saved: {0:?}")]
    InvalidAutomation(Vec<model::automation::AutomationProblem>),
    #[error("automations triggered each other too many times in a row")]
    AutomationChainTooDeep,
    #[error("LINE refused a message: {0}")]
    LineSend(line::LineError),
    #[error("a title of 1 to 60 characters is required")]
    InvalidBroadcastTitle,
    #[error("the messages break LINE's limits: {0:?}")]
    InvalidBundle(Vec<model::message::MessageProblem>),
    #[error("the scheduled time has passed")]
    ScheduleInPast,
    #[error("nobody would receive this send")]
    EmptyAudience,
    #[error("this month's messages cannot cover the send: {needed} needed, {left} left")]
    QuotaShortfall { needed: i64, left: i64 },
    #[error("the send is not in a state that allows this")]
    BroadcastState,
    #[error("the delivery settings are not valid")]
    InvalidDeliverySettings,
    #[error("your own LINE account is not linked")]
    NotLinked,
    #[error("uploaded pictures need the server's public URL to be https")]
    PicturesNeedHttps,
    #[error("the picture cannot be sent: {0:?}")]
    Image(media::Refusal),
    #[error("the clinic's LINE channel changed after the send started")]
    ChannelChanged,
    #[error("real LINE credentials need YORISOI_SECRET_KEY to be set")]
    SecretKeyRequired,
    #[error("the appointment cannot be changed so: {0:?}")]
    Appointment(model::appointment::AppointmentProblem),
    #[error("the appointment was changed by someone else meanwhile")]
    AppointmentChangedMeanwhile,
    #[error("that slot is full")]
    SlotFull,
    #[error("time travel is only for sandbox clinics, forward, at most a year at once")]
    TimeTravelRefused,
    #[error("this booking link is not valid or has expired")]
    BookingLinkInvalid,
    #[error("this booking link was already used for a change")]
    BookingLinkUsed,
    #[error("a slot of 5 to 240 minutes for 1 to 100 patients is required")]
    InvalidSlot,
    #[error("the sequence cannot be saved: {0:?}")]
    InvalidSequence(Vec<model::sequence::SequenceProblem>),
    #[error("the rich menu cannot be published: {0:?}")]
    InvalidRichMenu(Vec<model::rich_menu::DesignProblem>),
    #[error("a rich menu needs a name of 1 to 100 characters, not used by another menu")]
    InvalidRichMenuName,
    #[error("a rich menu's picture must be this clinic's JPEG or PNG of exactly the menu's size, 1 MB or less")]
    RichMenuImage,
    #[error("the rich menu is still shown to someone (the default or a rule)")]
    RichMenuInUse,
    #[error("the staff channel cannot be saved: {0:?}")]
    InvalidStaffChannel(Vec<model::staff_channel::StaffChannelProblem>),
    #[error("another staff channel has this name")]
    StaffChannelNameTaken,
    #[error("an inflow route's name must be 1 to 40 characters and not another route's")]
    InvalidRouteName,
    #[error("the staff channel is archived")]
    StaffChannelArchived,
    #[error("the post cannot be sent: {0:?}")]
    InvalidStaffPost(Vec<model::staff_channel::PostProblem>),
    #[error("the post looks like it holds patient data: {} findings", .0.len())]
    PatientDataWarning(Vec<model::staff_channel::PatientDataHint>),
    #[error("the post was changed meanwhile")]
    StaffPostChangedMeanwhile,
    #[error("stored data could not be read")]
    Corrupt,
    #[error("storage: {0}")]
    Store(#[from] StoreError),
}

impl EngineError {
    pub fn code(&self) -> &'static str {
        use EngineError::*;
        match self {
            NotSignedIn => "not_signed_in",
            InvalidCredentials => "invalid_credentials",
            Throttled { .. } => "throttled",
            AccountDisabled => "account_disabled",
            InvalidTotp => "invalid_totp",
            TotpRequiredByPolicy => "totp_required_by_policy",
            TotpEnrolmentRequired => "totp_enrolment_required",
            TotpProofRequired => "totp_proof_required",
            Forbidden => "forbidden",
            NotFound => "not_found",
            WeakPassword(PasswordProblem::TooShort) => "password_too_short",
            WeakPassword(PasswordProblem::TooLong) => "password_too_long",
            WrongCurrentPassword => "wrong_current_password",
            EmailTaken => "email_taken",
            InvalidEmail => "invalid_email",
            NameRequired => "name_required",
            InvalidInvitation => "invalid_invitation",
            LastOwner => "last_owner",
            SelfChange => "self_change",
            BadSignature => "bad_signature",
            MalformedWebhook(_) => "malformed_webhook",
            NoChannel => "no_channel",
            Line(_) => "line_error",
            LineAuthFailed => "line_auth_failed",
            InvalidChannelId => "invalid_channel_id",
            InvalidChannelSecret => "invalid_channel_secret",
            ChannelCredentialsRequired => "channel_credentials_required",
            Sandbox(_) => "sandbox_unavailable",
            InvalidDisplayName => "invalid_display_name",
            InvalidMessageText => "invalid_message_text",
            PatientField(p) => match p {
                model::patient::PatientProblem::NumberInvalid => "patient_number_invalid",
                model::patient::PatientProblem::KanaInvalid => "patient_kana_invalid",
                model::patient::PatientProblem::DateInvalid => "patient_date_invalid",
                model::patient::PatientProblem::DateInFuture => "patient_date_in_future",
                model::patient::PatientProblem::SexInvalid => "patient_sex_invalid",
                model::patient::PatientProblem::MemoTooLong => "patient_memo_too_long",
            },
            PatientNumberTaken => "patient_number_taken",
            InvalidTagName => "invalid_tag_name",
            TagNameTaken => "tag_name_taken",
            InvalidTagColor => "invalid_tag_color",
            TagTextTooLong => "tag_text_too_long",
            InvalidFieldType => "invalid_field_type",
            InvalidChoices => "invalid_choices",
            ValueNotForField => "value_not_for_field",
            InvalidRule(_) => "invalid_rule",
            InvalidSegmentName => "invalid_segment_name",
            InvalidAutomation(_) => "invalid_automation",
            AutomationChainTooDeep => "automation_chain_too_deep",
            LineSend(_) => "line_error",
            Csv(e) => e.code(),
            InvalidBroadcastTitle => "invalid_broadcast_title",
            InvalidBundle(_) => "invalid_bundle",
            ScheduleInPast => "schedule_in_past",
            EmptyAudience => "empty_audience",
            QuotaShortfall { .. } => "quota_shortfall",
            BroadcastState => "broadcast_state",
            InvalidDeliverySettings => "invalid_delivery_settings",
            NotLinked => "not_linked",
            Image(refusal) => refusal.code(),
            PicturesNeedHttps => "pictures_need_https",
            ChannelChanged => "channel_changed",
            SecretKeyRequired => "secret_key_required",
            Appointment(p) => p.code(),
            AppointmentChangedMeanwhile => "appointment_changed_meanwhile",
            SlotFull => "slot_full",
            TimeTravelRefused => "time_travel_refused",
            BookingLinkInvalid => "booking_link_invalid",
            BookingLinkUsed => "booking_link_used",
            InvalidSlot => "invalid_slot",
            InvalidSequence(_) => "invalid_sequence",
            InvalidRichMenu(_) => "invalid_rich_menu",
            InvalidRichMenuName => "invalid_rich_menu_name",
            RichMenuImage => "rich_menu_image",
            RichMenuInUse => "rich_menu_in_use",
            InvalidStaffChannel(_) => "invalid_staff_channel",
            StaffChannelNameTaken => "staff_channel_name_taken",
            InvalidRouteName => "invalid_route_name",
            StaffChannelArchived => "staff_channel_archived",
            InvalidStaffPost(_) => "invalid_staff_post",
            PatientDataWarning(_) => "patient_data_warning",
            StaffPostChangedMeanwhile => "staff_post_changed",
            Corrupt | Store(_) => "internal",
        }
    }

    /// One error of every kind, and of every sub-kind with a code of its
    /// own, so a test can walk every code `code()` gives (the app's
    /// catalogue must have words for each). The match below has no
    /// wildcard: a new variant does not compile until it is added here.
    pub fn examples() -> Vec<EngineError> {
        use model::appointment::AppointmentProblem;
        use model::patient::{CsvError, PatientProblem as P};
        use EngineError::*;
        let all = vec![
            NotSignedIn,
            InvalidCredentials,
            Throttled { retry_after_secs: 1 },
            AccountDisabled,
            TotpRequiredByPolicy,
            InvalidTotp,
            TotpEnrolmentRequired,
            TotpProofRequired,
            Forbidden,
            NotFound,
            WeakPassword(PasswordProblem::TooShort),
            WeakPassword(PasswordProblem::TooLong),
            WrongCurrentPassword,
            EmailTaken,
            InvalidEmail,
            NameRequired,
            InvalidInvitation,
            LastOwner,
            SelfChange,
            BadSignature,
            MalformedWebhook(String::new()),
            NoChannel,
            Line(String::new()),
            LineAuthFailed,
            InvalidChannelId,
            InvalidChannelSecret,
            ChannelCredentialsRequired,
            Sandbox(String::new()),
            InvalidDisplayName,
            InvalidMessageText,
            PatientField(P::NumberInvalid),
            PatientField(P::KanaInvalid),
            PatientField(P::DateInvalid),
            PatientField(P::DateInFuture),
            PatientField(P::SexInvalid),
            PatientField(P::MemoTooLong),
            PatientNumberTaken,
            Csv(CsvError::StrayQuote { line: 1 }),
            Csv(CsvError::UnclosedQuote { line: 1 }),
            Csv(CsvError::Empty),
            Csv(CsvError::NoKeyColumn),
            Csv(CsvError::NothingToImport),
            Csv(CsvError::TooManyRows),
            InvalidTagName,
            TagNameTaken,
            InvalidTagColor,
            TagTextTooLong,
            InvalidFieldType,
            InvalidChoices,
            ValueNotForField,
            InvalidRule(Vec::new()),
            InvalidSegmentName,
            InvalidAutomation(Vec::new()),
            AutomationChainTooDeep,
            LineSend(line::LineError::NotFound),
            InvalidBroadcastTitle,
            InvalidBundle(Vec::new()),
            ScheduleInPast,
            EmptyAudience,
            QuotaShortfall { needed: 2, left: 1 },
            BroadcastState,
            InvalidDeliverySettings,
            NotLinked,
            PicturesNeedHttps,
            Image(media::Refusal::Empty),
            Image(media::Refusal::NotJpegOrPng),
            Image(media::Refusal::TooLarge { bytes: 0 }),
            Image(media::Refusal::TooManyPixels { width: 0, height: 0 }),
            Image(media::Refusal::Damaged),
            ChannelChanged,
            SecretKeyRequired,
            Appointment(AppointmentProblem::AlreadyCancelled),
            Appointment(AppointmentProblem::AlreadyVisited),
            Appointment(AppointmentProblem::InThePast),
            Appointment(AppointmentProblem::NotYetBegun),
            AppointmentChangedMeanwhile,
            SlotFull,
            TimeTravelRefused,
            BookingLinkInvalid,
            BookingLinkUsed,
            InvalidSlot,
            InvalidSequence(Vec::new()),
            InvalidRichMenu(Vec::new()),
            InvalidRichMenuName,
            RichMenuImage,
            RichMenuInUse,
            InvalidStaffChannel(Vec::new()),
            StaffChannelNameTaken,
            InvalidRouteName,
            StaffChannelArchived,
            InvalidStaffPost(Vec::new()),
            PatientDataWarning(Vec::new()),
            StaffPostChangedMeanwhile,
            Corrupt,
        ];
        for e in &all {
            match e {
                NotSignedIn
                | InvalidCredentials
                | Throttled { .. }
                | AccountDisabled
                | TotpRequiredByPolicy
                | InvalidTotp
                | TotpEnrolmentRequired
                | TotpProofRequired
                | Forbidden
                | NotFound
                | WeakPassword(_)
                | WrongCurrentPassword
                | EmailTaken
                | InvalidEmail
                | NameRequired
                | InvalidInvitation
                | LastOwner
                | SelfChange
                | BadSignature
                | MalformedWebhook(_)
                | NoChannel
                | Line(_)
                | LineAuthFailed
                | InvalidChannelId
                | InvalidChannelSecret
                | ChannelCredentialsRequired
                | Sandbox(_)
                | InvalidDisplayName
                | InvalidMessageText
                | PatientField(_)
                | PatientNumberTaken
                | Csv(_)
                | InvalidTagName
                | TagNameTaken
                | InvalidTagColor
                | TagTextTooLong
                | InvalidFieldType
                | InvalidChoices
                | ValueNotForField
                | InvalidRule(_)
                | InvalidSegmentName
                | InvalidAutomation(_)
                | AutomationChainTooDeep
                | LineSend(_)
                | InvalidBroadcastTitle
                | InvalidBundle(_)
                | ScheduleInPast
                | EmptyAudience
                | QuotaShortfall { .. }
                | BroadcastState
                | InvalidDeliverySettings
                | NotLinked
                | PicturesNeedHttps
                | Image(_)
                | ChannelChanged
                | SecretKeyRequired
                | Appointment(_)
                | AppointmentChangedMeanwhile
                | SlotFull
                | TimeTravelRefused
                | BookingLinkInvalid
                | BookingLinkUsed
                | InvalidSlot
                | InvalidSequence(_)
                | InvalidRichMenu(_)
                | InvalidRichMenuName
                | RichMenuImage
                | RichMenuInUse
                | InvalidStaffChannel(_)
                | StaffChannelNameTaken
                | InvalidRouteName
                | StaffChannelArchived
                | InvalidStaffPost(_)
                | PatientDataWarning(_)
                | StaffPostChangedMeanwhile
                | Corrupt
                | Store(_) => {}
            }
        }
        all
    }

    /// A number the message needs (seconds to wait), if any.
    pub fn param(&self) -> Option<i64> {
        match self {
            EngineError::Throttled { retry_after_secs } => Some(*retry_after_secs),
            EngineError::QuotaShortfall { needed, left } => Some(needed - left),
            _ => None,
        }
    }
}
