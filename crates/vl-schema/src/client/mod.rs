//! Client events: [`ClientEvent`] and one payload struct per wire type.

pub mod avatar;
mod conversation;
mod input_audio;
mod input_text;
mod response;
mod session;

pub use conversation::{
    ConversationItemCreate, ConversationItemDelete, ConversationItemRetrieve,
    ConversationItemTruncate, McpApprovalResponse,
};
pub use input_audio::{
    InputAudioBufferAppend, InputAudioBufferClear, InputAudioBufferCommit, InputAudioClear,
    InputAudioTurnAppend, InputAudioTurnCancel, InputAudioTurnEnd, InputAudioTurnStart,
    OutputAudioBufferClear,
};
pub use input_text::{InputTextDelta, InputTextDone};
pub use response::{ResponseCancel, ResponseCreate, ResponseCreateParams};
pub use session::{SessionAvatarConnect, SessionUpdate, TranscriptionSessionUpdate};

events! {
    /// Every event a client sends, tagged by `type` (wire-reference order: the 14 documented
    /// events of protocol.md §2, then §2.1).
    ClientEvent {
        SessionUpdate(SessionUpdate) = "session.update",
        InputAudioBufferAppend(InputAudioBufferAppend) = "input_audio_buffer.append",
        InputAudioBufferCommit(InputAudioBufferCommit) = "input_audio_buffer.commit",
        InputAudioBufferClear(InputAudioBufferClear) = "input_audio_buffer.clear",
        InputTextDelta(InputTextDelta) = "input_text.delta",
        InputTextDone(InputTextDone) = "input_text.done",
        ConversationItemCreate(ConversationItemCreate) = "conversation.item.create",
        ConversationItemRetrieve(ConversationItemRetrieve) = "conversation.item.retrieve",
        ConversationItemTruncate(ConversationItemTruncate) = "conversation.item.truncate",
        ConversationItemDelete(ConversationItemDelete) = "conversation.item.delete",
        ResponseCreate(ResponseCreate) = "response.create",
        ResponseCancel(ResponseCancel) = "response.cancel",
        SessionAvatarConnect(SessionAvatarConnect) = "session.avatar.connect",
        OutputAudioBufferClear(OutputAudioBufferClear) = "output_audio_buffer.clear",
        InputAudioTurnStart(InputAudioTurnStart) = "input_audio.turn.start",
        InputAudioTurnAppend(InputAudioTurnAppend) = "input_audio.turn.append",
        InputAudioTurnEnd(InputAudioTurnEnd) = "input_audio.turn.end",
        InputAudioTurnCancel(InputAudioTurnCancel) = "input_audio.turn.cancel",
        InputAudioClear(InputAudioClear) = "input_audio.clear",
        McpApprovalResponse(McpApprovalResponse) = "mcp_approval_response",
        TranscriptionSessionUpdate(TranscriptionSessionUpdate) = "transcription_session.update",
    }
}
