"""The official Python SDK reading replies that honour what each request asked for.

Reads ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY like any Anthropic program. Creates one batch whose requests use a
forced tool, structured output, extended thinking, a stop sequence, an assistant prefill and a cited document; polls
until it ends; reads the results into the SDK's typed blocks; and prints one JSON line (what was asked, and what came
back) for the test that runs it to check.
"""

import json
import sys
import time

import anthropic

MODEL = "claude-sonnet-4-5"
PROMPT = "Tell me about the old harbour and its ships"
DOCUMENT = "The harbour opened in 1872. Ships still call there daily."

TOOL = {
    "name": "book_berth",
    "description": "Books a berth in the harbour",
    "input_schema": {
        "type": "object",
        "properties": {
            "ship": {"type": "string", "minLength": 4},
            "size": {"type": "string", "enum": ["small", "large"]},
            "nights": {"type": "integer", "minimum": 2, "maximum": 9},
            "crew": {
                "type": "array",
                "minItems": 2,
                "items": {
                    "type": "object",
                    "properties": {"name": {"type": "string"}, "captain": {"type": "boolean"}},
                    "required": ["name", "captain"],
                },
            },
        },
        "required": ["ship", "size", "nights", "crew"],
        "additionalProperties": False,
    },
}

OUTPUT_SCHEMA = {
    "type": "object",
    "properties": {
        "harbour": {"type": "string"},
        "opened": {"type": "integer", "minimum": 1800, "maximum": 1900},
        "ships": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    },
    "required": ["harbour", "opened", "ships"],
    "additionalProperties": False,
}


def params(**extra):
    return {"model": MODEL, "max_tokens": 256, "messages": [{"role": "user", "content": PROMPT}], **extra}


REQUESTS = {
    "plain": params(),
    "tool": params(tools=[TOOL], tool_choice={"type": "tool", "name": "book_berth"}),
    "structured": params(output_config={"format": {"type": "json_schema", "schema": OUTPUT_SCHEMA}}),
    "thinking": params(max_tokens=4096, thinking={"type": "enabled", "budget_tokens": 1024}),
    "stopped": params(stop_sequences=["harbour"]),
    "prefilled": {
        "model": MODEL,
        "max_tokens": 256,
        "messages": [
            {"role": "user", "content": PROMPT},
            {"role": "assistant", "content": "Gladly:"},
        ],
    },
    "cited": {
        "model": MODEL,
        "max_tokens": 256,
        "messages": [
            {
                "role": "user",
                "content": [
                    {
                        "type": "document",
                        "title": "Harbour",
                        "citations": {"enabled": True},
                        "source": {"type": "text", "media_type": "text/plain", "data": DOCUMENT},
                    },
                    {"type": "text", "text": "When did it open?"},
                ],
            }
        ],
    },
}


def block_report(block):
    """A content block as the SDK parsed it: its class and the fields the test checks."""
    out = {"class": type(block).__name__, "type": block.type}
    if block.type == "text":
        out["text"] = block.text
        out["citations"] = None if block.citations is None else [c.model_dump() for c in block.citations]
        out["citation_classes"] = [type(c).__name__ for c in block.citations or []]
    elif block.type == "tool_use":
        out.update(id=block.id, name=block.name, input=block.input)
    elif block.type == "thinking":
        out.update(thinking=block.thinking, signature=block.signature)
    return out


def main() -> int:
    client = anthropic.Anthropic(max_retries=0)
    batch = client.messages.batches.create(
        requests=[{"custom_id": custom_id, "params": p} for custom_id, p in REQUESTS.items()]
    )
    polls = 0
    while batch.processing_status != "ended":
        polls += 1
        if polls > 200:
            raise RuntimeError(f"batch {batch.id} did not end: {batch.processing_status}")
        time.sleep(0.05)
        batch = client.messages.batches.retrieve(batch.id)

    replies = {}
    for line in client.messages.batches.results(batch.id):
        if line.result.type != "succeeded":
            replies[line.custom_id] = {"result": line.result.type}
            continue
        message = line.result.message
        replies[line.custom_id] = {
            "result": "succeeded",
            "stop_reason": message.stop_reason,
            "stop_sequence": message.stop_sequence,
            "output_tokens": message.usage.output_tokens,
            "content": [block_report(b) for b in message.content],
        }
    print(
        json.dumps(
            {
                "tool_schema": TOOL["input_schema"],
                "output_schema": OUTPUT_SCHEMA,
                "document": DOCUMENT,
                "replies": replies,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
