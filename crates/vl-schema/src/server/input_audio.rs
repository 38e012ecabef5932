//! `input_audio_buffer.*` and `output_audio_buffer.*` server events.

event_struct! {
    /// The input buffer was committed as user item `item_id`.
    InputAudioBufferCommitted {
        /// The item before it (`null` for the first item; always sent).
        #[serde(default)]
        previous_item_id: Option<String>,
        /// The new user item.
        item_id: String,
    }
}

event_struct! {
    /// The input buffer was cleared.
    #[derive(Default)]
    InputAudioBufferCleared {}
}

event_struct! {
    /// VAD detected the start of speech.
    InputAudioBufferSpeechStarted {
        /// Ms since the start of all session audio (includes prefix padding).
        audio_start_ms: u32,
        /// The id the user item will get.
        item_id: String,
    }
}

event_struct! {
    /// VAD detected the end of speech.
    InputAudioBufferSpeechStopped {
        /// Ms since the start of all session audio.
        audio_end_ms: u32,
        /// The user item.
        item_id: String,
    }
}

event_struct! {
    /// The avatar output audio buffer was cleared.
    #[derive(Default)]
    OutputAudioBufferCleared {
        /// The response whose audio was cleared (GA sends it).
        response_id?: String,
    }
}

event_struct! {
    /// Output playback started (preview / GA).
    #[derive(Default)]
    OutputAudioBufferStarted {
        /// The response playing.
        response_id?: String,
    }
}

event_struct! {
    /// Output playback stopped (preview / GA).
    #[derive(Default)]
    OutputAudioBufferStopped {
        /// The response that played.
        response_id?: String,
    }
}
