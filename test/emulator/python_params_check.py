"""The official Python SDK reads what the emulator says about params, headers and token usage.

Reads ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY like any Anthropic program. Creates one batch of requests the API
refuses (and one it takes), waits for it to end, reads the result lines; counts the tokens of an image; calls with an
unknown beta and an unknown API version. Prints one JSON line for the test that runs it to check.
"""

import base64
import json
import struct
import sys
import time

import anthropic

MODEL = "claude-sonnet-4-5"


def png_header(width: int, height: int) -> str:
    """The first bytes of a PNG: its signature and IHDR chunk, which carry the size."""
    ihdr = struct.pack(">I4sII", 13, b"IHDR", width, height) + bytes([8, 2, 0, 0, 0])
    return base64.b64encode(b"\x89PNG\r\n\x1a\n" + ihdr).decode()


def params(**extra):
    return {"model": MODEL, "max_tokens": 64, "messages": [{"role": "user", "content": "Hello"}], **extra}


def error_of(call):
    try:
        call()
    except anthropic.APIStatusError as err:
        return {"status": err.status_code, "type": err.body["error"]["type"], "message": err.body["error"]["message"]}
    return None


def main() -> int:
    client = anthropic.Anthropic(max_retries=0)
    batch = client.messages.batches.create(
        requests=[
            {"custom_id": "unknown-model", "params": params(model="claude-does-not-exist-9")},
            {"custom_id": "too-long", "params": params(max_tokens=10_000_000)},
            {"custom_id": "fine", "params": params()},
        ]
    )
    polls = 0
    while batch.processing_status != "ended":
        polls += 1
        if polls > 200:
            raise RuntimeError(f"batch {batch.id} did not end")
        time.sleep(0.05)
        batch = client.messages.batches.retrieve(batch.id)
    results = {}
    for line in client.messages.batches.results(batch.id):
        if line.result.type == "errored":
            error = line.result.error.error
            results[line.custom_id] = {"type": "errored", "error_type": error.type, "message": error.message}
        else:
            results[line.custom_id] = {"type": line.result.type}

    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": png_header(1500, 750)}}
    image_tokens = client.messages.count_tokens(
        model=MODEL, messages=[{"role": "user", "content": [image]}]
    ).input_tokens

    unknown_beta = error_of(lambda: client.beta.messages.batches.list(betas=["no-such-beta-2099-01-01"]))
    old_client = anthropic.Anthropic(max_retries=0, default_headers={"anthropic-version": "2024-02-30"})
    unknown_version = error_of(lambda: old_client.messages.batches.list())

    print(
        json.dumps(
            {
                "results": results,
                "image_tokens": image_tokens,
                "unknown_beta": unknown_beta,
                "unknown_version": unknown_version,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
