//! `input_text.delta` and `input_text.done`.

event_struct! {
    /// Streams text into a user item.
    InputTextDelta {
        /// The item id.
        id: String,
        /// The text fragment.
        delta: String,
        /// Content index (default 0).
        content_index?: u32,
    }
}

event_struct! {
    /// Ends streamed text input.
    InputTextDone {
        /// The item id.
        id: String,
        /// Content index (default 0).
        content_index?: u32,
    }
}
