//! `session.avatar.*` and `response.video.delta`.

event_struct! {
    /// The answer to `session.avatar.connect`.
    SessionAvatarConnecting {
        /// The server SDP answer, base64.
        server_sdp: String,
    }
}

event_struct! {
    /// The avatar starts speaking.
    #[derive(Default)]
    SessionAvatarSwitchToSpeaking {
        /// The turn.
        turn_id?: String,
    }
}

event_struct! {
    /// The avatar goes idle.
    #[derive(Default)]
    SessionAvatarSwitchToIdle {
        /// The turn.
        turn_id?: String,
    }
}

event_struct! {
    /// A video frame (avatar with `output_protocol:"websocket"`).
    ResponseVideoDelta {
        /// Output index.
        output_index: u32,
        /// Codec (`h264`).
        codec: String,
        /// Base64 frame.
        delta: String,
    }
}
