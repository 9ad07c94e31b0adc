//! Pictures staff upload for their messages. LINE fetches a message's
//! image by URL, so each upload gets an unguessable token and is served
//! publicly at `/media/<token>` (and `/media/<token>/preview`).

use crate::audit::Event;
use crate::crypto::random_token;
use crate::{Actor, Engine, EngineError};
use model::Permission;

/// What an upload returns to the composer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadedImage {
    pub token: String,
    pub width: u32,
    pub height: u32,
    pub bytes: usize,
}

impl Engine {
    /// Checks the file as LINE will (JPEG/PNG, ≤ 10 MB, readable), makes a
    /// preview ≤ 1 MB when needed, and stores both in one row; a refused
    /// file stores nothing.
    pub async fn upload_image(&self, actor: &Actor, bytes: &[u8]) -> Result<UploadedImage, EngineError> {
        actor.require(Permission::DesignMarketing)?;
        let owned = bytes.to_vec();
        // Decoding a 10 MB picture takes a while: off the async workers.
        let picture = tokio::task::spawn_blocking(move || media::prepare(&owned))
            .await
            .map_err(|_| EngineError::Corrupt)?
            .map_err(EngineError::Image)?;
        let token = random_token();
        let audit = self.audit(Event::by(
            actor,
            "media.uploaded",
            token.clone(),
            format!("{}×{}", picture.width, picture.height),
        ));
        self.db
            .insert_media(
                store::NewMedia {
                    clinic_id: actor.clinic_id,
                    token: &token,
                    content_type: picture.content_type,
                    width: picture.width,
                    height: picture.height,
                    original: bytes,
                    preview: picture.preview.as_deref(),
                    user_id: actor.user_id,
                    now: self.now_ms(),
                },
                &audit,
            )
            .await?;
        Ok(UploadedImage {
            token,
            width: picture.width,
            height: picture.height,
            bytes: bytes.len(),
        })
    }

    /// A stored picture for whoever has its link (LINE's servers, the
    /// patients' phones): the content type and the bytes.
    pub async fn media_file(&self, token: &str, preview: bool) -> Result<(String, Vec<u8>), EngineError> {
        // Tokens are 43 URL-safe characters; anything else is not looked up.
        if token.len() != 43 || !model::message::is_media_token(token) {
            return Err(EngineError::NotFound);
        }
        let file = self.db.media_file(token, preview).await?.ok_or(EngineError::NotFound)?;
        Ok((file.content_type, file.bytes))
    }
}
