"""The official Python SDK against the emulator: a second, independent client of the same contract.

Reads ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY like any Anthropic program. Creates a batch, polls it until it
ends, lists batches (auto-paginating), reads the results, deletes the batch, and prints one JSON summary line
for the test that runs it to check.
"""

import json
import sys
import time

import anthropic


def main() -> int:
    client = anthropic.Anthropic(max_retries=0)
    requests = [
        {
            "custom_id": f"py-{i}",
            "params": {
                "model": "claude-sonnet-4-5",
                "max_tokens": 64,
                "messages": [{"role": "user", "content": f"Python request number {i}"}],
            },
        }
        for i in range(5)
    ]
    requests.append(
        {
            "custom_id": "py-fails",
            "params": {
                "model": "claude-sonnet-4-5",
                "max_tokens": 64,
                "messages": [{"role": "user", "content": "fail me [emulator:errored=overloaded_error]"}],
            },
        }
    )
    batch = client.messages.batches.create(requests=requests)
    created_status = batch.processing_status
    polls = 0
    while batch.processing_status != "ended":
        polls += 1
        if polls > 200:
            raise RuntimeError(f"batch {batch.id} did not end: {batch.processing_status}")
        time.sleep(0.05)
        batch = client.messages.batches.retrieve(batch.id)

    listed = [b.id for b in client.messages.batches.list(limit=2)]
    results = {}
    for line in client.messages.batches.results(batch.id):
        if line.result.type == "succeeded":
            results[line.custom_id] = {
                "type": "succeeded",
                "text": line.result.message.content[0].text,
                "service_tier": line.result.message.usage.service_tier,
            }
        elif line.result.type == "errored":
            results[line.custom_id] = {"type": "errored", "error_type": line.result.error.error.type}
        else:
            results[line.custom_id] = {"type": line.result.type}

    try:
        client.messages.batches.retrieve("msgbatch_doesnotexist")
        not_found = None
    except anthropic.NotFoundError as err:
        not_found = err.status_code

    deleted = client.messages.batches.delete(batch.id)
    print(
        json.dumps(
            {
                "batch_id": batch.id,
                "created_status": created_status,
                "final_status": batch.processing_status,
                "counts": batch.request_counts.model_dump(),
                "results_url": batch.results_url,
                "listed": listed,
                "results": results,
                "not_found_status": not_found,
                "deleted_type": deleted.type,
                "sdk_version": anthropic.__version__,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
