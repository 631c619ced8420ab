// A local emulator of Anthropic's Message Batches API: point any Anthropic SDK at its URL.
export { startEmulator } from './server';
export { EmulatorClock } from './clock';
export type {
  Emulator,
  EmulatorControl,
  EmulatorOptions,
  EmulatorRecord,
  Endpoint,
  FaultInjection,
  FaultStatus,
  PlannedOutcome,
  RecordedBatch,
  RecordedCall,
  RecordedRequest,
  RequestRule,
  Scenario,
  ResultsOrder,
  CountsWhileRunning,
} from './types';
