import type { JobStorage } from '../storage/storage';
import { workPaths } from './work-paths';

export interface CleanUpInput {
  output: string;
  /** The job's `work` folder, when not the default. */
  work?: string;
  jobKey: string;
  /** Also keep the work area (chunks and raw outcomes), for inspection. */
  keepWorkData: boolean;
}

export interface CleanUpOutput {
  /** Files left by writes that a dying worker interrupted, removed from the output folder. */
  incompleteWrites: number;
  workDataRemoved: boolean;
}

/** Leaves the output folder as the user expects it once the report is written: results and summary, no debris. */
export function createCleanUpActivities({ storage }: { storage: JobStorage }) {
  return {
    async cleanUpWorkArea(input: CleanUpInput): Promise<CleanUpOutput> {
      const paths = workPaths(storage, input.output, input.jobKey, input.work);
      const incompleteWrites = await storage.removeIncompleteWrites(input.output);
      if (input.keepWorkData) return { incompleteWrites, workDataRemoved: false };
      await storage.remove(paths.work);
      // The shared `.work/` goes too once no other job keeps data there (ours, of an older layout, included); a work
      // folder the user named stays theirs.
      if (input.work === undefined) await storage.removeIfEmpty(paths.workRoot);
      return { incompleteWrites, workDataRemoved: true };
    },
  };
}
