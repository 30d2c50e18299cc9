"""The OpenAI SDK against the compatible-mode endpoint: input_audio parts, streaming with usage, errors."""
import base64
import os

import openai
import pytest

from conftest import API_KEY, CORPUS

CLIP = "speech.mp3"


@pytest.fixture()
def client(server):
    return openai.OpenAI(base_url=server.root + "/compatible-mode/v1", api_key=API_KEY, max_retries=0)


def audio_part():
    data = base64.b64encode(open(os.path.join(CORPUS, CLIP), "rb").read()).decode()
    return {"type": "input_audio", "input_audio": {"data": data, "format": "mp3"}}


def test_non_streaming(client):
    completion = client.chat.completions.create(
        model="qwen2-audio-instruct", temperature=0, max_tokens=6,
        messages=[{"role": "user", "content": [audio_part(), {"type": "text", "text": "What is said?"}]}])
    assert completion.choices[0].message.role == "assistant"
    assert isinstance(completion.choices[0].message.content, str)
    assert completion.choices[0].finish_reason in ("stop", "length")
    assert completion.usage.completion_tokens <= 6
    assert completion.usage.prompt_tokens_details.audio_tokens == 60


def test_streaming_with_usage_matches_non_streaming(client):
    messages = [{"role": "user", "content": [audio_part(), {"type": "text", "text": "What is said?"}]}]
    full = client.chat.completions.create(model="qwen2-audio-instruct", temperature=0, max_tokens=6, messages=messages)
    chunks = list(client.chat.completions.create(model="qwen2-audio-instruct", temperature=0, max_tokens=6,
                                                 messages=messages, stream=True, stream_options={"include_usage": True}))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == full.choices[0].message.content
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == full.usage.completion_tokens


def test_models_and_errors(server, client):
    assert "qwen2-audio-instruct" in [m.id for m in client.models.list().data]
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="qwen2-audio-instruct", n=2,
                                       messages=[{"role": "user", "content": [audio_part()]}])
    bad = openai.OpenAI(base_url=server.root + "/v1", api_key="sk-wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        bad.chat.completions.create(model="qwen2-audio-instruct", messages=[{"role": "user", "content": "hi"}])
