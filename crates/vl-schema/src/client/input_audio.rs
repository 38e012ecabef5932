//! `input_audio_buffer.*`, `input_audio.turn.*`, `input_audio.clear` and
//! `output_audio_buffer.clear`.

event_struct! {
    /// Appends base64 audio (in `input_audio_format`) to the input buffer.
    InputAudioBufferAppend {
        /// Base64 audio, at most 15 MiB decoded.
        audio: String,
    }
}

event_struct! {
    /// Commits the input buffer as a user item.
    #[derive(Default)]
    InputAudioBufferCommit {}
}

event_struct! {
    /// Drops the uncommitted input audio.
    #[derive(Default)]
    InputAudioBufferClear {}
}

event_struct! {
    /// Starts an explicit input turn.
    InputAudioTurnStart {
        /// Turn id.
        turn_id: String,
    }
}

event_struct! {
    /// Appends audio to an explicit input turn.
    InputAudioTurnAppend {
        /// Turn id.
        turn_id: String,
        /// Base64 audio.
        audio: String,
    }
}

event_struct! {
    /// Ends an explicit input turn.
    InputAudioTurnEnd {
        /// Turn id.
        turn_id: String,
    }
}

event_struct! {
    /// Cancels an explicit input turn.
    InputAudioTurnCancel {
        /// Turn id.
        turn_id: String,
    }
}

event_struct! {
    /// Clears input audio (`input_audio.clear`).
    #[derive(Default)]
    InputAudioClear {}
}

event_struct! {
    /// Stops avatar playback (avatar mode only).
    #[derive(Default)]
    OutputAudioBufferClear {}
}
