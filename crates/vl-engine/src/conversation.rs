//! The conversation: items in order, content parts, and exact truncation of assistant audio.

use crate::backend::{ContextItem, Role};

/// Item status (protocol.md §5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    InProgress,
    Completed,
    Incomplete,
}

/// One word of an assistant audio part: when it starts and where it ends in the transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WordMark {
    /// Start of the word in the part's audio, in ms.
    pub(crate) start_ms: u64,
    /// Byte index just after the word in the part's transcript.
    pub(crate) end_byte: usize,
}

/// Assistant audio: the encoded bytes in the output format, the transcript and word marks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AudioPart {
    pub(crate) transcript: String,
    /// Encoded audio (PCM16 LE or G.711) at `rate_hz`.
    pub(crate) audio: Vec<u8>,
    pub(crate) rate_hz: u32,
    pub(crate) bytes_per_sample: usize,
    pub(crate) words: Vec<WordMark>,
    /// Where the search for the next word's text starts in `transcript`.
    pub(crate) word_cursor: usize,
}

impl AudioPart {
    pub(crate) fn new(rate_hz: u32, bytes_per_sample: usize) -> Self {
        Self {
            transcript: String::new(),
            audio: Vec::new(),
            rate_hz,
            bytes_per_sample,
            words: Vec::new(),
            word_cursor: 0,
        }
    }

    /// Length of the audio, in ms (rounded down).
    pub(crate) fn duration_ms(&self) -> u64 {
        let samples = self.audio.len() / self.bytes_per_sample.max(1);
        samples as u64 * 1000 / u64::from(self.rate_hz.max(1))
    }

    /// Records a word spoken at `start_ms`, locating `text` in the transcript after the previous
    /// word. Words that cannot be found are not marked.
    pub(crate) fn mark_word(&mut self, text: &str, start_ms: u64) {
        if text.is_empty() {
            return;
        }
        let Some(rest) = self.transcript.get(self.word_cursor..) else {
            return;
        };
        if let Some(pos) = rest.find(text) {
            let end = self.word_cursor + pos + text.len();
            self.words.push(WordMark {
                start_ms,
                end_byte: end,
            });
            self.word_cursor = end;
        }
    }

    /// Cuts the audio at `audio_end_ms` (exactly `audio_end_ms * rate / 1000` samples are kept)
    /// and the transcript after the last word whose audio starts before `audio_end_ms`.
    ///
    /// Without word marks the transcript is cut proportionally, at a character boundary.
    pub(crate) fn truncate(&mut self, audio_end_ms: u64) {
        let samples = audio_end_ms * u64::from(self.rate_hz) / 1000;
        let bytes = usize::try_from(samples)
            .unwrap_or(usize::MAX)
            .saturating_mul(self.bytes_per_sample);
        let full_ms = self.duration_ms();
        if bytes < self.audio.len() {
            self.audio.truncate(bytes);
        }
        let cut = if self.words.is_empty() {
            if full_ms == 0 || audio_end_ms >= full_ms {
                self.transcript.len()
            } else {
                let chars = self.transcript.chars().count() as u64;
                let keep = (chars * audio_end_ms / full_ms) as usize;
                self.transcript
                    .char_indices()
                    .nth(keep)
                    .map_or(self.transcript.len(), |(i, _)| i)
            }
        } else {
            self.words
                .iter()
                .take_while(|w| w.start_ms < audio_end_ms)
                .last()
                .map_or(0, |w| w.end_byte)
        };
        if cut < self.transcript.len() {
            self.transcript.truncate(cut);
        }
        self.words.retain(|w| w.start_ms < audio_end_ms);
        self.word_cursor = self.word_cursor.min(self.transcript.len());
    }
}

/// A content part of a message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Part {
    InputText(String),
    /// User audio: the transcript once known (`None` before ASR) and its duration.
    InputAudio {
        transcript: Option<String>,
        /// Duration of the audio, in ms (0 when unknown).
        audio_ms: u64,
    },
    /// An image; kept as its URL (and detail) for echoing.
    InputImage {
        image_url: Option<String>,
        detail: Option<String>,
    },
    Text(String),
    Audio(AudioPart),
}

impl Part {
    /// The text the LLM sees for this part.
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Self::InputText(t) | Self::Text(t) => Some(t),
            Self::InputAudio { transcript, .. } => transcript.as_deref(),
            Self::InputImage { .. } => None,
            Self::Audio(a) => Some(&a.transcript),
        }
    }
}

/// What an item is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ItemKind {
    Message {
        role: Role,
        content: Vec<Part>,
    },
    FunctionCall {
        name: String,
        call_id: String,
        arguments: String,
    },
    FunctionCallOutput {
        call_id: String,
        output: String,
    },
}

/// One conversation item.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Item {
    pub(crate) id: String,
    pub(crate) status: Status,
    pub(crate) kind: ItemKind,
}

/// Where a new item goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Placement {
    /// At the end.
    Append,
    /// At the start (`previous_item_id: "root"`).
    Root,
    /// After this item.
    After(String),
}

/// The ordered item list.
#[derive(Debug, Clone, Default)]
pub(crate) struct Conversation {
    items: Vec<Item>,
}

/// The item given as `previous_item_id` does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnknownItem;

impl Conversation {
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    pub(crate) fn items(&self) -> &[Item] {
        &self.items
    }

    pub(crate) fn contains(&self, id: &str) -> bool {
        self.items.iter().any(|i| i.id == id)
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut Item> {
        self.items.iter_mut().find(|i| i.id == id)
    }

    /// Inserts `item` and returns the id of the item now before it.
    pub(crate) fn insert(
        &mut self,
        item: Item,
        placement: &Placement,
    ) -> Result<Option<String>, UnknownItem> {
        let index = match placement {
            Placement::Append => self.items.len(),
            Placement::Root => 0,
            Placement::After(prev) => {
                self.items
                    .iter()
                    .position(|i| &i.id == prev)
                    .ok_or(UnknownItem)?
                    + 1
            }
        };
        let previous = index
            .checked_sub(1)
            .and_then(|i| self.items.get(i))
            .map(|i| i.id.clone());
        self.items.insert(index, item);
        Ok(previous)
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<Item> {
        let pos = self.items.iter().position(|i| i.id == id)?;
        Some(self.items.remove(pos))
    }

    /// Drops the oldest item (used when the server must add one at the item cap).
    /// Removes the oldest item; returns its id.
    pub(crate) fn evict_oldest(&mut self) -> Option<String> {
        (!self.items.is_empty()).then(|| self.items.remove(0).id)
    }

    /// The conversation as the LLM sees it, oldest first.
    pub(crate) fn context(&self) -> Vec<ContextItem> {
        self.items.iter().filter_map(context_item).collect()
    }
}

/// One item as the LLM sees it; a message without any text is left out.
pub(crate) fn context_item(item: &Item) -> Option<ContextItem> {
    Some(match &item.kind {
        ItemKind::Message { role, content } => {
            let texts: Vec<&str> = content.iter().filter_map(Part::text).collect();
            if texts.is_empty() {
                return None;
            }
            ContextItem::Message {
                role: *role,
                text: texts.join(" "),
            }
        }
        ItemKind::FunctionCall {
            name,
            call_id,
            arguments,
        } => ContextItem::FunctionCall {
            call_id: call_id.clone(),
            name: name.clone(),
            arguments: arguments.clone(),
        },
        ItemKind::FunctionCallOutput { call_id, output } => ContextItem::FunctionCallOutput {
            call_id: call_id.clone(),
            output: output.clone(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(id: &str) -> Item {
        Item {
            id: id.into(),
            status: Status::Completed,
            kind: ItemKind::Message {
                role: Role::User,
                content: vec![Part::InputText(id.into())],
            },
        }
    }

    #[test]
    fn placement() {
        let mut c = Conversation::default();
        assert_eq!(c.insert(msg("a"), &Placement::Append), Ok(None));
        assert_eq!(c.insert(msg("b"), &Placement::Append), Ok(Some("a".into())));
        assert_eq!(c.insert(msg("r"), &Placement::Root), Ok(None));
        assert_eq!(
            c.insert(msg("m"), &Placement::After("a".into())),
            Ok(Some("a".into()))
        );
        assert_eq!(
            c.insert(msg("x"), &Placement::After("zz".into())),
            Err(UnknownItem)
        );
        let ids: Vec<&str> = c.items().iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["r", "a", "m", "b"]);
    }

    #[test]
    fn truncate_cuts_audio_and_words() {
        let mut a = AudioPart::new(24_000, 2);
        a.transcript = "You said: hello".into();
        a.audio = vec![0; 48_000 * 2]; // 2 s
        a.mark_word("You", 0);
        a.mark_word("said", 400);
        a.mark_word("hello", 900);
        a.truncate(900);
        assert_eq!(a.audio.len(), 900 * 24 * 2);
        assert_eq!(a.transcript, "You said");
        a.truncate(0);
        assert_eq!(a.transcript, "");
        assert!(a.audio.is_empty());
    }
}
