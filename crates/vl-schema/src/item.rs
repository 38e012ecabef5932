//! Conversation items and content parts, in request (client) and response (server) forms (§5).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The role of a message item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A system message.
    System,
    /// A user message.
    User,
    /// An assistant message.
    Assistant,
}

/// The `status` of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// Still being generated.
    InProgress,
    /// Finished.
    Completed,
    /// Cut short (cancelled, interrupted, truncated).
    Incomplete,
}

open_enum! {
    /// `input_image.detail`.
    ImageDetail {
        /// `auto`.
        Auto = "auto",
        /// `low`.
        Low = "low",
        /// `high`.
        High = "high",
    }
}

tagged_enum! {
    /// An item a client sends (`conversation.item.create`, `input_items`, `append_input_items`).
    RequestItem {
        /// A system, user or assistant message.
        Message(RequestMessageItem) = "message",
        /// A function call (client-side history).
        FunctionCall(RequestFunctionCallItem) = "function_call",
        /// The output of a function call.
        FunctionCallOutput(RequestFunctionCallOutputItem) = "function_call_output",
        /// The answer to an MCP approval request.
        McpApprovalResponse(RequestMcpApprovalResponseItem) = "mcp_approval_response",
    }
}

impl RequestItem {
    /// The client-chosen item id, if any.
    pub fn id(&self) -> Option<&str> {
        match self {
            Self::Message(i) => i.id.as_deref(),
            Self::FunctionCall(i) => i.id.as_deref(),
            Self::FunctionCallOutput(i) => i.id.as_deref(),
            Self::McpApprovalResponse(i) => i.id.as_deref(),
        }
    }
}

wire_struct! {
    /// A request message item.
    RequestMessageItem {
        /// Item id (the server generates one when absent).
        id?: String,
        /// `system`, `user` or `assistant`.
        role: Role,
        /// Content parts (allowed types depend on the role).
        content: Vec<RequestContentPart>,
        /// `completed` or `incomplete`.
        status?: ItemStatus,
    }
}

wire_struct! {
    /// A request function call item.
    RequestFunctionCallItem {
        /// Item id.
        id?: String,
        /// Function name.
        name: String,
        /// Call id.
        call_id: String,
        /// Arguments as a JSON string.
        arguments: String,
        /// Item status.
        status?: ItemStatus,
    }
}

wire_struct! {
    /// A request function call output item.
    RequestFunctionCallOutputItem {
        /// Item id.
        id?: String,
        /// The call this answers.
        call_id: String,
        /// Free-form output (may be empty).
        output: String,
        /// Item status.
        status?: ItemStatus,
    }
}

wire_struct! {
    /// A request MCP approval response item.
    RequestMcpApprovalResponseItem {
        /// Item id.
        id?: String,
        /// The approval request answered.
        approval_request_id: String,
        /// Whether the call is approved.
        approve: bool,
        /// Optional reason.
        reason?: String,
    }
}

tagged_enum! {
    /// A content part of a request message.
    RequestContentPart {
        /// `input_text{text}` (system and user).
        InputText(InputTextPart) = "input_text",
        /// `input_audio{audio, transcript}` (user).
        InputAudio(RequestInputAudioPart) = "input_audio",
        /// `input_image{image_url, detail}` (user).
        InputImage(InputImagePart) = "input_image",
        /// `text{text}` (assistant).
        Text(TextPart) = "text",
    }
}

wire_struct! {
    /// `{type:"input_text", text}`.
    InputTextPart {
        /// The text.
        text: String,
    }
}

wire_struct! {
    /// `{type:"text", text}`.
    TextPart {
        /// The text.
        text: String,
    }
}

wire_struct! {
    /// `{type:"input_audio", audio, transcript}` in a request.
    RequestInputAudioPart {
        /// Base64 audio in the session input format.
        audio: String,
        /// Stored transcript (not sent to the model).
        transcript?: String,
    }
}

wire_struct! {
    /// `{type:"input_image", image_url, detail}`.
    InputImagePart {
        /// Image URL or data URL (`url` in older SDKs is accepted).
        #[serde(alias = "url")]
        image_url: String,
        /// `auto`, `low` or `high`.
        detail?: ImageDetail,
    }
}

tagged_enum! {
    /// An item the server sends (`conversation.item.*`, `response.output_item.*`, `response.output`).
    ResponseItem {
        /// A message.
        Message(ResponseMessageItem) = "message",
        /// A function call.
        FunctionCall(ResponseFunctionCallItem) = "function_call",
        /// A function call output.
        FunctionCallOutput(ResponseFunctionCallOutputItem) = "function_call_output",
        /// The tools of an MCP server.
        McpListTools(McpListToolsItem) = "mcp_list_tools",
        /// An MCP tool call.
        McpCall(McpCallItem) = "mcp_call",
        /// A request to approve an MCP call.
        McpApprovalRequest(McpApprovalRequestItem) = "mcp_approval_request",
        /// The answer to an MCP approval request.
        McpApprovalResponse(ResponseMcpApprovalResponseItem) = "mcp_approval_response",
        /// A web search call.
        WebSearchCall(WebSearchCallItem) = "web_search_call",
        /// A file search call.
        FileSearchCall(FileSearchCallItem) = "file_search_call",
    }
}

impl ResponseItem {
    /// The item id, if set.
    pub fn id(&self) -> Option<&str> {
        match self {
            Self::Message(i) => i.id.as_deref(),
            Self::FunctionCall(i) => i.id.as_deref(),
            Self::FunctionCallOutput(i) => i.id.as_deref(),
            Self::McpListTools(i) => i.id.as_deref(),
            Self::McpCall(i) => i.id.as_deref(),
            Self::McpApprovalRequest(i) => i.id.as_deref(),
            Self::McpApprovalResponse(i) => i.id.as_deref(),
            Self::WebSearchCall(i) => i.id.as_deref(),
            Self::FileSearchCall(i) => i.id.as_deref(),
        }
    }
}

wire_struct! {
    /// A response message item.
    ResponseMessageItem {
        /// Item id.
        id?: String,
        /// `realtime.item`.
        object?: String,
        /// The role.
        role: Role,
        /// Content parts.
        content: Vec<ResponseContentPart>,
        /// Item status.
        status?: ItemStatus,
    }
}

wire_struct! {
    /// A response function call item.
    ResponseFunctionCallItem {
        /// Item id.
        id?: String,
        /// `realtime.item`.
        object?: String,
        /// Function name.
        name: String,
        /// Call id.
        call_id: String,
        /// Arguments as a JSON string.
        arguments: String,
        /// Item status (required in response items).
        status: ItemStatus,
    }
}

wire_struct! {
    /// A response function call output item.
    ResponseFunctionCallOutputItem {
        /// Item id.
        id?: String,
        /// `realtime.item`.
        object?: String,
        /// The call answered.
        call_id: String,
        /// The output.
        output: String,
    }
}

wire_struct! {
    /// One tool of an MCP server.
    McpToolInfo {
        /// Tool name.
        name: String,
        /// Description.
        description?: String,
        /// JSON Schema of the input.
        input_schema?: Value,
        /// MCP annotations.
        annotations?: Value,
    }
}

wire_struct! {
    /// `mcp_list_tools` item.
    McpListToolsItem {
        /// Item id.
        id?: String,
        /// `realtime.item`.
        object?: String,
        /// The server label.
        server_label: String,
        /// The tools.
        tools: Vec<McpToolInfo>,
    }
}

wire_struct! {
    /// `mcp_call` item.
    McpCallItem {
        /// Item id.
        id?: String,
        /// `realtime.item`.
        object?: String,
        /// The server label.
        server_label: String,
        /// Tool name.
        name: String,
        /// Arguments as a JSON string.
        arguments: String,
        /// The approval request, if one was needed.
        approval_request_id?: String,
        /// Tool output.
        output?: String,
        /// Error object, if the call failed.
        error?: Value,
    }
}

wire_struct! {
    /// `mcp_approval_request` item.
    McpApprovalRequestItem {
        /// Item id.
        id?: String,
        /// `realtime.item`.
        object?: String,
        /// The server label.
        server_label: String,
        /// Tool name.
        name: String,
        /// Arguments as a JSON string.
        arguments: String,
    }
}

wire_struct! {
    /// `mcp_approval_response` item (server form).
    ResponseMcpApprovalResponseItem {
        /// Item id.
        id?: String,
        /// `realtime.item`.
        object?: String,
        /// The request answered.
        approval_request_id: String,
        /// Whether it was approved.
        approve: bool,
        /// Optional reason.
        reason?: String,
    }
}

open_enum! {
    /// Status of a web or file search call.
    SearchStatus {
        /// `in_progress`.
        InProgress = "in_progress",
        /// `searching`.
        Searching = "searching",
        /// `completed`.
        Completed = "completed",
        /// `failed`.
        Failed = "failed",
        /// `incomplete`.
        Incomplete = "incomplete",
    }
}

wire_struct! {
    /// `web_search_call` item.
    WebSearchCallItem {
        /// Item id.
        id?: String,
        /// `realtime.item`.
        object?: String,
        /// Search status.
        status: SearchStatus,
    }
}

wire_struct! {
    /// One result of a file search.
    FileSearchResult {
        /// File id.
        file_id?: String,
        /// File name.
        filename?: String,
        /// Relevance score.
        score?: f64,
        /// Matched text.
        text?: String,
        /// File attributes.
        attributes?: Value,
    }
}

wire_struct! {
    /// `file_search_call` item.
    FileSearchCallItem {
        /// Item id.
        id?: String,
        /// `realtime.item`.
        object?: String,
        /// The queries run.
        queries?: Vec<String>,
        /// Search status.
        status: SearchStatus,
        /// Results (with `include: file_search_call.results`).
        results?: Vec<FileSearchResult>,
    }
}

tagged_enum! {
    /// A content part of a response item (also the `part` of `response.content_part.*`).
    ResponseContentPart {
        /// `input_text{text}` (user items).
        InputText(InputTextPart) = "input_text",
        /// `input_audio{audio:null, transcript}` (user items; transcript filled by ASR).
        InputAudio(ResponseInputAudioPart) = "input_audio",
        /// `text{text}`.
        Text(TextPart) = "text",
        /// `audio{transcript}` (+ `audio` only in `conversation.item.retrieved`).
        Audio(ResponseAudioPart) = "audio",
    }
}

wire_struct! {
    /// `{type:"input_audio", audio, transcript}` in a response item; both keys are always sent
    /// (as `null` when unset), as the service does.
    ResponseInputAudioPart {
        /// Base64 audio (only in `conversation.item.retrieved`).
        #[serde(default)]
        audio: Option<String>,
        /// ASR transcript (`null` until transcribed).
        #[serde(default)]
        transcript: Option<String>,
    }
}

wire_struct! {
    /// `{type:"audio", transcript}` in a response item.
    ResponseAudioPart {
        /// Base64 audio (only in `conversation.item.retrieved`).
        audio?: String,
        /// The transcript of the generated audio.
        transcript?: String,
    }
}
