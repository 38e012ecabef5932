//! Tools (`function`, `mcp`, `foundry_agent`) and `tool_choice`.

use std::collections::BTreeMap;

use serde::de::{self, Deserialize, Deserializer};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::Value;

tagged_enum! {
    /// One entry of `tools`, tagged by `type`.
    Tool {
        /// A function the client executes.
        Function(FunctionTool) = "function",
        /// A remote MCP server.
        Mcp(McpTool) = "mcp",
        /// A Foundry agent called as a tool (docs only).
        FoundryAgent(FoundryAgentTool) = "foundry_agent",
    }
}

impl Tool {
    /// The name the model calls: the function name, the MCP server label or the agent name.
    pub fn name(&self) -> &str {
        match self {
            Self::Function(t) => &t.name,
            Self::Mcp(t) => &t.server_label,
            Self::FoundryAgent(t) => &t.agent_name,
        }
    }
}

wire_struct! {
    /// `{type:"function", name, description, parameters}`.
    FunctionTool {
        /// Function name (`^[a-zA-Z0-9_-]{1,64}$`).
        name: String,
        /// What the function does.
        description?: String,
        /// JSON Schema of the arguments.
        parameters?: Value,
    }
}

wire_struct! {
    /// `{type:"mcp", server_label, server_url, ...}`.
    McpTool {
        /// Label the model uses for this server.
        server_label: String,
        /// Server URL.
        server_url: String,
        /// Authorization value sent to the server.
        authorization?: String,
        /// Extra HTTP headers.
        headers?: BTreeMap<String, String>,
        /// Tools of the server the model may call.
        allowed_tools?: Vec<String>,
        /// Which calls need approval (default `always`).
        require_approval?: RequireApproval,
    }
}

wire_struct! {
    /// `{type:"foundry_agent", agent_name, project_name, ...}` (docs only).
    FoundryAgentTool {
        /// Agent name.
        agent_name: String,
        /// Foundry project name.
        project_name: String,
        /// Agent version.
        agent_version?: String,
        /// Managed identity client id.
        client_id?: String,
        /// Description for the model.
        description?: String,
        /// Foundry resource override.
        foundry_resource_override?: String,
        /// `no_context` or `agent_context` (default).
        agent_context_type?: String,
        /// Return the agent response directly (default true).
        return_agent_response_directly?: bool,
    }
}

/// `require_approval` of an MCP tool: a mode string or `{always:[..], never:[..]}`.
#[derive(Debug, Clone, PartialEq)]
pub enum RequireApproval {
    /// `"always"`, `"never"` or another mode string.
    Mode(String),
    /// Per-tool lists.
    Filter(ApprovalFilter),
}

wire_struct! {
    /// `{always:[..], never:[..]}`.
    #[derive(Default)]
    ApprovalFilter {
        /// Tools that always need approval.
        always?: Vec<String>,
        /// Tools that never need approval.
        never?: Vec<String>,
    }
}

impl Serialize for RequireApproval {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Mode(mode) => serializer.serialize_str(mode),
            Self::Filter(filter) => filter.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for RequireApproval {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::String(mode) => Ok(Self::Mode(mode)),
            object @ Value::Object(_) => {
                crate::de::from_value_tracked::<ApprovalFilter, D::Error>(object).map(Self::Filter)
            }
            other => Err(de::Error::invalid_type(
                crate::de::unexpected(&other),
                &"\"always\", \"never\" or {always, never}",
            )),
        }
    }
}

/// `tool_choice`.
///
/// Accepted forms: `"auto"`, `"none"`, `"required"`, a bare function name string,
/// `{type:"function", name}`, the older `{type:"function", function:{name}}` and the GA
/// `{type:"mcp", server_label, name}`. Serialization uses the string modes and
/// `{type:"function", name}` (so a bare name or the older object come back in the canonical form).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ToolChoice {
    /// The model decides.
    #[default]
    Auto,
    /// No tool calls.
    None,
    /// At least one tool call.
    Required,
    /// Force this function.
    Function {
        /// The function name.
        name: String,
    },
    /// Force a tool of this MCP server (GA form).
    Mcp {
        /// The server label.
        server_label: String,
        /// The tool name, if forced.
        name: Option<String>,
    },
}

impl Serialize for ToolChoice {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Auto => serializer.serialize_str("auto"),
            Self::None => serializer.serialize_str("none"),
            Self::Required => serializer.serialize_str("required"),
            Self::Function { name } => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("type", "function")?;
                map.serialize_entry("name", name)?;
                map.end()
            }
            Self::Mcp { server_label, name } => {
                let mut map = serializer.serialize_map(None)?;
                map.serialize_entry("type", "mcp")?;
                map.serialize_entry("server_label", server_label)?;
                if let Some(name) = name {
                    map.serialize_entry("name", name)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for ToolChoice {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        match value {
            Value::String(s) => Ok(match s.as_str() {
                "auto" => Self::Auto,
                "none" => Self::None,
                "required" => Self::Required,
                _ => Self::Function { name: s },
            }),
            Value::Object(ref map) => {
                let kind = map.get("type").and_then(Value::as_str);
                let string = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_owned);
                match kind {
                    Some("function") => {
                        let name = string("name").or_else(|| {
                            map.get("function")
                                .and_then(|f| f.get("name"))
                                .and_then(Value::as_str)
                                .map(str::to_owned)
                        });
                        match name {
                            Some(name) => Ok(Self::Function { name }),
                            None => Err(de::Error::missing_field("name")),
                        }
                    }
                    Some("mcp") => match string("server_label") {
                        Some(server_label) => Ok(Self::Mcp {
                            server_label,
                            name: string("name"),
                        }),
                        None => Err(de::Error::missing_field("server_label")),
                    },
                    Some(other) => Err(crate::de::unknown_tag::<D::Error>(
                        other,
                        &["function", "mcp"],
                    )),
                    None => Err(de::Error::missing_field("type")),
                }
            }
            other => Err(de::Error::invalid_type(
                crate::de::unexpected(&other),
                &"\"auto\", \"none\", \"required\", a function name or a tool choice object",
            )),
        }
    }
}
