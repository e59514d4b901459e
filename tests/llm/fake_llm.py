"""A local Chat Completions server for the tests, spoken to through the real `openai` client.

Non-streaming `POST /v1/chat/completions` only, with `choices[].logprobs.content[].top_logprobs`
when asked, `usage`, and scripted misbehaviour: 429 with `Retry-After`, 500, a hang past the
client's timeout, a judge answer that is not JSON, and a server without JSON mode (400 to
`response_format`). Binds 127.0.0.1 only.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ANSWER = "The X200 blender has a two-year warranty."


def tokens_of(text: str) -> list[str]:
    """Pieces that concatenate back to the text, like a BPE tokenizer's."""
    return re.findall(r"\s*\S+", text)


def completion(text: str, *, request: dict[str, Any], model: str = "fake-model") -> dict[str, Any]:
    choice: dict[str, Any] = {
        "index": 0,
        "finish_reason": "stop",
        "message": {"role": "assistant", "content": text},
        "logprobs": None,
    }
    if request.get("logprobs"):
        k = int(request.get("top_logprobs") or 0)
        content = []
        for i, tok in enumerate(tokens_of(text)):
            lp = -0.05 - 0.01 * (i % 3)
            tops = [{"token": tok, "logprob": lp, "bytes": list(tok.encode())}]
            tops += [{"token": f" alt{j}", "logprob": lp - 2.0 - j, "bytes": None} for j in range(1, k)]
            content.append({"token": tok, "logprob": lp, "bytes": list(tok.encode()), "top_logprobs": tops[:k]})
        choice["logprobs"] = {"content": content, "refusal": None}
    prompt = sum(len(m.get("content", "")) for m in request.get("messages", [])) // 4
    n = len(tokens_of(text))
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [choice],
        "usage": {"prompt_tokens": prompt, "completion_tokens": n, "total_tokens": prompt + n},
    }


Reply = tuple[int, dict[str, str], bytes]


def ok(text: str) -> Callable[[dict[str, Any]], Reply]:
    return lambda req: (200, {}, json.dumps(completion(text, request=req)).encode())


def status(code: int, retry_after: str | None = None) -> Callable[[dict[str, Any]], Reply]:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    body = json.dumps({"error": {"message": f"fake {code}", "type": "server_error", "code": None}}).encode()
    return lambda req: (code, headers, body)


def hang(seconds: float, then: str = ANSWER) -> Callable[[dict[str, Any]], Reply]:
    def reply(req: dict[str, Any]) -> Reply:
        time.sleep(seconds)
        return ok(then)(req)

    return reply


def is_judge(req: dict[str, Any]) -> bool:
    return "fact-checking judge" in str(req.get("messages", [{}])[0].get("content", ""))


def judge_says(verdict: str) -> Callable[[dict[str, Any]], Reply]:
    """A well-behaved judge giving `verdict`, quoting the evidence's first sentence (none for
    not_in_evidence)."""

    def reply(req: dict[str, Any]) -> Reply:
        user = req["messages"][-1]["content"]
        evidence = user.split("Evidence:\n", 1)[1].split("\n\nClaim:", 1)[0]
        quote = "" if verdict == "not_in_evidence" else re.split(r"(?<=[.!?])\s", evidence.strip(), maxsplit=1)[0]
        text = json.dumps({"verdict": verdict, "quote": quote, "explanation": "The evidence says so."})
        return ok(text)(req)

    return reply


judge_answer = judge_says("supported")


def json_mode_refused(req: dict[str, Any]) -> Reply:
    """What vLLM-style servers without JSON mode answer to `response_format`."""
    body = {
        "error": {
            "message": "Unsupported parameter: 'response_format' is not supported with this model.",
            "type": "invalid_request_error",
            "param": "response_format",
            "code": None,
        }
    }
    return 400, {}, json.dumps(body).encode()


class FakeLLM:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.script: list[Callable[[dict[str, Any]], Reply]] = []
        self.default: Callable[[dict[str, Any]], Reply] = self.route
        self.answer = ANSWER
        self.judge: Callable[[dict[str, Any]], Reply] = judge_answer  # what the judge says (route)
        self.json_mode = True  # False: a server that answers 400 to `response_format`
        self.delay = 0.0
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                req = json.loads(self.rfile.read(length) or b"{}")
                with fake._lock:
                    fake.requests.append(req)
                    step = fake.script.pop(0) if fake.script else fake.default
                if self.path.rstrip("/") != "/v1/chat/completions":
                    code, headers, body = 404, {}, b'{"error": {"message": "not found"}}'
                else:
                    if fake.delay:
                        time.sleep(fake.delay)
                    code, headers, body = step(req)
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def route(self, req: dict[str, Any]) -> Reply:
        if "response_format" in req and not self.json_mode:
            return json_mode_refused(req)
        if is_judge(req):
            return self.judge(req)
        return ok(self.answer)(req)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def start(self) -> FakeLLM:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
