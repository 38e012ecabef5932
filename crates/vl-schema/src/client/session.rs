//! `session.update`, `session.avatar.connect` and `transcription_session.update`.

use crate::session::{RequestSession, TranscriptionSession};

event_struct! {
    /// Updates the session configuration (a patch; the server answers `session.updated`).
    SessionUpdate {
        /// The patch.
        session: RequestSession,
    }
}

event_struct! {
    /// Sends the avatar WebRTC offer (base64 of the JSON `RTCSessionDescription`).
    SessionAvatarConnect {
        /// The client SDP offer, base64.
        client_sdp: String,
    }
}

event_struct! {
    /// The SDK's `transcription_session.update` (not in any Voice Live spec).
    TranscriptionSessionUpdate {
        /// The transcription session patch.
        session: TranscriptionSession,
    }
}
