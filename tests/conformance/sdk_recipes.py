"""Constructor recipes: every azure-ai-voicelive 1.3.1 client event class, fully populated.

`RECIPES` maps a case id to (SDK class, factory). Several cases per class exercise the variants
(every voice kind, every turn-detection kind, every item kind, nulls that switch features off).
`test_schema_sdk.py` fails when an SDK client event class has no recipe here.
"""

from __future__ import annotations

import base64
from typing import Any, Callable

import azure.ai.voicelive.models as m

AUDIO = base64.b64encode(bytes(range(256)) * 4).decode()  # 1024 bytes of PCM16
SDP = base64.b64encode(b'{"type":"offer","sdp":"v=0\\r\\no=- 1 2 IN IP4 127.0.0.1\\r\\n"}').decode()


def _prosody() -> dict[str, Any]:
    return dict(
        temperature=0.7,
        custom_lexicon_url="https://example.com/lexicon.xml",
        custom_text_normalization_url="https://example.com/tn.json",
        prefer_locales=["en-US", "en-GB"],
        locale="en-US",
        style="cheerful",
        pitch="+5%",
        rate="1.2",
        volume="+10%",
    )


VOICES: dict[str, Callable[[], Any]] = {
    "openai-string": lambda: "alloy",
    "openai-object": lambda: m.OpenAIVoice(name="cedar"),
    "azure-standard": lambda: m.AzureStandardVoice(name="en-US-Ava:DragonHDLatestNeural", **_prosody()),
    "azure-custom": lambda: m.AzureCustomVoice(
        name="my-custom-voice", endpoint_id="6f0b7c3e-1111-2222-3333-444455556666", **_prosody()
    ),
    "azure-personal": lambda: m.AzurePersonalVoice(
        name="my-speaker-profile", model="DragonLatestNeural", **_prosody()
    ),
    "avatar-voice-sync": lambda: m.AzureAvatarVoiceSyncVoice(model="PhoenixV2Neural", **_prosody()),
    "azure-realtime-native": lambda: m.AzureRealtimeNativeVoice(name="ava"),
}


def _eou(kind: str) -> Any:
    cls = {
        "v1": m.AzureSemanticDetection,
        "en": m.AzureSemanticDetectionEn,
        "multilingual": m.AzureSemanticDetectionMultilingual,
    }[kind]
    return cls(threshold_level="high", timeout_ms=1200)


TURN_DETECTIONS: dict[str, Callable[[], Any]] = {
    "server_vad": lambda: m.ServerVad(
        threshold=0.6,
        prefix_padding_ms=400,
        silence_duration_ms=500,
        end_of_utterance_detection=_eou("v1"),
        auto_truncate=True,
        create_response=True,
        interrupt_response=True,
    ),
    "azure_semantic_vad": lambda: m.AzureSemanticVad(
        threshold=0.5,
        prefix_padding_ms=420,
        silence_duration_ms=500,
        end_of_utterance_detection=_eou("en"),
        speech_duration_ms=80,
        remove_filler_words=True,
        languages=["en-US"],
        auto_truncate=False,
        create_response=True,
        interrupt_response=False,
    ),
    "azure_semantic_vad_en": lambda: m.AzureSemanticVadEn(
        threshold=0.45,
        prefix_padding_ms=420,
        silence_duration_ms=600,
        end_of_utterance_detection=_eou("en"),
        speech_duration_ms=100,
        remove_filler_words=False,
        auto_truncate=True,
        create_response=False,
        interrupt_response=True,
    ),
    "azure_semantic_vad_multilingual": lambda: m.AzureSemanticVadMultilingual(
        threshold=0.5,
        prefix_padding_ms=420,
        silence_duration_ms=500,
        end_of_utterance_detection=_eou("multilingual"),
        speech_duration_ms=80,
        remove_filler_words=True,
        languages=["en", "es", "fr", "de", "ja"],
        auto_truncate=True,
        create_response=True,
        interrupt_response=True,
    ),
}


def _function_tool() -> Any:
    return m.FunctionTool(
        name="get_weather",
        description="Current weather for a city",
        parameters={
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["c", "f"]},
            },
            "required": ["city"],
        },
    )


def _mcp_tool(require_approval: Any = "never") -> Any:
    return m.MCPServer(
        server_label="docs",
        server_url="https://mcp.example.com/sse",
        authorization="Bearer secret-token",
        headers={"x-tenant": "contoso"},
        allowed_tools=["search", "fetch"],
        require_approval=require_approval,
    )


def _avatar(kind: str = "video") -> Any:
    if kind == "photo":
        return m.AvatarConfig(
            avatar_type="photo-avatar",
            character="anika",
            model="vasa-1",
            customized=False,
            scene=m.Scene(
                zoom=1.0,
                position_x=0.1,
                position_y=-0.1,
                rotation_x=0.0,
                rotation_y=5.0,
                rotation_z=0.0,
                amplitude=0.5,
            ),
            output_protocol="websocket",
            output_audit_audio=True,
        )
    return m.AvatarConfig(
        avatar_type="video-avatar",
        character="lisa",
        style="casual-sitting",
        customized=False,
        ice_servers=[
            m.IceServer(urls=["turn:relay.example.com:3478"], username="u", credential="c"),
            m.IceServer(urls=["stun:stun.example.com:3478"]),
        ],
        video=m.VideoParams(
            bitrate=2000000,
            codec="h264",
            crop=m.VideoCrop(top_left=[560, 0], bottom_right=[1360, 1080]),
            resolution=m.VideoResolution(width=1920, height=1080),
            background=m.Background(color="#00FF00FF"),
            gop_size=10,
        ),
        output_protocol="webrtc",
        output_audit_audio=False,
    )


def full_session(voice: str = "azure-standard", turn: str = "server_vad", **over: Any) -> Any:
    """A RequestSession with every field the SDK knows set."""
    kw: dict[str, Any] = dict(
        model="gpt-realtime",
        modalities=["text", "audio", "animation", "avatar"],
        animation=m.Animation(model_name="default", outputs=["blendshapes", "viseme_id"]),
        voice=VOICES[voice](),
        instructions="You are a helpful assistant. Answer briefly.",
        input_audio_sampling_rate=16000,
        input_audio_format="pcm16",
        output_audio_format="pcm16_16000hz",
        turn_detection=TURN_DETECTIONS[turn]() if turn != "null" else None,
        input_audio_noise_reduction=m.AudioNoiseReduction(type="azure_deep_noise_suppression"),
        input_audio_echo_cancellation=m.AudioEchoCancellation(
            reference_source="server", channels=1
        ),
        avatar=_avatar(),
        input_audio_transcription=m.AudioInputTranscriptionOptions(
            model="azure-speech",
            language="en-US,de-DE",
            custom_speech={"en-US": "00000000-1111-2222-3333-444444444444"},
            phrase_list=["Contoso", "Voice Live"],
        ),
        output_audio_timestamp_types=["word"],
        tools=[_function_tool(), _mcp_tool()],
        tool_choice="auto",
        parallel_tool_calls=True,
        temperature=0.8,
        max_response_output_tokens=1024,
        reasoning_effort="low",
        interim_response=m.StaticInterimResponseConfig(
            triggers=["latency", "tool"],
            latency_threshold_ms=1500,
            texts=["One moment.", "Let me check."],
        ),
        include=[
            "item.input_audio_transcription.logprobs",
            "item.input_audio_transcription.phrases",
            "file_search_call.results",
        ],
        metadata={"customer": "contoso", "trace": "abc123"},
    )
    kw.update(over)
    return m.RequestSession(**kw)


def _user_message() -> Any:
    return m.UserMessageItem(
        id="item_user_1",
        status="completed",
        content=[
            m.InputTextContentPart(text="What is the weather in Paris?"),
            m.InputAudioContentPart(audio=AUDIO, transcript="what is the weather in paris"),
            # SDK 1.3 types `content` as MessageContentPart, but sending RequestImageContentPart
            # works on the wire: the how-to uses it for image input.
            m.RequestImageContentPart(image_url="data:image/png;base64,iVBORw0KGgo=", detail="high"),
        ],
    )


def _assistant_message() -> Any:
    return m.AssistantMessageItem(
        id="item_asst_1", status="completed", content=[m.OutputTextContentPart(text="Sunny, 21 C.")]
    )


def _response_params() -> Any:
    return m.ResponseCreateParams(
        commit=False,
        cancel_previous=True,
        append_input_items=[_user_message()],
        input_items=[
            m.SystemMessageItem(content=[m.InputTextContentPart(text="Be terse.")]),
            _assistant_message(),
        ],
        modalities=["text", "audio"],
        instructions="Answer in one sentence.",
        voice=VOICES["azure-standard"](),
        output_audio_format="g711_ulaw",
        tools=[_function_tool(), _mcp_tool({"always": ["delete"], "never": ["search"]})],
        tool_choice="required",
        temperature=0.9,
        max_output_tokens="inf",
        pre_generated_assistant_message=m.AssistantMessageItem(
            content=[m.OutputTextContentPart(text="Welcome to Contoso!")]
        ),
        reasoning_effort="medium",
        metadata={"turn": "7"},
        interim_response=m.LlmInterimResponseConfig(
            triggers=["tool"],
            latency_threshold_ms=2000,
            model="gpt-4.1-mini",
            instructions="Say a short filler phrase.",
            max_completion_tokens=40,
        ),
        invoke_input={"query": "weather", "options": {"units": "metric"}},
    )


RECIPES: dict[str, tuple[type, Callable[[], Any]]] = {}


def _add(case: str, cls: type, factory: Callable[[], Any]) -> None:
    assert case not in RECIPES, case
    RECIPES[case] = (cls, factory)


# session.update: the full session with each voice kind and each turn-detection kind.
for _v in VOICES:
    _add(
        f"session.update/voice={_v}",
        m.ClientEventSessionUpdate,
        lambda v=_v: m.ClientEventSessionUpdate(event_id="evt_su_1", session=full_session(voice=v)),
    )
for _t in TURN_DETECTIONS:
    _add(
        f"session.update/turn_detection={_t}",
        m.ClientEventSessionUpdate,
        lambda t=_t: m.ClientEventSessionUpdate(session=full_session(turn=t)),
    )
_add(
    "session.update/features-off",
    m.ClientEventSessionUpdate,
    lambda: m.ClientEventSessionUpdate(
        session=m.RequestSession(
            turn_detection=None,
            input_audio_noise_reduction=None,
            input_audio_echo_cancellation=None,
            input_audio_transcription=None,
            instructions="",
        )
    ),
)
_add(
    "session.update/variants",
    m.ClientEventSessionUpdate,
    lambda: m.ClientEventSessionUpdate(
        session=full_session(
            voice="openai-string",
            input_audio_format="g711_alaw",
            input_audio_sampling_rate=8000,
            output_audio_format="g711_ulaw",
            input_audio_noise_reduction=m.AudioNoiseReduction(type="near_field"),
            input_audio_echo_cancellation=m.AudioEchoCancellation(
                reference_source="client", channels=2
            ),
            input_audio_transcription=m.AudioInputTranscriptionOptions(
                model="gpt-4o-transcribe", language="en"
            ),
            avatar=_avatar("photo"),
            tools=[_mcp_tool({"always": ["delete_file"], "never": ["read_file"]})],
            tool_choice=m.ToolChoiceFunctionSelection(name="get_weather"),
            max_response_output_tokens="inf",
            reasoning_effort="xhigh",
            interim_response=m.LlmInterimResponseConfig(
                triggers=["latency"],
                latency_threshold_ms=0,
                model="gpt-4.1-mini",
                instructions="Acknowledge briefly.",
                max_completion_tokens=50,
            ),
        )
    ),
)
_add(
    "session.update/minimal-voice",
    m.ClientEventSessionUpdate,
    lambda: m.ClientEventSessionUpdate(session=m.RequestSession(voice="alloy")),
)

_add(
    "input_audio_buffer.append",
    m.ClientEventInputAudioBufferAppend,
    lambda: m.ClientEventInputAudioBufferAppend(event_id="evt_app_1", audio=AUDIO),
)
_add(
    "input_audio_buffer.commit",
    m.ClientEventInputAudioBufferCommit,
    lambda: m.ClientEventInputAudioBufferCommit(event_id="evt_c_1"),
)
_add(
    "input_audio_buffer.clear",
    m.ClientEventInputAudioBufferClear,
    lambda: m.ClientEventInputAudioBufferClear(),
)
_add(
    "input_audio.clear",
    m.ClientEventInputAudioClear,
    lambda: m.ClientEventInputAudioClear(event_id="evt_iac"),
)
_add(
    "input_audio.turn.start",
    m.ClientEventInputAudioTurnStart,
    lambda: m.ClientEventInputAudioTurnStart(event_id="evt_ts", turn_id="turn_1"),
)
_add(
    "input_audio.turn.append",
    m.ClientEventInputAudioTurnAppend,
    lambda: m.ClientEventInputAudioTurnAppend(turn_id="turn_1", audio=AUDIO),
)
_add(
    "input_audio.turn.end",
    m.ClientEventInputAudioTurnEnd,
    lambda: m.ClientEventInputAudioTurnEnd(turn_id="turn_1"),
)
_add(
    "input_audio.turn.cancel",
    m.ClientEventInputAudioTurnCancel,
    lambda: m.ClientEventInputAudioTurnCancel(turn_id="turn_1"),
)
_add(
    "input_text.delta",
    m.ClientEventInputTextDelta,
    lambda: m.ClientEventInputTextDelta(
        event_id="evt_td", id="item_txt_1", delta="Hello, wor", content_index=0
    ),
)
_add(
    "input_text.delta/no-content-index",
    m.ClientEventInputTextDelta,
    lambda: m.ClientEventInputTextDelta(id="item_txt_1", delta="ld"),
)
_add(
    "input_text.done",
    m.ClientEventInputTextDone,
    lambda: m.ClientEventInputTextDone(id="item_txt_1", content_index=0),
)
_add(
    "conversation.item.create/user-message",
    m.ClientEventConversationItemCreate,
    lambda: m.ClientEventConversationItemCreate(
        event_id="evt_ic_1", previous_item_id="root", item=_user_message()
    ),
)
_add(
    "conversation.item.create/system-message",
    m.ClientEventConversationItemCreate,
    lambda: m.ClientEventConversationItemCreate(
        item=m.SystemMessageItem(
            id="item_sys_1", content=[m.InputTextContentPart(text="Always answer in French.")]
        )
    ),
)
_add(
    "conversation.item.create/assistant-message",
    m.ClientEventConversationItemCreate,
    lambda: m.ClientEventConversationItemCreate(
        previous_item_id="item_user_1", item=_assistant_message()
    ),
)
_add(
    "conversation.item.create/function-call",
    m.ClientEventConversationItemCreate,
    lambda: m.ClientEventConversationItemCreate(
        item=m.FunctionCallItem(
            id="item_fc_1",
            name="get_weather",
            call_id="call_abc123",
            arguments='{"city":"Paris"}',
            status="completed",
        )
    ),
)
_add(
    "conversation.item.create/function-call-output",
    m.ClientEventConversationItemCreate,
    lambda: m.ClientEventConversationItemCreate(
        item=m.FunctionCallOutputItem(
            id="item_fco_1", call_id="call_abc123", output='{"temp_c":21}', status="completed"
        )
    ),
)
_add(
    "conversation.item.create/function-call-output-empty",
    m.ClientEventConversationItemCreate,
    lambda: m.ClientEventConversationItemCreate(
        item=m.FunctionCallOutputItem(call_id="call_abc123", output="")
    ),
)
_add(
    "conversation.item.create/mcp-approval-response",
    m.ClientEventConversationItemCreate,
    lambda: m.ClientEventConversationItemCreate(
        item=m.MCPApprovalResponseRequestItem(
            id="item_mar_1", approval_request_id="mcpr_123", approve=True
        )
    ),
)
_add(
    "conversation.item.retrieve",
    m.ClientEventConversationItemRetrieve,
    lambda: m.ClientEventConversationItemRetrieve(event_id="evt_r", item_id="item_asst_1"),
)
_add(
    "conversation.item.truncate",
    m.ClientEventConversationItemTruncate,
    lambda: m.ClientEventConversationItemTruncate(
        event_id="evt_t", item_id="item_asst_1", content_index=0, audio_end_ms=1500
    ),
)
_add(
    "conversation.item.delete",
    m.ClientEventConversationItemDelete,
    lambda: m.ClientEventConversationItemDelete(item_id="item_user_1"),
)
_add(
    "response.create/full",
    m.ClientEventResponseCreate,
    lambda: m.ClientEventResponseCreate(
        event_id="evt_rc_1",
        response=_response_params(),
        additional_instructions="Mention the date.",
    ),
)
_add(
    "response.create/bare",
    m.ClientEventResponseCreate,
    lambda: m.ClientEventResponseCreate(),
)
_add(
    "response.create/clear-context",
    m.ClientEventResponseCreate,
    lambda: m.ClientEventResponseCreate(
        response=m.ResponseCreateParams(input_items=[], voice="alloy", max_output_tokens=200)
    ),
)
_add(
    "response.cancel",
    m.ClientEventResponseCancel,
    lambda: m.ClientEventResponseCancel(event_id="evt_cx", response_id="resp_123"),
)
_add(
    "response.cancel/bare",
    m.ClientEventResponseCancel,
    lambda: m.ClientEventResponseCancel(),
)
_add(
    "session.avatar.connect",
    m.ClientEventSessionAvatarConnect,
    lambda: m.ClientEventSessionAvatarConnect(event_id="evt_av", client_sdp=SDP),
)
_add(
    "output_audio_buffer.clear",
    m.ClientEventOutputAudioBufferClear,
    lambda: m.ClientEventOutputAudioBufferClear(event_id="evt_oc"),
)
