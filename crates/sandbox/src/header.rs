//! Renders stored images as the API's header JSON (spec §8.3).

use serde_json::{json, Value};

use crate::formula;
use crate::media;
use crate::signing::MediaSigner;
use crate::store::{FileRow, Folder, ImageRow};
use crate::time_fmt::{iso_ms, user_label_time};

/// The single user every sandbox call runs as.
pub const USER_ID: &str = "5b0f6a3e-8d7c-4a43-9a55-5a4d1b0c7e21";
pub const USER_NAME: &str = "sandbox.user";

/// Everything needed to turn stored rows into URLs.
pub struct RenderCtx<'a> {
    pub base_url: &'a str,
    pub company: &'a str,
    pub signer: &'a MediaSigner,
}

pub fn render(image: &ImageRow, folder: &Folder, files: &[FileRow], ctx: &RenderCtx<'_>) -> Value {
    let fields: Vec<Value> = folder
        .fields
        .iter()
        .map(|def| {
            let value = match def.id.as_str() {
                "header_number" => Value::String(image.header_number.clone()),
                "version" => Value::String(image.version.to_string()),
                "created_by" => Value::String(format!("{USER_NAME} @ {}", user_label_time(image.created_at))),
                "modified_by" => Value::String(format!("{USER_NAME} @ {}", user_label_time(image.modified_at))),
                _ if def.field_type == "FormulaField" => formula::evaluate(def, &image.values),
                other => image.values.get(other).cloned().unwrap_or(Value::Null),
            };
            json!({"id": def.id, "name": def.name, "value": value, "type": def.field_type, "required": def.required})
        })
        .collect();
    let preview = image
        .preview_file
        .as_deref()
        .and_then(|id| files.iter().find(|f| f.id == id))
        .map(|f| {
            json!({
                "preview": media::preview_url(ctx, f),
                "origin": media::origin_url(ctx, f),
            })
        })
        .unwrap_or(Value::Null);
    let file_urls: Value = if files.is_empty() {
        Value::Null
    } else {
        files
            .iter()
            .map(|f| Value::String(media::origin_url(ctx, f)))
            .collect()
    };
    let user = json!({"id": USER_ID, "name": USER_NAME});
    json!({
        "id": image.id,
        "headerNumber": image.header_number,
        "headerName": image.values.get("header_name").cloned().unwrap_or(Value::Null),
        "folder": {"id": folder.id, "name": folder.name},
        "headerData": {"fields": fields, "preview": preview, "variations": null},
        "files": file_urls,
        "createdBy": user,
        "createdAt": iso_ms(image.created_at),
        "modifiedBy": user,
        "modifiedAt": iso_ms(image.modified_at),
        "isDeleted": image.is_deleted,
    })
}

/// The `GET Image/Folders` item shape.
pub fn folder_json(folder: &Folder) -> Value {
    json!({"id": folder.id, "name": folder.name, "description": folder.description, "active": folder.active})
}
