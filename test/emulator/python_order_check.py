"""The order of batch results, through the official Python SDK.

Reads ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY. Sends a batch of twelve requests, polls it until it ends, reads
its results, and maps each line back to its request by custom_id (as code must, since the API does not promise
request order). Prints one JSON line: the custom_ids as sent, as received, and each one's reply text.
"""

import json
import sys
import time

import anthropic


def main() -> int:
    client = anthropic.Anthropic(max_retries=0)
    requests = [
        {
            "custom_id": f"order-{i}",
            "params": {
                "model": "claude-sonnet-4-5",
                "max_tokens": 64,
                "messages": [{"role": "user", "content": f"Python order check {i} please"}],
            },
        }
        for i in range(12)
    ]
    batch = client.messages.batches.create(requests=requests)
    polls = 0
    while batch.processing_status != "ended":
        polls += 1
        if polls > 200:
            raise RuntimeError(f"batch {batch.id} did not end: {batch.processing_status}")
        time.sleep(0.05)
        batch = client.messages.batches.retrieve(batch.id)

    received = []
    mapped = {}
    for line in client.messages.batches.results(batch.id):
        received.append(line.custom_id)
        if line.result.type == "succeeded":
            texts = [block.text for block in line.result.message.content if block.type == "text"]
            mapped[line.custom_id] = " ".join(texts)

    print(
        json.dumps(
            {
                "sent": [r["custom_id"] for r in requests],
                "received": received,
                "mapped": mapped,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
