"""Ports of the azure-ai-voicelive 1.3.1 live tests `test_live_realtime_tools.py` (protocol.md
§6 E), run against vl-server with the scripted backend.

The scripted model calls the first session tool whose name occurs in the user's words, with
arguments `{}`, and after a `function_call_output` replies `The tool returned: <output>`. The cloud
tests' arguments (`{"location":"Beijing"}`) depend on a real model; here the arguments are the
scripted `{}` and the rest of the flow is checked exactly.
"""

from __future__ import annotations

import json

from azure.ai.voicelive.models import (
    FunctionCallOutputItem,
    FunctionTool,
    InputTextContentPart,
    ItemType,
    RequestSession,
    ResponseFunctionCallItem,
    ServerEventConversationItemCreated,
    ServerEventType,
    ServerVad,
    ToolChoiceFunctionSelection,
    ToolChoiceLiteral,
    UserMessageItem,
)

from sdk_live import collect_until, of_type, run, session, wait_for, wait_match

WEATHER = FunctionTool(
    name="get_weather",
    description="Get the weather for a given location.",
    parameters={
        "type": "object",
        "properties": {"location": {"type": "string", "description": "The location to get the weather for."}},
        "required": ["location"],
    },
)
TIME = FunctionTool(
    name="get_time",
    description="Get the current time in a given location.",
    parameters={
        "type": "object",
        "properties": {"location": {"type": "string", "description": "The location to get the current time for."}},
        "required": ["location"],
    },
)


async def _say(conn, text: str) -> None:
    await conn.conversation.item.create(item=UserMessageItem(content=[InputTextContentPart(text=text)]))
    await wait_for(conn, {ServerEventType.CONVERSATION_ITEM_CREATED})


def _check_call_events(events, name: str):
    """The function-call part of one response: item created with name and call_id, argument deltas
    that concatenate to `.done`, all with the same item and call id."""
    created = [
        e for e in events if e.type == "conversation.item.created" and e.item.type == ItemType.FUNCTION_CALL
    ]
    assert len(created) == 1, [e.type for e in events]
    item = created[0].item
    assert isinstance(item, ResponseFunctionCallItem)
    assert item.name == name
    deltas = of_type(events, "response.function_call_arguments.delta")
    done = of_type(events, "response.function_call_arguments.done")
    assert deltas, "arguments must be streamed as deltas before .done"
    assert len(done) == 1
    assert "".join(d.delta for d in deltas) == done[0].arguments
    assert {d.item_id for d in deltas} == {done[0].item_id} == {item.id}
    assert {d.call_id for d in deltas} == {done[0].call_id} == {item.call_id}
    order = [e.type for e in events]
    assert order.index("response.function_call_arguments.delta") < order.index("response.function_call_arguments.done")
    assert done[0].name == name
    json.loads(done[0].arguments)
    return item, done[0]


def test_realtime_service_tool_call(vl_server):
    """`…_tool_call`: with a tool and `tool_choice: auto`, a user turn that asks for it gives a
    function-call item and streamed arguments."""

    async def body():
        async with session(vl_server) as conn:
            tools = [FunctionTool(name="assess_pronunciation", description="Assess pronunciation of the last user input speech")]
            await conn.session.update(
                session=RequestSession(
                    instructions="You are a teacher. Call assess_pronunciation for each user input.",
                    tools=tools,
                    tool_choice=ToolChoiceLiteral.AUTO,
                )
            )
            await _say(conn, "please assess_pronunciation of this")
            await conn.response.create()
            events = await collect_until(conn, "response.done")
            _check_call_events(events, "assess_pronunciation")
            assert events[-1].response.status == "completed"

    run(body())


def test_realtime_service_tool_choice(vl_server):
    """`…_tool_choice`: a forced `{type:function, name:get_time}` calls get_time even when the
    user names the other tool."""

    async def body():
        async with session(vl_server) as conn:
            await conn.session.update(
                session=RequestSession(
                    instructions="You are a helpful assistant with tools.",
                    tools=[WEATHER, TIME],
                    tool_choice=ToolChoiceFunctionSelection(name="get_time"),
                    turn_detection=ServerVad(threshold=0.5, prefix_padding_ms=300, silence_duration_ms=200),
                )
            )
            updated = await wait_for(conn, {ServerEventType.SESSION_UPDATED})
            assert dict(updated.session.tool_choice) == {"type": "function", "name": "get_time"}
            await _say(conn, "what is get_weather in Beijing")
            await conn.response.create()
            conversation_created = await wait_match(
                conn, lambda e: e.type == "conversation.item.created" and e.item.type == ItemType.FUNCTION_CALL
            )
            assert isinstance(conversation_created, ServerEventConversationItemCreated)
            assert conversation_created.item.name == "get_time"
            delta = await wait_for(conn, {ServerEventType.RESPONSE_FUNCTION_CALL_ARGUMENTS_DELTA})
            assert delta.call_id == conversation_created.item.call_id
            done = await wait_for(conn, {ServerEventType.RESPONSE_FUNCTION_CALL_ARGUMENTS_DONE})
            assert done.name == "get_time"

    run(body())


def test_realtime_service_tool_call_parameter(vl_server):
    """`…_tool_call_parameter`: the full round trip of protocol.md §6 E; the final spoken answer
    (read, like the sample, from `output_item.done.item.content[0].transcript`) contains the tool
    output."""

    def get_weather(_arguments: str) -> str:
        return json.dumps({"location": "Beijing", "weather": "sunny", "temp_c": 25})

    async def body():
        async with session(vl_server) as conn:
            await conn.session.update(
                session=RequestSession(
                    instructions="You are a helpful assistant with tools.",
                    tools=[WEATHER],
                    tool_choice=ToolChoiceLiteral.AUTO,
                )
            )
            await _say(conn, "call get_weather for Beijing")
            await conn.response.create()
            events = await collect_until(conn, "response.done")
            assert events[0].type == "response.created"
            item, done = _check_call_events(events, "get_weather")
            assert events[-1].response.status == "completed"
            assert [o.type for o in events[-1].response.output] == ["function_call"]
            # The server does not answer by itself after a call (§6 E).
            await conn.conversation.item.create(
                previous_item_id=item.id, item=FunctionCallOutputItem(call_id=done.call_id, output=get_weather(done.arguments))
            )
            created = await wait_for(conn, {ServerEventType.CONVERSATION_ITEM_CREATED})
            assert created.previous_item_id == item.id
            await conn.response.create()
            response = await wait_match(
                conn, lambda e: e.type == "response.output_item.done" and e.item.id != item.id
            )
            transcript = response.item.content[0].transcript
            assert "sunny" in transcript
            assert "25" in transcript

    run(body())


def test_tools_are_not_called_when_tool_choice_is_none(vl_server):
    async def body():
        async with session(vl_server) as conn:
            await conn.session.update(
                session=RequestSession(tools=[WEATHER], tool_choice=ToolChoiceLiteral.NONE, modalities=["text"])
            )
            await _say(conn, "call get_weather for Beijing")
            await conn.response.create()
            events = await collect_until(conn, "response.done")
            assert not of_type(events, "response.function_call_arguments.done")
            assert of_type(events, "response.text.done")[0].text == "You said: call get_weather for Beijing"

    run(body())
