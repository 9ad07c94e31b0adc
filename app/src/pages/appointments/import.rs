//! 予約の取り込み: a booking system's CSV, checked row by row before
//! anything changes, then applied with what became of each row.

use crate::api::appointments::{apply_appointment_import, check_appointment_import, ImportRowDto};
use crate::components::{ErrorNotice, Loading};
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;

#[component]
pub fn AppointmentImport() -> impl IntoView {
    let lang = use_lang();
    let csv = RwSignal::new(String::new());
    let unreadable = RwSignal::new(false);
    let file_input = NodeRef::<leptos::html::Input>::new();
    let check = Action::new(|csv: &String| check_appointment_import(csv.clone()));
    let apply = Action::new(|csv: &String| apply_appointment_import(csv.clone()));
    let on_change = move |_| {
        unreadable.set(false);
        apply.value().set(None);
        #[cfg(feature = "hydrate")]
        if let Some(input) = file_input.get() {
            leptos::task::spawn_local(async move {
                match crate::components::read_text_file(input).await {
                    Some(text) => {
                        csv.set(text.clone());
                        check.dispatch(text);
                    }
                    None => unreadable.set(true),
                }
            });
        }
    };
    view! {
        <details class="card appointment-import">
            <summary><h2 class="inline-heading">{t(lang, "appt_import.title")}</h2></summary>
            <p class="help">{t(lang, "appt_import.help")}</p>
            <label for="appt-csv">{t(lang, "import.file")}</label>
            <input id="appt-csv" type="file" accept=".csv,text/csv" node_ref=file_input on:change=on_change data-testid="appointment-csv"/>
            <Show when=move || unreadable.get()>
                <p class="notice notice-error" role="alert">{t(lang, "import.not_read")}</p>
            </Show>
            <Show when=move || check.pending().get() || apply.pending().get()><Loading/></Show>
            {move || match (apply.value().get(), check.value().get()) {
                (Some(Ok(rows)), _) => view! {
                    <p class="notice notice-ok" role="status" data-testid="appointment-import-done">{t(lang, "appt_import.done")}</p>
                    <Report rows/>
                }.into_any(),
                (Some(Err(e)), _) => view! { <ErrorNotice error=e/> }.into_any(),
                (None, Some(Ok(rows))) => {
                    let changes = rows.iter().filter(|r| matches!(r.action.as_str(), "book" | "move" | "cancel")).count();
                    view! {
                        <Report rows/>
                        <button type="button" class="button button-primary" data-testid="appointment-import-apply"
                            disabled=move || changes == 0 || apply.pending().get()
                            on:click=move |_| { apply.dispatch(csv.get_untracked()); }>
                            {t(lang, "appt_import.apply").replace("{n}", &changes.to_string())}
                        </button>
                    }.into_any()
                }
                (None, Some(Err(e))) => view! { <ErrorNotice error=e/> }.into_any(),
                _ => ().into_any(),
            }}
        </details>
    }
}

#[component]
fn Report(rows: Vec<ImportRowDto>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="appointment-import-report">
                <thead><tr>
                    <th scope="col">{t(lang, "appt_import.line")}</th>
                    <th scope="col">{t(lang, "appt_import.ref")}</th>
                    <th scope="col">{t(lang, "appt_import.result")}</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let result = if r.action == "refused" {
                            let reason = t(lang, &r.reason);
                            if r.value.is_empty() { reason } else { format!("{reason}（{}）", r.value) }
                        } else {
                            t(lang, &format!("appt_import.{}", r.action))
                        };
                        view! {
                            <tr class=if r.action == "refused" { "row-refused" } else { "" }>
                                <td>{r.line}</td>
                                <td>{r.external_ref.clone()}</td>
                                <td>{result}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
