//! Turn detection: `none`, `server_vad`, the Azure semantic VADs and OpenAI `semantic_vad`.

tagged_enum! {
    /// `turn_detection`, tagged by `type`. A JSON `null` (turn detection off) is modelled by the
    /// surrounding `Option`.
    TurnDetection {
        /// `{type:"none"}`: no turn detection (sent by the JS live tests).
        None(NoTurnDetection) = "none",
        /// Energy-based server VAD.
        ServerVad(ServerVad) = "server_vad",
        /// Azure semantic VAD.
        AzureSemanticVad(AzureSemanticVad) = "azure_semantic_vad",
        /// Azure semantic VAD, English model.
        AzureSemanticVadEn(AzureSemanticVad) = "azure_semantic_vad_en",
        /// Azure semantic VAD, multilingual model.
        AzureSemanticVadMultilingual(AzureSemanticVad) = "azure_semantic_vad_multilingual",
        /// OpenAI semantic VAD (gpt-realtime models).
        SemanticVad(SemanticVad) = "semantic_vad",
    }
}

impl TurnDetection {
    /// `server_vad` with the documented defaults (threshold 0.5, prefix 300 ms, silence 500 ms,
    /// create and interrupt response on).
    pub fn default_server_vad() -> Self {
        Self::ServerVad(ServerVad::default()).with_defaults()
    }

    /// Fills every unset parameter with its documented default (decisions.md, protocol.md §4.4).
    pub fn with_defaults(self) -> Self {
        fn base(
            threshold: &mut Option<f64>,
            prefix: &mut Option<u32>,
            silence: &mut Option<u32>,
            create: &mut Option<bool>,
            interrupt: &mut Option<bool>,
            truncate: &mut Option<bool>,
            default_prefix: u32,
        ) {
            threshold.get_or_insert(0.5);
            prefix.get_or_insert(default_prefix);
            silence.get_or_insert(500);
            create.get_or_insert(true);
            interrupt.get_or_insert(true);
            truncate.get_or_insert(false);
        }
        match self {
            Self::None(v) => Self::None(v),
            Self::ServerVad(mut v) => {
                base(
                    &mut v.threshold,
                    &mut v.prefix_padding_ms,
                    &mut v.silence_duration_ms,
                    &mut v.create_response,
                    &mut v.interrupt_response,
                    &mut v.auto_truncate,
                    300,
                );
                Self::ServerVad(v)
            }
            Self::AzureSemanticVad(v) => Self::AzureSemanticVad(v.with_defaults()),
            Self::AzureSemanticVadEn(v) => Self::AzureSemanticVadEn(v.with_defaults()),
            Self::AzureSemanticVadMultilingual(v) => {
                Self::AzureSemanticVadMultilingual(v.with_defaults())
            }
            Self::SemanticVad(mut v) => {
                v.eagerness.get_or_insert(Eagerness::Auto);
                v.create_response.get_or_insert(true);
                v.interrupt_response.get_or_insert(true);
                Self::SemanticVad(v)
            }
        }
    }

    /// Whether a turn end creates a response (`create_response`, default true; false for `none`).
    pub fn create_response(&self) -> bool {
        match self {
            Self::None(_) => false,
            Self::ServerVad(v) => v.create_response.unwrap_or(true),
            Self::AzureSemanticVad(v)
            | Self::AzureSemanticVadEn(v)
            | Self::AzureSemanticVadMultilingual(v) => v.create_response.unwrap_or(true),
            Self::SemanticVad(v) => v.create_response.unwrap_or(true),
        }
    }

    /// Whether speech interrupts the active response (`interrupt_response`, default true).
    pub fn interrupt_response(&self) -> bool {
        match self {
            Self::None(_) => false,
            Self::ServerVad(v) => v.interrupt_response.unwrap_or(true),
            Self::AzureSemanticVad(v)
            | Self::AzureSemanticVadEn(v)
            | Self::AzureSemanticVadMultilingual(v) => v.interrupt_response.unwrap_or(true),
            Self::SemanticVad(v) => v.interrupt_response.unwrap_or(true),
        }
    }
}

wire_struct! {
    /// `{type:"none"}`.
    #[derive(Default)]
    NoTurnDetection {}
}

wire_struct! {
    /// `server_vad` parameters.
    #[derive(Default)]
    ServerVad {
        /// Activation threshold, 0.0–1.0.
        threshold?: f64,
        /// Audio kept before detected speech, in ms.
        prefix_padding_ms?: u32,
        /// Silence that ends a turn, in ms.
        silence_duration_ms?: u32,
        /// Minimum speech that starts a turn, in ms.
        speech_duration_ms?: u32,
        /// Semantic end-of-utterance detection.
        end_of_utterance_detection?: EndOfUtteranceDetection,
        /// Create a response when a turn ends.
        create_response?: bool,
        /// Cancel the active response when speech starts (barge-in).
        interrupt_response?: bool,
        /// Truncate the interrupted assistant item server-side.
        auto_truncate?: bool,
    }
}

wire_struct! {
    /// `azure_semantic_vad`, `azure_semantic_vad_en` and `azure_semantic_vad_multilingual`
    /// parameters.
    #[derive(Default)]
    AzureSemanticVad {
        /// Activation threshold, 0.0–1.0.
        threshold?: f64,
        /// Audio kept before detected speech, in ms.
        prefix_padding_ms?: u32,
        /// Silence that ends a turn, in ms.
        silence_duration_ms?: u32,
        /// Minimum speech that starts a turn, in ms.
        speech_duration_ms?: u32,
        /// Semantic end-of-utterance detection.
        end_of_utterance_detection?: EndOfUtteranceDetection,
        /// Create a response when a turn ends.
        create_response?: bool,
        /// Cancel the active response when speech starts (barge-in).
        interrupt_response?: bool,
        /// Truncate the interrupted assistant item server-side.
        auto_truncate?: bool,
        /// Drop filler words (`umm`, `uh`, ...) while a response is ongoing.
        remove_filler_words?: bool,
        /// BCP-47 languages (improves filler removal).
        languages?: Vec<String>,
        /// Text appended to truncated assistant text.
        appended_text_after_truncation?: String,
        /// Speech duration needed while the assistant speaks, in ms (used by the live tests).
        speech_duration_assistant_speaking_ms?: u32,
    }
}

impl AzureSemanticVad {
    fn with_defaults(mut self) -> Self {
        self.threshold.get_or_insert(0.5);
        self.prefix_padding_ms.get_or_insert(420);
        self.silence_duration_ms.get_or_insert(500);
        self.speech_duration_ms.get_or_insert(80);
        self.remove_filler_words.get_or_insert(false);
        self.create_response.get_or_insert(true);
        self.interrupt_response.get_or_insert(true);
        self.auto_truncate.get_or_insert(false);
        self
    }
}

open_enum! {
    /// `semantic_vad.eagerness`.
    Eagerness {
        /// `auto` (= medium).
        Auto = "auto",
        /// `low`.
        Low = "low",
        /// `medium`.
        Medium = "medium",
        /// `high`.
        High = "high",
    }
}

wire_struct! {
    /// OpenAI `semantic_vad` parameters.
    #[derive(Default)]
    SemanticVad {
        /// How eagerly the model ends a turn.
        eagerness?: Eagerness,
        /// Create a response when a turn ends.
        create_response?: bool,
        /// Cancel the active response when speech starts.
        interrupt_response?: bool,
        /// Truncate the interrupted assistant item server-side.
        auto_truncate?: bool,
    }
}

open_enum! {
    /// `end_of_utterance_detection.model`.
    EouModel {
        /// `semantic_detection_v1` (the SDK default).
        SemanticDetectionV1 = "semantic_detection_v1",
        /// `semantic_detection_v1_en`.
        SemanticDetectionV1En = "semantic_detection_v1_en",
        /// `semantic_detection_v1_multilingual`.
        SemanticDetectionV1Multilingual = "semantic_detection_v1_multilingual",
        /// Preview only.
        SmartEndOfTurnDetection = "smart_end_of_turn_detection",
    }
}

open_enum! {
    /// `end_of_utterance_detection.threshold_level`.
    EouThresholdLevel {
        /// `low`.
        Low = "low",
        /// `medium`.
        Medium = "medium",
        /// `high`.
        High = "high",
        /// `default` (= medium).
        Default = "default",
    }
}

wire_struct! {
    /// `end_of_utterance_detection`: semantic end-of-utterance detection.
    #[derive(Default)]
    EndOfUtteranceDetection {
        /// The EOU model.
        model?: EouModel,
        /// Sensitivity.
        threshold_level?: EouThresholdLevel,
        /// Maximum wait for the end of the utterance, in ms (default 1000).
        timeout_ms?: u32,
    }
}
