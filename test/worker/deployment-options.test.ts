// Worker Versioning settings from the environment: opt-in, a build id by default from the workflow code.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentFromEnv, workerDeploymentOptions } from '../../src/worker';

describe('worker deployment options', () => {
  it('leaves the worker unversioned unless a deployment is named', () => {
    assert.equal(deploymentFromEnv({}), undefined);
  });

  it('refuses a build id without a deployment name', () => {
    assert.throws(() => deploymentFromEnv({ CLAUDE_BATCH_BUILD_ID: 'b1' }), /CLAUDE_BATCH_DEPLOYMENT/);
  });

  it('versions the worker with jobs upgrading to each new current build', () => {
    const options = workerDeploymentOptions(
      deploymentFromEnv({ CLAUDE_BATCH_DEPLOYMENT: 'claude-batch', CLAUDE_BATCH_BUILD_ID: '2026-11-26.1' })!,
    );
    assert.deepEqual(options, {
      version: { deploymentName: 'claude-batch', buildId: '2026-11-26.1' },
      useWorkerVersioning: true,
      defaultVersioningBehavior: 'AUTO_UPGRADE',
    });
  });

  it('takes the build id from the workflow sources when none is given', () => {
    const options = workerDeploymentOptions({ name: 'claude-batch' }, 'ab12'.repeat(16));
    assert.equal(options.version.buildId, 'ab12ab12ab12ab12');
  });
});
