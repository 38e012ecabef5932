"""OpenAI GA realtime client events (`openai` package, `openai.types.realtime`), fully populated.

`GA_RECIPES` maps a case id to (pydantic class, JSON as a Python value). The tests validate each
value into its class (so a recipe that the `openai` package rejects is a bug here) and then
serialize it the way `RealtimeConnection.send` does: `event.to_json(use_api_names=True,
exclude_unset=True)`.
"""

from __future__ import annotations

import base64
from typing import Any

from openai.types import realtime as r

AUDIO = base64.b64encode(bytes(range(256)) * 4).decode()

_FUNCTION_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Current weather for a city",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}
_MCP_TOOL = {
    "type": "mcp",
    "server_label": "docs",
    "server_url": "https://mcp.example.com/sse",
    "authorization": "Bearer secret-token",
    "headers": {"x-tenant": "contoso"},
    "allowed_tools": ["search", "fetch"],
    "require_approval": "never",
}

SESSION_FULL = {
    "type": "realtime",
    "model": "gpt-realtime",
    "instructions": "You are a helpful assistant.",
    "output_modalities": ["audio"],
    "audio": {
        "input": {
            "format": {"type": "audio/pcm", "rate": 24000},
            "noise_reduction": {"type": "near_field"},
            "transcription": {"model": "gpt-4o-transcribe", "language": "en"},
            "turn_detection": {
                "type": "server_vad",
                "threshold": 0.5,
                "prefix_padding_ms": 300,
                "silence_duration_ms": 500,
                "create_response": True,
                "interrupt_response": True,
            },
        },
        "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "marin"},
    },
    "tools": [_FUNCTION_TOOL, _MCP_TOOL],
    "tool_choice": "auto",
    "max_output_tokens": 2048,
    "include": ["item.input_audio_transcription.logprobs"],
}

SESSION_G711_SEMANTIC = {
    "type": "realtime",
    "output_modalities": ["text"],
    "audio": {
        "input": {
            "format": {"type": "audio/pcmu"},
            "noise_reduction": {"type": "far_field"},
            "turn_detection": {
                "type": "semantic_vad",
                "eagerness": "high",
                "create_response": False,
                "interrupt_response": False,
            },
        },
        "output": {"format": {"type": "audio/pcma"}, "voice": "alloy"},
    },
    "tool_choice": {"type": "function", "name": "get_weather"},
    "tools": [_FUNCTION_TOOL],
    "max_output_tokens": "inf",
}

SESSION_OFF = {
    "type": "realtime",
    "instructions": "",
    "audio": {"input": {"turn_detection": None, "noise_reduction": None, "transcription": None}},
}

USER_MESSAGE = {
    "type": "message",
    "id": "item_user_1",
    "role": "user",
    "content": [
        {"type": "input_text", "text": "What is the weather in Paris?"},
        {"type": "input_audio", "audio": AUDIO, "transcript": "what is the weather in paris"},
        {"type": "input_image", "image_url": "data:image/png;base64,iVBORw0KGgo=", "detail": "high"},
    ],
}

# GA-only session fields Voice Live has no place for (the dialect drops or passes them through).
SESSION_GA_ONLY = {
    "type": "realtime",
    "audio": {
        "input": {
            "format": {"type": "audio/pcm", "rate": 24000},
            "transcription": {"model": "gpt-4o-mini-transcribe", "prompt": "Contoso, Fabrikam"},
            "noise_reduction": {"type": "near_field"},
            "turn_detection": {"type": "server_vad", "idle_timeout_ms": 6000},
        },
        "output": {"voice": "marin", "speed": 1.1},
    },
    "tracing": "auto",
    "truncation": "disabled",
    "prompt": {"id": "pmpt_123", "version": "2"},
    "parallel_tool_calls": False,
    "reasoning": {"effort": "low"},
}

SESSION_TRANSCRIPTION = {
    "type": "transcription",
    "audio": {
        "input": {
            "format": {"type": "audio/pcm", "rate": 24000},
            "transcription": {"model": "gpt-4o-transcribe", "language": "de"},
            "turn_detection": {"type": "server_vad"},
        }
    },
}

GA_RECIPES: dict[str, tuple[type, Any]] = {
    "session.update/ga-only-fields": (
        r.SessionUpdateEvent,
        {"type": "session.update", "session": SESSION_GA_ONLY},
    ),
    "session.update/transcription-session": (
        r.SessionUpdateEvent,
        {"type": "session.update", "session": SESSION_TRANSCRIPTION},
    ),
    "session.update/full": (
        r.SessionUpdateEvent,
        {"type": "session.update", "event_id": "evt_su_1", "session": SESSION_FULL},
    ),
    "session.update/g711-semantic": (
        r.SessionUpdateEvent,
        {"type": "session.update", "session": SESSION_G711_SEMANTIC},
    ),
    "session.update/features-off": (
        r.SessionUpdateEvent,
        {"type": "session.update", "session": SESSION_OFF},
    ),
    "input_audio_buffer.append": (
        r.InputAudioBufferAppendEvent,
        {"type": "input_audio_buffer.append", "event_id": "evt_a", "audio": AUDIO},
    ),
    "input_audio_buffer.commit": (
        r.InputAudioBufferCommitEvent,
        {"type": "input_audio_buffer.commit", "event_id": "evt_c"},
    ),
    "input_audio_buffer.clear": (r.InputAudioBufferClearEvent, {"type": "input_audio_buffer.clear"}),
    "output_audio_buffer.clear": (
        r.OutputAudioBufferClearEvent,
        {"type": "output_audio_buffer.clear", "event_id": "evt_oc"},
    ),
    "conversation.item.create/user": (
        r.ConversationItemCreateEvent,
        {"type": "conversation.item.create", "previous_item_id": "root", "item": USER_MESSAGE},
    ),
    "conversation.item.create/system": (
        r.ConversationItemCreateEvent,
        {
            "type": "conversation.item.create",
            "item": {
                "type": "message",
                "role": "system",
                "content": [{"type": "input_text", "text": "Answer in French."}],
            },
        },
    ),
    "conversation.item.create/assistant": (
        r.ConversationItemCreateEvent,
        {
            "type": "conversation.item.create",
            "event_id": "evt_ic",
            "item": {
                "type": "message",
                "id": "item_asst_1",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": "Sunny, 21 C."}],
            },
        },
    ),
    "conversation.item.create/function_call": (
        r.ConversationItemCreateEvent,
        {
            "type": "conversation.item.create",
            "item": {
                "type": "function_call",
                "id": "item_fc_1",
                "call_id": "call_abc",
                "name": "get_weather",
                "arguments": '{"city":"Paris"}',
                "status": "completed",
            },
        },
    ),
    "conversation.item.create/function_call_output": (
        r.ConversationItemCreateEvent,
        {
            "type": "conversation.item.create",
            "item": {"type": "function_call_output", "call_id": "call_abc", "output": '{"t":21}'},
        },
    ),
    "conversation.item.create/mcp_approval_response": (
        r.ConversationItemCreateEvent,
        {
            "type": "conversation.item.create",
            "item": {
                "type": "mcp_approval_response",
                "id": "item_mar_1",
                "approval_request_id": "mcpr_1",
                "approve": False,
            },
        },
    ),
    "conversation.item.retrieve": (
        r.ConversationItemRetrieveEvent,
        {"type": "conversation.item.retrieve", "item_id": "item_asst_1"},
    ),
    "conversation.item.truncate": (
        r.ConversationItemTruncateEvent,
        {
            "type": "conversation.item.truncate",
            "event_id": "evt_t",
            "item_id": "item_asst_1",
            "content_index": 0,
            "audio_end_ms": 1500,
        },
    ),
    "conversation.item.delete": (
        r.ConversationItemDeleteEvent,
        {"type": "conversation.item.delete", "item_id": "item_user_1"},
    ),
    "response.create/full": (
        r.ResponseCreateEvent,
        {
            "type": "response.create",
            "event_id": "evt_rc",
            "response": {
                "instructions": "Answer in one sentence.",
                "output_modalities": ["audio"],
                "audio": {"output": {"format": {"type": "audio/pcmu"}, "voice": "cedar"}},
                "tools": [_FUNCTION_TOOL],
                "tool_choice": "required",
                "max_output_tokens": 300,
                "metadata": {"turn": "7"},
                "conversation": "auto",
                "input": [USER_MESSAGE],
            },
        },
    ),
    "response.create/bare": (r.ResponseCreateEvent, {"type": "response.create"}),
    "response.cancel": (
        r.ResponseCancelEvent,
        {"type": "response.cancel", "response_id": "resp_1"},
    ),
    "response.cancel/bare": (r.ResponseCancelEvent, {"type": "response.cancel"}),
}
