//! Conversions between the engine's items and the wire types of vl-schema.

use vl_schema::ProtocolError;
use vl_schema::item::{
    InputImagePart, InputTextPart, ItemStatus, RequestContentPart, RequestItem, ResponseAudioPart,
    ResponseContentPart, ResponseFunctionCallItem, ResponseFunctionCallOutputItem,
    ResponseInputAudioPart, ResponseItem, ResponseMessageItem, Role as WireRole, TextPart,
};

use crate::audio;
use crate::backend::Role;
use crate::conversation::{Item, ItemKind, Part, Status};
use crate::errors::invalid_value;

const ITEM_OBJECT: &str = "realtime.item";

pub(crate) fn role_from_wire(role: WireRole) -> Role {
    match role {
        WireRole::System => Role::System,
        WireRole::User => Role::User,
        WireRole::Assistant => Role::Assistant,
    }
}

pub(crate) fn role_to_wire(role: Role) -> WireRole {
    match role {
        Role::System => WireRole::System,
        Role::User => WireRole::User,
        Role::Assistant => WireRole::Assistant,
    }
}

pub(crate) fn status_to_wire(status: Status) -> ItemStatus {
    match status {
        Status::InProgress => ItemStatus::InProgress,
        Status::Completed => ItemStatus::Completed,
        Status::Incomplete => ItemStatus::Incomplete,
    }
}

fn status_from_wire(status: Option<ItemStatus>) -> Status {
    match status {
        Some(ItemStatus::Incomplete) => Status::Incomplete,
        Some(ItemStatus::InProgress) => Status::InProgress,
        _ => Status::Completed,
    }
}

/// The wire form of a part; `with_audio` includes audio bytes (only `conversation.item.retrieved`).
pub(crate) fn part_to_wire(part: &Part, with_audio: bool) -> ResponseContentPart {
    match part {
        Part::InputText(text) => {
            ResponseContentPart::InputText(InputTextPart { text: text.clone() })
        }
        Part::InputAudio { transcript, .. } => {
            ResponseContentPart::InputAudio(ResponseInputAudioPart {
                audio: None,
                transcript: transcript.clone(),
            })
        }
        Part::InputImage { .. } => ResponseContentPart::InputText(InputTextPart {
            text: String::new(),
        }),
        Part::Text(text) => ResponseContentPart::Text(TextPart { text: text.clone() }),
        Part::Audio(a) => ResponseContentPart::Audio(ResponseAudioPart {
            audio: with_audio.then(|| audio::encode_base64(&a.audio)),
            transcript: Some(a.transcript.clone()),
        }),
    }
}

/// The wire form of an item.
pub(crate) fn item_to_wire(item: &Item, with_audio: bool) -> ResponseItem {
    match &item.kind {
        ItemKind::Message { role, content } => ResponseItem::Message(ResponseMessageItem {
            id: Some(item.id.clone()),
            object: Some(ITEM_OBJECT.to_owned()),
            role: role_to_wire(*role),
            content: content
                .iter()
                .filter(|p| !matches!(p, Part::InputImage { .. }))
                .map(|p| part_to_wire(p, with_audio))
                .collect(),
            status: Some(status_to_wire(item.status)),
        }),
        ItemKind::FunctionCall {
            name,
            call_id,
            arguments,
        } => ResponseItem::FunctionCall(ResponseFunctionCallItem {
            id: Some(item.id.clone()),
            object: Some(ITEM_OBJECT.to_owned()),
            name: name.clone(),
            call_id: call_id.clone(),
            arguments: arguments.clone(),
            status: status_to_wire(item.status),
        }),
        ItemKind::FunctionCallOutput { call_id, output } => {
            ResponseItem::FunctionCallOutput(ResponseFunctionCallOutputItem {
                id: Some(item.id.clone()),
                object: Some(ITEM_OBJECT.to_owned()),
                call_id: call_id.clone(),
                output: output.clone(),
            })
        }
    }
}

/// Builds an engine item from a client item, checking what each role may contain.
///
/// `param` is the JSON path of the item (`item`, `response.input_items[2]`, …) for errors;
/// `new_id` supplies an id when the client gave none.
pub(crate) fn item_from_request(
    item: &RequestItem,
    param: &str,
    new_id: impl FnOnce() -> String,
) -> Result<Item, ProtocolError> {
    let id = match item.id() {
        Some(id) if !id.is_empty() => id.to_owned(),
        _ => new_id(),
    };
    let kind = match item {
        RequestItem::Message(m) => {
            let role = role_from_wire(m.role);
            let mut content = Vec::with_capacity(m.content.len());
            for (i, part) in m.content.iter().enumerate() {
                let path = format!("{param}.content[{i}]");
                let ok = match (role, part) {
                    (Role::System | Role::User, RequestContentPart::InputText(t)) => {
                        Some(Part::InputText(t.text.clone()))
                    }
                    (Role::User, RequestContentPart::InputAudio(a)) => Some(Part::InputAudio {
                        transcript: a.transcript.clone(),
                        audio_ms: 0,
                    }),
                    (
                        Role::User,
                        RequestContentPart::InputImage(InputImagePart { image_url, detail }),
                    ) => Some(Part::InputImage {
                        image_url: Some(image_url.clone()),
                        detail: detail.as_ref().map(|d| d.as_str().to_owned()),
                    }),
                    (Role::Assistant, RequestContentPart::Text(t)) => {
                        Some(Part::Text(t.text.clone()))
                    }
                    _ => None,
                };
                match ok {
                    Some(p) => content.push(p),
                    None => {
                        let allowed = match role {
                            Role::System => "input_text",
                            Role::User => "input_text, input_audio or input_image",
                            Role::Assistant => "text (assistant audio cannot be created)",
                        };
                        return Err(invalid_value(
                            &format!("{path}.type"),
                            format!(
                                "Invalid content type for a {} message: expected {allowed}.",
                                role_name(role)
                            ),
                        ));
                    }
                }
            }
            ItemKind::Message { role, content }
        }
        RequestItem::FunctionCall(f) => ItemKind::FunctionCall {
            name: f.name.clone(),
            call_id: f.call_id.clone(),
            arguments: f.arguments.clone(),
        },
        RequestItem::FunctionCallOutput(o) => ItemKind::FunctionCallOutput {
            call_id: o.call_id.clone(),
            output: o.output.clone(),
        },
        RequestItem::McpApprovalResponse(_) => {
            return Err(invalid_value(
                &format!("{param}.type"),
                "MCP approval responses are not supported: this server has no MCP tools.",
            ));
        }
    };
    let status = match item {
        RequestItem::Message(m) => status_from_wire(m.status),
        RequestItem::FunctionCall(f) => status_from_wire(f.status),
        RequestItem::FunctionCallOutput(o) => status_from_wire(o.status),
        RequestItem::McpApprovalResponse(_) => Status::Completed,
    };
    Ok(Item { id, status, kind })
}

pub(crate) fn role_name(role: Role) -> &'static str {
    match role {
        Role::System => "system",
        Role::User => "user",
        Role::Assistant => "assistant",
    }
}
