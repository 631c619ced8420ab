// The job's money rules, as pure functions of its state: what a round may cost, and whether it must wait for a person.
import { addEstimate, emptyEstimate, type CostEstimate, type JobState, type RoundState } from '../shared/job';

const usd = (n: number) => `USD ${n.toFixed(n < 1 ? 4 : 2)}`;

/** The estimate of what the round's unsent chunks may cost. */
export function unsentEstimate(round: RoundState): CostEstimate {
  const total = emptyEstimate();
  for (const c of round.chunks) if (c.status === 'pending' && c.chunk.estimate) addEstimate(total, c.chunk.estimate);
  return total;
}

/** Round 1's estimate: every request once. */
export function jobEstimate(state: JobState): CostEstimate | undefined {
  const first = state.rounds[0];
  if (!first || first.chunks.some((c) => !c.chunk.estimate)) return undefined;
  return unsentEstimate({ ...first, chunks: first.chunks.map((c) => ({ ...c, status: 'pending' })) });
}

/**
 * Why sending the round's unsent chunks must wait for approval, or undefined when it may go on: with a budget, the
 * worst case (spent so far plus the ceiling of what is left to send) must fit, and every request must have a price.
 */
export function holdReason(
  round: RoundState,
  budgetUsd: number | undefined,
  spentUsd: number,
  approvedRounds: readonly number[],
): string | undefined {
  if (budgetUsd === undefined || approvedRounds.includes(round.round)) return undefined;
  const unsent = unsentEstimate(round);
  if (unsent.requests === 0) return undefined;
  if (unsent.unpricedRequests > 0) {
    return `${unsent.unpricedRequests} request(s) of round ${round.round} use models without a price (${unsent.unpricedModels.join(', ')}), so the budget cannot be kept to: approve to send them anyway, or add the models' prices (CLAUDE_BATCH_MODELS) and start again`;
  }
  const worst = spentUsd + unsent.ceilingUsd;
  if (worst <= budgetUsd) return undefined;
  return `round ${round.round} may cost up to ${usd(unsent.ceilingUsd)} (expected ${usd(unsent.expectedUsd)}); with ${usd(spentUsd)} spent that is ${usd(worst)}, over the budget of ${usd(budgetUsd)}: approve, or raise the budget with setBudget`;
}
