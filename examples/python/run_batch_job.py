"""Run a claude-batch job from a Python service with Temporal's Python SDK (`temporalio`).

A job is plain JSON in and out (see schema/ for the input, progress and result), so no claude-batch code is needed
here: start the `batchJob` workflow on the workers' task queue, query `progress`, signal `checkNow`, await the result.

    python examples/python/run_batch_job.py requests.jsonl --workflow-id nightly-2026-11-26

Connection: TEMPORAL_ADDRESS (default localhost:7233) and TEMPORAL_NAMESPACE (default "default").
"""

import argparse
import asyncio
import json
import os

from temporalio.client import Client


async def run(requests: str, workflow_id: str, task_queue: str, first_wait: str) -> dict:
    client = await Client.connect(
        os.environ.get("TEMPORAL_ADDRESS", "localhost:7233"),
        namespace=os.environ.get("TEMPORAL_NAMESPACE", "default"),
    )
    job_input = {"requests": requests, "polling": {"initialInterval": first_wait}}
    handle = await client.start_workflow("batchJob", job_input, id=workflow_id, task_queue=task_queue)
    print(f"started {workflow_id}")

    # Follow the job until its batches are sent and it waits for the API.
    seen = None
    while True:
        progress = await handle.query("progress")
        if progress["phase"] != seen:
            seen = progress["phase"]
            final = sum(progress["done"][k] for k in ("succeeded", "errored", "expired", "canceled"))
            print(f"progress: {seen}, round {progress['round']}, {final} of {progress['totalRequests']} final")
        if seen in ("waiting", "done"):
            break
        await asyncio.sleep(0.5)

    # Don't wait for the next scheduled check: ask the job to look at its batches now.
    await handle.signal("checkNow")
    print("sent checkNow")

    result = await handle.result()
    outcomes = result["summary"]["outcomes"]
    print(f"done: {outcomes['succeeded']} succeeded, {outcomes['errored']} errored; results in {result['resultsPath']}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("requests", help="the JSONL file of requests, as the workers see it")
    parser.add_argument("--workflow-id", required=True, help="a stable id: starting it twice runs it once")
    parser.add_argument("--task-queue", default="claude-batch")
    parser.add_argument("--first-wait", default="1 minute", help="wait before the job's first check")
    args = parser.parse_args()
    result = asyncio.run(run(args.requests, args.workflow_id, args.task_queue, args.first_wait))
    print(json.dumps({"resultsPath": result["resultsPath"], "outcomes": result["summary"]["outcomes"]}))


if __name__ == "__main__":
    main()
