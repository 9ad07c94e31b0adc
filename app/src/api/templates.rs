//! Message templates saved from the composer.
//! Each server function checks the session and role, calls one engine
//! function and maps its error.

use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::ssr::{actor_with, engine};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use model::message::Bundle;
#[cfg(feature = "ssr")]
use model::Permission;
use serde::{Deserialize, Serialize};

/// A saved bundle (定型文) as the composer lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateDto {
    pub id: String,
    pub folder: String,
    pub name: String,
    pub bundle: Bundle,
}

#[server(endpoint = "templates_list")]
pub async fn list_templates() -> Result<Vec<TemplateDto>, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    Ok(engine()?
        .list_templates(&actor)
        .await?
        .into_iter()
        .map(|t| TemplateDto {
            id: t.id,
            folder: t.folder,
            name: t.name,
            bundle: t.bundle,
        })
        .collect())
}

#[server(endpoint = "template_save", input = Json)]
pub async fn save_template(folder: String, name: String, bundle: Bundle) -> Result<(), AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    engine()?.save_template(&actor, &folder, &name, &bundle).await?;
    Ok(())
}

#[server(endpoint = "template_delete")]
pub async fn delete_template(id: String) -> Result<(), AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    engine()?.delete_template(&actor, &id).await?;
    Ok(())
}
