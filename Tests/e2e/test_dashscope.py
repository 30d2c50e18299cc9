"""The documentation's examples through the official dashscope SDK, unmodified but for base URL and key."""
import base64
import os

import dashscope
import pytest
from dashscope import MultiModalConversation

from conftest import API_KEY, CORPUS, chat_json

CLIP = "speech.mp3"  # 2.37 s: 60 billed audio tokens
BILLED = 60


@pytest.fixture(autouse=True)
def point_sdk(server):
    dashscope.base_http_api_url = server.root + "/api/v1"
    dashscope.api_key = API_KEY


def text_of(response):
    return response.output.choices[0].message.content[0]["text"]


def test_audio_url_and_question_matches_chat(server, audio_server, model_dir):
    url = f"{audio_server}/{CLIP}"
    messages = [{"role": "user", "content": [{"audio": url}, {"text": "这段音频在说什么?"}]}]
    response = MultiModalConversation.call(model="qwen-audio-turbo-latest", messages=messages,
                                           temperature=0, max_tokens=12, result_format="message")
    assert response.status_code == 200, response
    assert response.request_id
    message = response.output.choices[0].message
    assert message.role == "assistant"
    assert isinstance(text_of(response), str) and text_of(response)
    assert response.output.choices[0].finish_reason in ("stop", "length")
    assert response.usage.audio_tokens == BILLED
    assert response.usage.output_tokens <= 12 and response.usage.input_tokens > 0
    expected = chat_json(model_dir, "--audio", os.path.join(CORPUS, CLIP), "--max-tokens", "12", "这段音频在说什么?")
    assert text_of(response) == expected["text"]
    assert response.usage.input_tokens == expected["usage"]["input_tokens"]


def test_streaming_incremental_and_cumulative(server, audio_server):
    messages = [{"role": "user", "content": [{"audio": f"{audio_server}/{CLIP}"}, {"text": "Describe it."}]}]
    pieces = list(MultiModalConversation.call(model="qwen2-audio-instruct", messages=messages, stream=True,
                                              incremental_output=True, temperature=0, max_tokens=8))
    assert all(p.status_code == 200 for p in pieces)
    incremental = "".join(c["text"] for p in pieces for c in p.output.choices[0].message.content)
    assert pieces[-1].output.choices[0].finish_reason in ("stop", "length")
    assert pieces[-1].usage.audio_tokens == BILLED

    full = MultiModalConversation.call(model="qwen2-audio-instruct", messages=messages, temperature=0, max_tokens=8)
    assert incremental == text_of(full)

    cumulative = list(MultiModalConversation.call(model="qwen2-audio-instruct", messages=messages, stream=True,
                                                  incremental_output=False, temperature=0, max_tokens=8))
    assert text_of(cumulative[-1]) == text_of(full)


def test_voice_chat_audio_only(server, audio_server):
    messages = [{"role": "user", "content": [{"audio": f"{audio_server}/speech.amr"}]}]
    response = MultiModalConversation.call(model="qwen-audio-turbo-latest", messages=messages, max_tokens=6, seed=7)
    assert response.status_code == 200, response
    assert response.usage.audio_tokens == 59  # 2.34 s


def test_multi_turn_and_system_and_two_audios(server, audio_server):
    first = [{"role": "system", "content": [{"text": "You are a sound expert."}]},
             {"role": "user", "content": [{"audio": f"{audio_server}/{CLIP}"}, {"audio": f"{audio_server}/speech.flac"},
                                          {"text": "Compare the two clips."}]}]
    response = MultiModalConversation.call(model="qwen2-audio-instruct", messages=first, temperature=0, max_tokens=5)
    assert response.status_code == 200, response
    assert response.usage.audio_tokens == BILLED + 65  # 2.56 s → 65
    second = first + [response.output.choices[0].message, {"role": "user", "content": [{"text": "And in French?"}]}]
    follow_up = MultiModalConversation.call(model="qwen2-audio-instruct", messages=second, temperature=0, max_tokens=5)
    assert follow_up.status_code == 200, follow_up
    assert follow_up.usage.input_tokens > response.usage.input_tokens


def test_data_uri(server):
    data = base64.b64encode(open(os.path.join(CORPUS, CLIP), "rb").read()).decode()
    messages = [{"role": "user", "content": [{"audio": f"data:;base64,{data}"}, {"text": "What is it?"}]}]
    response = MultiModalConversation.call(model="qwen2-audio-instruct", messages=messages, temperature=0, max_tokens=4)
    assert response.status_code == 200, response
    assert response.usage.audio_tokens == BILLED


@pytest.mark.parametrize("key,code", [(None, "InvalidApiKey"), ("sk-wrong", "InvalidApiKey")])
def test_api_keys(server, audio_server, key, code):
    messages = [{"role": "user", "content": [{"audio": f"{audio_server}/{CLIP}"}]}]
    if key is None:
        import requests
        r = requests.post(server.root + "/api/v1/services/aigc/multimodal-generation/generation",
                          json={"model": "qwen2-audio-instruct", "input": {"messages": messages}})
        assert r.status_code == 401 and r.json()["code"] == code and r.json()["request_id"]
        return
    response = MultiModalConversation.call(model="qwen2-audio-instruct", messages=messages, api_key=key)
    assert response.status_code == 401 and response.code == code


@pytest.mark.parametrize("parameters", [{"temperature": 5}, {"top_p": 0}, {"max_tokens": 0}, {"presence_penalty": 3}])
def test_bad_parameters_are_client_errors(server, audio_server, parameters):
    messages = [{"role": "user", "content": [{"audio": f"{audio_server}/{CLIP}"}, {"text": "?"}]}]
    response = MultiModalConversation.call(model="qwen2-audio-instruct", messages=messages, **parameters)
    assert response.status_code == 400, response
    assert response.code == "InvalidParameter" and response.message


def raw(server, body, headers=None):
    import requests
    return requests.post(server.root + "/api/v1/services/aigc/multimodal-generation/generation", data=body,
                         headers={"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json",
                                  **(headers or {})})


@pytest.mark.parametrize("body", [
    b"{not json",
    b'{"input": {"messages": [{"role": "user", "content": [{"text": "hi"}]}]}}',
    b'{"model": "qwen2-audio-instruct", "input": {"messages": []}}',
    b'{"model": "qwen2-audio-instruct"}',
    b'{"model": "qwen2-audio-instruct", "input": {"messages": [{"role": "user", "content": [{"audio": "ftp://x/a.wav"}]}]}}',
    b'{"model": "qwen2-audio-instruct", "input": {"messages": [{"role": "user", "content": [{"audio": "file:///etc/passwd"}]}]}}',
    b'{"model": "qwen2-audio-instruct", "input": {"messages": [{"role": "user", "content": [{"audio": "http://127.0.0.1:1/a.wav"}]}]}}',
    b'{"model": "qwen2-audio-instruct", "input": {"messages": [{"role": "user", "content": [{"image": "http://x/a.png"}]}]}}',
    b'{"model": "qwen2-audio-instruct", "input": {"messages": [{"role": "user", "content": [{"audio": "data:;base64,!!!"}]}]}}',
])
def test_malformed_requests_are_client_errors(server, body):
    response = raw(server, body)
    assert 400 <= response.status_code < 500, response.text
    payload = response.json()
    assert payload["code"] and payload["message"] and payload["request_id"]
    assert response.headers["X-Request-Id"] == payload["request_id"]


@pytest.mark.parametrize("name", ["text.wav", "page.mp3", "image.wav", "video_no_audio.mp4", "truncated.mp3", "random.mp3"])
def test_bad_audio_files_are_client_errors(server, audio_server, name):
    messages = [{"role": "user", "content": [{"audio": f"{audio_server}/{name}"}, {"text": "?"}]}]
    response = MultiModalConversation.call(model="qwen2-audio-instruct", messages=messages)
    assert response.status_code == 400, response
    assert response.message
    ok = MultiModalConversation.call(model="qwen2-audio-instruct", max_tokens=2,
                                     messages=[{"role": "user", "content": [{"audio": f"{audio_server}/{CLIP}"}]}])
    assert ok.status_code == 200


def test_unknown_model_and_missing_download(server, audio_server):
    messages = [{"role": "user", "content": [{"audio": f"{audio_server}/{CLIP}"}]}]
    response = MultiModalConversation.call(model="qwen-max", messages=messages)
    assert response.status_code in (400, 404) and response.message
    missing = [{"role": "user", "content": [{"audio": f"{audio_server}/nope.wav"}]}]
    response = MultiModalConversation.call(model="qwen2-audio-instruct", messages=missing)
    assert response.status_code == 400 and "404" in response.message


def test_private_urls_refused_without_the_flag(model_dir, audio_server):
    from conftest import ServerProcess
    strict = ServerProcess(model_dir)
    try:
        import requests
        body = {"model": "qwen2-audio-instruct",
                "input": {"messages": [{"role": "user", "content": [{"audio": f"{audio_server}/{CLIP}"}]}]}}
        response = requests.post(strict.root + "/api/v1/services/aigc/multimodal-generation/generation", json=body)
        assert response.status_code == 400, response.text
        assert "private" in response.json()["message"]
    finally:
        strict.stop()


def test_client_disconnect_cancels_and_the_next_request_is_served(server, audio_server):
    import requests
    body = {"model": "qwen2-audio-instruct", "parameters": {"max_tokens": 200, "incremental_output": True},
            "input": {"messages": [{"role": "user", "content": [{"audio": f"{audio_server}/{CLIP}"}]}]}}
    with requests.post(server.root + "/api/v1/services/aigc/multimodal-generation/generation", json=body, stream=True,
                       headers={"Authorization": f"Bearer {API_KEY}", "X-DashScope-SSE": "enable"}) as response:
        assert response.status_code == 200
        first = next(response.iter_lines())
        assert first.startswith(b"id:")
    # The server notices at its next write and stops that generation; a new request is served normally.
    messages = [{"role": "user", "content": [{"audio": f"{audio_server}/{CLIP}"}]}]
    ok = MultiModalConversation.call(model="qwen2-audio-instruct", messages=messages, max_tokens=2)
    assert ok.status_code == 200
    import time
    deadline = time.time() + 10
    while "stream ended early" not in server.output() and "generation cancelled" not in server.output():
        assert time.time() < deadline, server.output()[-2000:]
        time.sleep(0.2)


def test_async_client(server, audio_server):
    import asyncio
    from dashscope import AioMultiModalConversation

    async def ask():
        messages = [{"role": "user", "content": [{"audio": f"{audio_server}/{CLIP}"}, {"text": "What is it?"}]}]
        return await AioMultiModalConversation.call(model="qwen2-audio-instruct", messages=messages,
                                                    temperature=0, max_tokens=4)

    response = asyncio.run(ask())
    assert response.status_code == 200, response
    assert response.usage.audio_tokens == BILLED
