//! Word timestamps, visemes and blendshapes.

use serde::{Deserialize, Serialize};

/// `frames` of `response.animation_blendshapes.delta`: float rows or an encoded string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum BlendshapeFrames {
    /// One row of blendshape weights per frame.
    Rows(Vec<Vec<f64>>),
    /// An encoded form.
    Encoded(String),
}

event_struct! {
    /// A word timestamp of the generated audio.
    ResponseAudioTimestampDelta {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// Content index.
        content_index: u32,
        /// Offset in ms.
        audio_offset_ms: u32,
        /// Duration in ms.
        audio_duration_ms: u32,
        /// The word.
        text: String,
        /// `word`.
        timestamp_type: crate::audio_format::TimestampType,
    }
}

event_struct! {
    /// Word timestamps are complete.
    ResponseAudioTimestampDone {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// Content index.
        content_index: u32,
    }
}

event_struct! {
    /// A viseme.
    ResponseAnimationVisemeDelta {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// Content index.
        content_index: u32,
        /// Offset in ms.
        audio_offset_ms: u32,
        /// Viseme id.
        viseme_id: u32,
    }
}

event_struct! {
    /// Visemes are complete.
    ResponseAnimationVisemeDone {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// Content index.
        content_index: u32,
    }
}

event_struct! {
    /// Blendshape frames.
    ResponseAnimationBlendshapesDelta {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// Content index.
        content_index: u32,
        /// Index of the first frame.
        frame_index: u32,
        /// The frames.
        frames: BlendshapeFrames,
    }
}

event_struct! {
    /// Blendshapes are complete (no `content_index`).
    ResponseAnimationBlendshapesDone {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
    }
}
