export { freeLoopbackPort as freePort } from '../../src/dev/ports';
