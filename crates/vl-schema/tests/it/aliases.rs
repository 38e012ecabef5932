//! Spellings that differ between the docs and the SDK, and the accepted alternative forms.

use serde_json::json;
use vl_schema::audio_format::OutputAudioFormat;
use vl_schema::client::ResponseCreateParams;
use vl_schema::item::RequestItem;
use vl_schema::server::Response;
use vl_schema::session::{InterimResponse, MaxTokens, NoiseReduction};
use vl_schema::tool::ToolChoice;
use vl_schema::voice::{OpenAiVoice, Voice, VoiceObject};
use vl_schema::{RequestSession, ResponseSession};

#[test]
fn session_accepts_max_output_tokens_and_writes_the_sdk_name() {
    for key in ["max_response_output_tokens", "max_output_tokens"] {
        let s: RequestSession = serde_json::from_value(json!({ key: 512 })).unwrap();
        assert_eq!(
            s.max_response_output_tokens,
            Some(MaxTokens::Limit(512)),
            "{key}"
        );
        assert_eq!(
            serde_json::to_value(&s).unwrap(),
            json!({"max_response_output_tokens": 512})
        );
        let r: ResponseSession = serde_json::from_value(json!({ key: "inf" })).unwrap();
        assert_eq!(r.max_response_output_tokens, MaxTokens::Inf);
    }
}

#[test]
fn response_params_accept_max_response_output_tokens_and_write_max_output_tokens() {
    for key in ["max_output_tokens", "max_response_output_tokens"] {
        let p: ResponseCreateParams = serde_json::from_value(json!({ key: "inf" })).unwrap();
        assert_eq!(p.max_output_tokens, Some(MaxTokens::Inf), "{key}");
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            json!({"max_output_tokens": "inf"})
        );
        let r: Response =
            serde_json::from_value(json!({"id": "r", "status": "completed", key: 7})).unwrap();
        assert_eq!(r.max_output_tokens, Some(MaxTokens::Limit(7)));
    }
}

#[test]
fn interim_response_kebab_case_spellings() {
    let s: RequestSession = serde_json::from_value(json!({
        "interim-response": {"type": "static-interim-response", "texts": ["One moment."]}
    }))
    .unwrap();
    let Some(Some(InterimResponse::Static(st))) = &s.interim_response else {
        panic!("{s:?}")
    };
    assert_eq!(st.texts.as_deref(), Some(&["One moment.".to_owned()][..]));
    assert_eq!(
        serde_json::to_value(&s).unwrap(),
        json!({"interim_response": {"type": "static_interim_response", "texts": ["One moment."]}})
    );
    let s: RequestSession =
        serde_json::from_value(json!({"interim_response": {"type": "llm-interim-response"}}))
            .unwrap();
    assert!(matches!(
        s.interim_response,
        Some(Some(InterimResponse::Llm(_)))
    ));
}

#[test]
fn legacy_hyphen_output_formats() {
    for (legacy, format) in [
        ("pcm16-8000hz", OutputAudioFormat::Pcm16At8000),
        ("pcm16-16000hz", OutputAudioFormat::Pcm16At16000),
        ("pcm16-22050hz", OutputAudioFormat::Pcm16At22050),
        ("pcm16-24000hz", OutputAudioFormat::Pcm16At24000),
        ("pcm16-44100hz", OutputAudioFormat::Pcm16At44100),
        ("pcm16-48000hz", OutputAudioFormat::Pcm16At48000),
    ] {
        let parsed: OutputAudioFormat = serde_json::from_value(json!(legacy)).unwrap();
        assert_eq!(parsed, format);
        assert_eq!(
            serde_json::to_value(parsed).unwrap(),
            json!(legacy.replace('-', "_"))
        );
        assert_eq!(parsed.as_str(), legacy.replace('-', "_"));
    }
    for format in OutputAudioFormat::ALL {
        let back: OutputAudioFormat = serde_json::from_value(json!(format.as_str())).unwrap();
        assert_eq!(back, format);
    }
    assert_eq!(OutputAudioFormat::Pcm16At44100.sample_rate(), 44100);
    assert_eq!(OutputAudioFormat::G711Alaw.sample_rate(), 8000);
}

#[test]
fn tool_choice_forms() {
    let parse = |v: serde_json::Value| serde_json::from_value::<ToolChoice>(v).unwrap();
    assert_eq!(parse(json!("auto")), ToolChoice::Auto);
    assert_eq!(parse(json!("none")), ToolChoice::None);
    assert_eq!(parse(json!("required")), ToolChoice::Required);
    let f = ToolChoice::Function {
        name: "get_weather".into(),
    };
    assert_eq!(parse(json!("get_weather")), f);
    assert_eq!(parse(json!({"type": "function", "name": "get_weather"})), f);
    assert_eq!(
        parse(json!({"type": "function", "function": {"name": "get_weather"}})),
        f
    );
    assert_eq!(
        serde_json::to_value(&f).unwrap(),
        json!({"type": "function", "name": "get_weather"})
    );
    let m = parse(json!({"type": "mcp", "server_label": "docs", "name": "search"}));
    assert_eq!(
        m,
        ToolChoice::Mcp {
            server_label: "docs".into(),
            name: Some("search".into())
        }
    );
    assert_eq!(
        serde_json::to_value(&m).unwrap(),
        json!({"type": "mcp", "server_label": "docs", "name": "search"})
    );
    assert!(serde_json::from_value::<ToolChoice>(json!({"type": "file_search"})).is_err());
}

#[test]
fn voice_string_and_object_forms() {
    let v: Voice = serde_json::from_value(json!("alloy")).unwrap();
    assert_eq!(v, Voice::Name(OpenAiVoice::Alloy));
    assert_eq!(serde_json::to_value(&v).unwrap(), json!("alloy"));
    let v: Voice = serde_json::from_value(json!({"type": "openai", "name": "cedar"})).unwrap();
    assert!(matches!(&v, Voice::Object(VoiceObject::OpenAi(o)) if o.name == OpenAiVoice::Cedar));
    assert_eq!(
        serde_json::to_value(&v).unwrap(),
        json!({"type": "openai", "name": "cedar"})
    );
    // Unknown names are kept verbatim.
    let v: Voice = serde_json::from_value(json!("my-custom-voice")).unwrap();
    assert_eq!(v, Voice::Name(OpenAiVoice::Other("my-custom-voice".into())));
    assert_eq!(serde_json::to_value(&v).unwrap(), json!("my-custom-voice"));
    let v: Voice =
        serde_json::from_value(json!({"type": "azure-realtime-native", "name": "ava"})).unwrap();
    assert_eq!(v.name(), Some("ava"));
}

#[test]
fn open_sets_keep_unknown_values() {
    let nr: NoiseReduction = serde_json::from_value(json!({"type": "vendor_nr"})).unwrap();
    assert_eq!(nr.kind.as_str(), "vendor_nr");
    assert!(!nr.kind.is_known());
    assert_eq!(
        serde_json::to_value(&nr).unwrap(),
        json!({"type": "vendor_nr"})
    );
}

#[test]
fn input_image_accepts_the_older_url_key() {
    let item: RequestItem = serde_json::from_value(json!({
        "type": "message", "role": "user",
        "content": [{"type": "input_image", "url": "https://example.com/a.png"}]
    }))
    .unwrap();
    let encoded = serde_json::to_value(&item).unwrap();
    assert_eq!(
        encoded["content"][0]["image_url"],
        json!("https://example.com/a.png")
    );
}

#[test]
fn personal_voices_keep_style() {
    for voice in [
        json!({"type": "azure-personal", "name": "p", "model": "PhoenixV2Neural", "style": "cheerful"}),
        json!({"type": "avatar-voice-sync", "model": "MAI-Voice-1", "style": "calm"}),
    ] {
        let v: Voice = serde_json::from_value(voice.clone()).unwrap();
        assert_eq!(serde_json::to_value(&v).unwrap(), voice);
    }
}
