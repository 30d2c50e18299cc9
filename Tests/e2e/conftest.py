"""End-to-end fixtures: the built `qwen-audio serve` binary as a separate process on loopback, a tiny random
Qwen2-Audio model directory (weights from Tools/qwen2audio_fixture.py's seeded generator, the real Qwen
tokenizer from .cache/tokenizer), and a loopback HTTP server for audio URLs."""
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Tools"))
CORPUS = os.path.join(ROOT, "Tests", "QwenAudioIOTests", "Fixtures", "corpus")
BINARY = os.environ.get("QWEN_AUDIO_BINARY", os.path.join(ROOT, ".build", "debug", "qwen-audio"))
API_KEY = "sk-e2e-test"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    import qwen2audio_fixture as fx
    directory = str(tmp_path_factory.mktemp("qwen-tiny-mha"))
    fx.write_weights(directory, "tiny-mha", checksums=False, log=lambda *_: None)
    fx.write_model_configs(directory, "tiny-mha")
    tokenizer = os.environ.get("QWEN_AUDIO_TOKENIZER_DIR", os.path.join(ROOT, ".cache", "tokenizer"))
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.json", "merges.txt"):
        path = os.path.join(tokenizer, name)
        assert os.path.exists(path), f"{path} is missing: run python3 Tools/make_tokenizer_files.py .cache/tokenizer"
        shutil.copy(path, directory)
    return directory


@pytest.fixture(scope="session")
def audio_server():
    """Serves the audio corpus on a loopback port."""
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=CORPUS, **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class ServerProcess:
    def __init__(self, model_dir, *extra):
        assert os.path.exists(BINARY), f"{BINARY} is missing: run swift build first"
        self.port = free_port()
        self.root = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(os.path.dirname(model_dir), f"serve-{self.port}.log"), "w+")
        self.process = subprocess.Popen(
            [BINARY, "serve", "--model", model_dir, "--port", str(self.port), *extra],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.root + "/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
            assert self.process.poll() is None, self.output()
        raise AssertionError("the server did not become healthy in 60 s:\n" + self.output())

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="session")
def server(model_dir):
    process = ServerProcess(model_dir, "--api-key", API_KEY, "--allow-private-urls", "--allow-local-dir", CORPUS)
    yield process
    process.stop()


def chat_json(model_dir, *args):
    """What `qwen-audio chat --json` answers for the same input (greedy)."""
    out = subprocess.run([BINARY, "chat", "--model", model_dir, "--temperature", "0", "--json", *args],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)
