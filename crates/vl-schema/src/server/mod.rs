//! Server events: [`ServerEvent`] and one payload struct per wire type.

mod animation;
mod avatar;
mod conversation;
mod error;
mod input_audio;
mod mcp;
mod response;
mod session;
mod transcription;

pub use animation::{
    BlendshapeFrames, ResponseAnimationBlendshapesDelta, ResponseAnimationBlendshapesDone,
    ResponseAnimationVisemeDelta, ResponseAnimationVisemeDone, ResponseAudioTimestampDelta,
    ResponseAudioTimestampDone,
};
pub use avatar::{
    ResponseVideoDelta, SessionAvatarConnecting, SessionAvatarSwitchToIdle,
    SessionAvatarSwitchToSpeaking,
};
pub use conversation::{
    ConversationItemCreated, ConversationItemDeleted, ConversationItemRetrieved,
    ConversationItemTruncated,
};
pub use error::{ErrorEvent, ErrorType, ProtocolError, Warning, WarningEvent};
pub use input_audio::{
    InputAudioBufferCleared, InputAudioBufferCommitted, InputAudioBufferSpeechStarted,
    InputAudioBufferSpeechStopped, OutputAudioBufferCleared, OutputAudioBufferStarted,
    OutputAudioBufferStopped,
};
pub use mcp::{
    McpListToolsCompleted, McpListToolsFailed, McpListToolsInProgress,
    ResponseMcpCallArgumentsDelta, ResponseMcpCallArgumentsDone, ResponseMcpCallCompleted,
    ResponseMcpCallFailed, ResponseMcpCallInProgress,
};
pub use response::{
    CachedTokensDetails, CompletedDetails, FailedDetails, InputTokenDetails, OutputTokenDetails,
    RateLimit, RateLimitsUpdated, ReasonDetails, Response, ResponseAudioDelta, ResponseAudioDone,
    ResponseAudioTranscriptAnnotationAdded, ResponseAudioTranscriptDelta,
    ResponseAudioTranscriptDone, ResponseContentPartAdded, ResponseContentPartDone,
    ResponseCreated, ResponseDone, ResponseFileSearchCallCompleted,
    ResponseFileSearchCallInProgress, ResponseFileSearchCallSearching,
    ResponseFoundryAgentCallArgumentsDelta, ResponseFoundryAgentCallArgumentsDone,
    ResponseFoundryAgentCallCompleted, ResponseFoundryAgentCallFailed,
    ResponseFoundryAgentCallInProgress, ResponseFunctionCallArgumentsDelta,
    ResponseFunctionCallArgumentsDone, ResponseInvocationDelta, ResponseOutputItemAdded,
    ResponseOutputItemDone, ResponseStatus, ResponseTextDelta, ResponseTextDone,
    ResponseWebSearchCallCompleted, ResponseWebSearchCallInProgress,
    ResponseWebSearchCallSearching, StatusDetails, StatusError, Usage,
};
pub use session::{SessionCreated, SessionUpdated};
pub use transcription::{
    ConversationItemInputAudioTranscriptionCompleted, ConversationItemInputAudioTranscriptionDelta,
    ConversationItemInputAudioTranscriptionFailed, LogProb, TranscriptionError,
    TranscriptionPhrase, TranscriptionWord,
};

events! {
    /// Every event the server sends, tagged by `type` (protocol.md §3 order, then the docs-only
    /// and preview names).
    ServerEvent {
        Error(ErrorEvent) = "error",
        Warning(WarningEvent) = "warning",
        SessionCreated(SessionCreated) = "session.created",
        SessionUpdated(SessionUpdated) = "session.updated",
        SessionAvatarConnecting(SessionAvatarConnecting) = "session.avatar.connecting",
        SessionAvatarSwitchToSpeaking(SessionAvatarSwitchToSpeaking) = "session.avatar.switch_to_speaking",
        SessionAvatarSwitchToIdle(SessionAvatarSwitchToIdle) = "session.avatar.switch_to_idle",
        ConversationItemCreated(ConversationItemCreated) = "conversation.item.created",
        ConversationItemRetrieved(ConversationItemRetrieved) = "conversation.item.retrieved",
        ConversationItemTruncated(ConversationItemTruncated) = "conversation.item.truncated",
        ConversationItemDeleted(ConversationItemDeleted) = "conversation.item.deleted",
        ConversationItemInputAudioTranscriptionDelta(ConversationItemInputAudioTranscriptionDelta) = "conversation.item.input_audio_transcription.delta",
        ConversationItemInputAudioTranscriptionCompleted(ConversationItemInputAudioTranscriptionCompleted) = "conversation.item.input_audio_transcription.completed",
        ConversationItemInputAudioTranscriptionFailed(ConversationItemInputAudioTranscriptionFailed) = "conversation.item.input_audio_transcription.failed",
        InputAudioBufferCommitted(InputAudioBufferCommitted) = "input_audio_buffer.committed",
        InputAudioBufferCleared(InputAudioBufferCleared) = "input_audio_buffer.cleared",
        InputAudioBufferSpeechStarted(InputAudioBufferSpeechStarted) = "input_audio_buffer.speech_started",
        InputAudioBufferSpeechStopped(InputAudioBufferSpeechStopped) = "input_audio_buffer.speech_stopped",
        ResponseCreated(ResponseCreated) = "response.created",
        ResponseDone(ResponseDone) = "response.done",
        ResponseOutputItemAdded(ResponseOutputItemAdded) = "response.output_item.added",
        ResponseOutputItemDone(ResponseOutputItemDone) = "response.output_item.done",
        ResponseContentPartAdded(ResponseContentPartAdded) = "response.content_part.added",
        ResponseContentPartDone(ResponseContentPartDone) = "response.content_part.done",
        ResponseTextDelta(ResponseTextDelta) = "response.text.delta",
        ResponseTextDone(ResponseTextDone) = "response.text.done",
        ResponseAudioTranscriptDelta(ResponseAudioTranscriptDelta) = "response.audio_transcript.delta",
        ResponseAudioTranscriptDone(ResponseAudioTranscriptDone) = "response.audio_transcript.done",
        ResponseAudioDelta(ResponseAudioDelta) = "response.audio.delta",
        ResponseAudioDone(ResponseAudioDone) = "response.audio.done",
        ResponseAudioTimestampDelta(ResponseAudioTimestampDelta) = "response.audio_timestamp.delta",
        ResponseAudioTimestampDone(ResponseAudioTimestampDone) = "response.audio_timestamp.done",
        ResponseAnimationVisemeDelta(ResponseAnimationVisemeDelta) = "response.animation_viseme.delta",
        ResponseAnimationVisemeDone(ResponseAnimationVisemeDone) = "response.animation_viseme.done",
        ResponseAnimationBlendshapesDelta(ResponseAnimationBlendshapesDelta) = "response.animation_blendshapes.delta",
        ResponseAnimationBlendshapesDone(ResponseAnimationBlendshapesDone) = "response.animation_blendshapes.done",
        ResponseFunctionCallArgumentsDelta(ResponseFunctionCallArgumentsDelta) = "response.function_call_arguments.delta",
        ResponseFunctionCallArgumentsDone(ResponseFunctionCallArgumentsDone) = "response.function_call_arguments.done",
        McpListToolsInProgress(McpListToolsInProgress) = "mcp_list_tools.in_progress",
        McpListToolsCompleted(McpListToolsCompleted) = "mcp_list_tools.completed",
        McpListToolsFailed(McpListToolsFailed) = "mcp_list_tools.failed",
        ResponseMcpCallArgumentsDelta(ResponseMcpCallArgumentsDelta) = "response.mcp_call_arguments.delta",
        ResponseMcpCallArgumentsDone(ResponseMcpCallArgumentsDone) = "response.mcp_call_arguments.done",
        ResponseMcpCallInProgress(ResponseMcpCallInProgress) = "response.mcp_call.in_progress",
        ResponseMcpCallCompleted(ResponseMcpCallCompleted) = "response.mcp_call.completed",
        ResponseMcpCallFailed(ResponseMcpCallFailed) = "response.mcp_call.failed",
        ResponseWebSearchCallSearching(ResponseWebSearchCallSearching) = "response.web_search_call.searching",
        ResponseWebSearchCallInProgress(ResponseWebSearchCallInProgress) = "response.web_search_call.in_progress",
        ResponseWebSearchCallCompleted(ResponseWebSearchCallCompleted) = "response.web_search_call.completed",
        ResponseFileSearchCallSearching(ResponseFileSearchCallSearching) = "response.file_search_call.searching",
        ResponseFileSearchCallInProgress(ResponseFileSearchCallInProgress) = "response.file_search_call.in_progress",
        ResponseFileSearchCallCompleted(ResponseFileSearchCallCompleted) = "response.file_search_call.completed",
        ResponseAudioTranscriptAnnotationAdded(ResponseAudioTranscriptAnnotationAdded) = "response.audio_transcript.annotation.added",
        ResponseVideoDelta(ResponseVideoDelta) = "response.video.delta",
        OutputAudioBufferCleared(OutputAudioBufferCleared) = "output_audio_buffer.cleared",
        ResponseInvocationDelta(ResponseInvocationDelta) = "response.invocation.delta",
        RateLimitsUpdated(RateLimitsUpdated) = "rate_limits.updated",
        ResponseFoundryAgentCallArgumentsDelta(ResponseFoundryAgentCallArgumentsDelta) = "response.foundry_agent_call_arguments.delta",
        ResponseFoundryAgentCallArgumentsDone(ResponseFoundryAgentCallArgumentsDone) = "response.foundry_agent_call_arguments.done",
        ResponseFoundryAgentCallInProgress(ResponseFoundryAgentCallInProgress) = "response.foundry_agent_call.in_progress",
        ResponseFoundryAgentCallCompleted(ResponseFoundryAgentCallCompleted) = "response.foundry_agent_call.completed",
        ResponseFoundryAgentCallFailed(ResponseFoundryAgentCallFailed) = "response.foundry_agent_call.failed",
        OutputAudioBufferStarted(OutputAudioBufferStarted) = "output_audio_buffer.started",
        OutputAudioBufferStopped(OutputAudioBufferStopped) = "output_audio_buffer.stopped",
    }
}
