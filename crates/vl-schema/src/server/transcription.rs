//! `conversation.item.input_audio_transcription.*`.

wire_struct! {
    /// A token log-probability.
    LogProb {
        /// The token.
        token: String,
        /// Its log-probability.
        logprob: f64,
        /// UTF-8 bytes of the token.
        bytes?: Vec<u8>,
    }
}

wire_struct! {
    /// A word of a transcription phrase.
    TranscriptionWord {
        /// The word.
        text: String,
        /// Offset in ms.
        offset_milliseconds: u64,
        /// Duration in ms.
        duration_milliseconds: u64,
    }
}

wire_struct! {
    /// A phrase of an Azure transcription.
    TranscriptionPhrase {
        /// Offset in ms.
        offset_milliseconds: u64,
        /// Duration in ms.
        duration_milliseconds: u64,
        /// The text.
        text: String,
        /// Words.
        words?: Vec<TranscriptionWord>,
        /// Detected locale.
        locale?: String,
        /// Confidence.
        confidence?: f64,
    }
}

wire_struct! {
    /// The error of a failed transcription (all but `message` optional).
    TranscriptionError {
        /// Error type.
        #[serde(rename = "type")]
        kind?: String,
        /// Code.
        code?: String,
        /// Message.
        message: String,
        /// Param.
        param?: String,
        /// Event id.
        event_id?: String,
    }
}

event_struct! {
    /// Incremental transcription of a user item.
    ConversationItemInputAudioTranscriptionDelta {
        /// The user item.
        item_id: String,
        /// Content index.
        content_index?: u32,
        /// Text fragment.
        delta?: String,
        /// Log-probabilities (with `include`).
        logprobs?: Vec<LogProb>,
    }
}

event_struct! {
    /// Final transcription of a user item.
    ConversationItemInputAudioTranscriptionCompleted {
        /// The user item.
        item_id: String,
        /// Content index.
        content_index: u32,
        /// The transcript.
        transcript: String,
        /// Log-probabilities (with `include`).
        logprobs?: Vec<LogProb>,
        /// Phrases (with `include`, Azure speech).
        phrases?: Vec<TranscriptionPhrase>,
    }
}

event_struct! {
    /// Transcription failed (not an `error` event).
    ConversationItemInputAudioTranscriptionFailed {
        /// The user item.
        item_id: String,
        /// Content index.
        content_index: u32,
        /// What failed.
        error: TranscriptionError,
    }
}
