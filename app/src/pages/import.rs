//! 患者情報のCSV取り込み: choose a file, see every row's problems, then
//! import the good rows (or start over). Nothing is written until the
//! second step, and a row with a problem is never written.

use crate::api::patients::{ApplyPatientImport, CheckPatientImport, ImportReportDto};
#[cfg(feature = "hydrate")]
use crate::components::read_text_file as read_file;
use crate::components::{ActionError, Loading};
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn ImportPage() -> impl IntoView {
    let lang = use_lang();
    let check = ServerAction::<CheckPatientImport>::new();
    let apply = ServerAction::<ApplyPatientImport>::new();
    let csv = RwSignal::new(String::new());
    let unreadable = RwSignal::new(false);
    let file_input = NodeRef::<leptos::html::Input>::new();

    let on_change = move |_| {
        unreadable.set(false);
        #[cfg(feature = "hydrate")]
        if let Some(input) = file_input.get() {
            leptos::task::spawn_local(async move {
                match read_file(input).await {
                    Some(text) => {
                        csv.set(text.clone());
                        check.dispatch(CheckPatientImport { csv: text });
                    }
                    None => unreadable.set(true),
                }
            });
        }
    };
    let start_over = move |_| {
        csv.set(String::new());
        check.value().set(None);
        apply.value().set(None);
        if let Some(input) = file_input.get() {
            input.set_value("");
        }
    };

    view! {
        <p><A href="/friends">{t(lang, "friend.back")}</A></p>
        <h1>{t(lang, "import.title")}</h1>
        <section class="card">
            <p>{t(lang, "import.intro")}</p>
            <p class="help">{t(lang, "import.encoding")}</p>
            <label for="csv-file">{t(lang, "import.file")}</label>
            <input id="csv-file" type="file" accept=".csv,text/csv" node_ref=file_input on:change=on_change data-testid="csv-file"/>
            <Show when=move || unreadable.get()>
                <p class="notice notice-error" role="alert">{t(lang, "import.not_read")}</p>
            </Show>
            <Show when=move || check.pending().get()>
                <Loading/>
            </Show>
            <ActionError value=check.value()/>
        </section>
        {move || match (apply.value().get(), check.value().get()) {
            (Some(Ok(done)), _) => view! {
                <section class="card">
                    <p class="notice notice-ok" role="status" data-testid="import-done">
                        {t(lang, "import.done").replace("{n}", &done.rows_ok.to_string())}
                    </p>
                    <Problems report=done.clone()/>
                    <p><A href="/friends" attr:class="button">{t(lang, "friend.back")}</A></p>
                </section>
            }.into_any(),
            (_, Some(Ok(report))) => {
                let n = report.rows_ok;
                view! {
                    <section class="card" data-testid="import-report">
                        <p class="import-summary">{t(lang, "import.summary").replace("{n}", &n.to_string())}</p>
                        <Problems report=report.clone()/>
                        <div class="toolbar">
                            <button type="button" class="button button-primary" disabled=move || n == 0 || apply.pending().get()
                                on:click=move |_| { apply.dispatch(ApplyPatientImport { csv: csv.get_untracked() }); }>
                                {t(lang, "import.apply").replace("{n}", &n.to_string())}
                            </button>
                            <button type="button" class="button" on:click=start_over>{t(lang, "import.cancel")}</button>
                        </div>
                        <ActionError value=apply.value()/>
                    </section>
                }.into_any()
            }
            _ => ().into_any(),
        }}
    }
}

/// The rows that were (or would be) left out, and why.
#[component]
fn Problems(report: ImportReportDto) -> impl IntoView {
    let lang = use_lang();
    if report.problems.is_empty() {
        return view! { <p class="help">{t(lang, "import.no_problems")}</p> }.into_any();
    }
    view! {
        <h2>{t(lang, "import.problems")}</h2>
        <div class="table-wrap">
            <table class="table" data-testid="import-problems">
                <thead><tr>
                    <th scope="col">{t(lang, "import.line")}</th>
                    <th scope="col">{t(lang, "import.column")}</th>
                    <th scope="col">{t(lang, "import.problem")}</th>
                    <th scope="col">{t(lang, "import.value")}</th>
                </tr></thead>
                <tbody>
                    {report.problems.into_iter().map(|p| view! {
                        <tr>
                            <td>{p.line}</td>
                            <td>{p.column}</td>
                            <td>{t(lang, &format!("patient.{}", p.code))}</td>
                            <td>{p.value}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
