//! `conversation.item.create` / `retrieve` / `truncate` / `delete` and the bare
//! `mcp_approval_response` event.

use crate::item::RequestItem;

event_struct! {
    /// Adds an item to the conversation.
    ConversationItemCreate {
        /// Insert after this item (`"root"` = at the start; absent = append).
        previous_item_id?: String,
        /// The item (optional in swagger, required in practice).
        item: RequestItem,
    }
}

event_struct! {
    /// Asks for an item (`conversation.item.retrieved`).
    ConversationItemRetrieve {
        /// The item id.
        item_id: String,
    }
}

event_struct! {
    /// Truncates the audio of an assistant item at what was actually played.
    ConversationItemTruncate {
        /// The assistant item.
        item_id: String,
        /// Content index (0).
        content_index: u32,
        /// Audio kept, in ms (inclusive; non-negative by type).
        audio_end_ms: u32,
    }
}

event_struct! {
    /// Deletes an item.
    ConversationItemDelete {
        /// The item id.
        item_id: String,
    }
}

event_struct! {
    /// `mcp_approval_response` as an event type (enum value only; approvals normally come as a
    /// `conversation.item.create` with an `mcp_approval_response` item).
    McpApprovalResponse {
        /// The approval request answered.
        approval_request_id: String,
        /// Whether the call is approved.
        approve: bool,
        /// Optional reason.
        reason?: String,
    }
}
