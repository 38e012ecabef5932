"""Known differences between vl-schema's fixtures and the azure-ai-voicelive 1.3.1 models.

Each entry is an SDK gap (a field or value the docs or live tests use that the SDK does not model)
or an open finding in SCHEMA_FINDINGS.md; `test_schema_sdk.py` applies them and fails on stale
non-optional entries.
"""

from schema_check_tools import Allow, Allowed

# Server fixtures: problems sdk_walk reports.
SERVER_WALK_ALLOWED = Allowed(
    {
        "server/session.*": [
            Allow("$.session.object: not a field of SDK ResponseSession",
                  "protocol.md §4.1: ResponseSession has object:'realtime.session' [D]; SDK lacks it"),
            Allow("$.session.avatar.customized: required by SDK AvatarConfig but missing",
                  "SCHEMA_FINDINGS.md F6", optional=True),
        ],
        "server/session.updated.none.json": [
            Allow("$.session.turn_detection: SDK has no subclass of TurnDetection for type='none'*",
                  "{type:none} from the JS live tests (protocol.md §4.4 [T])"),
        ],
        "server/session.updated.semantic_vad.json": [
            Allow("$.session.turn_detection: SDK has no subclass of TurnDetection for type='semantic_vad'*",
                  "OpenAI semantic_vad (protocol.md §4.4 [D]); not in SDK 1.3.1"),
            Allow("$.session.turn_detection.*: not a field of SDK TurnDetection",
                  "same: the fields of the semantic_vad object"),
        ],
        "server/conversation.item.created.json": [
            Allow("$.item.content[*].audio: null where SDK declares <class 'str'>",
                  "protocol.md §5.2: user items carry input_audio{audio:null, transcript}; the SDK "
                  "annotation says str but returns None fine"),
        ],
        "server/conversation.item.retrieved.json": [
            Allow("$.item.content[*].audio: not a field of SDK ResponseAudioContentPart",
                  "protocol.md §5.2: audio parts carry base64 audio only in conversation.item.retrieved"),
        ],
        "server/output_audio_buffer.cleared.json": [
            Allow("$.response_id: not a field of SDK ServerEventOutputAudioBufferCleared",
                  "vl-schema's optional response_id, which GA clients need (SCHEMA_FINDINGS.md G2)"),
        ],
        "server/response.created.json": [
            Allow("$.response.usage.input_token_details.image_tokens: required by SDK "
                  "InputTokenDetails but missing", "SCHEMA_FINDINGS.md F4"),
            Allow("$.response.usage.input_token_details.cached_tokens_details: required by SDK "
                  "InputTokenDetails but missing", "SCHEMA_FINDINGS.md F4"),
        ],
    }
)

# vl-schema client fixtures parsed by the SDK's ClientEvent deserializer.
CLIENT_FIXTURE_WALK_ALLOWED = Allowed(
    {
        "*": [
            Allow("*: SDK has no subclass of MessageContentPart for type='input_image'*",
                  "SDK 1.3.1 MessageContentPart lacks input_image (RequestImageContentPart is a "
                  "ContentPart); the service accepts image parts in user messages [D]",
                  optional=True),
            Allow("*.content[*].image_url: not a field of SDK MessageContentPart",
                  "same SDK gap: the image part's fields", optional=True),
            Allow("*.content[*].detail: not a field of SDK MessageContentPart",
                  "same SDK gap: the image part's fields", optional=True),
        ],
        "client/response.create.json": [
            Allow("$.response.conversation: not a field of SDK ResponseCreateParams",
                  "docs-only response.conversation (protocol.md §4.3)"),
            Allow("$.response.animation: not a field of SDK ResponseCreateParams",
                  "docs-only response.animation (protocol.md §4.3)"),
            Allow("$.response.input_items[*].reason: not a field of SDK MCPApprovalResponseRequestItem",
                  "reason on a request approval (openai GA RealtimeMcpApprovalResponse has it; "
                  "protocol.md §5.1 lists it for response items only)"),
        ],
        "client/session.update.json": [
            Allow("$.session.turn_detection.appended_text_after_truncation: not a field*",
                  "raw JSON field from the docs (protocol.md §4.4 [D])"),
            Allow("$.session.turn_detection.speech_duration_assistant_speaking_ms: not a field*",
                  "used by the SDK live tests as raw JSON (protocol.md §4.4 [T])"),
            Allow("$.session.input_audio_transcription.prompt: not a field*",
                  "docs: OpenAI transcription models only, not in the SDK (protocol.md §4.5)"),
            Allow("$.session.tools[*]: SDK has no subclass of Tool for type='foundry_agent'*",
                  "docs-only foundry_agent tool (protocol.md §4.1)"),
            Allow("$.session.tools[*].*: not a field of SDK Tool", "same: the foundry_agent fields"),
        ],
        "client/session.update.openai_voice_object.json": [
            Allow("$.session.turn_detection.speech_duration_ms: not a field of SDK ServerVad",
                  "docs give server_vad speech_duration_ms (protocol.md §4.4: not in the SDK's ServerVad)"),
            Allow("$.session.tool_choice: expected string, got {'type': 'mcp'*",
                  "GA-style {type:mcp} tool choice (openai ToolChoiceMcp); the SDK has function only"),
        ],
    }
)
