//! MCP events: `mcp_list_tools.*`, `response.mcp_call_arguments.*`, `response.mcp_call.*`.

event_struct! {
    /// `mcp_list_tools.in_progress`.
    McpListToolsInProgress {
        /// The `mcp_list_tools` item.
        item_id: String,
    }
}

event_struct! {
    /// `mcp_list_tools.completed`.
    McpListToolsCompleted {
        /// The `mcp_list_tools` item.
        item_id: String,
    }
}

event_struct! {
    /// `mcp_list_tools.failed`.
    McpListToolsFailed {
        /// The `mcp_list_tools` item.
        item_id: String,
    }
}

event_struct! {
    /// A fragment of MCP call arguments.
    ResponseMcpCallArgumentsDelta {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// The fragment.
        delta: String,
        /// Obfuscation padding.
        obfuscation?: String,
    }
}

event_struct! {
    /// MCP call arguments are complete.
    ResponseMcpCallArgumentsDone {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// The whole arguments.
        arguments?: String,
    }
}

event_struct! {
    /// `response.mcp_call.in_progress`.
    ResponseMcpCallInProgress {
        /// The `mcp_call` item.
        item_id: String,
        /// Output index.
        output_index: u32,
    }
}

event_struct! {
    /// `response.mcp_call.completed`.
    ResponseMcpCallCompleted {
        /// The `mcp_call` item.
        item_id: String,
        /// Output index.
        output_index: u32,
    }
}

event_struct! {
    /// `response.mcp_call.failed`.
    ResponseMcpCallFailed {
        /// The `mcp_call` item.
        item_id: String,
        /// Output index.
        output_index: u32,
    }
}
