// `npm run chaos` (or `npm run chaos -- --short`): one chaos run, its figures on stdout, exit code 1 if it failed.
import { chaosOptionsFromArgs } from './options';
import { formatReport } from './report';
import { runChaos } from './run';

async function main(): Promise<number> {
  const options = chaosOptionsFromArgs(process.argv.slice(2));
  if (!options) return 0;
  const report = await runChaos(options);
  console.log(formatReport(report));
  return report.passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(2);
  },
);
