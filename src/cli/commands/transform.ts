// `strata transform --dataset D --period P`: runs the dataset's transform SQL (stage into core) for one period.
import { registerPeriodScriptCommand } from '../stage-database-options.js';

export const registerTransform = registerPeriodScriptCommand('transform', 'stage into core');
