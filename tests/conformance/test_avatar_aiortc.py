"""The avatar over WebRTC with two independent implementations (issue #10): the official
azure-ai-voicelive SDK carries the events, and PyPI `aiortc` (its own ICE, DTLS, SRTP, and
FFmpeg's H.264 and Opus decoders through PyAV) makes the offer as the official samples do
(video + audio transceivers, all candidates gathered before the offer, `client_sdp` = base64 of
the JSON session description), applies the server's answer and receives the media.

Needs a vl-server built with the cargo feature `avatar`. `cargo xtask ci` builds it so and sets
`VL_REQUIRE_AVATAR=1`, which turns a binary without the avatar flags into a failure; elsewhere
the test is skipped with that reason.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import time

import numpy as np
import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError
from azure.ai.voicelive.aio import connect
from azure.ai.voicelive.models import (
    AvatarConfig,
    ClientEventSessionAvatarConnect,
    InputTextContentPart,
    RequestSession,
    UserMessageItem,
    VideoParams,
    VideoResolution,
)
from azure.core.credentials import AzureKeyCredential

STEP_TIMEOUT_S = 15.0
WIDTH, HEIGHT = 640, 480


def _has_avatar(binary) -> bool:
    help_text = subprocess.run([str(binary), "--help"], capture_output=True, text=True, timeout=30).stdout
    return "--avatar-udp-bind" in help_text


@pytest.fixture(scope="module")
def avatar_server(vl_server, vl_server_binary):
    if not _has_avatar(vl_server_binary):
        message = f"{vl_server_binary} was built without the cargo feature `avatar`"
        if os.environ.get("VL_REQUIRE_AVATAR"):
            pytest.fail(message)
        pytest.skip(message)
    return vl_server


async def _recv_until(conn, wanted: str, seen: list):
    while True:
        event = await asyncio.wait_for(conn.recv(), timeout=STEP_TIMEOUT_S)
        seen.append(event)
        if event.type == wanted:
            return event


def _mouth_luma(frame) -> float:
    """Mean luma of the mouth region (the face is centred; its mouth at ~65 % of the height)."""
    gray = frame.to_ndarray(format="gray")
    h, w = gray.shape
    return float(gray[int(h * 0.56) : int(h * 0.76), int(w * 0.4) : int(w * 0.6)].mean())


async def _collect(track, until: float, out: list) -> None:
    while time.monotonic() < until:
        try:
            frame = await asyncio.wait_for(track.recv(), timeout=max(0.05, until - time.monotonic()))
        except (asyncio.TimeoutError, MediaStreamError):
            return
        out.append((time.monotonic(), frame))


def test_aiortc_offer_gets_an_answer_and_the_avatar_speaks(avatar_server):
    async def body():
        pc = RTCPeerConnection()
        tracks = {}
        pc.on("track", lambda track: tracks.__setitem__(track.kind, track))
        pc.addTransceiver("video", direction="recvonly")
        pc.addTransceiver("audio", direction="recvonly")
        pc.createDataChannel("eventChannel")
        # aiortc gathers every candidate in setLocalDescription: the offer is complete (no trickle).
        await pc.setLocalDescription(await pc.createOffer())
        offer = pc.localDescription
        client_sdp = base64.b64encode(json.dumps({"type": offer.type, "sdp": offer.sdp}).encode()).decode()
        seen: list = []
        try:
            async with connect(
                endpoint=avatar_server.endpoint,
                credential=AzureKeyCredential(avatar_server.api_key),
                model="gpt-realtime",
            ) as conn:
                await _recv_until(conn, "session.created", seen)
                await conn.session.update(
                    session=RequestSession(
                        turn_detection=None,
                        avatar=AvatarConfig(
                            character="lisa",
                            style="casual-sitting",
                            customized=False,
                            video=VideoParams(resolution=VideoResolution(width=WIDTH, height=HEIGHT)),
                        ),
                    )
                )
                updated = await _recv_until(conn, "session.updated", seen)
                assert updated.session.avatar.character == "lisa"
                assert updated.session.avatar.video.resolution.width == WIDTH

                await conn.send(ClientEventSessionAvatarConnect(client_sdp=client_sdp))
                connecting = await _recv_until(conn, "session.avatar.connecting", seen)
                answer = json.loads(base64.b64decode(connecting.server_sdp))
                assert answer["type"] == "answer"
                assert "a=ice-lite" in answer["sdp"] and "H264" in answer["sdp"], answer["sdp"]
                await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type="answer"))

                deadline = time.monotonic() + STEP_TIMEOUT_S
                while pc.connectionState != "connected" or set(tracks) != {"audio", "video"}:
                    assert pc.connectionState not in ("failed", "closed"), pc.connectionState
                    assert time.monotonic() < deadline, f"not connected: {pc.connectionState}, tracks {set(tracks)}"
                    await asyncio.sleep(0.05)

                video: list = []
                audio: list = []
                # Idle first (1.5 s), then a reply: the media keeps flowing through both.
                receivers = [
                    asyncio.create_task(_collect(tracks["video"], time.monotonic() + 12, video)),
                    asyncio.create_task(_collect(tracks["audio"], time.monotonic() + 12, audio)),
                ]
                await asyncio.sleep(1.5)
                await conn.conversation.item.create(
                    item=UserMessageItem(content=[InputTextContentPart(text="hello there avatar, how are you")])
                )
                await conn.response.create()
                await _recv_until(conn, "session.avatar.switch_to_speaking", seen)
                speaking_at = time.monotonic()
                await _recv_until(conn, "session.avatar.switch_to_idle", seen)
                idle_at = time.monotonic()
                await asyncio.sleep(0.3)
                for task in receivers:
                    task.cancel()
                await asyncio.gather(*receivers, return_exceptions=True)
        finally:
            await pc.close()

        types = [e.type for e in seen]
        assert "error" not in types, [e for e in seen if e.type == "error"]
        assert "response.audio.delta" not in types, "in avatar mode the voice goes over WebRTC"
        assert len(video) >= 25, f"{len(video)} video frames"
        assert {(f.width, f.height) for _, f in video} == {(WIDTH, HEIGHT)}
        assert len(audio) >= 50, f"{len(audio)} audio frames"

        def rms(frame) -> float:
            pcm = frame.to_ndarray().astype(np.float64)
            return float(np.sqrt(np.mean(pcm**2)))

        loud_speaking = [rms(f) for t, f in audio if speaking_at + 0.1 <= t < idle_at]
        quiet_before = [rms(f) for t, f in audio if t < speaking_at - 0.3]
        assert loud_speaking and quiet_before, (len(loud_speaking), len(quiet_before))
        assert np.mean(loud_speaking) > 200 and np.mean(loud_speaking) > 20 * (np.mean(quiet_before) + 1), (
            np.mean(loud_speaking),
            np.mean(quiet_before),
        )
        mouth_speaking = [_mouth_luma(f) for t, f in video if speaking_at + 0.1 <= t < idle_at]
        mouth_idle = [_mouth_luma(f) for t, f in video if t < speaking_at - 0.1]
        assert len(mouth_speaking) >= 5 and len(mouth_idle) >= 5, (len(mouth_speaking), len(mouth_idle))
        print(
            f"aiortc avatar: {len(video)} frames, {len(audio)} audio frames; audio RMS speaking "
            f"{np.mean(loud_speaking):.0f} vs {np.mean(quiet_before):.0f} before; mouth luma spread "
            f"{np.std(mouth_speaking):.2f} speaking vs {np.std(mouth_idle):.2f} idle"
        )
        assert np.std(mouth_speaking) > 0.3 and np.std(mouth_speaking) > 3 * np.std(mouth_idle), (
            np.std(mouth_speaking),
            np.std(mouth_idle),
        )

    asyncio.run(asyncio.wait_for(body(), timeout=90))
