//! `response.create` and `response.cancel`.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::audio_format::{Modality, OutputAudioFormat, ReasoningEffort};
use crate::item::RequestItem;
use crate::session::{Animation, InterimResponse, MaxTokens};
use crate::tool::{Tool, ToolChoice};
use crate::voice::Voice;

event_struct! {
    /// Starts a response.
    #[derive(Default)]
    ResponseCreate {
        /// Per-response parameters.
        response?: ResponseCreateParams,
        /// Appended to the session instructions for this response only.
        additional_instructions?: String,
    }
}

event_struct! {
    /// Cancels the active response.
    #[derive(Default)]
    ResponseCancel {
        /// The response to cancel (default: the active one).
        response_id?: String,
    }
}

wire_struct! {
    /// `response.create.response` (§4.3).
    #[derive(Default)]
    ResponseCreateParams {
        /// Add the output to the conversation (default true).
        commit?: bool,
        /// Cancel an active response first (default true).
        cancel_previous?: bool,
        /// Items appended before generating.
        append_input_items?: Vec<RequestItem>,
        /// Items used as the whole context (`[]` clears).
        input_items?: Vec<RequestItem>,
        /// Output modalities.
        modalities?: Vec<Modality>,
        /// Instructions for this response.
        instructions?: String,
        /// Voice for this response.
        voice?: Voice,
        /// Tools for this response.
        tools?: Vec<Tool>,
        /// Tool choice for this response.
        tool_choice?: ToolChoice,
        /// Output audio format (default `pcm16`).
        output_audio_format?: OutputAudioFormat,
        /// Temperature (0.6–1.2).
        temperature?: f64,
        /// Output token limit (alias `max_response_output_tokens`, as the docs spell it).
        #[serde(alias = "max_response_output_tokens")]
        max_output_tokens?: MaxTokens,
        /// An assistant message with one `text` part to synthesize as is.
        pre_generated_assistant_message?: RequestItem,
        /// Reasoning effort.
        reasoning_effort?: ReasoningEffort,
        /// Metadata.
        metadata?: BTreeMap<String, String>,
        /// Interim responses (alias `interim-response`).
        #[serde(alias = "interim-response")]
        interim_response?: InterimResponse,
        /// Input of a hosted agent.
        invoke_input?: Value,
        /// `auto` (default) or `none` (out-of-band response; docs only).
        conversation?: String,
        /// Animation (docs example only).
        animation?: Animation,
    }
}
