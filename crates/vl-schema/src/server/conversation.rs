//! `conversation.item.*` server events.

use crate::item::ResponseItem;

event_struct! {
    /// An item was added to the conversation.
    ConversationItemCreated {
        /// The item before it (`null` for the first item; always sent).
        #[serde(default)]
        previous_item_id: Option<String>,
        /// The item.
        item: ResponseItem,
    }
}

event_struct! {
    /// The answer to `conversation.item.retrieve`.
    ConversationItemRetrieved {
        /// The item (audio included).
        item: ResponseItem,
    }
}

event_struct! {
    /// An assistant item was truncated.
    ConversationItemTruncated {
        /// The item.
        item_id: String,
        /// Content index.
        content_index: u32,
        /// Audio kept, in ms.
        audio_end_ms: u32,
    }
}

event_struct! {
    /// An item was deleted.
    ConversationItemDeleted {
        /// The item.
        item_id: String,
    }
}
